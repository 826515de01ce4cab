"""The corpus's documents as the web app serves them: only files ingest accepted, by id.

Two routes: /bron/<id>.pdf, a corpus PDF itself, and /kopie/<id>, any indexed document's stored
text as an escaped page of the app (see pages.stored_copy_html), opened at a quote.

The app never serves a folder. A PDF is served when the index holds passages of it and its
file lies inside the corpus folder (no dotfile, no link out), under /bron/<id>.pdf, where the
id is a hash of its name, so links carry no server path. It is served with headers that keep
it from acting as a page of the app: its own sandbox, no content sniffing. Documents in HTML
or text are never served as files (a browser would run them as pages of the app's origin).
A document ingested while the app runs is served at once: the list of documents follows the
index's generation token.
"""

from __future__ import annotations

import hashlib
import re
import threading
from pathlib import Path

from fastapi import FastAPI, Query
from fastapi.responses import FileResponse, HTMLResponse

from assistant.records import DocumentInfo
from assistant.store import ChunkStore

# Served with every document file: the file is its own sandboxed origin (no script of it can
# reach the app), and the browser must not guess another content type than the one given.
DOCUMENT_HEADERS = {
    "Content-Security-Policy": "sandbox",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "private, max-age=300",
}
# The stored copy is the app's own page of escaped text: even so, no script may run in it.
COPY_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; "
    "frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}


def document_id(source: str) -> str:
    """A document's id in links: a hash of its name in the index (no server path)."""
    return hashlib.sha1(source.encode("utf-8")).hexdigest()[:16]


def pdf_href(source: str, page: int | None = None) -> str:
    """The app's link to a PDF of the corpus, at a page."""
    return f"/bron/{document_id(source)}.pdf" + (f"#page={page}" if page else "")


def corpus_file(corpus_dir: Path, source: str) -> Path | None:
    """The file of an indexed source when it lies inside the corpus folder: not a dotfile, not
    a link that leads out of it, not the catalog; else None."""
    if not source or Path(source).is_absolute():
        return None
    if any(part.startswith(".") for part in Path(source).parts) or source == "catalog.toml":
        return None
    corpus = corpus_dir.resolve()
    path = (corpus / source).resolve()
    if not path.is_relative_to(corpus) or not path.is_file():
        return None
    return path


class DocumentFiles:
    """The PDFs the app may serve: those the index holds passages of, inside the corpus."""

    def __init__(self, store: ChunkStore, corpus_dir: Path) -> None:
        self.store = store
        self.corpus_dir = corpus_dir
        self._lock = threading.Lock()
        self._generation: str | None = None
        self._sources: dict[str, str] = {}
        self._documents: list[tuple[DocumentInfo, int]] = []

    def _refresh(self) -> None:
        generation = self.store.generation()
        with self._lock:
            if generation != self._generation:
                self._documents = self.store.documents()
                self._sources = {document_id(i.source): i.source for i, _ in self._documents}
                self._generation = generation

    def sources(self) -> dict[str, str]:
        """Document id -> source name of every indexed file, read anew when the index changed."""
        self._refresh()
        return self._sources

    def documents(self) -> list[tuple[DocumentInfo, int]]:
        """Every indexed document's catalog facts and number of passages, by title."""
        self._refresh()
        return self._documents

    def pdf(self, doc_id: str) -> tuple[Path, str] | None:
        """The file and source name of an indexed corpus PDF, or None."""
        source = self.sources().get(doc_id)
        if source is None or not source.lower().endswith(".pdf"):
            return None
        path = corpus_file(self.corpus_dir, source)
        return (path, source) if path is not None else None


def add_document_routes(app: FastAPI, files: DocumentFiles) -> None:
    """GET /bron/<id>.pdf: an indexed corpus PDF, sandboxed; GET /kopie/<id>: an indexed
    document's stored text at a quote; anything else is 404."""
    from assistant.pages import not_found_html, stored_copy_html

    @app.get("/bron/{name}", include_in_schema=False, response_model=None)
    def serve_pdf(name: str) -> FileResponse | HTMLResponse:
        found = files.pdf(name.removesuffix(".pdf")) if name.endswith(".pdf") else None
        if found is None:
            return HTMLResponse(not_found_html(), status_code=404, headers=COPY_HEADERS)
        path, source = found
        return FileResponse(
            path,
            media_type="application/pdf",
            headers=DOCUMENT_HEADERS,
            filename=Path(source).name,
            content_disposition_type="inline",
        )

    @app.get("/kopie/{doc_id}", include_in_schema=False)
    def serve_copy(
        doc_id: str,
        passage: int | None = Query(None, ge=0),
        spans: str = Query("", max_length=2000),
    ) -> HTMLResponse:
        source = files.sources().get(doc_id)
        chunks = files.store.source_chunks(source) if source is not None else []
        if not chunks:
            return HTMLResponse(not_found_html(), status_code=404, headers=COPY_HEADERS)
        marked = [
            (int(m[1]), int(m[2])) for m in re.finditer(r"(\d{1,7})-(\d{1,7})", spans)
        ]
        page = stored_copy_html(chunks[0].info, chunks, passage, marked)
        return HTMLResponse(page, headers=COPY_HEADERS)
