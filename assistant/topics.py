"""Whether a question is about the collection's subject at all, by its nearest anchor question.

e5 scores any Dutch question with school or Gent words close to the corpus ('Ik ben juf in Gent:
waar kan ik gratis parkeren?' reaches 0.85 against a passage, above the relevance gate), but a
question is far closer to another question of its own kind. So two lists of anchor questions
(assistant/data) are embedded as queries, like the question: the domain list (the dev set's
tuning-half questions) and the off-domain list (everyday questions about cooking, traffic,
money ...). A question whose nearest anchor is off-domain, and which no passage found matches
nearly as well, is off-topic. Measured 2026-12-04 (README, "Off-topic set").
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from langchain_core.embeddings import Embeddings

from assistant.embedding import model_parts
from assistant.errors import SettingsError

if TYPE_CHECKING:
    from assistant.settings import Settings


def read_anchors(path: Path | None, packaged: str) -> list[str]:
    """The anchor questions of a file (one per line, '#' lines are comments), by default the
    packaged one."""
    try:
        text = (
            path.read_text(encoding="utf-8")
            if path is not None
            else resources.files("assistant").joinpath("data", packaged).read_text("utf-8")
        )
    except (OSError, UnicodeDecodeError) as exc:
        raise SettingsError(f"domain_questions: cannot read {path}: {exc}") from None
    lines = [line.strip() for line in text.splitlines()]
    questions = [line for line in lines if line and not line.startswith("#")]
    if not questions:
        raise SettingsError(f"domain_questions: {path or packaged} holds no questions")
    return questions


# A question and its best passage score lower than two questions alike (a query and a passage
# are embedded differently). The domain list holds few short questions, so "Wat is Mentes?"
# lay nearer an everyday one (0.850) than any domain one (0.829), though the passage that says
# what Mentes is scored 0.820 (a tester's finding). Off-topic, then, also means the everyday
# question beats the best passage by more than this: more than any answerable tuning
# question's did (at most 0.047; measured 2026-12-04).
PASSAGE_MARGIN = 0.05


def _embed(embeddings: Embeddings, texts: Sequence[str]) -> np.ndarray:
    vectors = np.asarray([embeddings.embed_query(t) for t in texts], dtype=np.float64)
    return vectors / (np.linalg.norm(vectors, axis=1, keepdims=True) + 1e-12)


# The anchors' vectors, once per model and list in a process (about 400 queries: a few seconds
# with e5, paid at warm-up); lru_cache's lock-free races at worst embed a list twice.
_anchor_vectors = lru_cache(maxsize=8)(_embed)


class TopicCheck:
    """Tells off-topic questions apart by their nearest anchor."""

    def __init__(
        self, embeddings: Embeddings, domain: Sequence[str], off_domain: Sequence[str]
    ) -> None:
        self.embeddings = embeddings
        self.domain = tuple(domain)
        self.off_domain = tuple(off_domain)

    def nearest(self, question: str) -> tuple[float, float]:
        """The question's highest cosine similarity to a domain and to an off-domain anchor."""
        domain = _anchor_vectors(self.embeddings, self.domain)
        off_domain = _anchor_vectors(self.embeddings, self.off_domain)
        query = _embed(self.embeddings, [question])[0]
        return float(np.max(domain @ query)), float(np.max(off_domain @ query))

    def is_off_topic(self, question: str, relevance: float = 0.0) -> bool:
        """Nearer an everyday question than any domain question, and than the best passage
        found (its relevance) by more than PASSAGE_MARGIN."""
        in_domain, off_domain = self.nearest(question)
        return off_domain > in_domain and off_domain > relevance + PASSAGE_MARGIN


def topic_check(embeddings: Embeddings, settings: Settings) -> TopicCheck | None:
    """The check over the configured domain list (default: the packaged one); None when it is
    switched off or the answers are scored with another model than e5 (the anchors' scale)."""
    if not settings.off_topic_check or "e5" not in model_parts(settings.embedding_model)[0]:
        return None
    path = Path(settings.domain_questions).expanduser() if settings.domain_questions else None
    return TopicCheck(
        embeddings,
        read_anchors(path, "domain_questions.txt"),
        read_anchors(None, "offdomain_questions.txt"),
    )
