"""Document management on a real index: uploads checked, added, edited, replaced, removed and
restored while the running assistant answers; the catalog keeps its comments."""

import io

import pytest
from conftest import REPORT_PAGES, make_settings, write_report_pdf

from assistant.catalog import load_catalog
from assistant.library import Library, LibraryError, Refused, Staged, checked_entry, file_kind
from assistant.service import build_index, open_assistant

FIELDS = {
    "title": "Eindrapport schoolpoort",
    "organisation": "Onderwijscentrum Gent (Stad Gent)",
    "type": "rapport",
    "country": "BE",
    "year": "2018",
    "url": "https://stad.gent/rapport",
    "themes": "ouderbetrokkenheid, kleuterparticipatie",
}


@pytest.fixture
def library(tmp_path, corpus_copy, embeddings):
    settings = make_settings(
        tmp_path,
        corpus_copy,
        trash_dir=tmp_path / "prullenbak",
        admin_log=tmp_path / "beheer.sqlite3",
    )
    build_index(settings, embeddings=embeddings)
    assistant = open_assistant(settings, embeddings=embeddings)
    return Library(assistant, embeddings)


def pdf_bytes(tmp_path, name="rapport.pdf", pages=REPORT_PAGES) -> bytes:
    return write_report_pdf(tmp_path / name, pages).read_bytes()


def test_an_uploaded_pdf_is_searchable_at_once_and_its_edits_removal_and_restore_follow(
    tmp_path, library
):
    catalog_text = (library.corpus_dir / "catalog.toml").read_text(encoding="utf-8")
    (library.corpus_dir / "catalog.toml").chmod(0o644)
    staged = library.stage("../../etc/Eindrapport (definitief).PDF", pdf_bytes(tmp_path))
    assert isinstance(staged, Staged) and staged.kind == ".pdf"
    assert staged.suggested["title"] == "Eindrapport proeftuin"  # from the PDF's metadata
    job = library.wait(library.add(staged.id, FIELDS))
    assert job.state == "klaar", job.result
    [row] = [r for r in library.documents() if r.info.title == FIELDS["title"]]
    # Stored under a safe generated name inside the corpus, whatever the upload was called.
    assert row.source.startswith("uploads/eindrapport-schoolpoort-") and row.source.endswith(".pdf")
    assert (library.corpus_dir / row.source).is_file() and row.passages >= 2
    assistant = library.assistant
    hits = assistant.search("instaptraject nieuwe kleuters", k=3)
    assert hits[0].chunk.info.source == row.source  # lexical and dense alike, no restart
    answer = assistant.ask("Wat kreeg elke nieuwe kleuter in de proeftuin?")
    assert answer.citations[0].chunk.info.title == FIELDS["title"]
    # The catalog keeps its comments and other entries, and gains the new one.
    written = (library.corpus_dir / "catalog.toml").read_text(encoding="utf-8")
    assert written.startswith(catalog_text.rstrip()[:400])
    assert "# Catalog of the corpus" in written
    assert f"\n\n[[document]]\nfile = \"{row.source}\"" in written  # a blank line before it
    # Still readable by others (the app may run as another user than the coordinator's shell).
    assert (library.corpus_dir / "catalog.toml").stat().st_mode & 0o777 == 0o644
    entry = load_catalog(library.corpus_dir)[row.source]
    assert (entry.year, entry.themes) == (2018, ("ouderbetrokkenheid", "kleuterparticipatie"))

    library.wait(library.edit(row.source, {**FIELDS, "title": "Eindrapport proeftuin Gent"}))
    answer = assistant.ask("Wat kreeg elke nieuwe kleuter in de proeftuin?")
    assert answer.citations[0].chunk.info.title == "Eindrapport proeftuin Gent"

    library.remove(row.source)
    library.wait(library.jobs[-1])
    assert not (library.corpus_dir / row.source).exists()
    assert row.source not in load_catalog(library.corpus_dir)
    assert all(h.chunk.info.source != row.source for h in assistant.search("instaptraject", k=10))
    [item] = library.trash()
    assert item.source == row.source and item.title == "Eindrapport proeftuin Gent"

    library.wait(library.restore(item.id))
    assert load_catalog(library.corpus_dir)[row.source].title == "Eindrapport proeftuin Gent"
    assert assistant.search("instaptraject nieuwe kleuters", k=1)[0].chunk.info.source == row.source
    assert library.trash() == []
    actions = [a for _, a, _, _ in library.log.entries()]
    assert actions[:4] == ["teruggezet", "verwijderd", "bewerkt", "toegevoegd"]
    # A refused change is logged as such: restoring twice.
    with pytest.raises(LibraryError, match="prullenbak"):
        library.restore(item.id)
    reason = "dit document staat niet (meer) in de prullenbak"
    assert library.log.entries(1)[0][1:] == ("terugzetten geweigerd", item.id, reason)


def test_a_new_description_keeps_the_day_the_page_was_copied(library):
    source = "kkgk-historiek-en-visie.txt"
    fields = {**FIELDS, "title": "Historiek en visie", "type": "webpagina", "year": ""}
    library.wait(library.edit(source, fields))
    entry = load_catalog(library.corpus_dir)[source]
    assert (entry.title, entry.accessed) == ("Historiek en visie", "2026-11-23")


def test_uploads_wait_for_their_description_until_they_get_one(tmp_path, library):
    first = library.stage("Eindrapport.pdf", pdf_bytes(tmp_path))
    second = library.stage("tips.txt", b"Begroet elke ouder aan de klasdeur bij naam.\n")
    assert isinstance(first, Staged) and isinstance(second, Staged)
    assert [s.id for s in library.pending()] == [first.id, second.id]
    assert library.pending()[0].suggested == first.suggested  # the title from the PDF
    assert library.pending()[1].size == second.size
    library.wait(library.add(first.id, FIELDS))
    assert [s.id for s in library.pending()] == [second.id]


def test_uploads_are_checked_before_anything_is_stored(tmp_path, library):
    from pypdf import PdfWriter

    def refused(name, data):
        result = library.stage(name, data)
        assert isinstance(result, Refused), result
        return result.reason

    encrypted = PdfWriter(clone_from=io.BytesIO(pdf_bytes(tmp_path)))
    encrypted.encrypt("geheim")
    buffer = io.BytesIO()
    encrypted.write(buffer)
    assert "wachtwoord" in refused("beveiligd.pdf", buffer.getvalue())
    scanned = PdfWriter()
    scanned.add_blank_page(width=595, height=842)
    buffer = io.BytesIO()
    scanned.write(buffer)
    assert "scan" in refused("scan.pdf", buffer.getvalue())
    page = (library.corpus_dir / "gent-samen-door-de-schoolpoort.txt").read_bytes()
    assert refused("kopie.txt", page) == "dit document staat er al in als ‘Samen door de schoolpoort’"
    assert "leeg" in refused("leeg.txt", b"")
    assert "geen pdf, Word-document, webpagina of tekst" in refused("foto.txt", bytes(range(256)) * 40)
    assert "binaire" in refused("ruis.txt", bytes(range(1, 256)) * 40)  # ingest's own check
    assert "geen Word" in refused("archief.docx", b"PK\x03\x04" + b"\x00" * 100)
    before = sorted(p.name for p in library.corpus_dir.rglob("*") if p.is_file())
    assert not [p for p in before if p.startswith(("beveiligd", "scan", "foto"))]
    # Type by content, not by name: an HTML page called .pdf is an HTML page.
    assert file_kind(b"<!doctype html><html><body>x</body></html>", "rapport.pdf") == ".html"
    assert file_kind(b"%PDF-1.4 ...", "notities.txt") == ".pdf"


def test_catalog_fields_are_checked_by_name():
    with pytest.raises(LibraryError, match="titel"):
        checked_entry("", {**FIELDS, "title": " "})
    with pytest.raises(LibraryError, match="jaar"):
        checked_entry("", {**FIELDS, "year": "achttien"})
    with pytest.raises(LibraryError, match="url"):
        checked_entry("", {**FIELDS, "url": "javascript:alert(1)"})
    with pytest.raises(LibraryError, match="land"):
        checked_entry("", {**FIELDS, "country": "B1"})
    with pytest.raises(LibraryError, match="stuurtekens"):
        checked_entry("", {**FIELDS, "title": "Titel\x07"})
    entry = checked_entry("x.pdf", {**FIELDS, "year": "", "themes": ["a", "a", " b "]})
    assert entry.year is None and entry.themes == ("a", "b")


def test_a_new_edition_replaces_the_file_and_the_old_one_goes_to_the_trash(tmp_path, library):
    staged = library.stage("rapport.pdf", pdf_bytes(tmp_path))
    job = library.wait(library.add(staged.id, FIELDS))
    source = next(r.source for r in library.documents() if r.info.title == FIELDS["title"])
    pages = [*REPORT_PAGES, ["Nieuw hoofdstuk", "In 2019 kwam er een voorleesmoment bij."]]
    edition = library.stage("rapport-v2.pdf", pdf_bytes(tmp_path, "v2.pdf", pages))
    assert isinstance(edition, Staged), edition
    job = library.wait(library.replace(source, edition.id))
    assert job.state == "klaar", job.result
    hits = library.assistant.search("voorleesmoment nieuw hoofdstuk", k=1)
    assert hits[0].chunk.info.source == source
    assert [t.source for t in library.trash()] == [source]


def test_editing_anything_but_the_title_embeds_nothing_again(
    tmp_path, corpus_copy, e5_embeddings, embedding_cache
):
    from test_indexing import CountingEmbeddings

    from assistant.embedding import E5_MODEL, E5Embeddings, PersistentEmbeddings

    # One model (e5 alone), so that the model itself can be counted.
    settings = make_settings(
        tmp_path,
        corpus_copy,
        trash_dir=tmp_path / "t",
        admin_log=tmp_path / "log.sqlite3",
        embedding_model=E5_MODEL,
    )
    build_index(settings, embeddings=e5_embeddings)
    # The model itself is counted, behind the embedding cache the app uses.
    counting = CountingEmbeddings(E5Embeddings())
    cached = PersistentEmbeddings(counting, embedding_cache, E5_MODEL)
    library = Library(open_assistant(settings, embeddings=cached), cached)
    source = "gent-samen-door-de-schoolpoort.txt"
    entry = library.entry_of(source)
    fields = {**FIELDS, "title": entry.title, "organisation": "Stad Gent", "year": "2019"}
    counting.texts = 0
    job = library.wait(library.edit(source, fields))
    assert job.state == "klaar" and counting.texts == 0
    hit = library.assistant.search("schoolpoort proeftuin", k=1)[0]
    assert (hit.chunk.info.organisation, hit.chunk.info.year) == ("Stad Gent", 2019)


class BreakingEmbeddings:
    """The real model, until a test breaks it (a bug below the library, not a known error)."""

    def __init__(self, inner) -> None:
        self.inner = inner
        self.broken = False

    def embed_documents(self, texts):
        if self.broken:
            raise RuntimeError("simulated bug in the embedder")
        return self.inner.embed_documents(texts)

    def embed_query(self, text):
        return self.inner.embed_query(text)


def test_a_job_that_fails_unexpectedly_is_marked_failed_and_later_jobs_still_run(
    tmp_path, corpus_copy, embeddings
):
    settings = make_settings(
        tmp_path, corpus_copy, trash_dir=tmp_path / "prullenbak", admin_log=tmp_path / "log.db"
    )
    build_index(settings, embeddings=embeddings)
    breaking = BreakingEmbeddings(embeddings)
    library = Library(open_assistant(settings, embeddings=embeddings), breaking)
    breaking.broken = True
    staged = library.stage("rapport.pdf", pdf_bytes(tmp_path))
    failed = library.wait(library.add(staged.id, FIELDS), timeout=120)
    assert failed.state == "mislukt" and "interne fout" in failed.result
    # The failed file leaves the corpus with its description, for the trash: the corpus holds
    # nothing the index lacks, and the same file is no duplicate of itself.
    assert "prullenbak" in failed.result and "opnieuw" in failed.result
    assert not (library.corpus_dir / failed.source).exists()
    assert failed.source not in load_catalog(library.corpus_dir)
    assert all(r.source != failed.source for r in library.documents())
    assert isinstance(library.stage("rapport.pdf", pdf_bytes(tmp_path)), Staged)
    [item] = library.trash()
    assert item.source == failed.source and item.title == FIELDS["title"]
    breaking.broken = False
    # Restoring it tries again, and a later job runs.
    assert library.wait(library.restore(item.id), timeout=120).state == "klaar"
    [row] = [r for r in library.documents() if r.info.title == FIELDS["title"]]
    assert row.source == failed.source and row.passages >= 2

    # A new edition that fails puts the previous one back.
    pages = [*REPORT_PAGES, ["Nieuw hoofdstuk", "In 2019 kwam er een voorleesmoment bij."]]
    edition = library.stage("rapport-v2.pdf", pdf_bytes(tmp_path, "v2.pdf", pages))
    before = (library.corpus_dir / row.source).read_bytes()
    breaking.broken = True
    failed = library.wait(library.replace(row.source, edition.id), timeout=120)
    assert failed.state == "mislukt" and "vorige versie" in failed.result, failed.result
    breaking.broken = False
    assert (library.corpus_dir / row.source).read_bytes() == before
    assert load_catalog(library.corpus_dir)[row.source].title == FIELDS["title"]
    hits = library.assistant.search("instaptraject nieuwe kleuters", k=1)
    assert hits[0].chunk.info.source == row.source
    assert [t.source for t in library.trash()] == [row.source]  # the failed edition
