"""Ingest documents into the index: python ingest.py [PATH ...] [--index DIR] [--reset] [--json]."""

from __future__ import annotations

import argparse
import json
import logging
import signal
import sys
from pathlib import Path

from assistant.cli import ProgressBar, common_options, configure_logging, settings_from
from assistant.errors import AssistantError
from assistant.service import build_index


class Terminated(BaseException):
    """The process was sent SIGTERM (a BaseException, like KeyboardInterrupt: libraries'
    `except Exception` must not swallow it)."""


def _raise(signum: int) -> None:
    raise Terminated if signum == signal.SIGTERM else KeyboardInterrupt


class _Stoppable(ProgressBar):
    """The progress bar, which also raises a stop signal received earlier: one that lands while
    a worker process is forked is raised inside an at-fork handler (logging's), where Python
    ignores it, and the run would go on to the end."""

    def __init__(self, received: list[int]) -> None:
        super().__init__()
        self.received = received

    def check(self) -> None:
        if self.received:
            _raise(self.received[-1])

    def reading(self, path: Path) -> None:
        self.check()
        super().reading(path)

    def read(self, path: Path, passages: int) -> None:
        self.check()
        super().read(path, passages)

    def embedded(self, passages: int) -> None:
        self.check()
        super().embedded(passages)


def main(argv: list[str] | None = None) -> int:
    configure_logging()
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "paths", nargs="*", type=Path, help="files or folders (default: the corpus folder)"
    )
    parser.add_argument("--reset", action="store_true", help="delete the index and build it anew")
    parser.add_argument("--json", action="store_true", help="end with one JSON line of counts")
    parser.add_argument("-v", "--verbose", action="store_true", help="log each stored file")
    common_options(parser)
    args = parser.parse_args(argv)
    if args.verbose:
        logging.getLogger("assistant").setLevel(logging.INFO)
        for handler in logging.getLogger().handlers:
            handler.setLevel(logging.INFO)
    missing = [p for p in args.paths if not p.exists()]
    if missing:
        print(f"error: {missing[0]}: no such file or folder", file=sys.stderr)
        return 2

    # SIGTERM (a service manager, `kill`) ends a run like Ctrl-C does: with one line saying the
    # index is consistent and what to run. Chroma writes are atomic per batch.
    received: list[int] = []

    def stop(signum, frame) -> None:
        received.append(signum)
        _raise(signum)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    progress = _Stoppable(received)
    try:
        settings = settings_from(args)
        report = build_index(settings, args.paths or None, reset=args.reset, progress=progress)
        progress.check()
    except AssistantError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except (KeyboardInterrupt, Terminated) as stop:
        print(
            "interrupted: the index still answers; run `python ingest.py` again to complete it",
            file=sys.stderr,
        )
        return 143 if isinstance(stop, Terminated) else 130
    finally:
        progress.close()
    for kind, notes in (
        ("skipped", report.skipped),
        ("warning", report.warnings),
        ("flagged", report.flagged),
        ("failed", report.failed),
    ):
        for note in notes:
            print(f"{kind} {note.path}: {note.message}", file=sys.stderr)
    if report.flagged:
        print(
            f"{len(report.flagged)} passages address a language model (planted instructions?): "
            "they stay searchable and quotable, but are never put in an LLM's prompt",
            file=sys.stderr,
        )
    summary = report.summary()
    if args.json:
        print(json.dumps(summary, ensure_ascii=False))
    else:
        print(
            f"{report.added} added, {report.updated} updated, {report.removed} removed, "
            f"{report.unchanged} unchanged, {len(report.failed)} failed; "
            f"{report.chunks} chunks in {settings.index_dir}"
        )
    return 1 if report.ingested_nothing else 0


if __name__ == "__main__":
    sys.exit(main())
