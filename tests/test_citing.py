from datetime import date

from assistant.citing import citation_block, in_text, reference, reference_list
from assistant.conversation import export_docx, export_markdown, joined, refers_back
from assistant.feedback import FeedbackStore
from assistant.records import Answer, Chunk, Citation, DocumentInfo

WEB = DocumentInfo(
    "gent.txt",
    "Samen door de schoolpoort",
    "Onderwijscentrum Gent (Stad Gent)",
    "webpagina",
    "BE",
    None,
    "https://stad.gent/schoolpoort",
)
REPORT = DocumentInfo(
    "rapport.pdf",
    "Eindrapport proeftuin",
    "Kleine Kinderen Grote Kansen",
    "rapport",
    "BE",
    2018,
    None,
)
DAY = date(2026, 11, 23)


def answer():
    web = Chunk("w", WEB, 0, "Zeven basisscholen werkten mee.", "Gentse proeftuin")
    pdf = Chunk(
        "p", REPORT, 0, "Elke kleuter kreeg een instaptraject.", "Instaptraject", pages=(4,)
    )
    citations = (Citation(1, web, "sectie ‘Gentse proeftuin’"), Citation(2, pdf, "p. 4"))
    return Answer(
        "Wat deed Gent?",
        True,
        "Zeven basisscholen werkten mee. [1] Elke kleuter kreeg een instaptraject. [2]",
        citations,
    )


def test_apa_references_in_dutch_conventions():
    assert reference(WEB, DAY) == (
        "Onderwijscentrum Gent (Stad Gent). (z.d.). *Samen door de schoolpoort*. "
        "Geraadpleegd op 23 november 2026, van https://stad.gent/schoolpoort"
    )
    assert (
        reference(REPORT, DAY) == "Kleine Kinderen Grote Kansen. (2018). *Eindrapport proeftuin*."
    )
    a = answer()
    assert in_text(a.citations[1]) == "(Kleine Kinderen Grote Kansen, 2018, p. 4)"
    assert (
        in_text(a.citations[0])
        == "(Onderwijscentrum Gent (Stad Gent), z.d., sectie ‘Gentse proeftuin’)"
    )
    assert reference_list([a, a], DAY) == sorted(
        {reference(WEB, DAY), reference(REPORT, DAY)}, key=str.casefold
    )
    block = citation_block(a, DAY)
    assert block.startswith("Referenties\nKleine Kinderen Grote Kansen. (2018)")
    assert (
        "[2] “Elke kleuter kreeg een instaptraject.” (Kleine Kinderen Grote Kansen, 2018, p. 4)"
        in block
    )


def test_a_question_that_points_back_is_recognised():
    assert refers_back("En hoe pakte Gent dat aan?")
    assert refers_back("Moet ik daarvoor ergens naartoe?")
    assert not refers_back("Wat is video-interactiebegeleiding?")
    assert not refers_back("Wie schreef De Kleine Prins?")
    previous = ["Hoe betrekken scholen ouders bij de kleuterklas?"]
    assert joined("En hoe pakte Gent dat aan?", previous) == (
        "Hoe betrekken scholen ouders bij de kleuterklas? En hoe pakte Gent dat aan?"
    )


def test_exports_hold_answers_passages_and_references(tmp_path):
    import docx

    a = answer()
    markdown = export_markdown([a], DAY)
    assert "## Vraag 1: Wat deed Gent?" in markdown
    assert (
        "> [2] Elke kleuter kreeg een instaptraject. (Kleine Kinderen Grote Kansen, 2018, p. 4)"
        in markdown
    )
    assert (
        "- Onderwijscentrum Gent (Stad Gent). (z.d.). *Samen door de schoolpoort*. Geraadpleegd op 23 november 2026"
        in markdown
    )
    document = docx.Document(str(export_docx([a], DAY, tmp_path / "g.docx")))
    paragraphs = [p.text for p in document.paragraphs]
    assert "Referenties" in paragraphs
    reference_paragraph = next(
        p for p in document.paragraphs if p.text.startswith("Onderwijscentrum Gent")
    )
    assert [r.text for r in reference_paragraph.runs if r.italic] == ["Samen door de schoolpoort"]


def test_feedback_store_keeps_rating_comment_and_citations(tmp_path):
    store = FeedbackStore(tmp_path / "fb" / "feedback.sqlite3")
    row = store.record(
        "Wat deed Gent?", "Zeven scholen. [1]", [{"n": 1, "source": "gent.txt"}], "down"
    )
    store.add_comment(row, " bron klopt niet ")
    rows = store.rows()
    assert len(rows) == 1
    assert (rows[0]["rating"], rows[0]["comment"], rows[0]["question"]) == (
        "down",
        "bron klopt niet",
        "Wat deed Gent?",
    )
    assert '"source": "gent.txt"' in rows[0]["citations"] and rows[0]["created"]
