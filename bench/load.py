"""Concurrent users against the real web app, through its API with gradio_client.

    python bench/load.py --users 20

Starts `app.py` on 127.0.0.1 over an index of the default corpus (built in a temporary folder
unless --index names one), then lets each user, in its own thread with its own gradio_client
session, ask --questions dev-set questions one after the other (users start at different points
of the list). A request counts as an error when it raises or returns no answer JSON; every user
stops at --deadline seconds. Latency is per request, as the user waits for it.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from assistant.evaluation import load_devset  # noqa: E402


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_app(index: Path, port: int, log: Path) -> subprocess.Popen:
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "GRADIO_ANALYTICS_ENABLED": "False",
        "HF_HUB_OFFLINE": "1",
        "ANONYMIZED_TELEMETRY": "False",
    }
    command = [sys.executable, str(ROOT / "app.py"), "--port", str(port), "--index", str(index)]
    process = subprocess.Popen(
        command, stdout=log.open("w"), stderr=subprocess.STDOUT, env=env, cwd=ROOT
    )
    deadline = time.time() + 600  # a first start ingests the corpus
    while time.time() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2)
            return process
        except OSError:
            if process.poll() is not None:
                raise SystemExit(f"app.py exited:\n{log.read_text()}") from None
            time.sleep(0.5)
    process.terminate()
    raise SystemExit(f"app.py did not answer within 600 s:\n{log.read_text()}")


def user(
    url: str,
    questions: list[str],
    deadline: float,
    latencies: list[float],
    errors: list[str],
    sent: list[str],
) -> None:
    from gradio_client import Client

    try:
        client = Client(url, verbose=False)
    except Exception as exc:  # noqa: BLE001 - a failed connection is a counted error
        errors.append(f"connect: {exc!r}")
        return
    for question in questions:
        if time.time() > deadline:
            errors.append("deadline reached before the user's last question")
            return
        sent.append(question)
        started = time.perf_counter()
        try:
            answer = client.predict(question, {}, api_name="/ask")
        except Exception as exc:  # noqa: BLE001 - every failure is counted, none stops the run
            errors.append(repr(exc))
            continue
        latencies.append(time.perf_counter() - started)
        if not isinstance(answer, dict) or "answered" not in answer:
            errors.append(f"unexpected answer: {answer!r:.200}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--questions", type=int, default=10, help="questions per user")
    parser.add_argument("--deadline", type=float, default=300, help="seconds for the whole run")
    parser.add_argument("--index", type=Path, help="an existing index (default: a fresh one)")
    args = parser.parse_args()

    questions = [item.question for item in load_devset(ROOT / "eval" / "devset.jsonl")]
    with tempfile.TemporaryDirectory(prefix="load-bench-") as work:
        index = args.index or Path(work) / "index"
        port = free_port()
        log = Path(work) / "app.log"
        process = start_app(index, port, log)
        try:
            url = f"http://127.0.0.1:{port}/"
            latencies: list[float] = []
            errors: list[str] = []
            sent: list[str] = []
            deadline = time.time() + args.deadline
            threads = [
                threading.Thread(
                    target=user,
                    args=(
                        url,
                        [questions[(u * 7 + i) % len(questions)] for i in range(args.questions)],
                        deadline,
                        latencies,
                        errors,
                        sent,
                    ),
                )
                for u in range(args.users)
            ]
            started = time.perf_counter()
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            wall = time.perf_counter() - started
        finally:
            process.terminate()
            process.wait(timeout=30)
    requests = len(sent)
    p50 = float(np.percentile(latencies, 50)) if latencies else float("nan")
    p95 = float(np.percentile(latencies, 95)) if latencies else float("nan")
    print(
        f"{args.users} users x {args.questions} questions: {requests} requests in {wall:.1f} s "
        f"({len(latencies) / wall:.1f} answers/s), {len(errors)} errors"
    )
    for error in errors[:5]:
        print(f"  error: {error}")
    print(f"latency p50 {p50:.3f} s, p95 {p95:.3f} s, max {max(latencies, default=0):.3f} s")
    print(
        json.dumps(
            {
                "users": args.users,
                "requests": requests,
                "errors": len(errors),
                "p50_s": round(p50, 3),
                "p95_s": round(p95, 3),
            }
        )
    )
    return 0 if not errors else 1


if __name__ == "__main__":
    sys.exit(main())
