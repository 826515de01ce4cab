"""The dev set's shape, and the held-out floors the measurement set for retrieval and answers."""

import dataclasses

import pytest
from conftest import CORPUS, ROOT

from assistant.answering import refusal_thresholds
from assistant.embedding import E5_MODEL, model_parts
from assistant.evaluation import (
    ANSWER_SETS,
    DEBIAN_DISTRACTORS,
    EvaluationReport,
    Figures,
    _norm,
    load_devset,
    run_evaluation,
)
from assistant.settings import load_settings

DEVSET = ROOT / "eval" / "devset.jsonl"


def test_devset_has_the_required_shape():
    items = load_devset(DEVSET)
    answerable = [i for i in items if i.answerable]
    assert len(items) >= 150
    assert sum(i.style == "own" for i in answerable) >= 80
    assert sum(i.style == "own" and i.origin == "blind" for i in answerable) >= 80
    assert sum(not i.answerable for i in items) >= 25
    assert sum(i.docs > 1 for i in answerable) >= 10
    assert sum(i.turn == "follow_up" for i in items) >= 10
    assert sum(i.turn == "switch" for i in items) >= 10
    by_id = {i.id: i for i in items}
    for item in items:  # neither a conversation nor a question and its rewrite is split
        for other in (item.previous, item.paraphrase_of):
            if other:
                assert by_id[other].split == item.split, item.id
    for split in ("tune", "heldout"):  # both halves hold every kind of question
        half = [i for i in items if i.split == split]
        assert sum(i.style == "own" and i.answerable for i in half) >= 40
        assert sum(not i.answerable for i in half) >= 12
        assert sum(i.turn == "follow_up" for i in half) >= 5
    text = _norm(" ".join(p.read_text(encoding="utf-8") for p in CORPUS.glob("*.txt")))
    for item in answerable:  # gold that the corpus does not hold would measure nothing
        assert all(_norm(e) in text for e in item.evidence), item.id
        assert all(any(_norm(a) in text for a in fact) for fact in item.facts), item.id


def test_figures_count_hits_and_reciprocal_ranks():
    figures = Figures.of([1, 3, None, 11])
    assert figures == Figures(hit1=0.25, hit5=0.5, mrr=round((1 + 1 / 3) / 4, 3), n=4)


@pytest.fixture(scope="module")
def report(tmp_path_factory, embeddings) -> EvaluationReport:
    assert all(p.exists() for p in DEBIAN_DISTRACTORS), "make system installs lilypond-doc-pdf-nl"
    settings = load_settings(env={}, corpus_dir=CORPUS)
    work = tmp_path_factory.mktemp("eval")
    return run_evaluation(
        settings,
        DEVSET,
        None,
        work,
        embeddings=embeddings,
        answer_sets={name: DEVSET.with_name(f"{name}.jsonl") for name in ANSWER_SETS},
        fresh2=DEVSET.with_name("fresh2.jsonl"),
        practice=DEVSET.with_name("practice.jsonl"),
    )


@pytest.mark.slow
@pytest.mark.parametrize("corpus", ["corpus", "corpus+distractors"])
def test_hybrid_beats_each_leg_on_the_held_out_half(report, corpus):
    retrieval = report.corpus(corpus).heldout.retrieval
    for subset in ("all", "document", "own"):
        hybrid, lexical, dense = (
            getattr(getattr(retrieval, mode), subset) for mode in ("hybrid", "lexical", "dense")
        )
        for metric in ("hit5", "mrr"):
            if metric == "hit5" and subset == "document":
                # Each leg and the hybrid find 15 of the 15 in the top 5 (measured 2026-12-03,
                # 14 before capital sub-headings kept their section; the hybrid's MRR is
                # higher): not below either.
                assert getattr(hybrid, metric) >= getattr(dense, metric), (subset, metric)
                assert getattr(hybrid, metric) >= getattr(lexical, metric), (subset, metric)
                continue
            assert getattr(hybrid, metric) > getattr(dense, metric), (subset, metric)
            assert getattr(hybrid, metric) > getattr(lexical, metric), (subset, metric)


# Floors a little under the held-out figures measured with the default settings (README,
# Evaluation), on 2026-12-03 with e5 and USE combined: hybrid hit@5 own words 0.899 / 0.899,
# documents' wording 0.933 / 0.933 (14 of 15, one under the retrieval issue's 0.96: with e5 alone
# it was 15 of 15, own words 0.874 / 0.857); answers correct 0.560 / 0.552 (documents' wording
# 0.933 / 0.867, own words 0.513 / 0.513), unanswerable refused 0.50 / 0.45, and after the refusal
# rules of the same day 0.65 / 0.60; after capital sub-headings kept their section, hybrid hit@5
# own words 0.916 / 0.899, documents' wording 1.000 / 1.000, answers correct 0.552 / 0.545. On the
# fresh set: answers correct 0.733 / 0.700,
# unanswerable refused 0.500, and after those rules (tuned on it) 1.000.
FLOORS = {
    "corpus": {"own": 0.87, "document": 0.93, "correct": 0.54, "refused": 0.50},
    "corpus+distractors": {"own": 0.87, "document": 0.93, "correct": 0.53, "refused": 0.50},
}


@pytest.mark.slow
@pytest.mark.parametrize("corpus", ["corpus", "corpus+distractors"])
def test_held_out_floors(report, corpus):
    heldout = report.corpus(corpus).heldout
    floors = FLOORS[corpus]
    assert heldout.retrieval.hybrid.own.hit5 >= floors["own"]
    assert heldout.retrieval.hybrid.document.hit5 >= floors["document"]
    assert heldout.answers.correct >= floors["correct"]
    assert heldout.answers.refusal_accuracy >= floors["refused"]
    # Measured: every follow-up read with the question before; none of the six topic switches
    # read with it (2026-12-03; with e5 alone one of six on the corpus alone).
    assert heldout.conversation.follow_ups_joined == 1.0
    assert heldout.conversation.switches_joined <= 0.2
    fresh = report.corpus(corpus).answer_sets["fresh"]
    assert fresh.correct >= 0.6 and fresh.refusal_accuracy >= 0.9
    # The third fresh set, tuned on for refusals (2026-12-03): answers correct 0.800 / 0.800,
    # none refused, unanswerable refused 0.333 / 0.300 before the rules, 0.667 / 0.667 after.
    fresh3 = report.corpus(corpus).answer_sets["fresh3"]
    assert fresh3.correct >= 0.7 and fresh3.refusal_accuracy >= 0.6
    assert len(fresh3.false_refusals) <= 1
    # The fourth fresh set, written after the refusal rules by a helper who read only the
    # documents, never tuned on (measured 2026-12-03): answers correct 0.600 / 0.600 of 20,
    # answerable refused 1 / 1, unanswerable refused 0.65 / 0.55 of 20.
    fresh4 = report.corpus(corpus).answer_sets["fresh4"]
    assert fresh4.correct >= 0.55 and fresh4.refusal_accuracy >= 0.5
    assert len(fresh4.false_refusals) <= 1
    # The off-topic set's held-out half (20 questions, many with the corpus's words): refused 17 of
    # 20 by the relevance gate alone, 20 with the nearest-anchor check, 17 once that check also
    # needs the everyday question to beat the best passage (short on-topic questions such as
    # "Wat is Mentes?" were refused before; 2026-12-04).
    off_topic = report.corpus(corpus).answer_sets["offtopic:heldout"]
    assert off_topic.refusal_accuracy >= 0.8
    # The second fresh set (54 answerable questions, conversations' turns included, and 25
    # unanswerable), measured 2026-12-01 before anything was chosen on it: answers correct
    # 0.667 / 0.685, answerable refused 3 / 2, unanswerable refused 0.60 / 0.52, follow-ups
    # joined 7 of 8, switches 0 of 8 (corpus alone / with distractors); on 2026-12-03, with e5
    # and USE combined, 0.667 / 0.685, 3 / 2 refused, unanswerable refused 0.56 / 0.56, and after
    # the refusal rules of that day 0.68 / 0.68.
    fresh2, talk = report.corpus(corpus).fresh2, report.corpus(corpus).fresh2_conversation
    assert fresh2 is not None and fresh2.correct >= 0.62 and fresh2.refusal_accuracy >= 0.6
    assert len(fresh2.false_refusals) <= 3
    assert talk.follow_ups_joined >= 0.75 and talk.switches_joined <= 0.125
    # The practice set's held-out half (15 "how do I ..." questions), measured 2026-12-02:
    # answers naming a practice the documents describe 0.533 / 0.467, none refused (2026-12-03,
    # e5 and USE combined: 0.533 / 0.533).
    practice = report.corpus(corpus).practice_heldout
    assert practice is not None and practice.correct >= 0.4
    assert len(practice.false_refusals) <= 1


@pytest.mark.slow
def test_refusal_thresholds_follow_the_tuning_half_and_rarely_refuse_held_out_questions(report):
    """The model's thresholds are the rule's values (the THRESHOLD_QUANTILE of the answerable
    tuning questions, the lower of the two corpora): a changed model or dev set shows up here."""
    evidence, relevance = refusal_thresholds(load_settings(env={}))
    # The answers are scored with the combined model's first one, e5, whose thresholds these
    # are (USE's were not re-measured).
    assert model_parts(report.model)[0] == E5_MODEL
    for feature, threshold in (("evidence", evidence), ("relevance", relevance)):
        suggested = [
            c.suggested
            for corpus in report.corpora
            for c in corpus.calibration
            if c.feature == feature
        ]
        assert threshold == pytest.approx(min(suggested), abs=0.002), feature
    for corpus in report.corpora:
        # The goal is at most one answerable question refused per half. Measured
        # held-out: 1 with distractors, and 2 on the corpus alone since questions for names of
        # places and schools need such a name (2026-12-01): that rule refuses 2 more of the 20
        # held-out unanswerable questions and 3 more of the second fresh set's 25, refusing none
        # of its answerable ones. The goal is missed by one there; this floor keeps it from
        # getting worse.
        limit = 2 if corpus.name == "corpus" else 1
        assert len(corpus.heldout.answers.false_refusals) <= limit, corpus.name


@pytest.mark.slow
def test_the_report_converts_to_json(report):
    data = report.to_json()
    assert data["corpora"][0]["heldout"]["retrieval"]["hybrid"]["own"]["n"] >= 40
    assert dataclasses.asdict(report.questions) == data["questions"]
