"""The off-topic check: anchor lists, the nearest-anchor rule with e5, and its settings."""

import json

import numpy as np
import pytest
from conftest import ROOT

from assistant.embedding import first_model
from assistant.errors import SettingsError
from assistant.topics import read_anchors, topic_check


def _eval_questions(name: str) -> list[dict]:
    return [json.loads(line) for line in (ROOT / "eval" / f"{name}.jsonl").open(encoding="utf-8")]


def test_domain_anchors_are_tuning_half_questions_only():
    # The held-out halves measure the check: none of their questions may be an anchor.
    domain = read_anchors(None, "domain_questions.txt")
    items = _eval_questions("devset") + _eval_questions("practice")
    split = {item["question"]: item["split"] for item in items}
    assert len(domain) > 100
    assert all(split.get(q) == "tune" for q in domain), [
        q for q in domain if split.get(q) != "tune"
    ]


def test_off_domain_anchors_hold_no_near_paraphrase_of_the_off_topic_set(embeddings):
    model = first_model(embeddings)
    anchors = read_anchors(None, "offdomain_questions.txt")
    off_topic = [item["question"] for item in _eval_questions("offtopic")]

    def unit(texts):
        vectors = np.asarray([model.embed_query(t) for t in texts])
        return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)

    assert len(anchors) > 200 and not set(anchors) & set(off_topic)
    assert float((unit(anchors) @ unit(off_topic).T).max()) < 0.92


@pytest.mark.parametrize(
    "question",
    [
        "Wat is video-interactiebegeleiding?",
        "Hoe kan ik ouders die weinig Nederlands spreken betrekken bij de kleuterklas?",
        "Ik werk in een crèche in Gent. Bij wie kan ik terecht voor advies over inclusie?",
    ],
)
def test_question_on_the_subject_is_nearer_a_domain_anchor(assistant, question):
    in_domain, off_domain = assistant.answerer.topics.nearest(question)
    assert in_domain > off_domain
    assert not assistant.answerer.topics.is_off_topic(question)


@pytest.mark.parametrize(
    "question",
    [
        # A tester's short questions, nearer an everyday anchor than a domain one; the passage
        # that answers them matches nearly as well, so they are on the subject.
        "Wat is Mentes?",
        "Mag ik als onthaalouder ook aankloppen bij de inclusiecoach?",
    ],
)
def test_a_short_question_the_passages_answer_is_not_off_topic(assistant, question):
    in_domain, off_domain = assistant.answerer.topics.nearest(question)
    assert off_domain > in_domain  # what made them refused before
    answer = assistant.ask(question)
    assert answer.answered, answer.text


def test_check_takes_a_deployments_own_domain_list(corpus_index, tmp_path, embeddings):
    own = tmp_path / "vragen.txt"
    own.write_text("# ons eigen onderwerp\nHoe onderhoud ik een elektrische fiets?\n", "utf-8")
    check = topic_check(first_model(embeddings), corpus_index.replace(domain_questions=str(own)))
    assert check.domain == ("Hoe onderhoud ik een elektrische fiets?",)
    # With only that anchor, a question about the bicycle is on-topic here.
    assert not check.is_off_topic("Hoe vaak moet ik de ketting van mijn e-bike smeren?")


@pytest.mark.parametrize(
    ("content", "reason"), [(None, "cannot read"), ("# alleen commentaar\n\n", "no questions")]
)
def test_bad_domain_list_is_named_with_its_reason(
    corpus_index, tmp_path, embeddings, content, reason
):
    path = tmp_path / "vragen.txt"
    if content is not None:
        path.write_text(content, "utf-8")
    with pytest.raises(SettingsError, match=reason) as caught:
        topic_check(first_model(embeddings), corpus_index.replace(domain_questions=str(path)))
    assert "domain_questions" in str(caught.value) and "vragen.txt" in str(caught.value)


def test_settings_switch_the_check_off_and_other_models_go_without_it(corpus_index, embeddings):
    from assistant.service import open_assistant

    assert open_assistant(corpus_index, embeddings=embeddings).answerer.topics is not None
    off = corpus_index.replace(off_topic_check=False)
    assert open_assistant(off, embeddings=embeddings).answerer.topics is None
    # The anchors were measured with e5: a USE-only index keeps the relevance gate alone.
    use = corpus_index.replace(embedding_model="use-multilingual")
    assert topic_check(first_model(embeddings), use) is None
