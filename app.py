"""Web app: python app.py [--host 127.0.0.1] [--port 7860] [--index DIR]."""

from __future__ import annotations

import argparse
import os
import sys

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
# Gradio recomputes its monitoring summary with pandas after every event, over up to 10,000
# past events (1.6 ms per request at first, 6 ms once full); the app has no monitoring page.
os.environ.setdefault("GRADIO_ANALYTICS_CACHE_FREQUENCY", "1000")

from assistant.cli import ProgressBar, common_options, configure_logging, settings_from  # noqa: E402
from assistant.errors import (  # noqa: E402
    AssistantError,
    IndexBusyError,
    IndexMissingError,
    IndexStateError,
)
from assistant.feedback import FeedbackStore  # noqa: E402
from assistant.indexing import hold_writer_lock  # noqa: E402
from assistant.service import build_index, open_assistant  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    configure_logging()
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=7860)
    common_options(parser)
    args = parser.parse_args(argv)
    try:
        settings = settings_from(args)
        try:
            assistant = open_assistant(settings)
        except IndexMissingError:
            print(
                f"No index in {settings.index_dir} yet: ingesting {settings.corpus_dir} first.",
                file=sys.stderr,
            )
            progress = ProgressBar()
            try:
                report = build_index(settings, progress=progress)
            finally:
                progress.close()
            print(
                f"{report.chunks} chunks ingested; {len(report.failed)} files failed.",
                file=sys.stderr,
            )
            assistant = open_assistant(settings)
    except IndexStateError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except AssistantError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2

    # One writer at a time: while the app runs, it alone writes to its index (ingest.py says
    # so and stops; documents are added on the Beheer page instead).
    try:
        writer = hold_writer_lock(settings.index_dir)
    except IndexBusyError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    assistant.warm_up()
    import uvicorn

    from assistant.library import Library
    from assistant.webapp import build_app

    # Thumbs are always kept; questions, answers and comments only with feedback_logging.
    feedback = FeedbackStore(settings.feedback_db, keep_text=settings.feedback_logging)
    library = None
    if settings.admin_password or settings.admin_token:
        # The index's own model (a combined model's answers are scored with its first part only).
        library = Library(assistant, assistant.retriever.embeddings)
        library.sync()  # completes whatever a crash left half done
    app = build_app(assistant, feedback, library=library)
    print(f"* Running on local URL:  http://{args.host}:{args.port}", file=sys.stderr, flush=True)
    # Open streams (a client's event stream) do not hold up a shutdown for long.
    uvicorn.run(
        app, host=args.host, port=args.port, log_level="warning", timeout_graceful_shutdown=3
    )
    writer.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
