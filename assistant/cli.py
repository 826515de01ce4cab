"""Command line: `python -m assistant search|ask|eval` and the ingest entry point's helpers."""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from collections.abc import Iterable
from pathlib import Path

from assistant.errors import AssistantError
from assistant.presenting import answer_to_json, format_answer, format_hits, search_to_json
from assistant.settings import Settings, load_settings

log = logging.getLogger("assistant")


def common_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--index", type=Path, help="index folder (default: setting index_dir)")
    parser.add_argument("--config", type=Path, help="TOML settings file (default: assistant.toml)")


def settings_from(args: argparse.Namespace) -> Settings:
    return load_settings(args.config, index_dir=args.index)


class ProgressBar:
    """Ingest progress on stderr: passages embedded out of the passages of the files read so
    far (workers read ahead of the embedder), with tqdm's estimate of the time left."""

    def __init__(self) -> None:
        from tqdm import tqdm

        self._bar = tqdm(total=0, desc="ingest", unit="passage", file=sys.stderr, disable=None)
        self._files = 0

    def reading(self, path: Path) -> None:
        self._bar.set_postfix_str(f"{self._files} files read; reading {path.name}", refresh=False)
        self._bar.refresh()

    def read(self, path: Path, passages: int) -> None:
        self._files += 1
        self._bar.total += passages
        self._bar.set_postfix_str(f"{self._files} files read, last {path.name}", refresh=False)
        self._bar.refresh()

    def embedded(self, passages: int) -> None:
        self._bar.update(passages)

    def close(self) -> None:
        self._bar.close()


def parse_filters(pairs: Iterable[str]) -> dict[str, str]:
    filters: dict[str, str] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise AssistantError(
                f"--filter {pair!r}: expected key=value, e.g. theme=ouderbetrokkenheid"
            )
        filters[key.strip()] = value.strip()
    return filters


def read_batch(path: Path) -> list[str]:
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise AssistantError(f"--batch {path}: {exc.strerror}") from None
    except UnicodeDecodeError:
        raise AssistantError(f"--batch {path}: not UTF-8 text") from None
    return [line.strip() for line in lines if line.strip()]


def _print_json(data: dict) -> None:
    print(json.dumps(data, ensure_ascii=False), flush=True)


def cmd_search(args: argparse.Namespace) -> int:
    from assistant.service import open_assistant

    assistant = open_assistant(settings_from(args))
    filters = parse_filters(args.filter)
    for query in read_batch(args.batch) if args.batch else [args.query]:
        hits = assistant.search(query, args.k, filters)
        if args.json or args.batch:
            _print_json(search_to_json(query, hits))
        else:
            print(format_hits(query, hits))
    return 0


def cmd_ask(args: argparse.Namespace) -> int:
    from assistant.service import open_assistant

    assistant = open_assistant(settings_from(args))
    filters = parse_filters(args.filter)
    for question in read_batch(args.batch) if args.batch else [args.question]:
        if args.json or args.batch:
            _print_json(answer_to_json(assistant.ask(question, filters)))
            continue
        answer, streamed = None, ""
        for event, value in assistant.ask_stream(question, filters):
            if event == "delta":
                streamed += value
                print(value, end="", flush=True)  # an LLM's words as they arrive
            else:
                answer = value
        if streamed:
            print("\n\nNa controle van de bronnen:\n")
        print(format_answer(answer))
    return 0


def cmd_eval(args: argparse.Namespace) -> int:
    from assistant.evaluation import ANSWER_SETS, print_report, run_evaluation

    settings = settings_from(args)
    devset = args.devset or settings.devset
    fresh2 = devset.with_name("fresh2.jsonl")
    practice = devset.with_name("practice.jsonl")
    answer_sets = {name: devset.with_name(f"{name}.jsonl") for name in ANSWER_SETS}
    report = run_evaluation(
        settings,
        devset=devset,
        answer_sets={name: path for name, path in answer_sets.items() if path.exists()},
        fresh2=fresh2 if fresh2.exists() else None,
        practice=practice if practice.exists() else None,
        distractors=args.distractors,
        work_dir=args.work_dir,
        compare=args.compare,
        tune=args.tune,
    )
    print_report(report, settings)
    _print_json(report.to_json())
    return 0


def set_setting(config: Path, name: str, value: str) -> None:
    """Write one setting into the TOML settings file, keeping its other lines and comments."""
    import tomlkit

    from assistant.library import _write_atomically

    text = config.read_text(encoding="utf-8") if config.is_file() else ""
    document = tomlkit.parse(text)
    document[name] = value
    _write_atomically(config, tomlkit.dumps(document))


def cmd_admin(args: argparse.Namespace) -> int:
    import getpass
    import secrets

    from assistant.admin import hash_password
    from assistant.settings import CONFIG_ENV, DEFAULT_CONFIG_FILE

    config = args.config or Path(os.environ.get(CONFIG_ENV) or DEFAULT_CONFIG_FILE)
    if args.action == "set-password":
        if args.password_stdin:
            password = sys.stdin.readline().rstrip("\n")
        else:
            password = getpass.getpass("Nieuw wachtwoord voor /beheer: ")
            if getpass.getpass("Nog eens: ") != password:
                print("error: the two passwords differ; nothing written", file=sys.stderr)
                return 2
        if len(password) < 10:
            print("error: use a password of at least 10 characters", file=sys.stderr)
            return 2
        set_setting(config, "admin_password", hash_password(password))
        print(f"admin_password (a salted scrypt hash) written to {config}; restart the app")
        return 0
    token = secrets.token_urlsafe(32)
    set_setting(config, "admin_token", token)
    print(f"admin_token written to {config}; scripts send: Authorization: Bearer {token}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m assistant", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    search = commands.add_parser("search", help="find passages for a question")
    search.add_argument("query", nargs="?", default="")
    search.add_argument("--k", type=int, default=5, help="number of passages (default 5)")
    ask = commands.add_parser("ask", help="answer a question with cited sources")
    ask.add_argument("question", nargs="?", default="")
    for sub in (search, ask):
        sub.add_argument(
            "--filter",
            action="append",
            default=[],
            metavar="KEY=VALUE",
            help="organisation, type, country or theme; repeatable",
        )
        sub.add_argument("--json", action="store_true", help="print the JSON object")
        sub.add_argument(
            "--batch",
            type=Path,
            metavar="FILE",
            help="one question per line; prints one JSON object per line",
        )
        common_options(sub)
    search.set_defaults(run=cmd_search)
    ask.set_defaults(run=cmd_ask)

    evaluate = commands.add_parser(
        "eval", help="measure retrieval, answers and refusals on the dev set"
    )
    evaluate.add_argument("--devset", type=Path, help="dev set JSONL (default: setting devset)")
    evaluate.add_argument(
        "--distractors",
        type=Path,
        nargs="*",
        default=None,
        help="Dutch PDFs mixed in (default: the Debian lilypond-doc-pdf-nl manuals if installed)",
    )
    evaluate.add_argument(
        "--work-dir",
        type=Path,
        default=Path(".cache/eval"),
        help="where the evaluation indexes are kept between runs",
    )
    evaluate.add_argument(
        "--compare",
        action="store_true",
        help="also measure stemmer, synonym and compound-splitting variants (both halves)",
    )
    evaluate.add_argument(
        "--tune",
        action="store_true",
        help="also try every fusion setting of the grid, ranked on the tuning half",
    )
    common_options(evaluate)
    evaluate.set_defaults(run=cmd_eval)

    admin = commands.add_parser("admin", help="turn on document management at /beheer")
    admin.add_argument("action", choices=["set-password", "new-token"])
    admin.add_argument(
        "--password-stdin", action="store_true", help="read the password from standard input"
    )
    admin.add_argument("--config", type=Path, help="settings file (default: assistant.toml)")
    admin.set_defaults(run=cmd_admin)
    return parser


def configure_logging() -> None:
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    # Some libraries set their own loggers to DEBUG on import; the handler decides what shows.
    for handler in logging.getLogger().handlers:
        handler.setLevel(logging.WARNING)
    for noisy in ("chromadb", "httpx", "sentence_transformers", "transformers", "bm25s"):
        logging.getLogger(noisy).setLevel(logging.ERROR)


def main(argv: list[str] | None = None) -> int:
    configure_logging()
    args = build_parser().parse_args(argv)
    question = getattr(args, "query", None) or getattr(args, "question", None) or ""
    if args.command in ("search", "ask") and not args.batch and not question.strip():
        print("error: give a question, or --batch FILE", file=sys.stderr)
        return 2
    try:
        return args.run(args)
    except AssistantError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except BrokenPipeError:
        # The reader went away (`ask ... | head -1`): stop quietly, as Unix tools do.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
