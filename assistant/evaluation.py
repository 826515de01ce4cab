"""Dev-set evaluation: retrieval per leg, answer correctness and refusals, with distractors."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from langchain_core.embeddings import Embeddings

from assistant.dutch import fold
from assistant.embedding import make_embeddings
from assistant.errors import SettingsError
from assistant.lexical import LexicalIndex, LexicalRow
from assistant.records import Answer, Hit
from assistant.retrieval import Retriever
from assistant.service import Assistant, build_index, open_assistant
from assistant.settings import Settings

MODES = ("lexical", "dense", "hybrid")
STYLES = ("document", "own")
DEBIAN_DISTRACTORS = (
    Path("/usr/share/doc/lilypond/html/Documentation/web.nl.pdf"),
    Path("/usr/share/doc/lilypond/html/Documentation/learning.nl.pdf"),
)
MRR_DEPTH = 10


@dataclass(frozen=True)
class DevItem:
    id: str
    question: str
    style: str
    answerable: bool
    docs: int
    evidence: tuple[str, ...]
    facts: tuple[tuple[str, ...], ...]


def load_devset(path: Path) -> list[DevItem]:
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise SettingsError(f"devset {path}: {exc.strerror}") from None
    items = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            raw = json.loads(line)
            items.append(
                DevItem(
                    id=raw["id"],
                    question=raw["question"],
                    style=raw["style"],
                    answerable=raw["answerable"],
                    docs=raw.get("docs", 1),
                    evidence=tuple(raw["evidence"]),
                    facts=tuple(tuple(f) for f in raw["facts"]),
                )
            )
        except (json.JSONDecodeError, KeyError, TypeError) as exc:
            raise SettingsError(f"devset {path} line {number}: {exc}") from None
    return items


def _norm(text: str) -> str:
    return re.sub(r"\s+", " ", fold(text)).strip()


def first_relevant_rank(item: DevItem, hits: Sequence[Hit]) -> int | None:
    """1-based rank of the first hit holding one of the item's evidence snippets."""
    evidence = [_norm(e) for e in item.evidence]
    for rank, hit in enumerate(hits, start=1):
        text = _norm(hit.chunk.text)
        if any(e in text for e in evidence):
            return rank
    return None


def retrieval_metrics(ranks: Sequence[int | None]) -> dict[str, float]:
    """hit@1, hit@5 and MRR (to depth 10) from first-relevant ranks."""
    n = len(ranks) or 1
    return {
        "hit@1": round(sum(1 for r in ranks if r == 1) / n, 3),
        "hit@5": round(sum(1 for r in ranks if r is not None and r <= 5) / n, 3),
        "mrr": round(sum(1 / r for r in ranks if r is not None and r <= MRR_DEPTH) / n, 3),
        "n": len(ranks),
    }


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


def evaluate_retrieval(retriever: Retriever, items: Sequence[DevItem]) -> dict:
    """Per mode and per style: hit@1, hit@5, MRR."""
    answerable = [i for i in items if i.answerable]
    result: dict = {}
    for mode in MODES:
        ranks = {
            i.id: first_relevant_rank(i, retriever.search(i.question, MRR_DEPTH, mode=mode))
            for i in answerable
        }
        result[mode] = {"all": retrieval_metrics(list(ranks.values()))}
        for style in STYLES:
            result[mode][style] = retrieval_metrics(
                [ranks[i.id] for i in answerable if i.style == style]
            )
        result[mode]["two_docs"] = retrieval_metrics(
            [ranks[i.id] for i in answerable if i.docs > 1]
        )
    return result


def calibrate_refusal(assistant: Assistant, items: Sequence[DevItem]) -> dict:
    """Per refusal feature: the lowest value of any answerable question (thresholds must stay
    below it so that no answerable question is refused) and the unanswerable questions' values."""
    features: dict[str, dict[str, float]] = {"evidence": {}, "relevance": {}}
    for item in items:
        hits = assistant.passages(item.question)
        evidence = assistant.answerer.evidence(item.question, hits)
        features["evidence"][item.id] = evidence.candidates[0].score if evidence.candidates else 0.0
        features["relevance"][item.id] = evidence.relevance
    result = {}
    for name, values in features.items():
        lowest = min(values[i.id] for i in items if i.answerable)
        unanswerable = sorted(values[i.id] for i in items if not i.answerable)
        result[name] = {
            "lowest_answerable": round(lowest, 3),
            "unanswerable_below_it": sum(v < lowest for v in unanswerable),
            "unanswerable": [round(v, 3) for v in unanswerable],
        }
    return result


def evaluate_answers(assistant: Assistant, items: Sequence[DevItem]) -> dict:
    """Answer correctness per style, false refusals, and refusal accuracy on unanswerable items."""
    outcomes = {i.id: assistant.ask(i.question) for i in items}
    answerable = [i for i in items if i.answerable]
    unanswerable = [i for i in items if not i.answerable]

    def share(subset: list[DevItem]) -> float:
        return round(
            sum(answer_is_correct(i, outcomes[i.id]) for i in subset) / (len(subset) or 1), 3
        )

    return {
        "correct": share(answerable),
        "correct_document": share([i for i in answerable if i.style == "document"]),
        "correct_own": share([i for i in answerable if i.style == "own"]),
        "false_refusals": sorted(i.id for i in answerable if not outcomes[i.id].answered),
        "refusal_accuracy": round(
            sum(not outcomes[i.id].answered for i in unanswerable) / (len(unanswerable) or 1), 3
        ),
        "wrong_answers": sorted(i.id for i in unanswerable if outcomes[i.id].answered),
    }


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


def compare_analysis(assistant: Assistant, items: Sequence[DevItem]) -> dict:
    """Lexical and hybrid retrieval under each analysis variant, on the same chunks."""
    store = assistant.retriever.store
    chunks = list(store.chunks())
    rows = [LexicalRow(c.id, c.context, {}) for c in chunks]
    results = {}
    base = assistant.retriever
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
        metrics = evaluate_retrieval(retriever, items)
        results[f"{name} ({stemmer}, synonyms={synonyms}, compounds={compounds})"] = {
            mode: metrics[mode] for mode in ("lexical", "hybrid")
        }
    return results


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[-40:]


def run_evaluation(
    settings: Settings,
    devset: Path,
    distractors: Sequence[Path] | None,
    work_dir: Path,
    compare: bool = False,
    embeddings: Embeddings | None = None,
) -> dict:
    """Build (or update) one index per corpus in work_dir and measure everything on it."""
    items = load_devset(devset)
    if distractors is None:
        distractors = [p for p in DEBIAN_DISTRACTORS if p.exists()]
    embeddings = embeddings or make_embeddings(
        settings.embedding_model, settings.embedding_batch_size
    )
    corpora = {"corpus": [settings.corpus_dir]}
    if distractors:
        corpora["corpus+distractors"] = [settings.corpus_dir, *distractors]
    report: dict = {
        "model": settings.embedding_model,
        "chunk_size": settings.chunk_size,
        "questions": {
            "document": sum(i.answerable and i.style == "document" for i in items),
            "own": sum(i.answerable and i.style == "own" for i in items),
            "two_docs": sum(i.docs > 1 for i in items),
            "unanswerable": sum(not i.answerable for i in items),
        },
        "distractors": [str(p) for p in distractors],
        "corpora": {},
    }
    for name, roots in corpora.items():
        variant = f"c{settings.chunk_size}-o{settings.chunk_overlap}"
        index_dir = work_dir / f"{_slug(settings.embedding_model)}-{variant}-{_slug(name)}"
        local = settings.replace(index_dir=index_dir)
        ingest = build_index(local, list(roots), embeddings=embeddings)
        if ingest.failed:
            raise SettingsError(f"evaluation corpus {name}: could not ingest {ingest.failed}")
        assistant = open_assistant(local, embeddings=embeddings)
        entry = {
            "chunks": ingest.chunks,
            "retrieval": evaluate_retrieval(assistant.retriever, items),
            "answers": evaluate_answers(assistant, items),
            "refusal_calibration": calibrate_refusal(assistant, items),
        }
        if compare:
            entry["analysis_variants"] = compare_analysis(assistant, items)
        report["corpora"][name] = entry
    return report


def print_report(report: dict) -> None:
    """Readable tables of the evaluation report."""
    q = report["questions"]
    print(
        f"model {report['model']}, chunk size {report['chunk_size']}; "
        f"{q['document']} document-wording + {q['own']} own-words answerable questions "
        f"({q['two_docs']} needing two documents), {q['unanswerable']} unanswerable"
    )
    for name, entry in report["corpora"].items():
        print(f"\n== {name}: {entry['chunks']} chunks")
        print(f"{'mode':<9}{'subset':<10}{'hit@1':>7}{'hit@5':>7}{'MRR':>7}")
        for mode, per_style in entry["retrieval"].items():
            for subset in ("all", "document", "own", "two_docs"):
                m = per_style[subset]
                print(f"{mode:<9}{subset:<10}{m['hit@1']:>7.3f}{m['hit@5']:>7.3f}{m['mrr']:>7.3f}")
        a = entry["answers"]
        print(
            f"answers correct {a['correct']:.3f} (document {a['correct_document']:.3f}, "
            f"own {a['correct_own']:.3f}); refusal accuracy {a['refusal_accuracy']:.3f}; "
            f"false refusals {a['false_refusals'] or 'none'}; "
            f"answered unanswerable {a['wrong_answers'] or 'none'}"
        )
        for feature, c in entry["refusal_calibration"].items():
            print(
                f"refusal calibration, {feature}: lowest answerable {c['lowest_answerable']:.3f}, "
                f"unanswerable below it {c['unanswerable_below_it']}/{len(c['unanswerable'])} "
                f"(their values {c['unanswerable']})"
            )
        for variant, modes in entry.get("analysis_variants", {}).items():
            lex, hyb = modes["lexical"]["all"], modes["hybrid"]["all"]
            print(
                f"  {variant:<75} lexical hit@5 {lex['hit@5']:.3f} MRR {lex['mrr']:.3f} | "
                f"hybrid hit@5 {hyb['hit@5']:.3f} MRR {hyb['mrr']:.3f}"
            )
