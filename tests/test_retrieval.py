import pytest

from assistant.errors import QueryError
from assistant.retrieval import reciprocal_rank_fusion, weighted_score_fusion
from assistant.service import FILTERED_OUT, OUTSIDE_FILTERS


def test_reciprocal_rank_fusion_rewards_agreement():
    fused = reciprocal_rank_fusion([["a", "b", "c"], ["b", "c", "d"]], [0.5, 0.5], k=60)
    assert [item for item, _ in fused] == ["b", "c", "a", "d"]
    assert fused[0][1] == pytest.approx(0.5 / 62 + 0.5 / 61)


def test_weighted_fusion_keeps_a_clear_lexical_winner_on_top():
    lexical = [("exact", 20.0), ("other", 2.0)]
    dense = [("other", 0.60), ("vague", 0.58), ("exact", 0.40)]
    fused = weighted_score_fusion(lexical, dense, lexical_weight=0.7)
    assert fused[0][0] == "exact"
    assert fused[0][1] == pytest.approx(0.7)
    assert dict(fused)["other"] == pytest.approx(0.7 * 0.1 + 0.3)


def test_hybrid_search_finds_a_passage_in_the_documents_wording(assistant):
    hits = assistant.search("Wie is de inclusiecoach van Dienst Kinderopvang Stad Gent?", k=3)
    assert "Hilde Schockaert" in hits[0].chunk.text
    assert hits[0].lexical_rank is not None and hits[0].dense_rank is not None


def test_filters_restrict_every_leg(assistant):
    hits = assistant.search(
        "samenwerking met ouders", k=10, filters={"organisatie": "kansen4kinderen"}
    )
    assert hits and {h.chunk.info.organisation for h in hits} == {"Kansen4Kinderen"}
    themed = assistant.search(
        "ondersteuning", k=10, filters={"theme": "kinderopvang", "country": "BE"}
    )
    assert themed and all("kinderopvang" in h.chunk.info.themes for h in themed)
    typed = assistant.search("ouders", k=10, filters={"type": "webpagina"})
    assert len(typed) == 10


def test_unknown_filters_and_values_are_refused_with_the_known_values(assistant):
    with pytest.raises(QueryError, match="unknown filter 'kleur'"):
        assistant.search("ouders", filters={"kleur": "rood"})
    with pytest.raises(QueryError, match="known values: BE, NL"):
        assistant.search("ouders", filters={"country": "FR"})
    with pytest.raises(QueryError, match="empty"):
        assistant.search("   ")


def test_a_refusal_under_filters_says_when_the_rest_of_the_collection_answers(assistant):
    question = "Wat doet de inclusiecoach van Stad Gent?"
    filtered = assistant.ask(question, filters={"organisatie": "kansen4kinderen"})
    assert not filtered.answered and not filtered.citations
    # Its passages under that filter are unrelated: said as such, not as an off-topic question.
    assert filtered.text == FILTERED_OUT
    assert assistant.ask(question).answered
    # Refused everywhere: the refusal does not send the user to the rest of the collection.
    off_topic = assistant.ask("Wie schreef De Kleine Prins?", filters={"country": "BE"})
    assert not off_topic.answered and OUTSIDE_FILTERS not in off_topic.text
    # Filters that leave only unrelated passages do not make the question off-topic (a tester
    # was told both that the documents do not treat it and that the rest answers it).
    elsewhere = assistant.ask("Wat is een instaptraject?", filters={"country": "NL"})
    assert not elsewhere.answered and elsewhere.text == FILTERED_OUT
    assert assistant.ask("Wat is een instaptraject?").answered
