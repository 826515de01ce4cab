"""Answers and hits as the CLI's JSON objects and as readable Dutch text."""

from __future__ import annotations

from collections.abc import Sequence

from assistant.records import Answer, Hit


def hit_to_json(rank: int, hit: Hit) -> dict:
    chunk = hit.chunk
    return {
        "rank": rank,
        "score": round(hit.score, 6),
        "text": chunk.text,
        "title": chunk.info.title,
        "organisation": chunk.info.organisation,
        "source": chunk.info.source,
        "location": chunk.location,
        "url": chunk.info.url,
    }


def search_to_json(query: str, hits: Sequence[Hit]) -> dict:
    return {
        "query": query,
        "hits": [hit_to_json(rank, hit) for rank, hit in enumerate(hits, start=1)],
    }


def answer_to_json(answer: Answer) -> dict:
    return {
        "question": answer.question,
        "answered": answer.answered,
        "answer": answer.text,
        "citations": [
            {
                "n": c.n,
                "title": c.chunk.info.title,
                "organisation": c.chunk.info.organisation,
                "source": c.chunk.info.source,
                "location": c.location,
                "url": c.chunk.info.url,
                "text": c.chunk.text,
                # The exact text the answer quotes (each a substring of "text"): the first,
                # and all of them when the answer quotes the passage more than once.
                "quote": c.quote,
                "quotes": list(c.quotes),
            }
            for c in answer.citations
        ],
        # A refusal's nearest passages: shown as "Verwante passages", never cited.
        "related": [hit_to_json(rank, hit) for rank, hit in enumerate(answer.related, start=1)],
        "read_as": answer.read_as,
        "generator": answer.generator,
        "claims": [
            {"text": c.text, "citations": list(c.citations), "supported": c.supported}
            for c in answer.claims
        ],
        "note": answer.note,
    }


def format_answer(answer: Answer) -> str:
    """The answer, then its numbered sources, for a terminal."""
    lines = [f"(Gelezen als: {answer.read_as})", ""] if answer.read_as else []
    lines.append(answer.text)
    if answer.note:
        lines += ["", f"({answer.note})"]
    if answer.citations:
        lines += ["", "Bronnen:"]
        for c in answer.citations:
            info = c.chunk.info
            where = f", {info.url}" if info.url else ""
            lines.append(f"[{c.n}] {info.title} — {info.organisation}, {c.location}{where}")
    if answer.related:
        lines += ["", "Verwante passages (geen antwoord op de vraag):"]
        for hit in answer.related:
            info = hit.chunk.info
            lines.append(f"- {info.title} — {info.organisation}, {hit.chunk.location}")
    return "\n".join(lines)


def format_hits(query: str, hits: Sequence[Hit]) -> str:
    if not hits:
        return f"Geen resultaten voor “{query}”."
    lines = []
    for rank, hit in enumerate(hits, start=1):
        info = hit.chunk.info
        lines.append(f"{rank}. {info.title} — {info.organisation}, {hit.chunk.location}")
        snippet = " ".join(hit.chunk.text.split())
        lines.append(f"   {snippet[:300]}{'…' if len(snippet) > 300 else ''}")
    return "\n".join(lines)
