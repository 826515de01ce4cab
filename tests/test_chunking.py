from assistant.chunking import chunk_document, chunk_id
from assistant.records import Block, DocumentInfo, LoadedDocument

INFO = DocumentInfo(source="gids.txt", title="Gids", organisation="KKGK", doc_type="inspiratiegids")


def document(*blocks):
    return LoadedDocument(INFO, tuple(blocks))


def test_heading_travels_with_its_text_and_every_chunk_knows_its_section():
    long_text = " ".join(f"Zin nummer {i} gaat over ouders en de school." for i in range(40))
    chunks = chunk_document(
        document(
            Block("heading", "Ouders"),
            Block("text", long_text),
            Block("heading", "Buurt"),
            Block("text", "Korte tekst."),
        ),
        chunk_size=300,
        chunk_overlap=50,
    )
    assert chunks[0].text.startswith("Ouders\nZin nummer 0")
    assert all(len(c.text) <= 300 + len("Ouders\n") for c in chunks)
    assert {c.section for c in chunks[:-1]} == {"Ouders"}
    assert chunks[-1].section == "Buurt" and chunks[-1].text.startswith("Buurt\n")
    assert all(not c.text.startswith(".") for c in chunks)  # sentence ends stay with their sentence


def test_short_list_is_never_torn_apart_nor_separated_from_its_lead_in():
    intro = "Eerste alinea. " * 30
    blocks = [
        Block("heading", "Acties"),
        Block("text", intro.strip()),
        Block("text", "We deden het volgende:"),
    ]
    blocks += [Block("list", f"actie nummer {i}") for i in range(8)]
    chunks = chunk_document(document(*blocks), chunk_size=500, chunk_overlap=0)
    holding = [c for c in chunks if "actie nummer 0" in c.text]
    assert len(holding) == 1
    assert "We deden het volgende:\n• actie nummer 0" in holding[0].text
    assert "• actie nummer 7" in holding[0].text


def test_pages_are_recorded_and_location_reads_as_a_citation():
    chunks = chunk_document(
        document(
            Block("heading", "Kop", 3),
            Block("text", "Tekst op pagina drie.", 3),
            Block("text", "En vier.", 4),
        ),
        chunk_size=500,
        chunk_overlap=0,
    )
    assert chunks[0].pages == (3, 4)
    assert chunks[0].location == "pp. 3-4"
    assert chunks[0].page_at(chunks[0].text.index("En vier.")) == 4
    assert chunks[0].page_at(0) == 3
    web = chunk_document(document(Block("heading", "Coaching"), Block("text", "Een zin.")), 500, 0)
    assert web[0].location == "sectie ‘Coaching’"


def test_small_sections_share_a_chunk_and_ids_are_deterministic():
    blocks = []
    for name in ("Opvoeding", "Communicatie", "Besluitvorming"):
        blocks += [Block("heading", name), Block("text", f"Korte uitleg over {name.lower()}.")]
    first = chunk_document(document(*blocks), 900, 100)
    second = chunk_document(document(*blocks), 900, 100)
    assert len(first) == 1 and "Communicatie\nKorte uitleg" in first[0].text
    assert [c.id for c in first] == [c.id for c in second] == [chunk_id("gids.txt", 0)]
    assert first[0].context.startswith("Gids — Opvoeding\n")
    assert first[0].sections == ("Opvoeding", "Communicatie", "Besluitvorming")
    assert (
        first[0].section_at(first[0].text.index("Korte uitleg over communicatie")) == "Communicatie"
    )
