import dataclasses
import re

import numpy as np
from conftest import RecordingEmbeddings
from langchain_core.embeddings import Embeddings

from assistant.answering import (
    REFUSAL,
    Candidate,
    ExtractiveAnswerer,
    compose_answer,
    split_sentences,
    wants_number,
)
from assistant.records import Chunk, DocumentInfo, Hit


def quoted_parts(answer):
    """Each quoted sentence with the citation number that follows it."""
    return [
        (text.strip(), int(n))
        for text, n in re.findall(r"(.+?) \[(\d+)\]", answer.text, flags=re.S)
    ]


def assert_citations_hold_the_quotes(answer):
    by_number = {c.n: c.chunk.text for c in answer.citations}
    assert sorted(by_number) == list(range(1, len(by_number) + 1))
    parts = quoted_parts(answer)
    assert parts
    for text, n in parts:
        assert text in by_number[n], (text, n)


def test_answer_in_documents_wording_quotes_and_cites_the_right_passage(assistant):
    answer = assistant.ask(
        "Op hoeveel dagen ondersteuning per maand mag een opvanglocatie rekenen bij een praktijkbegeleiding?"
    )
    assert answer.answered
    assert "2 dagen ondersteuning per maand" in answer.text
    assert_citations_hold_the_quotes(answer)
    assert answer.citations[0].chunk.info.organisation == "Stad Gent, Dienst Kinderopvang"
    assert answer.citations[0].location == "sectie ‘Praktijkbegeleiding’"


def test_own_words_question_is_answered_from_the_right_document(assistant):
    answer = assistant.ask(
        "Wij zijn een kleine onthaalouder met acht plekjes. Moeten we betalen voor de begeleiding van de stad?"
    )
    assert answer.answered
    assert_citations_hold_the_quotes(answer)
    assert any(
        c.chunk.info.source == "gent-kinderopvang-pedagogische-begeleiding.txt"
        for c in answer.citations
    )


def test_a_lead_in_is_quoted_with_its_list(assistant):
    answer = assistant.ask("Wat zijn de doelstellingen van CIK Stad Gent?")
    assert "toegankelijkheid vergroten" in answer.text
    assert_citations_hold_the_quotes(answer)


def test_off_topic_question_is_refused_in_dutch_and_cites_nothing(assistant):
    answer = assistant.ask("Wat is de beste pizza van Napels?")
    assert not answer.answered
    assert answer.text == REFUSAL and answer.citations == ()


def test_amount_question_without_a_number_in_the_passages_is_refused():
    chunk = Chunk(
        "x-0",
        DocumentInfo("a.txt", "A", "Org", "webpagina"),
        0,
        "De provincie besloot mee te doen.",
    )
    hits = [Hit(chunk, 1.0)]
    assert wants_number("Hoeveel geld kreeg het netwerk?") and wants_number(
        "Wanneer was de slotconferentie?"
    )
    assert not wants_number("Wat doet een kansencoach?")
    from assistant.answering import ExtractiveAnswerer

    class Lexicon:
        analyzer = __import__("assistant.dutch", fromlist=["Analyzer"]).Analyzer(compounds=False)

        def idf(self, terms):
            return [1.0] * len(terms)

    class Embedder(Embeddings):
        def embed_documents(self, texts):
            return [[1.0, 0.0]] * len(texts)

        def embed_query(self, text):
            return [1.0, 0.0]

    answerer = ExtractiveAnswerer(Lexicon(), Embedder(), min_evidence=0.0, min_relevance=0.0)
    assert not answerer.answer("Hoeveel geld kreeg de provincie?", hits).answered
    assert answerer.answer("Wat besloot de provincie?", hits).answered


def test_citations_are_numbered_in_order_of_first_use():
    info = DocumentInfo("a.txt", "A", "Org", "webpagina")
    hits = [Hit(Chunk(f"c{i}", info, i, f"Zin {i}."), 1.0) for i in range(3)]
    chosen = [
        Candidate("Zin 2.", 2, 0, 1, 1, 1),
        Candidate("Zin 0.", 0, 0, 1, 1, 1),
        Candidate("Zin 2b.", 2, 1, 1, 1, 1),
    ]
    answer = compose_answer("vraag", hits, chosen)
    assert answer.text == "Zin 2. [1] Zin 0. [2] Zin 2b. [1]"
    assert [(c.n, c.chunk.id) for c in answer.citations] == [(1, "c2"), (2, "c0")]


def test_a_quote_is_located_in_the_section_it_stands_in():
    from assistant.answering import quote_location

    info = DocumentInfo("a.txt", "A", "Org", "webpagina")
    text = "Coaching\nEen zin over coaching.\nPraktijkbegeleiding\nTwee dagen per maand.\nEen directeur uit Emmen"
    start = text.index("Praktijkbegeleiding")
    chunk = Chunk(
        "c",
        info,
        0,
        text,
        "Coaching",
        sections=("Coaching", "Praktijkbegeleiding"),
        section_offsets=(0, start),
    )
    assert quote_location(chunk, "Twee dagen per maand.") == "sectie ‘Praktijkbegeleiding’"
    assert quote_location(chunk, "Een zin over coaching.") == "sectie ‘Coaching’"
    assert (
        quote_location(chunk, "Een directeur uit Emmen") == "sectie ‘Praktijkbegeleiding’"
    )  # no heading
    pdf = Chunk(
        "p", info, 0, "Kop\nTekst.\nVervolg op vijf.", "Kop", pages=(4, 5), page_offsets=(0, 11)
    )
    assert pdf.location == "pp. 4-5"
    assert quote_location(pdf, "Tekst.") == "p. 4"
    assert quote_location(pdf, "Vervolg op vijf.") == "p. 5"


def test_sentences_skip_headings_and_keep_abbreviations():
    text = "Educatief partnerschap\nDit staat in het plan van O.B.S. De Bascule in Emmen. Een tweede zin."
    assert split_sentences(text) == [
        "Dit staat in het plan van O.B.S. De Bascule in Emmen.",
        "Een tweede zin.",
    ]


def thresholds(assistant) -> dict[str, float]:
    """The refusal thresholds the configured assistant answers with."""
    answerer = assistant.answerer
    return {"min_evidence": answerer.min_evidence, "min_relevance": answerer.min_relevance}


def test_answering_uses_the_passage_vectors_the_store_holds(assistant, embeddings):
    question = "Wat zijn de doelstellingen van CIK Stad Gent?"
    hits = assistant.passages(question)
    # A results page does not need them, and does not fetch them.
    listed = assistant.search(question, k=5)
    assert [h.chunk.id for h in listed] == [h.chunk.id for h in hits]
    assert all(h.vector is None for h in listed)
    fresh = np.asarray(embeddings.embed_documents([h.chunk.context for h in hits]))
    stored = np.asarray([h.vector for h in hits])
    np.testing.assert_allclose(stored, fresh, atol=1e-5)

    recording = RecordingEmbeddings(embeddings)
    answerer = ExtractiveAnswerer(assistant.retriever.lexical, recording, **thresholds(assistant))
    with_vectors = answerer.answer(question, hits)
    assert with_vectors.answered
    assert recording.texts and not {h.chunk.context for h in hits} & set(recording.texts)
    # Hits without stored vectors (from search, or built by hand) get the same answer.
    bare = [dataclasses.replace(h, vector=None) for h in hits]
    assert answerer.answer(question, bare).text == with_vectors.text
    assert {h.chunk.context for h in hits} <= set(recording.texts)


def test_sentences_embedded_ahead_leave_an_answer_nothing_to_embed(assistant, embeddings):
    from assistant.embedding import CachedEmbeddings

    recording = RecordingEmbeddings(embeddings)
    answerer = ExtractiveAnswerer(
        assistant.retriever.lexical, CachedEmbeddings(recording), **thresholds(assistant)
    )
    chunks = list(assistant.retriever.store.chunks())
    count = answerer.embed_sentences(chunks)
    assert count == len(recording.texts) > len(chunks)  # every sentence once
    recording.texts.clear()
    for question in ("Wat doet de inclusiecoach van Stad Gent?", "Hoe betrek ik ouders?"):
        answerer.answer(question, assistant.passages(question))
    assert recording.texts == []
