"""Loaders: PDFs (generated and a real Debian one), Word, HTML, Markdown, text, bad files."""

from pathlib import Path

import pytest
from conftest import REPORT_PAGES, write_report_pdf

from assistant.catalog import CatalogEntry, load_catalog
from assistant.errors import DocumentError
from assistant.loading import blocks_from_plain_text, load_document


def texts(document, kind=None):
    return [b.text for b in document.blocks if kind is None or b.kind == kind]


def test_pdf_drops_running_header_and_footer_and_joins_hyphenated_words(tmp_path):
    pdf = write_report_pdf(tmp_path / "rapport.pdf", REPORT_PAGES)
    document = load_document(pdf, "rapport.pdf")
    body = "\n".join(texts(document))
    assert "eindrapport 2018" not in body
    assert "Pagina" not in body
    assert "ouder-schoolsamenwerking" not in body and "ouderschoolsamenwerking" in body
    assert "verblijven" in body
    assert {b.page for b in document.blocks} == {1, 2, 3}
    assert [b.text for b in document.blocks if b.kind == "heading"] == [
        "Ouderbetrokkenheid in de kleuterklas",
        "Instaptraject voor nieuwe kleuters",
        "Registratie van afwezigheden",
    ]
    assert document.info.title == "Eindrapport proeftuin"  # from the PDF metadata, no catalog entry
    assert any("no catalog entry" in w for w in document.warnings)


def test_real_dutch_pdf_from_debian(debian_pdf):
    document = load_document(debian_pdf, "web.nl.pdf")
    body = "\n".join(texts(document))
    assert len({b.page for b in document.blocks}) > 100
    assert "aanblik" in body  # "aan-" / "blik" across a line end in the PDF
    assert "/noteheads" not in body  # glyph names of the music font are not text
    assert "efficiënte" in body  # TeX accent (¨e) and ligature (ﬃ) repaired
    first_page_with_inleiding = [b.page for b in document.blocks if "LilyPond biedt hen" in b.text]
    assert first_page_with_inleiding == [4]


def test_catalog_entry_gives_citation_facts(tmp_path):
    (tmp_path / "gids.txt").write_text("Titel\n\nEen zin met inhoud.", encoding="utf-8")
    entry = CatalogEntry(
        "gids.txt", "Inspiratiegids", "KKGK", "inspiratiegids", "BE", 2018, None, ("ouders",)
    )
    document = load_document(tmp_path / "gids.txt", "gids.txt", entry)
    assert document.info.title == "Inspiratiegids"
    assert document.info.year == 2018
    assert document.warnings == ()


def test_plain_text_headings_lists_and_quote_attribution():
    text = (
        "Historiek\n& visie\n\nEen eerste alinea met een zin.\n\n"
        "De doelen:\n • toegankelijkheid vergroten;\n • kwaliteit uitbouwen.\n\n"
        "“Ouders en school dragen samen de verantwoordelijkheid.”\n\n"
        "Uit het plan van een school\n\nVolgende alinea."
    )
    blocks = list(blocks_from_plain_text(text))
    assert [(b.kind, b.text) for b in blocks if b.kind != "text"] == [
        ("heading", "Historiek & visie"),
        ("list", "toegankelijkheid vergroten;"),
        ("list", "kwaliteit uitbouwen."),
    ]
    assert "Uit het plan van een school" in [b.text for b in blocks]


def test_markdown_html_and_docx(tmp_path):
    import docx

    (tmp_path / "a.md").write_text(
        "# Tipfiche\n\nTekst over ouders.\n\n- eerste tip\n- tweede tip\n", encoding="utf-8"
    )
    (tmp_path / "b.html").write_text(
        "<html><head><script>alert(1)</script></head><body><nav>menu</nav><h2>Kop</h2>"
        "<p>Een alinea.</p><ul><li>punt een</li></ul></body></html>",
        encoding="utf-8",
    )
    word = docx.Document()
    word.add_heading("Inleiding", level=1)
    word.add_paragraph("Een alinea in Word.")
    word.add_paragraph("een lijstpunt", style="List Bullet")
    word.save(str(tmp_path / "c.docx"))

    md = load_document(tmp_path / "a.md", "a.md")
    html = load_document(tmp_path / "b.html", "b.html")
    word_doc = load_document(tmp_path / "c.docx", "c.docx")
    assert [(b.kind, b.text) for b in md.blocks] == [
        ("heading", "Tipfiche"),
        ("text", "Tekst over ouders."),
        ("list", "eerste tip"),
        ("list", "tweede tip"),
    ]
    assert [(b.kind, b.text) for b in html.blocks] == [
        ("heading", "Kop"),
        ("text", "Een alinea."),
        ("list", "punt een"),
    ]
    assert html.info.doc_type == "webpagina"
    assert [(b.kind, b.text) for b in word_doc.blocks] == [
        ("heading", "Inleiding"),
        ("text", "Een alinea in Word."),
        ("list", "een lijstpunt"),
    ]


def test_legacy_encoding_is_read_with_a_warning(tmp_path):
    path = tmp_path / "oud.txt"
    path.write_bytes("Kop\n\nDe crèche werkt samen met de ouders van één kleuter.".encode("cp1252"))
    document = load_document(path, "oud.txt")
    assert "crèche" in texts(document)[-1]
    assert any("not UTF-8" in w for w in document.warnings)


def test_a_byte_order_mark_says_how_to_read_the_text(tmp_path):
    text = "Kop\n\nDe crèche werkt samen met de ouders van één kleuter."
    for name, encoding in (("utf16.txt", "utf-16"), ("utf8bom.txt", "utf-8-sig")):
        path = tmp_path / name
        path.write_bytes(text.encode(encoding))  # Python's utf-16 writes a BOM
        document = load_document(path, name)
        assert texts(document)[-1] == "De crèche werkt samen met de ouders van één kleuter."
        assert not any("UTF-8" in w for w in document.warnings)


def test_binary_content_is_refused_not_indexed_as_garbage(tmp_path):
    import random

    rng = random.Random(7)
    with_nul = tmp_path / "data.txt"
    with_nul.write_bytes(bytes(rng.randrange(256) for _ in range(4000)))
    without_nul = tmp_path / "ruis.txt"
    without_nul.write_bytes(
        bytes(rng.choice([*range(1, 9), *range(14, 32), *range(128, 256)]) for _ in range(4000))
    )
    for path in (with_nul, without_nul):
        with pytest.raises(DocumentError, match="binary content, not text"):
            load_document(path, path.name)


def test_a_pdf_without_pages_says_so(tmp_path):
    from pypdf import PdfWriter

    path = tmp_path / "leeg.pdf"
    with path.open("wb") as handle:
        PdfWriter().write(handle)
    with pytest.raises(DocumentError, match="PDF has no pages"):
        load_document(path, "leeg.pdf")


def _encrypted_pdf(path: Path) -> Path:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.set_encryption(owner_password="eigenaar", user_password="geheim")
    pdf.add_page()
    pdf.set_font("Helvetica", size=11)
    pdf.cell(0, 10, "Vertrouwelijk verslag over ouderbetrokkenheid.")
    pdf.output(str(path))
    return path


def _image_only_pdf(path: Path) -> Path:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    pdf.rect(20, 20, 100, 60, style="F")
    pdf.output(str(path))
    return path


@pytest.mark.parametrize(
    ("name", "make", "reason"),
    [
        (
            "kapot.pdf",
            lambda p: p.write_bytes(b"%PDF-1.4\n this is no pdf at all"),
            "corrupt or unreadable PDF",
        ),
        ("geheim.pdf", _encrypted_pdf, "encrypted PDF"),
        ("scan.pdf", _image_only_pdf, "no text layer"),
        ("leeg.txt", lambda p: p.write_bytes(b""), "empty file"),
        ("wit.md", lambda p: p.write_text("   \n\n  ", encoding="utf-8"), "no text found"),
        (
            "kapot.docx",
            lambda p: p.write_bytes(b"PK\x03\x04 not a zip"),
            "corrupt or unreadable Word file",
        ),
        ("foto.jpg", lambda p: p.write_bytes(b"\xff\xd8\xff"), "unsupported file type .jpg"),
    ],
)
def test_bad_files_raise_an_error_naming_file_and_reason(tmp_path, name, make, reason):
    path = tmp_path / name
    make(path)
    with pytest.raises(DocumentError, match=reason) as caught:
        load_document(path, name)
    assert caught.value.path == str(path)


def test_catalog_of_default_corpus_covers_every_document():
    from conftest import CORPUS

    catalog = load_catalog(CORPUS)
    files = {p.name for p in CORPUS.glob("*.txt")}
    assert set(catalog) == files
    assert all(entry.year is None and entry.url for entry in catalog.values())
    # The day their stored copies were taken, for APA's "Geraadpleegd op".
    assert {entry.accessed for entry in catalog.values()} == {"2026-11-23"}


def test_invalid_catalog_names_the_entry(tmp_path):
    (tmp_path / "catalog.toml").write_text(
        '[[document]]\nfile = "x.txt"\ntitle = "X"\n', encoding="utf-8"
    )
    with pytest.raises(DocumentError, match=r"#1: missing organisation, type"):
        load_catalog(tmp_path)
    (tmp_path / "catalog.toml").write_text(
        '[[document]]\nfile = "x.txt"\ntitle = "X"\norganisation = "O"\ntype = "webpagina"\n'
        'accessed = "gisteren"\n',
        encoding="utf-8",
    )
    with pytest.raises(DocumentError, match=r"#1: accessed must be a date"):
        load_catalog(tmp_path)


def test_a_word_file_that_unpacks_too_large_is_refused_unopened(tmp_path):
    import zipfile

    from assistant.loading import DOCX_MAX_UNPACKED_MB

    path = tmp_path / "bom.docx"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", b" " * ((DOCX_MAX_UNPACKED_MB + 1) * 1_000_000))
    assert path.stat().st_size < 1_000_000
    with pytest.raises(DocumentError, match=r"unpacks to 101 MB \(more than 100 MB\)"):
        load_document(path, "bom.docx")


def test_word_headings_come_from_the_style_names(tmp_path):
    import docx

    document = docx.Document()
    document.add_heading("Ouders aan de schoolpoort", level=1)
    document.add_paragraph("Elke ochtend een praatje met de ouders.")
    document.add_paragraph("eerste tip", style="List Bullet")
    path = tmp_path / "fiche.docx"
    document.save(str(path))
    loaded = load_document(path, "fiche.docx")
    assert [(b.kind, b.text) for b in loaded.blocks] == [
        ("heading", "Ouders aan de schoolpoort"),
        ("text", "Elke ochtend een praatje met de ouders."),
        ("list", "eerste tip"),
    ]
