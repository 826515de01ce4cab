"""Query latency, ANN recall and memory on an index grown to N chunks of real Dutch text.

    python bench/query.py --chunks 100000

The index is grown from the chunks of real Dutch documents (the default corpus, the LilyPond
manuals, the Debian FAQ, GIMP's and Debian Edu's manuals): first every chunk the ingest pipeline
makes of them, then passages of 300-900 characters cut at random word positions of the same
documents until N distinct chunks exist. Vectors come from the configured embedding model and are
cached in .cache/bench, as is the built index; a changed model, size or HNSW setting rebuilds it.

The measurement runs in a fresh process that opens the index as the app does (open_s), searches
every dev-set question in hybrid and dense-only mode (one after the other, several rounds), then
compares Chroma's approximate top 10 with an exact search over the same vectors. rss_mb is that
process's peak resident memory, all of it included.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import multiprocessing
import os
import random
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
sys.path.insert(0, str(Path(__file__).resolve().parent))

import numpy as np  # noqa: E402
from dutch_docs import CACHE, ROOT, dutch_html, dutch_pdfs  # noqa: E402

from assistant.catalog import load_catalog  # noqa: E402
from assistant.chunking import chunk_document, chunk_id  # noqa: E402
from assistant.evaluation import load_devset  # noqa: E402
from assistant.indexing import IngestReport, discover, source_name, sync_lexical  # noqa: E402
from assistant.loading import load_document  # noqa: E402
from assistant.records import Chunk  # noqa: E402
from assistant.service import open_assistant  # noqa: E402
from assistant.settings import Settings, load_settings  # noqa: E402
from assistant.store import HNSW, HNSW_EF_SEARCH, ChunkStore, open_client  # noqa: E402

SEED = 20261123
RECALL_PASSAGE_QUERIES = 200
ROUNDS = 3


def real_chunks(settings: Settings) -> tuple[list[Chunk], dict[str, str]]:
    """Every chunk the pipeline makes of the documents, and each source's plain text."""
    catalog = load_catalog(settings.corpus_dir)
    corpus = discover([settings.corpus_dir], IngestReport())
    chunks: list[Chunk] = []
    texts: dict[str, str] = {}
    for path in [*corpus, *dutch_pdfs(), *dutch_html()]:
        source = source_name(path, settings.corpus_dir)
        document = load_document(path, source, catalog.get(source))
        pieces = chunk_document(document, settings.chunk_size, settings.chunk_overlap)
        chunks.extend(pieces)
        texts[source] = " ".join(block.text for block in document.blocks)
    return chunks, texts


def grow(chunks: list[Chunk], texts: dict[str, str], n: int) -> list[Chunk]:
    """The real chunks, then random word-aligned passages of the same documents, n in all."""
    rng = random.Random(SEED)
    seen = {c.context for c in chunks}
    grown = list(chunks[:n])
    info = {c.info.source: c.info for c in chunks}
    next_index = {c.info.source: 0 for c in chunks}
    for c in chunks:
        next_index[c.info.source] = max(next_index[c.info.source], c.index + 1)
    sources = [s for s in texts if len(texts[s]) > 1000]
    weights = [len(texts[s]) for s in sources]
    while len(grown) < n:
        source = rng.choices(sources, weights)[0]
        text = texts[source]
        length = rng.randint(300, 900)
        start = text.find(" ", rng.randrange(0, len(text) - length)) + 1
        end = text.rfind(" ", start, start + length)
        passage = text[start:end].strip()
        chunk = Chunk(
            id=chunk_id(source, next_index[source]),
            info=info[source],
            index=next_index[source],
            text=passage,
        )
        if len(passage) < 200 or chunk.context in seen:
            continue
        seen.add(chunk.context)
        next_index[source] += 1
        grown.append(chunk)
    return grown


def _embed_part(args: tuple[str, list[str]]) -> np.ndarray:
    from assistant.embedding import make_backend

    model, texts = args
    backend = make_backend(Settings(embedding_model=model))
    return np.asarray(backend.embed_documents(texts), dtype=np.float32)


def embed_cached(model: str, texts: list[str]) -> Path:
    """The .npy file of the texts' vectors, computed once per model and texts on every core."""
    key = hashlib.sha256("\0".join([model, *texts]).encode()).hexdigest()[:16]
    path = CACHE / f"vectors-{key}.npy"
    if path.exists():
        return path
    step = 2000
    parts = [(model, texts[i : i + step]) for i in range(0, len(texts), step)]
    started = time.perf_counter()
    vectors = []
    with multiprocessing.get_context("spawn").Pool(os.cpu_count() or 1) as pool:
        for done, part in enumerate(pool.imap(_embed_part, parts), start=1):
            vectors.append(part)
            print(f"  embedded {min(done * step, len(texts))}/{len(texts)}", flush=True)
    array = np.concatenate(vectors)
    print(f"embedding {len(texts)} chunks took {time.perf_counter() - started:.0f} s")
    CACHE.mkdir(parents=True, exist_ok=True)
    np.save(path, array)
    return path


def build(settings: Settings, n: int) -> Path:
    """The index of n chunks (built once, then reused while model, size and HNSW are unchanged)."""
    started = time.perf_counter()
    chunks, texts = real_chunks(settings)
    real = len(chunks)
    chunks = grow(chunks, texts, n)
    contexts = [c.context for c in chunks]
    key = hashlib.sha256(
        json.dumps([settings.embedding_model, HNSW, contexts]).encode()
    ).hexdigest()
    index_dir = CACHE / f"query-{n}"
    marker = index_dir / "built.json"
    if marker.exists() and json.loads(marker.read_text()).get("key") == key:
        return index_dir
    print(f"{real} real chunks, grown to {len(chunks)} ({time.perf_counter() - started:.0f} s)")
    vector_file = embed_cached(settings.embedding_model, contexts)
    vectors = np.load(vector_file, mmap_mode="r")
    if index_dir.exists():
        shutil.rmtree(index_dir)
    settings = _settings(index_dir, settings.embedding_model)
    started = time.perf_counter()
    store = ChunkStore(open_client(index_dir), settings.embedding_model, create=True)
    by_source: dict[str, list[int]] = {}
    for position, chunk in enumerate(chunks):
        by_source.setdefault(chunk.info.source, []).append(position)
    for positions in by_source.values():
        store.write([chunks[p] for p in positions], vectors[positions], "bench")
    print(f"chroma write of {len(chunks)} chunks took {time.perf_counter() - started:.0f} s")
    started = time.perf_counter()
    sync_lexical(settings, store)
    print(f"lexical index of {len(chunks)} chunks took {time.perf_counter() - started:.0f} s")
    exact_neighbours(settings, chunks, vectors, index_dir)
    marker.write_text(json.dumps({"key": key, "chunks": len(chunks), "real": real}))
    return index_dir


def recall_queries(chunks: list[Chunk]) -> list[str]:
    """The dev-set questions and the openings of passages picked at random."""
    questions = [item.question for item in load_devset(ROOT / "eval" / "devset.jsonl")]
    rng = random.Random(SEED)
    return questions + [c.text[:160] for c in rng.sample(chunks, RECALL_PASSAGE_QUERIES)]


def exact_neighbours(
    settings: Settings, chunks: list[Chunk], vectors: np.ndarray, index_dir: Path
) -> None:
    """Exact top 10 of every recall query, saved for the measuring process (which so never
    holds the whole vector matrix)."""
    from assistant.embedding import make_embeddings

    # The index's model (a combined one too), without the persistent cache.
    embeddings = make_embeddings(settings.replace(embedding_cache=Path("")))
    queries = recall_queries(chunks)
    exact = {}
    for query in queries:
        vector = np.asarray(embeddings.embed_query(query), dtype=np.float32)
        exact[query] = [chunks[j].id for j in np.argpartition(-(vectors @ vector), 10)[:10]]
    (index_dir / "exact.json").write_text(json.dumps(exact, ensure_ascii=False))


def _settings(index_dir: Path, model: str | None = None) -> Settings:
    return load_settings(index_dir=index_dir, corpus_dir=ROOT / "corpus", embedding_model=model)


def percentile(values: list[float], q: float) -> float:
    return float(np.percentile(np.asarray(values), q))


def measure(n: int, model: str | None) -> dict:
    """Open the index as the app does, time query encoding and searches, check ANN recall;
    runs in a fresh process."""
    from assistant.embedding import E5_MODEL, make_backend

    index_dir = CACHE / f"query-{n}"
    settings = _settings(index_dir, model)
    started = time.perf_counter()
    assistant = open_assistant(settings)
    open_s = time.perf_counter() - started
    retriever = assistant.retriever
    cache = retriever.embeddings  # the app's query cache: emptied before each search below
    questions = [item.question for item in load_devset(ROOT / "eval" / "devset.jsonl")]
    # The default model's query encoding, timed on its own, also when the index was built with
    # another model (a 100k-chunk index takes hours to embed with e5 on two cores).
    e5 = make_backend(settings.replace(embedding_model=E5_MODEL))
    for question in questions[:5]:  # warm-up: model weights, Chroma's segment files
        retriever.search(question, settings.top_k, mode="hybrid")
        e5.embed_query(question)
    timings: dict[str, list[float]] = {"encode": [], "e5_encode": [], "hybrid": [], "dense": []}
    for _ in range(ROUNDS):
        for question in questions:
            started = time.perf_counter()
            e5.embed_query(question)
            timings["e5_encode"].append((time.perf_counter() - started) * 1000)
            for mode in ("hybrid", "dense"):
                cache.clear()
                started = time.perf_counter()
                retriever.search(question, settings.top_k, mode=mode)
                timings[mode].append((time.perf_counter() - started) * 1000)
            started = time.perf_counter()
            cache.inner.embed_query(question)
            timings["encode"].append((time.perf_counter() - started) * 1000)
    # Hybrid search with e5's encoding in place of the index model's, question by question.
    timings["hybrid_with_e5"] = [
        hybrid - encode + e5_encode
        for hybrid, encode, e5_encode in zip(
            timings["hybrid"], timings["encode"], timings["e5_encode"], strict=True
        )
    ]

    exact = json.loads((index_dir / "exact.json").read_text())
    found = {"questions": 0, "passages": 0}
    for position, (query, neighbours) in enumerate(exact.items()):
        vector = retriever.embeddings.embed_query(query)
        approximate = {i for i, _ in retriever.store.query(vector, 10)}
        found["questions" if position < len(questions) else "passages"] += len(
            approximate & set(neighbours)
        )
    passages = len(exact) - len(questions)
    recall = sum(found.values()) / (10 * len(exact))
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    hybrid_p95 = percentile(timings["hybrid"], 95)
    dense_p95 = percentile(timings["dense"], 95)
    print(
        f"index: {index_dir} ({retriever.store.count()} chunks, model {settings.embedding_model}),"
        f" HNSW {HNSW}, ef_search {HNSW_EF_SEARCH}"
    )
    print(f"open (as the app does, lexical generation check included): {open_s:.2f} s")
    for mode, values in timings.items():
        print(
            f"{mode:>14}: p50 {percentile(values, 50):.1f} ms, p95 {percentile(values, 95):.1f} ms "
            f"over {len(values)} ({len(questions)} questions x {ROUNDS})"
        )
    print(
        f"ANN recall@10: {recall:.4f} (questions {found['questions'] / (10 * len(questions)):.4f}, "
        f"passage openings {found['passages'] / (10 * passages):.4f})"
    )
    print(f"peak RSS of this process: {rss_mb:.0f} MB")
    return {
        "chunks": retriever.store.count(),
        "model": settings.embedding_model,
        "open_s": round(open_s, 2),
        "encode_p95_ms": round(percentile(timings["encode"], 95), 2),
        "e5_encode_p95_ms": round(percentile(timings["e5_encode"], 95), 2),
        "hybrid_p50_ms": round(percentile(timings["hybrid"], 50), 2),
        "hybrid_p95_ms": round(hybrid_p95, 2),
        "hybrid_with_e5_p95_ms": round(percentile(timings["hybrid_with_e5"], 95), 2),
        "dense_p95_ms": round(dense_p95, 2),
        "ratio": round(hybrid_p95 / dense_p95, 3),
        "ann_recall_at_10": round(recall, 4),
        "rss_mb": round(rss_mb, 1),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chunks", type=int, default=100_000)
    parser.add_argument(
        "--model", help="embedding model of the index (default: the configured one)"
    )
    parser.add_argument("--phase", choices=["build", "measure"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.phase == "build":
        build(_settings(CACHE / "unused", args.model), args.chunks)
        return 0
    if args.phase == "measure":
        print(json.dumps(measure(args.chunks, args.model)))
        return 0
    # Each phase in its own process, one after the other: peak memory is then the serving
    # side's alone, and no builder still holds the store open while it is measured (with the
    # builder alive, the measuring process peaked at 1.6-1.7 GB instead of 0.8 GB).
    for phase in ("build", "measure"):
        command = [sys.executable, __file__, "--chunks", str(args.chunks), "--phase", phase]
        command += ["--model", args.model] if args.model else []
        code = subprocess.run(command, check=False).returncode
        if code:
            return code
    return 0


if __name__ == "__main__":
    sys.exit(main())
