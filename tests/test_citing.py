import dataclasses
from datetime import UTC, date, datetime

from assistant.citing import citation_block, in_text, reference, references, references_of
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
    assert reference(WEB, DAY).plain == (
        "Onderwijscentrum Gent (Stad Gent). (z.d.). Samen door de schoolpoort. "
        "Geraadpleegd op 23 november 2026, van https://stad.gent/schoolpoort"
    )
    assert reference(WEB, DAY).html == (
        "Onderwijscentrum Gent (Stad Gent). (z.d.). <i>Samen door de schoolpoort</i>. "
        'Geraadpleegd op 23 november 2026, van <a href="https://stad.gent/schoolpoort">'
        "https://stad.gent/schoolpoort</a>"
    )
    # A stored copy's own date, when the catalog gives it, not the day the reference is made.
    copied = dataclasses.replace(WEB, accessed="2026-11-20")
    assert "Geraadpleegd op 20 november 2026, van" in reference(copied, DAY).plain
    assert reference(REPORT, DAY).markdown == (
        "Kleine Kinderen Grote Kansen. (2018). *Eindrapport proeftuin*."
    )
    a = answer()
    assert in_text(a.citations[1]) == "(Kleine Kinderen Grote Kansen, 2018, p. 4)"
    assert (
        in_text(a.citations[0])
        == "(Onderwijscentrum Gent (Stad Gent), z.d., sectie ‘Gentse proeftuin’)"
    )
    assert [r.plain for r in references([a, a], DAY).values()] == [
        reference(REPORT, DAY).plain,
        reference(WEB, DAY).plain,
    ]
    block = citation_block(a, DAY)
    assert block.plain.startswith("Referenties\nKleine Kinderen Grote Kansen. (2018)")
    assert "*" not in block.plain
    assert "<i>Eindrapport proeftuin</i>" in block.html
    assert (
        "[2] “Elke kleuter kreeg een instaptraject.” (Kleine Kinderen Grote Kansen, 2018, p. 4)"
        in block.plain
    )
    assert citation_block(Answer("Vraag?", False, "Geen antwoord."), DAY) is None


def test_two_works_of_one_author_without_a_year_are_z_d_a_and_z_d_b():
    first = DocumentInfo("a.txt", "Ieder kind een eerlijke kans", "Kansen4Kinderen", "webpagina",
                         url="https://kansen4kinderen.nl/")  # fmt: skip
    second = DocumentInfo("b.txt", "Samenwerking en educatief partnerschap", "Kansen4Kinderen",
                          "webpagina", url="https://kansen4kinderen.nl/")  # fmt: skip
    # The quote is the exact quoted text, not its whole passage.
    chunk_b = Chunk("b", second, 0, "Kop\nOuders zijn partners. En meer tekst hierna.", "Kop")
    chunk_a = Chunk("a", first, 0, "Elk kind verdient een eerlijke kans.", "Visie")
    cited = Answer(
        "Wat?",
        True,
        "Ouders zijn partners. [1] Elk kind verdient een eerlijke kans. [2]",
        (
            Citation(1, chunk_b, "sectie ‘Kop’", quotes=("Ouders zijn partners.",)),
            Citation(2, chunk_a, "sectie ‘Visie’"),
        ),
    )
    refs = references([cited], DAY)
    assert [r.year for r in refs.values()] == ["z.d.-a", "z.d.-b"]  # in title order
    assert [r.title for r in refs.values()] == [first.title, second.title]
    assert in_text(cited.citations[0], refs) == "(Kansen4Kinderen, z.d.-b, sectie ‘Kop’)"
    block = citation_block(cited, DAY).plain
    assert "(z.d.-a). Ieder kind een eerlijke kans." in block
    assert "[1] “Ouders zijn partners.” (Kansen4Kinderen, z.d.-b, sectie ‘Kop’)" in block
    assert "En meer tekst" not in block
    dated = [dataclasses.replace(first, year=2020), dataclasses.replace(second, year=2020)]
    assert [r.year for r in references_of(dated, DAY).values()] == ["2020a", "2020b"]


def test_a_question_that_points_back_is_recognised():
    assert refers_back("En hoe pakte Gent dat aan?")
    assert refers_back("Moet ik daarvoor ergens naartoe?")
    assert not refers_back("Wat is video-interactiebegeleiding?")
    assert not refers_back("Wie schreef De Kleine Prins?")
    # A pronoun whose people the question names itself, a relative "die" right after them and a
    # "dat" opening the question's own clause point inside it (a topic switch found by a tester,
    # read with the question before and answered with its quotes).
    assert not refers_back("Hoe kan ik de ouders meer betrekken bij het leren van hun kind thuis?")
    assert not refers_back("Hoe zorg ik dat kinderen die thuis geen Nederlands spreken meedoen?")
    assert refers_back("Welke thema's hebben ze?")  # no people named before "ze"
    assert refers_back("Wie betaalde dat project?") and refers_back("Hoe lang duurt dat meestal?")
    # A question that tells its own situation first points at that (two switches a tester saw
    # read as follow-ups); a pointer inside the situation still points back.
    assert not refers_back("Mijn kleuters komen vaak te laat en zijn dan moe. Wat doe ik daaraan?")
    assert not refers_back("Een kindje in mijn klas spreekt geen Nederlands. Hoe help ik haar?")
    assert refers_back("Ik werk daar ook als juf. Hoe schrijf ik me in?")
    previous = ["Hoe betrekken scholen ouders bij de kleuterklas?"]
    assert joined("En hoe pakte Gent dat aan?", previous) == (
        "Hoe betrekken scholen ouders bij de kleuterklas? En hoe pakte Gent dat aan?"
    )


def test_exports_hold_answers_passages_and_references(tmp_path):
    import docx
    from docx.oxml.ns import qn

    a = answer()
    markdown = export_markdown([a], DAY)
    assert "## Vraag 1: Wat deed Gent?" in markdown
    assert (
        "> [2] “Elke kleuter kreeg een instaptraject.” (Kleine Kinderen Grote Kansen, 2018, p. 4)"
        in markdown
    )
    assert (
        "- Onderwijscentrum Gent (Stad Gent). (z.d.). *Samen door de schoolpoort*. Geraadpleegd op 23 november 2026"
        in markdown
    )
    created = datetime(2026, 11, 23, 14, 30, tzinfo=UTC)
    document = docx.Document(str(export_docx([a], DAY, tmp_path / "g.docx", created=created)))
    properties = document.core_properties
    assert properties.language == "nl-NL" and properties.author == "Kansen-assistent"
    assert properties.created == created
    lang = document.styles.element.find(qn("w:docDefaults")).find(qn("w:rPrDefault"))
    assert lang.find(qn("w:rPr")).find(qn("w:lang")).get(qn("w:val")) == "nl-NL"
    paragraphs = [p.text for p in document.paragraphs]
    assert "Referenties" in paragraphs
    reference_paragraph = next(
        p for p in document.paragraphs if p.text.startswith("Onderwijscentrum Gent")
    )
    assert [r.text for r in reference_paragraph.runs if r.italic] == ["Samen door de schoolpoort"]
    indent = reference_paragraph.paragraph_format
    assert indent.first_line_indent < 0 and indent.left_indent == -indent.first_line_indent
    links = reference_paragraph._p.findall(qn("w:hyperlink"))
    assert len(links) == 1
    target = reference_paragraph.part.rels[links[0].get(qn("r:id"))].target_ref
    assert target == "https://stad.gent/schoolpoort"


def test_feedback_store_keeps_rating_comment_and_citations(tmp_path):
    store = FeedbackStore(tmp_path / "fb" / "feedback.sqlite3", keep_text=True)
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


def test_without_logging_feedback_keeps_only_the_rating_and_the_cited_documents(tmp_path):
    store = FeedbackStore(tmp_path / "feedback.sqlite3", keep_text=False)
    row = store.record(
        "Mijn leerling Jan ...?", "Zeven scholen. [1]", [{"n": 1, "source": "gent.txt", "quote": "x"}], "up"
    )
    assert not store.add_comment(row, "Jan is mijn leerling")
    [kept] = store.rows()
    assert (kept["question"], kept["answer"], kept["comment"], kept["rating"]) == ("", "", "", "up")
    assert kept["citations"] == '[{"source": "gent.txt"}]'


def test_a_quote_is_one_line_with_its_breaks_marked_and_no_doubled_quotation_marks():
    from assistant.citing import quotable

    assert quotable("Opvoeding\nOuders helpen thuis.") == "Opvoeding / Ouders helpen thuis."
    assert quotable("“Ouders en school dragen samen de verantwoordelijkheid.”") == (
        "Ouders en school dragen samen de verantwoordelijkheid."
    )
    assert quotable("“Ouders zijn partners”.") == "Ouders zijn partners."
    assert quotable("Een zin  met\t spaties.") == "Een zin met spaties."


def test_a_corpus_page_is_cited_with_the_day_its_copy_was_taken(assistant):
    # The quote comes from the copy stored on 2026-11-23 (corpus/catalog.toml), whatever the
    # day the lecturer exports the answer.
    answer = assistant.ask("Wat doet de inclusiecoach van Stad Gent?")
    assert answer.citations[0].chunk.info.accessed == "2026-11-23"
    [ref] = references([answer], date(2027, 1, 5)).values()
    assert "Geraadpleegd op 23 november 2026, van https://stad.gent/" in ref.plain
