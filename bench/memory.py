"""Peak memory of ingesting one large text file, streamed against read whole, side by side.

    .venv/bin/python bench/memory.py [--mb 20]

Each variant runs in a fresh process (peak RSS is per process) and ingests the same generated
Dutch text file into a new index. The embedder is a stand-in that returns a fixed vector at
once: this measures what loading, chunking and writing hold in memory, not the model (whose
memory does not grow with the file). Prints both peaks, their ratio, and one JSON line.
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def write_text_file(path: Path, megabytes: float) -> None:
    """Paragraphs of Dutch words from the default corpus, up to the given size."""
    words = (ROOT / "corpus" / "kkgk-historiek-en-visie.txt").read_text("utf-8").split()
    rng = random.Random(7)
    with path.open("w", encoding="utf-8") as out:
        written = 0
        while written < megabytes * 1_000_000:
            paragraph = " ".join(rng.choice(words) for _ in range(120)) + ".\n\n"
            written += out.write(paragraph)


def run_variant(corpus: Path, index: Path, streamed: bool) -> None:
    """In this process: ingest the corpus once; print peak RSS and seconds as JSON."""
    from langchain_core.embeddings import Embeddings

    import assistant.loading
    from assistant.service import build_index
    from assistant.settings import load_settings

    class FixedEmbeddings(Embeddings):
        def embed_documents(self, texts):
            return [[1.0] + [0.0] * 383 for _ in texts]

        def embed_query(self, text):
            return [1.0] + [0.0] * 383

    if not streamed:
        assistant.loading.STREAM_MIN_BYTES = float("inf")
    settings = load_settings(
        env={}, index_dir=index, corpus_dir=corpus, embedding_cache="", embedding_batch_size=256
    )
    started = time.perf_counter()
    report = build_index(settings, embeddings=FixedEmbeddings())
    seconds = time.perf_counter() - started
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    children_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(
        json.dumps(
            {"chunks": report.chunks, "seconds": round(seconds, 1), "peak_mb": round(peak_mb),
             "reader_peak_mb": round(children_mb)}  # fmt: skip
        )
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--mb", type=float, default=20.0, help="size of the text file")
    parser.add_argument("--variant", choices=["streamed", "whole"], help=argparse.SUPPRESS)
    parser.add_argument("--work", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.variant:
        run_variant(args.work / "corpus", args.work / args.variant, args.variant == "streamed")
        return 0
    with tempfile.TemporaryDirectory() as work:
        corpus = Path(work) / "corpus"
        corpus.mkdir()
        write_text_file(corpus / "groot.txt", args.mb)
        results = {}
        for variant in ("streamed", "whole"):
            output = subprocess.run(
                [sys.executable, __file__, "--variant", variant, "--work", work],
                capture_output=True, text=True, check=True,
            ).stdout  # fmt: skip
            results[variant] = json.loads(output.strip().splitlines()[-1])
            r = results[variant]
            print(
                f"{variant:9} {r['chunks']:7d} chunks {r['seconds']:7.1f} s  "
                f"peak {r['peak_mb']:6d} MB (reader process {r['reader_peak_mb']} MB)"
            )
    ratio = results["whole"]["peak_mb"] / results["streamed"]["peak_mb"]
    print(f"a {args.mb:g} MB text file read whole peaks at {ratio:.1f}x the memory of streaming it")
    print(json.dumps({"mb": args.mb, **results, "whole_over_streamed": round(ratio, 2)}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
