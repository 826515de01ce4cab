"""The real ChatOpenAI client against a misbehaving server on 127.0.0.1: always the extractive answer."""

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from assistant.generation import NOTE_FAILED
from assistant.service import open_assistant

QUESTION = "Hoeveel dagen ondersteuning krijgt een opvanglocatie bij een praktijkbegeleiding?"


class Stub(BaseHTTPRequestHandler):
    mode = "down"

    def do_POST(self):  # noqa: N802 - the http.server interface
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        if self.mode == "slow":
            time.sleep(3)
        if self.mode == "ratelimit":
            body, status = (
                json.dumps({"error": {"message": "Rate limit", "type": "rate_limit"}}),
                429,
            )
        else:
            body, status = "{this is not json", 200
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body.encode())
        except BrokenPipeError:
            pass

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def stub():
    server = ThreadingHTTPServer(("127.0.0.1", 0), Stub)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()


@pytest.mark.parametrize("mode", ["slow", "ratelimit", "garbage", "down"])
def test_failing_servers_give_the_extractive_answer_with_a_note(
    mode, stub, corpus_index, embeddings
):
    Stub.mode = mode
    port = stub.server_address[1] if mode != "down" else 9  # nothing listens on port 9
    settings = corpus_index.replace(
        llm_base_url=f"http://127.0.0.1:{port}/v1", llm_model="stub", llm_timeout=1.0
    )
    assistant = open_assistant(settings, embeddings=embeddings)
    started = time.monotonic()
    answer = assistant.ask(QUESTION)
    assert time.monotonic() - started < 15  # never a hang
    assert answer.generator == "extractive" and answer.note == NOTE_FAILED
    assert answer.answered and "2 dagen ondersteuning per maand" in answer.text
    # A follow-up with the server failing is still joined to the previous question.
    follow_up = assistant.ask("En is dat gratis?", previous=[QUESTION])
    assert follow_up.generator == "extractive"
