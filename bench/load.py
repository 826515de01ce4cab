"""Concurrent users against the real web app, through its API with gradio_client.

    python bench/load.py --users 20

Starts `app.py` on 127.0.0.1 over an index of the default corpus (built in a temporary folder
unless --index names one; --url loads an app running elsewhere instead). Each user, in its own
process with its own gradio_client session, connects (with one untimed search), waits for the
common start, and asks --questions dev-set questions one after the other (users start at
different points of the list). A request counts as an error when it raises or returns no answer
JSON; every user stops at --deadline seconds. Latency is per request, as the user waits for it.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import resource
import socket
import subprocess
import sys
import tempfile
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
        # Its own embedding cache beside the index, not the developer's: users' first questions
        # must pay for the sentences no one has embedded yet, as on a new deployment.
        "ASSISTANT_EMBEDDING_CACHE": str(index.parent / f"{index.name}-embeddings.sqlite3"),
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


def cpu_seconds(pid: int) -> float:
    """User plus system CPU time of a process so far (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def own_cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def user(url: str, questions: list[str], start_at: float, deadline: float) -> dict:
    """One user in its own process: connect, wait for the common start, ask one by one."""
    from gradio_client import Client

    result: dict = {"latencies": [], "errors": [], "sent": 0, "cpu": 0.0}
    try:
        # gradio_client makes two httpx clients per request; with certificate checks on, each
        # loads the CA bundle (23 ms of CPU here) even for a plain-http URL, where no TLS is
        # used. On one machine that load generator's cost is taken from the app under test.
        client = Client(url, verbose=False, ssl_verify=url.startswith("https:"))
        # gradio_client sets up its event stream on a session's first call (2.4 s p50 when 20
        # do it at once, on top of the answer): one untimed search does that, as a page load would.
        client.predict("ouders", api_name="/search")
    except Exception as exc:  # noqa: BLE001 - a failed connection is a counted error
        result["errors"].append(f"connect: {exc!r}")
        return result
    time.sleep(max(0.0, start_at - time.time()))
    cpu = own_cpu_seconds()
    for question in questions:
        if time.time() > deadline:
            result["errors"].append("deadline reached before the user's last question")
            break
        result["sent"] += 1
        started = time.perf_counter()
        try:
            answer = client.predict(question, {}, api_name="/ask")
        except Exception as exc:  # noqa: BLE001 - every failure is counted, none stops the run
            result["errors"].append(repr(exc))
            continue
        result["latencies"].append(time.perf_counter() - started)
        if not isinstance(answer, dict) or "answered" not in answer:
            result["errors"].append(f"unexpected answer: {answer!r:.200}")
    result["cpu"] = own_cpu_seconds() - cpu
    return result


def run_users(
    args: argparse.Namespace, questions: list[str], url: str, app_pid: int | None
) -> tuple[list[dict], float, float | None]:
    """Every user's results, the wall time, and the app's CPU seconds when it runs here."""
    # Users connect first (each in its own process, as separate browsers would be), then all
    # start asking at the same moment.
    start_at = time.time() + 10 + args.users
    deadline = start_at + args.deadline
    work_items = [
        (
            url,
            [questions[(u * 7 + i) % len(questions)] for i in range(args.questions)],
            start_at,
            deadline,
        )
        for u in range(args.users)
    ]
    with multiprocessing.get_context("spawn").Pool(args.users) as pool:
        pending = pool.starmap_async(user, work_items)
        time.sleep(max(0.0, start_at - time.time()))
        app_cpu = cpu_seconds(app_pid) if app_pid else None
        started = time.perf_counter()
        results = pending.get()
        wall = time.perf_counter() - started
    if app_pid:
        app_cpu = cpu_seconds(app_pid) - app_cpu
    return results, wall, app_cpu


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--questions", type=int, default=10, help="questions per user")
    parser.add_argument("--deadline", type=float, default=300, help="seconds for the whole run")
    parser.add_argument("--index", type=Path, help="an existing index (default: a fresh one)")
    parser.add_argument("--url", help="load an app already running there instead of starting one")
    args = parser.parse_args()

    questions = [item.question for item in load_devset(ROOT / "eval" / "devset.jsonl")]
    if args.url:  # an app started elsewhere, e.g. on another machine than these users
        results, wall, server_cpu = run_users(args, questions, args.url, None)
    else:
        with tempfile.TemporaryDirectory(prefix="load-bench-") as work:
            port = free_port()
            process = start_app(args.index or Path(work) / "index", port, Path(work) / "app.log")
            try:
                url = f"http://127.0.0.1:{port}/"
                results, wall, server_cpu = run_users(args, questions, url, process.pid)
            finally:
                process.terminate()
                process.wait(timeout=30)
    latencies = [t for r in results for t in r["latencies"]]
    errors = [e for r in results for e in r["errors"]]
    client_cpu = sum(r["cpu"] for r in results)
    requests = sum(r["sent"] for r in results)
    p50 = float(np.percentile(latencies, 50)) if latencies else float("nan")
    p95 = float(np.percentile(latencies, 95)) if latencies else float("nan")
    print(
        f"{args.users} users x {args.questions} questions: {requests} requests in {wall:.1f} s "
        f"({len(latencies) / wall:.1f} answers/s), {len(errors)} errors"
    )
    app = f"app {server_cpu:.1f} s" if server_cpu is not None else "app elsewhere"
    print(
        f"CPU during the run: {app}, the {args.users} gradio_client users {client_cpu:.1f} s "
        f"({os.cpu_count()} cores here)"
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
