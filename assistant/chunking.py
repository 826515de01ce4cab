"""Split loaded documents into passages that keep headings with their text and lists whole."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from langchain_text_splitters import RecursiveCharacterTextSplitter

from assistant.loading import nested_heading
from assistant.records import Block, Chunk, DocumentInfo, LoadedDocument

_SEPARATORS = ["\n\n", "\n", ". ", "? ", "! ", "; ", ", ", " ", ""]


@dataclass(frozen=True)
class _Unit:
    """Text that is never split further: a paragraph piece or a whole short list."""

    section: str | None
    text: str
    pages: tuple[int, ...]
    opens_section: bool
    is_list: bool = False


def chunk_id(source: str, index: int) -> str:
    """Deterministic chunk id: the same file position always gets the same id."""
    digest = hashlib.sha1(source.encode("utf-8")).hexdigest()[:16]
    return f"{digest}-{index:05d}"


def chunk_document(document: LoadedDocument, chunk_size: int, chunk_overlap: int) -> list[Chunk]:
    """Pack a document's sections into chunks of at most about chunk_size characters.

    A heading goes into the chunk where its section starts, and every chunk records the section
    it belongs to; a list that fits in a chunk is never torn apart, nor from the line that
    introduces it; sections shorter than a third of chunk_size share a chunk with their
    neighbours rather than standing alone.
    """
    return list(iter_chunks(document.info, document.blocks, chunk_size, chunk_overlap))


def iter_chunks(
    info: DocumentInfo, blocks: Iterable[Block], chunk_size: int, chunk_overlap: int
) -> Iterator[Chunk]:
    """chunk_document over a stream of blocks, one chunk at a time: a large text file is
    chunked with the memory of one chunk, not of the whole file."""
    splitter = RecursiveCharacterTextSplitter(
        chunk_size=chunk_size,
        chunk_overlap=chunk_overlap,
        separators=_SEPARATORS,
        keep_separator="end",
    )
    index = 0
    current: list[_Unit] = []
    for unit in _attach_list_leads(_units(blocks, chunk_size, splitter), chunk_size):
        size = sum(len(u.text) + 1 for u in current)
        starts_new_section = unit.opens_section and size >= chunk_size // 3
        if current and (size + len(unit.text) > chunk_size or starts_new_section):
            yield _chunk_of(info, index, current)
            index += 1
            current = []
        current.append(unit)
    if current:
        yield _chunk_of(info, index, current)


def _chunk_of(info: DocumentInfo, index: int, units: list[_Unit]) -> Chunk:
    """One chunk of consecutive units, with the pages and sections its text passes through."""
    pages: list[int] = []
    offsets: list[int] = []
    sections: list[str] = []
    section_offsets: list[int] = []
    position = 0
    for unit in units:
        for page in unit.pages:
            if page not in pages:
                pages.append(page)
                offsets.append(position)
        if unit.section and (not sections or sections[-1] != unit.section):
            sections.append(unit.section)
            section_offsets.append(position)
        position += len(unit.text) + 1
    return Chunk(
        id=chunk_id(info.source, index),
        info=info,
        index=index,
        text="\n".join(unit.text for unit in units),
        section=next((u.section for u in units if u.section), None),
        pages=tuple(pages),
        page_offsets=tuple(offsets),
        sections=tuple(sections),
        section_offsets=tuple(section_offsets),
    )


def _attach_list_leads(units: Iterable[_Unit], chunk_size: int) -> Iterator[_Unit]:
    """Join a line ending in ':' with the list it introduces, when both fit in one chunk."""
    lead: _Unit | None = None
    for unit in units:
        if (
            unit.is_list
            and not unit.opens_section
            and lead is not None
            and not lead.is_list
            and lead.text.endswith(":")
            and len(lead.text) + len(unit.text) < chunk_size
        ):
            pages = tuple(sorted(set(lead.pages) | set(unit.pages)))
            lead = _Unit(
                lead.section, f"{lead.text}\n{unit.text}", pages, lead.opens_section, True
            )
            continue
        if lead is not None:
            yield lead
        lead = unit
    if lead is not None:
        yield lead


def _units(blocks: Iterable[Block], chunk_size: int, splitter: RecursiveCharacterTextSplitter):
    """Yield units in reading order, each remembering its section heading."""
    section: str | None = None
    pending_heading: str | None = None
    list_items: list[Block] = []

    def make(text: str, pages: tuple[int, ...], is_list: bool = False) -> _Unit:
        nonlocal pending_heading
        opens = pending_heading is not None
        if pending_heading is not None:
            text = f"{pending_heading}\n{text}"
            pending_heading = None
        return _Unit(section, text, pages, opens, is_list)

    def list_units():
        batch: list[Block] = []
        for item in list_items:
            if batch and sum(len(b.text) + 3 for b in batch) + len(item.text) > chunk_size:
                yield make("\n".join(f"• {b.text}" for b in batch), _pages(batch), True)
                batch = []
            batch.append(item)
        if batch:
            yield make("\n".join(f"• {b.text}" for b in batch), _pages(batch), True)
        list_items.clear()

    for block in blocks:
        if block.kind != "list" and list_items:
            yield from list_units()
        if block.kind == "heading":
            # Two headings in a row: the outer one only frames the inner one.
            pending_heading = (
                block.text if pending_heading is None else f"{pending_heading}\n{block.text}"
            )
            section = nested_heading(section, block.text)
        elif block.kind == "list":
            list_items.append(block)
        else:
            for line in block.text.split("\n"):
                pieces = [line] if len(line) <= chunk_size else splitter.split_text(line)
                for piece in pieces:
                    yield make(piece, _pages([block]))
    if list_items:
        yield from list_units()


def _pages(blocks: list[Block]) -> tuple[int, ...]:
    return tuple(sorted({b.page for b in blocks if b.page is not None}))
