"""Scale-out: ingest, search and ask against a real `chroma run` server on 127.0.0.1."""

import os
import subprocess
import sys

import pytest
from conftest import ROOT, free_port, make_settings, wait_until_serving

from assistant.errors import StoreUnavailableError
from assistant.presenting import answer_to_json
from assistant.service import build_index, open_assistant

QUESTIONS = [
    "Wie is de inclusiecoach van Dienst Kinderopvang Stad Gent?",
    "Onze crèche wil beter praten met de ouders. Waar kunnen we terecht?",
    "Hoeveel scholen en gemeenten zitten in het netwerk?",
]


class ChromaServer:
    """`chroma run` on 127.0.0.1, which a test can stop and start again on the same data."""

    def __init__(self, folder):
        self.folder = folder
        self.port = free_port()
        self.process = None
        self.chroma = os.path.join(os.path.dirname(sys.executable), "chroma")
        assert os.path.exists(self.chroma), "the chroma CLI ships with the chromadb package"

    def start(self):
        log = (self.folder / "server.log").open("a")  # noqa: SIM115 - handed to the server
        self.process = subprocess.Popen(
            [
                self.chroma,
                "run",
                "--path",
                str(self.folder / "data"),
                "--host",
                "127.0.0.1",
                "--port",
                str(self.port),
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
            env={**os.environ, "ANONYMIZED_TELEMETRY": "False"},
        )
        heartbeat = f"http://127.0.0.1:{self.port}/api/v2/heartbeat"
        wait_until_serving(heartbeat, self.process, self.folder / "server.log", 60)

    def stop(self):
        self.process.terminate()
        self.process.wait(timeout=30)


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    chroma = ChromaServer(tmp_path_factory.mktemp("chroma-server"))
    chroma.start()
    yield chroma
    if chroma.process.poll() is None:
        chroma.stop()


@pytest.fixture(scope="module")
def chroma_server(server):
    return server.port


def test_server_gives_the_same_results_as_the_embedded_store(
    tmp_path, corpus_copy, embeddings, chroma_server
):
    embedded = make_settings(tmp_path / "embedded", corpus_copy)
    served = make_settings(
        tmp_path / "served", corpus_copy, chroma_host="127.0.0.1", chroma_port=chroma_server
    )
    first = build_index(served, embeddings=embeddings)
    build_index(embedded, embeddings=embeddings)
    assert first.added == 5 and not (tmp_path / "served" / "index" / "chroma").exists()
    again = build_index(served, embeddings=embeddings)
    assert again.unchanged == 5 and again.chunks == first.chunks

    local = open_assistant(embedded, embeddings=embeddings)
    remote = open_assistant(served, embeddings=embeddings)
    for question in QUESTIONS:
        assert [h.chunk.id for h in remote.search(question)] == [
            h.chunk.id for h in local.search(question)
        ]
        assert answer_to_json(remote.ask(question)) == answer_to_json(local.ask(question))

    # A second machine with an empty index folder rebuilds its lexical index from the server.
    elsewhere = make_settings(
        tmp_path / "other-machine", corpus_copy, chroma_host="127.0.0.1", chroma_port=chroma_server
    )
    assert [
        h.chunk.id for h in open_assistant(elsewhere, embeddings=embeddings).search(QUESTIONS[0])
    ] == [h.chunk.id for h in local.search(QUESTIONS[0])]

    # Ingest on one machine; the other picks the change up when it next opens the index.
    (corpus_copy / "nieuw.md").write_text(
        "# Tipfiche\n\nVertel ouders over de speelplaatsbabbel.\n", encoding="utf-8"
    )
    build_index(served, embeddings=embeddings)
    hits = open_assistant(elsewhere, embeddings=embeddings).search("speelplaatsbabbel", k=1)
    assert hits[0].chunk.info.source == "nieuw.md" and hits[0].lexical_rank == 1

    reset = build_index(served, embeddings=embeddings, reset=True)
    assert reset.added == 6 and reset.chunks == again.chunks + 1


def test_an_unreachable_server_is_a_clear_error(tmp_path, corpus_copy, embeddings):
    settings = make_settings(tmp_path, corpus_copy, chroma_host="127.0.0.1", chroma_port=9)
    with pytest.raises(StoreUnavailableError, match="127.0.0.1:9 cannot be reached"):
        open_assistant(settings, embeddings=embeddings)


def test_the_cli_runs_end_to_end_against_the_server(tmp_path, corpus_copy, chroma_server):
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "ASSISTANT_CORPUS_DIR": str(corpus_copy),
        "ASSISTANT_CHROMA_HOST": "127.0.0.1",
        "ASSISTANT_CHROMA_PORT": str(chroma_server),
        "ASSISTANT_INDEX_DIR": str(tmp_path / "cli-index"),
    }
    ingest = subprocess.run(
        [sys.executable, str(ROOT / "ingest.py"), "--reset", "--json"],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert ingest.returncode == 0, ingest.stderr
    ask = subprocess.run(
        [sys.executable, "-m", "assistant", "ask", QUESTIONS[0], "--json"],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert ask.returncode == 0, ask.stderr
    assert "Hilde Schockaert" in ask.stdout


def test_the_app_survives_the_chroma_server_stopping(tmp_path, corpus_copy, embeddings, server):
    from gradio_client import Client
    from gradio_client.exceptions import AppError

    settings = make_settings(
        tmp_path, corpus_copy, chroma_host="127.0.0.1", chroma_port=server.port
    )
    build_index(settings, embeddings=embeddings, reset=True)
    port = free_port()
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "ASSISTANT_CORPUS_DIR": str(corpus_copy),
        "ASSISTANT_CHROMA_HOST": "127.0.0.1",
        "ASSISTANT_CHROMA_PORT": str(server.port),
    }
    app = subprocess.Popen(
        [
            sys.executable,
            str(ROOT / "app.py"),
            "--port",
            str(port),
            "--index",
            str(tmp_path / "index"),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=env,
    )
    try:
        url = f"http://127.0.0.1:{port}/"
        wait_until_serving(url, app, None, 120)
        client = Client(url, verbose=False)
        assert client.predict(QUESTIONS[0], api_name="/ask")["answered"]

        server.stop()
        with pytest.raises(AppError, match="De documentenbank is even niet bereikbaar"):
            client.predict(QUESTIONS[0], api_name="/ask")
        with pytest.raises(AppError, match="De documentenbank is even niet bereikbaar"):
            client.predict("ouders", api_name="/search")

        server.start()
        answer = client.predict(QUESTIONS[0], api_name="/ask")  # the same app, not restarted
        assert answer["answered"] and "Hilde Schockaert" in answer["answer"]
    finally:
        app.terminate()
        app.wait(timeout=30)
