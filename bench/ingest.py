"""Ingest speed on real Dutch PDFs plus the default corpus, against its baselines, in one run.

    python bench/ingest.py

The corpus is the default corpus (with its catalog) plus the two Dutch LilyPond manuals and the
Dutch Debian FAQ as PDFs (`--pdfs` picks fewer). One embedder (the configured model, warmed up,
without the persistent embedding cache, which would make every run after the first free)
serves all five runs:
1. ingest: the product's full ingest into an empty index (load, chunk, embed, Chroma, BM25);
2. encode: embed_documents over exactly the texts ingest embedded, in one call;
3. serial: ingest again into another empty index with the worker processes switched off, so
   that both designs are measured side by side with this model;
4. naive: PyPDFLoader/TextLoader + RecursiveCharacterTextSplitter (same chunk size and overlap)
   + Chroma.from_documents with the same model (HuggingFaceEmbeddings for sentence-transformers
   models; the packaged models are not, so our LangChain wrapper stands in);
5. reingest: ingest again with nothing changed.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
sys.path.insert(0, str(Path(__file__).resolve().parent))

from dutch_docs import ROOT, dutch_pdfs  # noqa: E402

from assistant import indexing  # noqa: E402
from assistant.embedding import make_embeddings  # noqa: E402
from assistant.service import build_index, client_for  # noqa: E402
from assistant.settings import load_settings  # noqa: E402
from assistant.store import ChunkStore  # noqa: E402


def naive_pipeline(files: list[Path], settings, embeddings, folder: Path) -> int:
    """The pipeline a LangChain tutorial builds; returns its chunk count."""
    from langchain_chroma import Chroma
    from langchain_community.document_loaders import PyPDFLoader, TextLoader
    from langchain_text_splitters import RecursiveCharacterTextSplitter

    documents = []
    for path in files:
        loader = PyPDFLoader(str(path)) if path.suffix == ".pdf" else TextLoader(str(path), "utf-8")
        documents.extend(loader.load())
    splitter = RecursiveCharacterTextSplitter(
        chunk_size=settings.chunk_size, chunk_overlap=settings.chunk_overlap
    )
    chunks = splitter.split_documents(documents)
    Chroma.from_documents(
        chunks,
        embeddings,
        persist_directory=str(folder),
        collection_metadata={"hnsw:space": "cosine"},
    )
    return len(chunks)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--pdfs",
        nargs="*",
        metavar="NAME",
        help="only these of web.nl.pdf, learning.nl.pdf, debian-faq.nl.pdf (default: all)",
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="ingest-bench-") as work:
        corpus = Path(work) / "corpus"
        shutil.copytree(ROOT / "corpus", corpus)
        for pdf in dutch_pdfs():
            if args.pdfs is None or pdf.name in args.pdfs:
                shutil.copy(pdf, corpus / pdf.name)
        files = sorted(p for p in corpus.iterdir() if p.suffix in (".pdf", ".txt"))
        settings = load_settings(index_dir=Path(work) / "index", corpus_dir=corpus)
        # The configured model (for a combined one, both), without the persistent cache.
        embeddings = make_embeddings(settings.replace(embedding_cache=Path("")))
        # A combined model keeps each part's vectors in memory: every run below starts empty.
        forget = getattr(embeddings, "clear", lambda: None)
        embeddings.embed_documents(["Opwarmen: het model laden."])
        size = sum(p.stat().st_size for p in files) / 1e6
        print(f"corpus: {len(files)} files ({size:.1f} MB), model {settings.embedding_model}")

        started = time.perf_counter()
        report = build_index(settings, embeddings=embeddings)
        ingest_s = time.perf_counter() - started
        if report.failed or report.added != len(files):
            raise SystemExit(f"ingest did not take every file: {report.summary()}")
        print(f"ingest:   {ingest_s:7.2f} s  {report.chunks} chunks")

        store = ChunkStore(client_for(settings), settings.embedding_model)
        texts = [chunk.context for chunk in store.chunks()]
        forget()
        started = time.perf_counter()
        embeddings.embed_documents(texts)
        encode_s = time.perf_counter() - started
        rate = len(texts) / encode_s
        print(f"encode:   {encode_s:7.2f} s  the same {len(texts)} texts, embedding only")
        print(f"          {rate:7.1f} passages per second ({settings.embedding_model})")

        # The same ingest reading one file at a time (one worker process), side by side.
        parallel_min = indexing.PARALLEL_MIN_BYTES
        indexing.PARALLEL_MIN_BYTES = float("inf")
        try:
            forget()
            started = time.perf_counter()
            build_index(settings.replace(index_dir=Path(work) / "serial"), embeddings=embeddings)
            serial_s = time.perf_counter() - started
        finally:
            indexing.PARALLEL_MIN_BYTES = parallel_min
        print(f"serial:   {serial_s:7.2f} s  the same ingest reading one file at a time")

        forget()
        started = time.perf_counter()
        naive_chunks = naive_pipeline(files, settings, embeddings, Path(work) / "naive")
        naive_s = time.perf_counter() - started
        print(f"naive:    {naive_s:7.2f} s  {naive_chunks} chunks")

        started = time.perf_counter()
        again = build_index(settings, embeddings=embeddings)
        reingest_s = time.perf_counter() - started
        if again.unchanged != len(files):
            raise SystemExit(f"re-ingest changed something: {again.summary()}")
        print(f"reingest: {reingest_s:7.2f} s  {again.unchanged} files unchanged")

    result = {
        "chunks": report.chunks,
        "ingest_s": round(ingest_s, 2),
        "encode_s": round(encode_s, 2),
        "serial_s": round(serial_s, 2),
        "passages_per_s": round(rate, 2),
        "naive_s": round(naive_s, 2),
        "reingest_s": round(reingest_s, 3),
        "ratio_vs_encode": round(ingest_s / encode_s, 3),
        "speedup_vs_naive": round(naive_s / ingest_s, 2),
        "workers_speedup": round(serial_s / ingest_s, 3),
        "reingest_speedup": round(ingest_s / reingest_s, 1),
    }
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
