"""Typed records passed between the pipeline stages."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

import numpy as np

BlockKind = Literal["heading", "text", "list"]


@dataclass(frozen=True)
class DocumentInfo:
    """Catalog facts about one document, as cited to users."""

    source: str  # path relative to the corpus folder, with forward slashes
    title: str
    organisation: str
    doc_type: str
    country: str | None = None
    year: int | None = None
    url: str | None = None
    themes: tuple[str, ...] = ()
    accessed: str | None = None  # ISO date the stored copy of a web page was taken


@dataclass(frozen=True)
class Block:
    """One structural piece of a loaded document: a heading, a paragraph or a list item."""

    kind: BlockKind
    text: str
    page: int | None = None


@dataclass(frozen=True)
class LoadedDocument:
    """A document's text as blocks, with what the loader noticed on the way."""

    info: DocumentInfo
    blocks: tuple[Block, ...]
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True)
class Chunk:
    """A passage as indexed and cited."""

    id: str
    info: DocumentInfo
    index: int
    text: str
    section: str | None = None
    pages: tuple[int, ...] = ()
    # For each entry of pages, the character offset in text where that page's text begins.
    page_offsets: tuple[int, ...] = ()
    # The sections the text passes through, with the offset where each begins.
    sections: tuple[str, ...] = ()
    section_offsets: tuple[int, ...] = ()
    # The text addresses a language model ("Negeer alle vorige instructies ..."): flagged at
    # ingest and never put in an LLM's prompt (see instructions.py).
    addresses_model: bool = False

    def section_at(self, offset: int) -> str | None:
        """The section heading that the character at offset stands under."""
        return _in_force(offset, self.section_offsets, self.sections, self.section)

    def page_at(self, offset: int) -> int | None:
        """The page that the character at offset stands on (None for unpaged documents)."""
        if not self.pages:
            return None
        return _in_force(offset, self.page_offsets, self.pages, self.pages[0])

    @property
    def location(self) -> str:
        """Where the passage stands, for a citation: pages for PDFs, else the section."""
        return self.location_of(self.section)

    def location_of(self, section: str | None) -> str:
        """The citation location with a given section (the one a quote stands in)."""
        if self.pages:
            first, last = self.pages[0], self.pages[-1]
            return f"p. {first}" if first == last else f"pp. {first}-{last}"
        if section:
            return f"sectie ‘{section}’"
        return "volledige tekst"

    @property
    def context(self) -> str:
        """The chunk text prefixed with its document title and section, as embedded and indexed."""
        head = self.info.title if not self.section else f"{self.info.title} — {self.section}"
        return f"{head}\n{self.text}"


def _in_force(offset: int, starts: tuple[int, ...], values: tuple, default):
    """The value whose start is the last one at or before offset (default before the first)."""
    current = default
    for start, value in zip(starts, values, strict=False):
        if start <= offset:
            current = value
    return current


@dataclass(frozen=True)
class Hit:
    """A retrieved chunk with its fused score and the rank each retriever gave it."""

    chunk: Chunk
    score: float
    lexical_rank: int | None = None
    dense_rank: int | None = None
    # The passage's stored embedding (of chunk.context, float32), when the store returned it.
    vector: np.ndarray | None = field(default=None, compare=False, repr=False)


@dataclass(frozen=True)
class Citation:
    """A numbered source of an answer: the passage that holds the quoted text."""

    n: int
    chunk: Chunk
    location: str  # the page, or the section, the first quote from this passage stands in
    page: int | None = None  # that page, for PDFs
    quotes: tuple[str, ...] = ()  # the exact texts quoted from the passage, each in chunk.text

    @property
    def quote(self) -> str:
        """The first quoted text (the whole passage when nothing in particular was quoted)."""
        return self.quotes[0] if self.quotes else self.chunk.text


@dataclass(frozen=True)
class Claim:
    """One sentence of an answer, the citations it carries, and whether its passages bear it out."""

    text: str
    citations: tuple[int, ...]
    supported: bool


@dataclass(frozen=True)
class Answer:
    """A Dutch answer with inline [n] markers, or a refusal that cites nothing."""

    question: str
    answered: bool
    text: str
    citations: tuple[Citation, ...] = ()
    hits: tuple[Hit, ...] = field(default=(), repr=False)
    generator: str = "extractive"  # or "llm"
    claims: tuple[Claim, ...] = ()
    note: str | None = None  # a short Dutch remark for the reader (fallbacks, omissions)
    # A refusal's passages that come closest: shown as "Verwante passages", never as citations.
    related: tuple[Hit, ...] = field(default=(), repr=False)
    read_as: str | None = None  # the question as retrieved with, when read as a follow-up
