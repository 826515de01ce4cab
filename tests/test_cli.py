"""The command line's JSON contracts, batch mode and error lines."""

import json
import os
import subprocess
import sys

import pytest
from conftest import ANSWER_KEYS, CITATION_KEYS, ROOT


def cli(*args, index=None):
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    extra = ["--index", str(index)] if index else []
    return subprocess.run(
        [sys.executable, "-m", "assistant", *args, *extra],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )


@pytest.fixture(scope="module")
def index(corpus_index):
    return corpus_index.index_dir


def test_search_json_contract(index):
    done = cli("search", "Wie is de inclusiecoach in Gent?", "--k", "3", "--json", index=index)
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert data["query"] == "Wie is de inclusiecoach in Gent?"
    assert [h["rank"] for h in data["hits"]] == [1, 2, 3]
    hit = data["hits"][0]
    assert set(hit) == {
        "rank",
        "score",
        "text",
        "title",
        "organisation",
        "source",
        "location",
        "url",
    }
    assert hit["source"] == "gent-kinderopvang-pedagogische-begeleiding.txt"
    assert hit["url"].startswith("https://stad.gent/")
    assert isinstance(hit["score"], float)


def test_ask_json_contract_with_filter(index):
    done = cli(
        "ask",
        "Hoeveel scholen en gemeenten zitten in het netwerk?",
        "--filter",
        "country=NL",
        "--json",
        index=index,
    )
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert set(data) == ANSWER_KEYS
    assert data["answered"] is True and "[1]" in data["answer"]
    assert data["generator"] == "extractive" and data["note"] is None
    assert data["claims"] and all(c["supported"] and c["citations"] for c in data["claims"])
    assert all(c["text"] in data["answer"] for c in data["claims"])
    citation = data["citations"][0]
    assert set(citation) == CITATION_KEYS
    assert citation["organisation"] == "Kansen4Kinderen"
    assert citation["quote"] in citation["text"] and citation["quote"] in data["answer"]
    assert "tachtig scholen" in citation["text"]


def test_batch_prints_one_json_object_per_question(index, tmp_path):
    questions = tmp_path / "vragen.txt"
    questions.write_text(
        "Wat doet een kansencoach?\n\nWat is de beste pizza van Napels?\n", encoding="utf-8"
    )
    done = cli("ask", "--batch", str(questions), index=index)
    assert done.returncode == 0, done.stderr
    lines = [json.loads(line) for line in done.stdout.splitlines()]
    assert [line["question"] for line in lines] == [
        "Wat doet een kansencoach?",
        "Wat is de beste pizza van Napels?",
    ]
    assert [line["answered"] for line in lines] == [True, False]
    assert lines[1]["citations"] == []
    searched = cli("search", "--batch", str(questions), index=index)
    assert len(searched.stdout.splitlines()) == 2


def test_human_output_is_dutch_with_numbered_sources(index):
    done = cli(
        "ask", "Hoe heet de publicatie die inzichten uit de proeftuinen bundelt?", index=index
    )
    assert done.returncode == 0
    assert (
        "Bronnen:\n[1] Samen door de schoolpoort — Onderwijscentrum Gent (Stad Gent)" in done.stdout
    )


def test_errors_are_one_clear_line(index, tmp_path):
    bad_filter = cli("search", "ouders", "--filter", "kleur=rood", index=index)
    assert bad_filter.returncode == 2
    assert (
        bad_filter.stderr.strip()
        == "error: unknown filter 'kleur': use one of organisation, type, country, theme"
    )
    missing = cli("ask", "ouders", index=tmp_path / "leeg")
    assert missing.returncode == 2 and "run `python ingest.py` first" in missing.stderr
    assert "Traceback" not in missing.stderr + bad_filter.stderr
