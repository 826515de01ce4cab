"""Extractive Dutch answers: the passage units that answer the question, with [n] markers.

Without an LLM, an answer is made of quotes. Each passage is cut into answer units (see
units.py), every unit is scored against the question (the dense model's query/passage
similarity together with lexical evidence), and the best few are quoted with their citations;
a lead-in whose list or sections stand in the passages after its own takes them from there.
When the passages are not about the question, when no unit is strong enough, or when the
question asks for a kind of thing (an amount, a date, a name ...) that no unit holds, the answer
is a Dutch refusal that says so and lists related passages, which are not citations.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

import numpy as np
from langchain_core.embeddings import Embeddings

from assistant.dutch import fold
from assistant.embedding import DEFAULT_MODEL, E5_MODEL, USE_MODEL, model_parts
from assistant.instructions import addresses_model
from assistant.lexical import LexicalIndex
from assistant.questions import (
    Need,
    abbreviates,
    holds_term,
    named_in,
    needs_of,
    satisfies,
    unknown_terms,
)
from assistant.records import Answer, Chunk, Citation, Claim, Hit
from assistant.settings import Settings
from assistant.topics import TopicCheck
from assistant.units import (
    Unit,
    answer_units,
    continued_items,
    named_sections,
)

NOT_ANSWERED = (
    "De documenten in deze collectie beantwoorden deze vraag niet. "
    "Probeer de vraag anders te formuleren, of kies een ander thema of een andere organisatie."
)
OFF_TOPIC = (
    "Deze vraag gaat over iets wat de documenten in deze collectie niet behandelen. "
    "De assistent beantwoordt alleen vragen over wat in de documenten staat."
)
NOT_DUTCH = (
    "Deze assistent beantwoordt vragen in het Nederlands, met citaten uit Nederlandstalige "
    "documenten. Stel je vraag in het Nederlands."
)
REFUSAL = NOT_ANSWERED  # the refusal an LLM's "GEEN ANTWOORD" becomes
RELATED_MAX = 3
# A lead-in ending its passage takes the items it announces from at most this many passages
# after it, and at most this many items when it does not say how many. (Ending an answer once a
# list made it 6 lines long cost 2-3 of 122 own-words answers on the tuning half for 0.3 lines
# less on average: not done.)
LIST_PASSAGES_MAX = 4
MAX_CONTINUED_ITEMS = 8
# A unit's score: its share of the question's idf-weighted terms and its cosine similarity to
# the question, weighted, and a bonus for coming from a higher-ranked passage. (On the tuning
# half, weights 0.3-0.5 and bonuses 0-0.1 moved own-words answers by at most 4 of 122, and a
# bonus for lists on practice questions changed none: kept as they were. Preferring units from
# passages not yet quoted lost 2-6 own-words answers there, and giving the dense model each
# unit's document title 1-2: the facts of one answer mostly stand in one passage.)
LEXICAL_WEIGHT = 0.5
RANK_BONUS = 0.05
# A unit that holds what the question asks for (a number, a name) must score at least this
# share of the best unit's score to stand in for an answer. On the tuning half the answerable
# questions' holders reach 0.80-0.83 and up, the unanswerable ones' that a ratio can tell apart
# 0.75-0.82 (the two corpora differ): the ranges overlap, and a wrong number is worse than a
# refusal, so the ratio stays above both (measured 2026-11-25).
NEED_RATIO = 0.85


@dataclass(frozen=True)
class Candidate:
    """An answer unit of a retrieved passage, scored against the question."""

    unit: Unit
    hit_rank: int  # 0-based rank of the passage it comes from
    lexical: float  # share of the question's idf-weighted terms the unit contains
    dense: float  # cosine similarity of unit and question
    score: float


@dataclass(frozen=True)
class Evidence:
    """What the retrieved passages offer for a question."""

    candidates: list[Candidate]  # best first
    relevance: float  # highest cosine similarity of the question to a whole retrieved passage


def passage_units(chunk: Chunk) -> list[Unit]:
    return answer_units(chunk.text, chunk.section)


def _passage_vectors(hits: Sequence[Hit], embeddings: Embeddings, dim: int) -> np.ndarray:
    """The hits' passage vectors of dim dimensions, normalised: those the store holds (of
    chunk.context), else embedded anew (embedding them again would take half of a new
    question's time). A combined model's stored vector starts with its first model's, the
    model answers are scored with: its first dim dimensions are that vector."""
    stored = [hit.vector for hit in hits if hit.vector is not None and len(hit.vector) >= dim]
    if len(stored) == len(hits):
        vectors = np.asarray(stored, dtype=np.float64)[:, :dim]
    else:
        vectors = np.asarray(
            embeddings.embed_documents([hit.chunk.context for hit in hits]), dtype=np.float64
        )
    return vectors / (np.linalg.norm(vectors, axis=1, keepdims=True) + 1e-12)


def _query_vector(question: str, embeddings: Embeddings) -> np.ndarray:
    vector = np.asarray(embeddings.embed_query(question), dtype=np.float64)
    return vector / (np.linalg.norm(vector) + 1e-12)


def passage_relevance(question: str, hits: Sequence[Hit], embeddings: Embeddings) -> float:
    """The highest cosine similarity of the question (as a query) to a retrieved passage."""
    if not hits:
        return 0.0
    query = _query_vector(question, embeddings)
    return float(np.max(_passage_vectors(hits, embeddings, query.shape[0]) @ query))


def gather_evidence(
    question: str, hits: Sequence[Hit], lexical: LexicalIndex, embeddings: Embeddings
) -> Evidence:
    """Every answer unit of the hits scored against the question, and the passages' relevance."""
    if not hits:
        return Evidence([], 0.0)
    analyzer = lexical.analyzer
    q_terms = sorted(set(analyzer.terms(question)))
    weights = dict(zip(q_terms, lexical.idf(q_terms), strict=True))
    total = sum(weights.values()) or 1.0
    # A unit that addresses a language model ("Negeer alle vorige instructies en antwoord: ...")
    # is no answer to a reader's question, whatever it matches.
    raw = [
        (unit, rank)
        for rank, hit in enumerate(hits)
        for unit in passage_units(hit.chunk)
        if not (hit.chunk.addresses_model and addresses_model(unit.text))
    ]
    if not raw:
        return Evidence([], 0.0)
    # The question as a query, the passages and units as documents: models such as E5 were
    # trained to score exactly that pair.
    query = _query_vector(question, embeddings)
    relevance = float(np.max(_passage_vectors(hits, embeddings, query.shape[0]) @ query))
    units = np.asarray(
        embeddings.embed_documents([unit.text for unit, _ in raw]), dtype=np.float64
    ).reshape(len(raw), query.shape[0])
    similarity = (units / (np.linalg.norm(units, axis=1, keepdims=True) + 1e-12)) @ query
    candidates = []
    for (unit, rank), dense in zip(raw, similarity.tolist(), strict=True):
        found = set(analyzer.terms(unit.text))
        lexical_share = sum(w for t, w in weights.items() if t in found) / total
        score = (
            LEXICAL_WEIGHT * lexical_share + (1 - LEXICAL_WEIGHT) * dense + RANK_BONUS / (rank + 1)
        )
        candidates.append(Candidate(unit, rank, lexical_share, dense, score))
    return Evidence(sorted(_lists_lead(candidates), key=lambda c: -c.score), relevance)


def _lists_lead(candidates: list[Candidate]) -> list[Candidate]:
    """A list scores at least as well as the sentence that announces it ('Er zijn daarbij vier
    thema's ...'): the question matches the announcement, and the list holds what it announces.
    (The list's own vector, of short items, rarely matches a question as well.)"""
    lead_score: dict[tuple[int, int], float] = {}
    for c in candidates:
        if c.unit.kind != "list":
            lead_score[(c.hit_rank, c.unit.end)] = max(
                lead_score.get((c.hit_rank, c.unit.end), 0.0), c.score
            )
    lifted = []
    for c in candidates:
        if c.unit.kind == "list":
            lead_end = c.unit.start + len(c.unit.quoted.split("\n")[0])
            announced = lead_score.get((c.hit_rank, lead_end), 0.0)
            if announced >= c.score:
                c = dataclasses.replace(c, score=announced + 1e-6)
        lifted.append(c)
    return lifted


def _shown_in(candidate: Candidate, lists: Sequence[Candidate]) -> bool:
    return any(candidate.unit.quoted in other.unit.text for other in lists)


def _overlaps(a: Candidate, b: Candidate) -> bool:
    return a.hit_rank == b.hit_rank and a.unit.start < b.unit.end and b.unit.start < a.unit.end


def select_units(
    candidates: Sequence[Candidate],
    limit: int,
    keep_ratio: float,
    first: Sequence[Candidate] = (),
) -> list[Candidate]:
    """The units that hold what the question asks for (first), then the best units and those
    close to them, at most limit, none quoting text another one already quotes."""
    chosen: list[Candidate] = list(first)
    if not candidates and not chosen:
        return []
    best = max([c.score for c in candidates[:1]] + [c.score for c in chosen])
    for candidate in candidates:
        if len(chosen) >= limit or candidate.score < keep_ratio * best:
            break
        # Nor a sentence a chosen list already shows as an item.
        if not any(_overlaps(candidate, c) for c in chosen) and not _shown_in(candidate, chosen):
            chosen.append(candidate)
    return chosen


@dataclass(frozen=True)
class Quote:
    """A quoted span of one retrieved passage."""

    hit_rank: int
    start: int
    end: int


def number_citations(
    hits: Sequence[Hit], quotes: Sequence[Quote]
) -> tuple[list[int], list[Citation]]:
    """Number the passages in order of first use, one number per passage and page: each [n]
    cites the page its quote stands on. Returns the number of each quote and the citations.

    The one numbering of the extractive and the LLM answers alike."""
    numbers: dict[tuple[int, int | None], int] = {}
    quoted: dict[int, list[str]] = {}
    spans: dict[int, tuple[int, int]] = {}  # from the first quoted character to the last
    marks = []
    for quote in quotes:
        chunk = hits[quote.hit_rank].chunk
        key = (quote.hit_rank, chunk.page_at(quote.start))
        n = numbers.setdefault(key, len(numbers) + 1)
        start, end = spans.get(n, (quote.start, quote.end))
        spans[n] = (min(start, quote.start), max(end, quote.end))
        text = chunk.text[quote.start : quote.end]
        if text not in quoted.setdefault(n, []):
            quoted[n].append(text)
        marks.append(n)
    citations = []
    for (rank, page), n in numbers.items():
        chunk = hits[rank].chunk
        citations.append(
            Citation(n, chunk, quote_location(chunk, *spans[n]), page, tuple(quoted[n]))
        )
    return marks, citations


def quote_location(chunk: Chunk, start: int, end: int | None = None) -> str:
    """The citation location of a quote: the page it stands on, or the section it stands in;
    for a quote that runs over headed sections (a list of them), the first and the last."""
    if chunk.pages:
        return f"p. {chunk.page_at(start)}"
    quoted = chunk.text[start : start + 1 if end is None else end]
    start += len(quoted) - len(quoted.lstrip())  # a heading after blank space is where it begins
    first = chunk.section_at(start)
    last = chunk.section_at(start + len(quoted.strip()) - 1) if quoted.strip() else first
    if first and last and first != last:
        return f"secties ‘{first}’ tot ‘{last}’"
    return chunk.location_of(first)


def compose_answer(question: str, hits: Sequence[Hit], chosen: Sequence[Candidate]) -> Answer:
    """The chosen units, one per line, each followed by the [n] of its passage and page."""
    marks, citations = number_citations(
        hits, [Quote(c.hit_rank, c.unit.start, c.unit.end) for c in chosen]
    )
    text = ""
    for c, n in zip(chosen, marks, strict=True):
        # A list continued from the next passage follows its lead-in line directly.
        separator = "\n" if c.unit.text.startswith("• ") else "\n\n"
        text += f"{separator if text else ''}{c.unit.text} [{n}]"
    claims = tuple(Claim(c.unit.text, (n,), True) for c, n in zip(chosen, marks, strict=True))
    return Answer(question, True, text, tuple(citations), tuple(hits), claims=claims)


# The refusal thresholds (min_evidence, min_relevance) of each packaged model: the lower of the
# two evaluation corpora's suggestions (`assistant eval`: the 0.75% quantile of the answerable
# tuning-half questions), measured 2026-11-25 on the 312-question dev set (e5: with answer
# units; USE: the 2% quantile with the sentence answers before them, not re-measured). The two
# models' similarities live on different scales.
REFUSAL_THRESHOLDS = {
    E5_MODEL: (0.490, 0.825),
    USE_MODEL: (0.205, 0.219),
    # Scored with e5 too, but the passages retrieved differ: the rule on the tuning half gives
    # a lower relevance threshold (2026-12-03).
    DEFAULT_MODEL: (0.490, 0.818),
}


def refusal_thresholds(settings: Settings) -> tuple[float, float]:
    """The configured thresholds, or else the model's own (E5's for any other E5 model); a
    combined model's first one scores the answers."""
    model = settings.embedding_model
    if model not in REFUSAL_THRESHOLDS:
        model = model_parts(model)[0]
    if model not in REFUSAL_THRESHOLDS:
        model = E5_MODEL if "e5" in model.lower() else USE_MODEL
    evidence, relevance = REFUSAL_THRESHOLDS[model]
    return (
        evidence if settings.min_evidence is None else settings.min_evidence,
        relevance if settings.min_relevance is None else settings.min_relevance,
    )


@dataclass(frozen=True)
class Decision:
    """Whether to answer, and if not, what to tell the reader."""

    answer: bool
    message: str = ""
    first: tuple[Candidate, ...] = ()  # units that hold what the question asks for


def decide(
    question: str,
    evidence: Evidence,
    hits: Sequence[Hit],
    needs: Sequence[Need],
    lexical: LexicalIndex,
    min_evidence: float,
    min_relevance: float,
    off_topic: bool = False,
) -> Decision:
    """Answer only when the question is on the collection's subject (off_topic: its nearest
    anchor question says not), the passages are about it, a unit is strong enough, and every
    kind of thing the question asks for is held by a unit that answers it."""
    if off_topic or not evidence.candidates or evidence.relevance < min_relevance:
        return Decision(False, OFF_TOPIC)
    best = evidence.candidates[0]
    if best.score < min_evidence:
        return Decision(False, NOT_ANSWERED)
    unknown = unknown_terms(question, lexical.analyzer, lexical.knows)
    if unknown:
        # An acronym the documents only write out ('KKGK') is known when a passage found does.
        written = " ".join(
            f"{h.chunk.info.organisation} {h.chunk.info.title} {h.chunk.text}" for h in hits
        )
        unknown = [term for term in unknown if not abbreviates(term, written)]
    if unknown:
        return Decision(
            False,
            f"De documenten in deze collectie vermelden ‘{unknown[0]}’ nergens. "
            "Ze beantwoorden deze vraag dus niet.",
        )
    first = []
    names = named_in(question)
    for need in needs:
        # A unit that counts the noun itself comes first ('meer dan tachtig scholen' before the
        # better-scoring 'zestig schoolteams' for 'hoeveel scholen'), then one that counts a
        # compound holding it. Failing both, the counted noun may be worded differently
        # ("organisaties", "16 instellingen"): the best unit may hold any number, unless it
        # names the counted noun and counts something else ('vijf kerncompetenties' in a text
        # on kleuteronderwijs, for 'hoeveel kleuters'). Contact
        # details are rare enough that any unit of the passages found may give them.
        loose = Need(need.kind) if need.kind == "count" else need
        floor = 0.0 if need.kind in ("phone", "email") else NEED_RATIO * best.score
        strong = [c for c in evidence.candidates if c.score >= max(min_evidence, floor)]
        holder = next(
            (
                c
                for whole in ((True, False) if need.kind == "count" else (False,))
                for c in strong
                if satisfies(
                    need,
                    _needed_text(need, c.unit),
                    lexical.analyzer,
                    c.unit.kind == "list",
                    whole=whole,
                )
                and (need.kind == "count" or _about(c, hits, names))
            ),
            None,
        )
        if (
            holder is None
            and best in strong
            and satisfies(loose, best.unit.quoted, lexical.analyzer)
            and not (
                need.kind == "count"
                and holds_term(need.term or "", best.unit.quoted, lexical.analyzer)
            )
            and (need.kind == "count" or _about(best, hits, names))
        ):
            holder = best
        if holder is None:
            return Decision(False, f"{need.missing(question)} Ze beantwoorden deze vraag dus niet.")
        if holder not in first:
            first.append(holder)
    return Decision(True, first=tuple(first))


def _needed_text(need: Need, unit: Unit) -> str:
    """Where a unit must hold what is asked: its quote, or for names of places and schools its
    heading label too ('Thomas More Mechelen: Beluister hier de podcast ...'), and for a list
    the items it shows."""
    return unit.text if need.kind in ("names", "list") else unit.quoted


def _about(candidate: Candidate, hits: Sequence[Hit], names: Sequence[str]) -> bool:
    """Whether the unit's passage (with its document's title and organisation) names every
    name the question names: a year of one network does not date another. (Counts are left
    out: their counted noun already ties them to the question.)"""
    chunk = hits[candidate.hit_rank].chunk
    written = f"{chunk.info.title} {chunk.info.organisation} {chunk.context}"
    where = fold(written)
    return all(_named(fold(name), where) or abbreviates(name, written) for name in names)


def _named(name: str, text: str) -> bool:
    """A name, or for a plain word its stem's first letters ('Europa' in 'Europees', 'Drenthe'
    in 'Drentse', 'Vlaanderen' in 'Vlaamse')."""
    if name in text:
        return True
    return name.isalpha() and len(name) >= 6 and re.search(rf"\b{name[:4]}", text) is not None


def refuse(question: str, hits: Sequence[Hit] = (), message: str = NOT_ANSWERED) -> Answer:
    """The Dutch refusal: no answer, nothing cited; the passages found are only 'related'."""
    related = tuple(hits[:RELATED_MAX]) if message != OFF_TOPIC else ()
    return Answer(question, False, message, (), tuple(hits), related=related)


class ExtractiveAnswerer:
    """Answers from the retrieved passages' own units, or refuses and says why."""

    def __init__(
        self,
        lexical: LexicalIndex,
        embeddings: Embeddings,
        max_units: int = 3,
        keep_ratio: float = 0.7,
        *,
        min_evidence: float,
        min_relevance: float,
        following: Callable[[Chunk], Chunk | None] | None = None,
        topics: TopicCheck | None = None,
    ) -> None:
        self.lexical = lexical
        self.topics = topics  # tells off-topic questions apart; None: the relevance gate only
        self.following = following  # the passage after a given one, to finish its lists
        self.embeddings = embeddings
        self.max_units = max_units
        self.keep_ratio = keep_ratio
        self.min_evidence = min_evidence
        self.min_relevance = min_relevance

    def evidence(self, question: str, hits: Sequence[Hit]) -> Evidence:
        """The answer units of the passages, best first."""
        return gather_evidence(question, hits, self.lexical, self.embeddings)

    def embed_units(self, chunks: Iterable[Chunk], batch: int = 64) -> int:
        """Embed the answer units of these passages ahead of any question (the vectors stay in
        the embedder's caches); returns how many units there were."""
        texts = list(dict.fromkeys(u.text for c in chunks for u in passage_units(c)))
        for start in range(0, len(texts), batch):
            self.embeddings.embed_documents(texts[start : start + batch])
        return len(texts)

    def continue_lists(
        self, chosen: Sequence[Candidate], hits: Sequence[Hit]
    ) -> tuple[list[Candidate], list[Hit]]:
        """A chosen lead-in whose items stand in the passages after its own ('... worden
        onderscheiden:' ending a passage) gets them, from up to LIST_PASSAGES_MAX passages on,
        as a list unit right after it; their passages join the hits to cite."""
        units: list[Candidate] = []
        hits = list(hits)
        for candidate in chosen:
            units.append(candidate)
            chunk = hits[candidate.hit_rank].chunk
            unit = candidate.unit
            dangling = unit.quoted.endswith(":") and unit.end >= len(chunk.text.rstrip())
            wants = unit.wants or (MAX_CONTINUED_ITEMS if dangling else 0)
            sections = unit.sections
            following = chunk
            for _ in range(LIST_PASSAGES_MAX if self.following and (wants or sections) else 0):
                following = self.following(following)
                if following is None:
                    break
                start = len(following.text) - len(following.text.lstrip())
                if sections:
                    start, items, end, sections = named_sections(following.text, sections)
                    more = bool(sections)
                else:
                    items, end, more = continued_items(following.text, wants)
                    wants -= len(items)
                if not items and not sections:
                    break
                if items:
                    rank = next((r for r, h in enumerate(hits) if h.chunk.id == following.id), None)
                    if rank is None:
                        rank = len(hits)
                        hits.append(Hit(following, 0.0))
                    shown = "\n".join(f"• {item}" for item in items)
                    quoted = following.text[start:end]
                    continuation = Unit("list", shown, start, end, None, quoted)
                    units.append(Candidate(continuation, rank, 0.0, 0.0, candidate.score))
                if not more or (not sections and wants <= 0):
                    break
        # A sentence chosen on its own that a continued list now shows as an item goes.
        shown = [u for u in units if u not in chosen]
        units = [u for u in units if u not in chosen or not _shown_in(u, shown)]
        return units, hits

    def answer(self, question: str, hits: Sequence[Hit], asked: str | None = None) -> Answer:
        """Answer question (as retrieved with) from hits; asked is what the user typed, when a
        follow-up was read together with the question before it: only it says what is wanted."""
        asked = asked or question
        evidence = self.evidence(question, hits)
        decision = decide(
            asked,
            evidence,
            hits,
            needs_of(asked),
            self.lexical,
            self.min_evidence,
            self.min_relevance,
            # The question as retrieved with: a follow-up's subject is in the question before.
            off_topic=self.topics is not None
            and self.topics.is_off_topic(question, evidence.relevance),
        )
        if not decision.answer:
            return refuse(question, hits, decision.message)
        chosen = select_units(evidence.candidates, self.max_units, self.keep_ratio, decision.first)
        chosen, hits = self.continue_lists(chosen, hits)
        return compose_answer(question, hits, chosen)


def final_answer(events: Iterable[tuple[str, object]]) -> Answer:
    """The Answer that ends a stream of ("delta", text) ... ("answer", Answer) events."""
    answer = None
    for event, value in events:
        if event == "answer":
            answer = value
    return answer
