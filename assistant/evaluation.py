"""Dev-set evaluation: retrieval per leg, answers and refusals, follow-ups, with distractors.

The dev set is split once, in the file, into a tuning half and a held-out half. Settings are
tuned on the tuning half only (`eval --tune` searches fusion settings there); the held-out
half is the figure to quote, and the one the CI floors check.
"""

from __future__ import annotations

import dataclasses
import itertools
import json
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from langchain_core.embeddings import Embeddings

from assistant.answering import refusal_thresholds
from assistant.dutch import fold
from assistant.embedding import cached, make_embeddings
from assistant.errors import SettingsError
from assistant.lexical import LexicalIndex, LexicalRow
from assistant.records import Answer
from assistant.retrieval import Retriever, fuse
from assistant.service import Assistant, build_index, open_assistant
from assistant.settings import Settings

MODES = ("lexical", "dense", "hybrid")
SPLITS = ("tune", "heldout")
STYLES = ("document", "own")
TURNS = ("follow_up", "switch")
DEBIAN_DISTRACTORS = (
    Path("/usr/share/doc/lilypond/html/Documentation/web.nl.pdf"),
    Path("/usr/share/doc/lilypond/html/Documentation/learning.nl.pdf"),
)
MRR_DEPTH = 10
# The question sets measured by their answers alone (files next to the dev set), and what each
# is: whether choices were made on it says how far its figures can be trusted.
ANSWER_SETS = {
    "fresh": "FRESH set (refusals tuned on it since 2026-12-03)",
    "fresh3": "FRESH set 3 (30 unanswerable on-topic, 10 answerable; refusals tuned on it)",
    "fresh4": "FRESH set 4 (20 unanswerable on-topic, 20 answerable; never tuned on)",
    "offtopic": "OFF-TOPIC set (40 questions outside the corpus's domain, 24 with its words)",
}


@dataclass(frozen=True)
class DevItem:
    """One dev-set question with its gold passages (evidence) and the facts an answer needs."""

    id: str
    question: str
    style: str  # "document": the documents' wording; "own": a user's own words
    answerable: bool
    split: str  # "tune" or "heldout"
    docs: int = 1
    evidence: tuple[str, ...] = ()
    facts: tuple[tuple[str, ...], ...] = ()
    origin: str = "dev"  # "dev": written beside the passages; "blind": from a situation only
    previous: str | None = None  # the question asked just before, in the same conversation
    turn: str | None = None  # "follow_up" (needs the previous one) or "switch" (must not)
    paraphrase_of: str | None = None  # the question this one rewrites without names or jargon


def _json_lines(path: Path, what: str) -> Iterator[tuple[int, dict]]:
    """Each non-empty line of a JSON Lines file with its number; an unreadable file or a line
    that is not JSON is reported by name (and number)."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise SettingsError(f"{what} {path}: {exc.strerror}") from None
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            yield number, json.loads(line)
        except json.JSONDecodeError as exc:
            raise SettingsError(f"{what} {path} line {number}: {exc!r}") from None


def load_devset(path: Path) -> list[DevItem]:
    """The dev set's items; a malformed line is reported with its number."""
    items = []
    for number, raw in _json_lines(path, "devset"):
        try:
            item = DevItem(
                id=raw["id"],
                question=raw["question"],
                style=raw["style"],
                answerable=raw["answerable"],
                split=raw["split"],
                docs=raw.get("docs", 1),
                evidence=tuple(raw["evidence"]),
                facts=tuple(tuple(f) for f in raw["facts"]),
                origin=raw.get("origin", "dev"),
                previous=raw.get("previous"),
                turn=raw.get("turn"),
                paraphrase_of=raw.get("paraphrase_of"),
            )
        except (KeyError, TypeError) as exc:
            raise SettingsError(f"devset {path} line {number}: {exc!r}") from None
        if item.split not in SPLITS or item.style not in STYLES or item.turn not in (None, *TURNS):
            raise SettingsError(f"devset {path} line {number}: bad split, style or turn")
        items.append(item)
    known = {i.id for i in items}
    for item in items:
        if item.previous is not None and item.previous not in known:
            raise SettingsError(f"devset {path}: {item.id} follows unknown {item.previous}")
    return items


def load_fresh(path: Path) -> list[DevItem]:
    """A fresh set: questions written after the answering rules were tuned, never used to choose
    anything. Each line has an id, a question, answerable, and the facts an answer must quote;
    a conversation's later turns name the turn before them (previous) and their kind (turn)."""
    items = []
    for number, raw in _json_lines(path, "fresh set"):
        try:
            items.append(
                DevItem(
                    id=raw["id"],
                    question=raw["question"],
                    style="own",
                    answerable=raw["answerable"],
                    split=raw.get("split", "fresh"),
                    facts=tuple(tuple(f) for f in raw["facts"]),
                    origin="fresh",
                    previous=raw.get("previous"),
                    turn=raw.get("turn"),
                )
            )
        except (KeyError, TypeError) as exc:
            raise SettingsError(f"fresh set {path} line {number}: {exc!r}") from None
    return items


def history(item: DevItem, by_id: dict[str, DevItem]) -> list[str]:
    """The questions asked before this one in its conversation, oldest first."""
    earlier: list[str] = []
    current = item
    while current.previous is not None:
        current = by_id[current.previous]
        earlier.insert(0, current.question)
    return earlier


def _norm(text: str) -> str:
    return re.sub(r"\s+", " ", fold(text)).strip()


def first_relevant_rank(item: DevItem, texts: Sequence[str]) -> int | None:
    """1-based rank of the first passage holding one of the item's evidence snippets."""
    evidence = [_norm(e) for e in item.evidence]
    for rank, text in enumerate(texts, start=1):
        if any(e in _norm(text) for e in evidence):
            return rank
    return None


@dataclass(frozen=True)
class Figures:
    """Retrieval figures of one set of questions."""

    hit1: float
    hit5: float
    mrr: float  # to depth MRR_DEPTH
    n: int

    @classmethod
    def of(cls, ranks: Sequence[int | None]) -> Figures:
        n = len(ranks) or 1
        return cls(
            hit1=round(sum(r == 1 for r in ranks) / n, 3),
            hit5=round(sum(r is not None and r <= 5 for r in ranks) / n, 3),
            mrr=round(sum(1 / r for r in ranks if r is not None and r <= MRR_DEPTH) / n, 3),
            n=len(ranks),
        )


@dataclass(frozen=True)
class ModeFigures:
    """One retrieval mode's figures, overall and per kind of question."""

    all: Figures
    document: Figures
    own: Figures
    own_blind: Figures  # own-words questions written from a situation, never from a passage
    own_no_names: Figures  # those rewritten as asked by someone who knows no names or jargon
    two_docs: Figures
    conversation: Figures  # follow-ups and topic switches, each asked after its predecessor

    @classmethod
    def of(cls, items: Sequence[DevItem], ranks: dict[str, int | None]) -> ModeFigures:
        def subset(keep: Callable[[DevItem], bool]) -> Figures:
            return Figures.of([ranks[i.id] for i in items if keep(i)])

        return cls(
            all=subset(lambda i: True),
            document=subset(lambda i: i.style == "document"),
            own=subset(lambda i: i.style == "own"),
            own_blind=subset(lambda i: i.style == "own" and i.origin == "blind"),
            own_no_names=subset(lambda i: i.paraphrase_of is not None),
            two_docs=subset(lambda i: i.docs > 1),
            conversation=subset(lambda i: i.turn is not None),
        )


@dataclass(frozen=True)
class RetrievalFigures:
    lexical: ModeFigures
    dense: ModeFigures
    hybrid: ModeFigures


@dataclass(frozen=True)
class AnswerFigures:
    """Extractive answers: correct when every fact is quoted and cited."""

    correct: float
    correct_document: float
    correct_own: float
    false_refusals: tuple[str, ...]  # answerable questions refused
    refusal_accuracy: float  # share of unanswerable questions refused
    wrong_answers: tuple[str, ...]  # unanswerable questions answered anyway


@dataclass(frozen=True)
class ConversationFigures:
    """How the follow-up detector reads the conversation items."""

    follow_ups_joined: float  # follow-ups read with the question before them (should be 1)
    switches_joined: float  # topic switches wrongly joined to the question before (should be 0)
    n_follow_ups: int
    n_switches: int


@dataclass(frozen=True)
class SplitReport:
    retrieval: RetrievalFigures
    answers: AnswerFigures
    conversation: ConversationFigures


# A model's refusal thresholds sit at this quantile of the answerable tuning questions' values:
# a rate of false refusals set in advance (the product allows one wrongly refused answerable
# question in about 135 per half), rather than a value nudged until it just clears every dev
# question. The held-out half says what it really costs.
THRESHOLD_QUANTILE = 0.0075


@dataclass(frozen=True)
class Calibration:
    """A refusal feature on the tuning half: its suggested threshold, the lowest value of an
    answerable question, and the unanswerable questions' values."""

    feature: str
    suggested: float  # THRESHOLD_QUANTILE of the answerable questions' values
    lowest_answerable: float
    unanswerable: tuple[float, ...]


@dataclass(frozen=True)
class FusionTrial:
    """One fusion setting's hybrid figures on each half (chosen on the tuning half only)."""

    fusion: str
    lexical_weight: float
    rrf_k: int
    candidates: int
    tune: Figures
    heldout: Figures


@dataclass(frozen=True)
class AnalysisVariant:
    """Lexical and hybrid retrieval with one choice of stemmer, synonyms and compound splitting."""

    name: str
    lexical_tune: Figures
    hybrid_tune: Figures
    lexical_heldout: Figures
    hybrid_heldout: Figures


@dataclass(frozen=True)
class CorpusReport:
    name: str
    chunks: int
    tune: SplitReport
    heldout: SplitReport
    calibration: tuple[Calibration, ...]
    fusion_trials: tuple[FusionTrial, ...] = ()
    analysis_variants: tuple[AnalysisVariant, ...] = ()
    # Answers on each question set of ANSWER_SETS that exists, by its name.
    answer_sets: dict[str, AnswerFigures] = dataclasses.field(default_factory=dict)
    # The second fresh set (fresh2.jsonl): answers, and how its conversations are read.
    fresh2: AnswerFigures | None = None
    fresh2_conversation: ConversationFigures | None = None
    # The practice set (practice.jsonl): "how do I ..." questions whose answer must name a
    # practice the documents describe; a tuning and a held-out half.
    practice_tune: AnswerFigures | None = None
    practice_heldout: AnswerFigures | None = None


@dataclass(frozen=True)
class QuestionCounts:
    document: int
    own: int
    own_blind: int
    two_docs: int
    conversation: int
    unanswerable: int
    tune: int
    heldout: int


@dataclass(frozen=True)
class EvaluationReport:
    model: str
    chunk_size: int
    questions: QuestionCounts
    distractors: tuple[str, ...]
    corpora: tuple[CorpusReport, ...]

    def corpus(self, name: str) -> CorpusReport:
        return next(c for c in self.corpora if c.name == name)

    def to_json(self) -> dict:
        return dataclasses.asdict(self)


def answer_is_correct(item: DevItem, answer: Answer) -> bool:
    """Answered, and every fact is in the answer text and in one of the cited passages."""
    if not answer.answered:
        return False
    text = _norm(answer.text)
    cited = [_norm(c.chunk.text) for c in answer.citations]
    return all(
        any(_norm(alt) in text and any(_norm(alt) in passage for passage in cited) for alt in fact)
        for fact in item.facts
    )


def _queries(
    assistant: Assistant, items: Sequence[DevItem], by_id: dict[str, DevItem]
) -> dict[str, str]:
    """What each question retrieves with: in a conversation, as the app reads it."""
    return {i.id: assistant.read_as(i.question, history(i, by_id)) or i.question for i in items}


def evaluate_retrieval(
    assistant: Assistant, items: Sequence[DevItem], by_id: dict[str, DevItem]
) -> RetrievalFigures:
    retriever = assistant.retriever
    answerable = [i for i in items if i.answerable]
    queries = _queries(assistant, answerable, by_id)
    per_mode = {}
    for mode in MODES:
        ranks = {
            i.id: first_relevant_rank(
                i, [h.chunk.text for h in retriever.search(queries[i.id], MRR_DEPTH, mode=mode)]
            )
            for i in answerable
        }
        per_mode[mode] = ModeFigures.of(answerable, ranks)
    return RetrievalFigures(**per_mode)


def evaluate_answers(
    assistant: Assistant, items: Sequence[DevItem], by_id: dict[str, DevItem]
) -> AnswerFigures:
    outcomes = {i.id: assistant.ask(i.question, previous=history(i, by_id)) for i in items}
    answerable = [i for i in items if i.answerable]
    unanswerable = [i for i in items if not i.answerable]

    def share(subset: list[DevItem]) -> float:
        return round(
            sum(answer_is_correct(i, outcomes[i.id]) for i in subset) / (len(subset) or 1), 3
        )

    return AnswerFigures(
        correct=share(answerable),
        correct_document=share([i for i in answerable if i.style == "document"]),
        correct_own=share([i for i in answerable if i.style == "own"]),
        false_refusals=tuple(sorted(i.id for i in answerable if not outcomes[i.id].answered)),
        refusal_accuracy=round(
            sum(not outcomes[i.id].answered for i in unanswerable) / (len(unanswerable) or 1), 3
        ),
        wrong_answers=tuple(sorted(i.id for i in unanswerable if outcomes[i.id].answered)),
    )


def evaluate_conversation(
    assistant: Assistant, items: Sequence[DevItem], by_id: dict[str, DevItem]
) -> ConversationFigures:
    follow_ups = [i for i in items if i.turn == "follow_up"]
    switches = [i for i in items if i.turn == "switch"]

    def joined(subset: list[DevItem]) -> float:
        read = [assistant.read_as(i.question, history(i, by_id)) is not None for i in subset]
        return round(sum(read) / (len(subset) or 1), 3)

    return ConversationFigures(joined(follow_ups), joined(switches), len(follow_ups), len(switches))


def calibrate_refusal(
    assistant: Assistant, items: Sequence[DevItem], by_id: dict[str, DevItem]
) -> tuple[Calibration, ...]:
    """Per refusal feature, the answerable questions' lowest value and the unanswerable ones'."""
    queries = _queries(assistant, items, by_id)
    evidence_of, relevance_of = {}, {}
    for item in items:
        hits = assistant.passages(queries[item.id])
        evidence = assistant.answerer.evidence(queries[item.id], hits)
        evidence_of[item.id] = evidence.candidates[0].score if evidence.candidates else 0.0
        relevance_of[item.id] = evidence.relevance
    result = []
    for name, values in (("evidence", evidence_of), ("relevance", relevance_of)):
        answerable = [values[i.id] for i in items if i.answerable]
        suggested = float(np.quantile(answerable, THRESHOLD_QUANTILE, method="lower"))
        unanswerable = sorted(round(values[i.id], 3) for i in items if not i.answerable)
        result.append(
            Calibration(name, round(suggested, 3), round(min(answerable), 3), tuple(unanswerable))
        )
    return tuple(result)


# The fusion settings `eval --tune` tries for the hybrid retriever.
FUSION_GRID = {
    "weighted": {"lexical_weight": (0.3, 0.4, 0.5, 0.6, 0.7, 0.8), "rrf_k": (60,)},
    "rrf": {"lexical_weight": (0.3, 0.4, 0.5, 0.6, 0.7), "rrf_k": (10, 30, 60)},
}
CANDIDATE_GRID = (10, 20, 30, 50)


def tune_fusion(
    assistant: Assistant, items: Sequence[DevItem], by_id: dict[str, DevItem]
) -> tuple[FusionTrial, ...]:
    """Every fusion setting of the grid, measured on both halves from one retrieval per leg;
    sorted by the tuning half's MRR, then hit@5 (the held-out figures play no part)."""
    retriever = assistant.retriever
    answerable = [i for i in items if i.answerable]
    queries = _queries(assistant, answerable, by_id)
    legs = {i.id: retriever.legs(queries[i.id], candidates=max(CANDIDATE_GRID)) for i in answerable}
    ids = {i for lexical, dense in legs.values() for i, _ in [*lexical, *dense]}
    texts = {i: chunk.text for i, (chunk, _) in retriever.store.get(sorted(ids)).items()}
    trials = []
    for fusion, grid in FUSION_GRID.items():
        for weight, k, candidates in itertools.product(
            grid["lexical_weight"], grid["rrf_k"], CANDIDATE_GRID
        ):
            ranks = {}
            for item in answerable:
                ranked = fuse(*legs[item.id], "hybrid", fusion, weight, k, candidates)
                ranks[item.id] = first_relevant_rank(
                    item, [texts[i] for i, _ in ranked[:MRR_DEPTH] if i in texts]
                )
            halves = {
                split: Figures.of([ranks[i.id] for i in answerable if i.split == split])
                for split in SPLITS
            }
            trials.append(FusionTrial(fusion, weight, k, candidates, **halves))
    return tuple(sorted(trials, key=lambda t: (-t.tune.mrr, -t.tune.hit5)))


def _variants(settings: Settings) -> list[tuple[str, str, bool, bool]]:
    base = (settings.stemmer, settings.synonyms, settings.compound_splitting)
    variants = {
        ("configured", *base),
        ("stemmer=dutch", "dutch", base[1], base[2]),
        ("stemmer=dutch_porter", "dutch_porter", base[1], base[2]),
        ("stemmer=none", "none", base[1], base[2]),
        ("no synonyms", base[0], False, base[2]),
        ("no compound splitting", base[0], base[1], False),
        ("neither", base[0], False, False),
    }
    return sorted(variants)


def compare_analysis(
    assistant: Assistant, items: Sequence[DevItem], by_id: dict[str, DevItem]
) -> tuple[AnalysisVariant, ...]:
    """Lexical and hybrid retrieval on each half under each analysis variant."""
    store = assistant.retriever.store
    rows = [LexicalRow(c.id, c.context, {}) for c in store.chunks()]
    base = assistant.retriever
    results = []
    for name, stemmer, synonyms, compounds in _variants(assistant.settings):
        lexical = LexicalIndex.build(rows, stemmer, synonyms, compounds, fingerprint="variant")
        retriever = Retriever(
            store,
            lexical,
            base.embeddings,
            mode="hybrid",
            fusion=base.fusion,
            candidates=base.candidates,
            rrf_k=base.rrf_k,
            lexical_weight=base.lexical_weight,
        )
        tune, heldout = (
            evaluate_retrieval(retriever, [i for i in items if i.split == split], by_id)
            for split in SPLITS
        )
        results.append(
            AnalysisVariant(
                f"{name} ({stemmer}, synonyms={synonyms}, compounds={compounds})",
                tune.lexical.all,
                tune.hybrid.all,
                heldout.lexical.all,
                heldout.hybrid.all,
            )
        )
    return tuple(results)


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[-40:]


def run_evaluation(
    settings: Settings,
    devset: Path,
    distractors: Sequence[Path] | None,
    work_dir: Path,
    compare: bool = False,
    tune: bool = False,
    embeddings: Embeddings | None = None,
    fresh2: Path | None = None,
    practice: Path | None = None,
    answer_sets: Mapping[str, Path] | None = None,
) -> EvaluationReport:
    """Build (or update) one index per corpus in work_dir and measure everything on it."""
    items = load_devset(devset)
    by_id = {i.id: i for i in items}
    set_items = {name: load_fresh(path) for name, path in (answer_sets or {}).items()}
    fresh2_items = load_fresh(fresh2) if fresh2 is not None else []
    fresh2_by_id = {i.id: i for i in fresh2_items}
    practice_items = load_fresh(practice) if practice is not None else []
    practice_tune = [i for i in practice_items if i.split == "tune"]
    practice_heldout = [i for i in practice_items if i.split == "heldout"]
    if distractors is None:
        distractors = [p for p in DEBIAN_DISTRACTORS if p.exists()]
    # One model for every index and question (its persistent cache keeps passages' vectors
    # across runs; the in-memory one keeps the questions' and sentences' within this run).
    embeddings = cached(embeddings or make_embeddings(settings))
    corpora = {"corpus": [settings.corpus_dir]}
    if distractors:
        corpora["corpus+distractors"] = [settings.corpus_dir, *distractors]
    answerable = [i for i in items if i.answerable]
    counts = QuestionCounts(
        document=sum(i.style == "document" for i in answerable),
        own=sum(i.style == "own" for i in answerable),
        own_blind=sum(i.style == "own" and i.origin == "blind" for i in answerable),
        two_docs=sum(i.docs > 1 for i in answerable),
        conversation=sum(i.turn is not None for i in items),
        unanswerable=sum(not i.answerable for i in items),
        tune=sum(i.split == "tune" for i in items),
        heldout=sum(i.split == "heldout" for i in items),
    )
    reports = []
    for name, roots in corpora.items():
        variant = f"c{settings.chunk_size}-o{settings.chunk_overlap}"
        index_dir = work_dir / f"{_slug(settings.embedding_model)}-{variant}-{_slug(name)}"
        local = settings.replace(index_dir=index_dir)
        ingest = build_index(local, list(roots), embeddings=embeddings)
        if ingest.failed:
            raise SettingsError(f"evaluation corpus {name}: could not ingest {ingest.failed}")
        assistant = open_assistant(local, embeddings=embeddings)
        halves = {}
        for split in SPLITS:
            subset = [i for i in items if i.split == split]
            halves[split] = SplitReport(
                retrieval=evaluate_retrieval(assistant, subset, by_id),
                answers=evaluate_answers(assistant, subset, by_id),
                conversation=evaluate_conversation(assistant, subset, by_id),
            )
        tuning = [i for i in items if i.split == "tune"]
        reports.append(
            CorpusReport(
                name=name,
                chunks=ingest.chunks,
                tune=halves["tune"],
                heldout=halves["heldout"],
                calibration=calibrate_refusal(assistant, tuning, by_id),
                fusion_trials=tune_fusion(assistant, items, by_id) if tune else (),
                analysis_variants=compare_analysis(assistant, items, by_id) if compare else (),
                answer_sets={
                    label: evaluate_answers(assistant, questions, {})
                    for name, items_of_set in set_items.items()
                    for label, questions in _by_half(name, items_of_set)
                },
                fresh2=(
                    evaluate_answers(assistant, fresh2_items, fresh2_by_id)
                    if fresh2_items
                    else None
                ),
                fresh2_conversation=(
                    evaluate_conversation(assistant, fresh2_items, fresh2_by_id)
                    if fresh2_items
                    else None
                ),
                practice_tune=(
                    evaluate_answers(assistant, practice_tune, {}) if practice_tune else None
                ),
                practice_heldout=(
                    evaluate_answers(assistant, practice_heldout, {}) if practice_heldout else None
                ),
            )
        )
    return EvaluationReport(
        model=settings.embedding_model,
        chunk_size=settings.chunk_size,
        questions=counts,
        distractors=tuple(str(p) for p in distractors),
        corpora=tuple(reports),
    )


def _by_half(name: str, items: list[DevItem]) -> list[tuple[str, list[DevItem]]]:
    """A set whose questions carry a tuning and a held-out half is reported per half
    ("offtopic:heldout"), any other set whole."""
    halves = [split for split in SPLITS if any(i.split == split for i in items)]
    if not halves:
        return [(name, items)]
    return [(f"{name}:{split}", [i for i in items if i.split == split]) for split in halves]


def _row(label: str, f: Figures) -> str:
    return f"{label:<22}{f.hit1:>7.3f}{f.hit5:>7.3f}{f.mrr:>7.3f}{f.n:>5}"


def _set_label(name: str) -> str:
    base, _, half = name.partition(":")
    label = ANSWER_SETS.get(base, base)
    return f"{label}, {'tuning' if half == 'tune' else 'held-out'} half" if half else label


def print_report(report: EvaluationReport, settings: Settings) -> None:
    """Readable tables of the evaluation report, held-out half first."""
    q = report.questions
    print(
        f"model {report.model}, chunk size {report.chunk_size}; answerable: {q.document} in the "
        f"documents' wording, {q.own} in own words ({q.own_blind} written blind), {q.two_docs} "
        f"needing two documents, {q.conversation} in conversations; {q.unanswerable} "
        f"unanswerable; {q.tune} questions to tune on, {q.heldout} held out"
    )
    for corpus in report.corpora:
        print(f"\n== {corpus.name}: {corpus.chunks} chunks")
        for split in ("heldout", "tune"):
            half: SplitReport = getattr(corpus, split)
            title = "HELD-OUT half (quote these)" if split == "heldout" else "tuning half"
            print(f"-- {title}\n{'mode / subset':<22}{'hit@1':>7}{'hit@5':>7}{'MRR':>7}{'n':>5}")
            for mode in MODES:
                figures: ModeFigures = getattr(half.retrieval, mode)
                for field in dataclasses.fields(ModeFigures):
                    subset = getattr(figures, field.name)
                    if subset.n:
                        print(_row(f"{mode} {field.name}", subset))
            a, c = half.answers, half.conversation
            print(
                f"answers correct {a.correct:.3f} (document {a.correct_document:.3f}, own "
                f"{a.correct_own:.3f}); unanswerable refused {a.refusal_accuracy:.3f}; "
                f"answerable refused {list(a.false_refusals) or 'none'}; "
                f"unanswerable answered {list(a.wrong_answers) or 'none'}"
            )
            print(
                f"follow-ups joined to the question before {c.follow_ups_joined:.3f} of "
                f"{c.n_follow_ups}; topic switches wrongly joined {c.switches_joined:.3f} of "
                f"{c.n_switches}"
            )
        for name, f in corpus.answer_sets.items():
            print(
                f"-- {_set_label(name)}: answers correct {f.correct:.3f}; answerable "
                f"refused {list(f.false_refusals) or 'none'}; unanswerable refused "
                f"{f.refusal_accuracy:.3f}, answered {list(f.wrong_answers) or 'none'}"
            )
        if corpus.fresh2 is not None and corpus.fresh2_conversation is not None:
            f, c = corpus.fresh2, corpus.fresh2_conversation
            print(
                f"-- FRESH set 2 (from situations, never tuned on): answers correct "
                f"{f.correct:.3f}; answerable refused {list(f.false_refusals) or 'none'}; "
                f"unanswerable refused {f.refusal_accuracy:.3f}, answered "
                f"{list(f.wrong_answers) or 'none'}; follow-ups joined {c.follow_ups_joined:.3f} "
                f"of {c.n_follow_ups}, switches wrongly joined {c.switches_joined:.3f} of "
                f"{c.n_switches}"
            )
        for f, title in (
            (corpus.practice_heldout, "held-out half"),
            (corpus.practice_tune, "tuning half"),
        ):
            if f is not None:
                print(
                    f"-- PRACTICE set, {title}: answers naming a practice {f.correct:.3f}; "
                    f"refused {list(f.false_refusals) or 'none'}"
                )
        thresholds = dict(zip(("evidence", "relevance"), refusal_thresholds(settings), strict=True))
        for cal in corpus.calibration:
            threshold = thresholds[cal.feature]
            print(
                f"refusal calibration (tuning half), {cal.feature}: threshold {threshold}, "
                f"suggested {cal.suggested:.3f} ({THRESHOLD_QUANTILE:.2%} of the answerable "
                f"below it), lowest answerable {cal.lowest_answerable:.3f}; unanswerable values "
                f"{list(cal.unanswerable)}"
            )
        if corpus.fusion_trials:
            print("fusion settings, best on the tuning half first (hybrid hit@5 / MRR):")
            for t in corpus.fusion_trials[:12]:
                print(
                    f"  {t.fusion:<9} weight {t.lexical_weight:.1f} k {t.rrf_k:>3} candidates "
                    f"{t.candidates:>3}: tune {t.tune.hit5:.3f} / {t.tune.mrr:.3f}   "
                    f"held-out {t.heldout.hit5:.3f} / {t.heldout.mrr:.3f}"
                )
        if corpus.analysis_variants:
            print("analysis variants, hit@5 / MRR (tuning half | held-out half):")
        for v in corpus.analysis_variants:
            print(
                f"  {v.name:<72} lexical {v.lexical_tune.hit5:.3f} / {v.lexical_tune.mrr:.3f}, "
                f"hybrid {v.hybrid_tune.hit5:.3f} / {v.hybrid_tune.mrr:.3f} | lexical "
                f"{v.lexical_heldout.hit5:.3f} / {v.lexical_heldout.mrr:.3f}, hybrid "
                f"{v.hybrid_heldout.hit5:.3f} / {v.hybrid_heldout.mrr:.3f}"
            )
