"""Answer units on real text from the corpus: each kind, and the exact span each one quotes."""

from pathlib import Path

import pytest
from conftest import EPSTEIN_LEVELS

from assistant.chunking import chunk_document
from assistant.loading import load_document, nested_heading
from assistant.units import answer_units

CORPUS = Path(__file__).resolve().parents[1] / "corpus"


def corpus_chunks():
    for path in sorted(CORPUS.glob("*.txt")):
        yield from chunk_document(load_document(path, path.name), 900, 100)


def units_of(needle: str):
    """The units of the corpus passage that holds needle."""
    chunk = next(c for c in corpus_chunks() if needle in c.text)
    return chunk, answer_units(chunk.text, chunk.section)


def test_every_unit_quotes_an_exact_span_of_its_passage():
    for chunk in corpus_chunks():
        for unit in answer_units(chunk.text, chunk.section):
            quote = unit.quote(chunk.text)
            assert quote and quote == quote.strip()
            assert chunk.text[unit.start : unit.end] == quote


def test_a_sentence_carries_the_heading_that_names_its_subject():
    _, units = units_of("Beluister hier de podcast over het kleuterlabo.")
    podcast = [u for u in units if "kleuterlabo" in u.text]
    assert [u.text for u in podcast] == [
        "Thomas More Mechelen: Beluister hier de podcast over het kleuterlabo."
    ]
    assert podcast[0].heading == "Thomas More Mechelen"


def test_a_heading_in_capitals_is_a_sub_heading_of_the_section_it_stands_in():
    # Real corpus text: the project team of "Sterke kleuterleraren" stands under "MUZIKAAL
    # INTERMEZZO", and a question about the project must still find it.
    chunk, units = units_of("Projectteam: Arteveldehogeschool")
    section = "2016 – 2018 Focus kleuteronderwijs: Sterke kleuterleraren: MUZIKAAL INTERMEZZO"
    assert chunk.section == section
    team = next(u for u in units if "Projectteam" in u.text)
    assert team.text.startswith("2016 – 2018 Focus kleuteronderwijs: Sterke kleuterleraren")
    assert nested_heading(section, "ANDER INTERMEZZO").endswith("kleuterleraren: ANDER INTERMEZZO")
    assert nested_heading(section, "Gewone kop") == "Gewone kop"
    assert nested_heading("PEDAGOGIEK", "VORMING") == "VORMING"


def test_a_sentence_that_leans_on_the_one_before_is_quoted_with_it():
    chunk, units = units_of("Zij volgt de doelstellingen van CIK Stad Gent op.")
    texts = [u.quote(chunk.text) for u in units]
    assert "Zij volgt de doelstellingen van CIK Stad Gent op." not in texts
    assert (
        "Vanuit Dienst Kinderopvang Stad Gent is inclusiecoach Hilde Schockaert aangesteld. "
        "Zij volgt de doelstellingen van CIK Stad Gent op."
    ) in texts


def test_a_lead_in_is_one_unit_with_the_list_it_announces():
    chunk, units = units_of("In 2017-2018 gingen we over tot actie:")
    lists = [u for u in units if u.kind == "list"]
    assert len(lists) == 1
    shown = lists[0].text.split("\n")
    assert shown[0].endswith("In 2017-2018 gingen we over tot actie:")
    assert shown[1:] == [
        "• professionalisering: vormingen en uitwisselingstafels",
        "• professionalisering: coaching",
        "• schaduwen in de wijk Sluizeken-Tolhuis-Ham",
        "• instaptraject",
        "• voorschools traject",
        "• scholenbezoekronde",
        "• registratie en stappenplan bij afwezigheden",
        "• stem van ouders",
    ]
    assert lists[0].quote(chunk.text).startswith("In 2017-2018 gingen we over tot actie:")
    assert lists[0].quote(chunk.text).endswith("stem van ouders")


def test_a_lead_in_takes_the_headed_items_it_announces():
    # Epstein's levels as the Kansen4Kinderen page prints them: a lead-in, then headings.
    text = (CORPUS / "kansen4kinderen-samenwerking-educatief-partnerschap.txt").read_text()
    start = text.index("Het bouwen aan samenwerking")
    passage = text[start : text.index("Het ‘van en aan elkaar leren’")].strip()
    passage = "\n".join(line for line in passage.splitlines() if line.strip())
    lists = [u for u in answer_units(passage) if u.kind == "list"]
    assert len(lists) == 1
    items = lists[0].text.split("\n")[1:]
    assert [item.split(":")[0] for item in items] == EPSTEIN_LEVELS
    assert items[0] == (
        "• Opvoeding: Ouders helpen thuis een leerrijke omgeving te creëren voor het leren en "
        "het welzijn van het kind."
    )


def test_a_number_of_things_mid_paragraph_announces_no_headed_items():
    # "... met zeven hefbomen en vier verbindende concepten ... Klasse zorgde voor een
    # ondersteunende mediacampagne." is followed by the headings INSPIRATIEGIDS, EINDRAPPORT:
    # they are no hefbomen, and the paragraph's last sentence announces nothing.
    text = (CORPUS / "kkgk-historiek-en-visie.txt").read_text()
    start = text.index("Dit onderwijsproject bracht alle bacheloropleidingen")
    passage = text[start : text.index("MUZIKAAL INTERMEZZO")].strip()
    units = answer_units(passage)
    assert not [u for u in units if u.kind == "list" and "INSPIRATIEGIDS" in u.text]
    assert any(u.quoted == "Klasse zorgde voor een ondersteunende mediacampagne." for u in units)


def test_a_quotation_is_quoted_with_its_attribution():
    chunk, units = units_of("Een directeur uit het netwerk van Kansen4Kinderen")
    quote = next(u for u in units if u.kind == "quote")
    assert quote.text.startswith("“Als meer dan vijftien procent van de leerlingen")
    assert quote.text.endswith("\n— Een directeur uit het netwerk van Kansen4Kinderen")
    assert quote.quote(chunk.text).endswith("Een directeur uit het netwerk van Kansen4Kinderen")
    # The attribution is not a heading for what follows.
    assert not any(
        u.heading == "Een directeur uit het netwerk van Kansen4Kinderen" and u.kind != "quote"
        for u in units
    )


def test_a_long_quotation_is_quoted_sentence_by_sentence_with_its_source():
    _, units = units_of("Uit het ondersteuningsplan van O.B.S. De Bascule in Emmen")
    motivating = [u for u in units if "motiverend" in u.text]
    assert motivating and all(
        u.text.startswith("Uit het ondersteuningsplan van O.B.S. De Bascule in Emmen: ")
        for u in motivating
    )


@pytest.mark.parametrize(
    "needle, expected",
    [
        (
            "Voorbeelden: zigzagproject",
            "Voorbeelden: zigzagproject, inclusieproject, project buurtgerichte ko, project "
            "natuur en duurzaamheid in de kinderopvang.",
        ),
        (
            "Bijscholingen: cursussen",
            "Vorming: Bijscholingen: cursussen waaraan kinderbegeleiders en verantwoordelijken "
            "van de Stad Gent kunnen deelnemen.",
        ),
    ],
)
def test_a_label_value_line_stays_whole(needle, expected):
    _, units = units_of(needle)
    labels = [u for u in units if u.kind == "label" and needle in u.text]
    assert [u.text for u in labels] == [expected]
