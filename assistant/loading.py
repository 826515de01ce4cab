"""Turn files into blocks of text with headings, list items and page numbers."""

from __future__ import annotations

import codecs
import logging
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Iterator
from pathlib import Path

from assistant.catalog import CatalogEntry
from assistant.errors import DocumentError
from assistant.records import Block, DocumentInfo, LoadedDocument

log = logging.getLogger(__name__)

SUPPORTED_SUFFIXES = (".pdf", ".docx", ".html", ".htm", ".md", ".txt")

_BULLET = re.compile(r"^\s*(?:[•·▪◦‣\-–*]|\d{1,2}[.)]|[a-z][.)])\s+")
_TERMINAL = tuple('.:;,!?…"”’')
_QUOTATION = re.compile(r"^[“\"‘„].*[”\"’]\W*$", re.DOTALL)
_CLOSING_QUOTES = "”’\"'"
_GLYPH_NAME = re.compile(r"/[A-Za-z][\w.\-]*")  # unmapped glyphs some PDFs yield as text
_HEADING_MAX_CHARS = 80
_TEX_ACCENTS = {"¨": "\u0308", "´": "\u0301", "`": "\u0300", "^": "\u0302"}


def load_document(path: Path, source: str, entry: CatalogEntry | None = None) -> LoadedDocument:
    """Read one file into blocks; raise DocumentError naming the reason when it cannot be read.

    source is the name the index gives the file; entry is its catalog entry, if any.
    """
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        raise DocumentError(path, f"unsupported file type {suffix or '(none)'}")
    if path.stat().st_size == 0:
        raise DocumentError(path, "empty file")
    warnings: list[str] = []
    pdf_title: str | None = None
    if suffix == ".pdf":
        blocks, pdf_title = _load_pdf(path)
    elif suffix == ".docx":
        blocks = _load_docx(path)
    elif suffix in (".html", ".htm"):
        blocks = _load_html(path, _read_text(path, warnings))
    else:
        blocks = list(blocks_from_plain_text(_read_text(path, warnings), markdown=suffix == ".md"))
    if not any(block.kind != "heading" for block in blocks):
        raise DocumentError(path, "no text found in the file")
    info = _document_info(source, path, entry, blocks, pdf_title, warnings)
    return LoadedDocument(info=info, blocks=tuple(blocks), warnings=tuple(warnings))


def _document_info(
    source: str,
    path: Path,
    entry: CatalogEntry | None,
    blocks: list[Block],
    pdf_title: str | None,
    warnings: list[str],
) -> DocumentInfo:
    if entry is not None:
        return DocumentInfo(
            source=source,
            title=entry.title,
            organisation=entry.organisation,
            doc_type=entry.doc_type,
            country=entry.country,
            year=entry.year,
            url=entry.url,
            themes=entry.themes,
            accessed=entry.accessed,
        )
    heading = next((b.text for b in blocks if b.kind == "heading"), None)
    if pdf_title:
        title, origin = pdf_title, "PDF metadata"
    elif heading:
        title, origin = heading, "first heading"
    else:
        title, origin = path.stem.replace("_", " ").replace("-", " "), "file name"
    warnings.append(f"no catalog entry; title taken from the {origin}")
    doc_type = "rapport" if path.suffix.lower() in (".pdf", ".docx") else "document"
    if path.suffix.lower() in (".html", ".htm"):
        doc_type = "webpagina"
    return DocumentInfo(source=source, title=title, organisation="onbekend", doc_type=doc_type)


_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_WESTERN = ["cp1252", "iso8859_15", "mac_roman", "cp850"]
# Control characters other than tab, line feed, form feed and carriage return.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")
_CONTROL_BYTES = re.compile(rb"[\x00-\x08\x0b\x0e-\x1f\x7f]")


def _read_text(path: Path, warnings: list[str]) -> str:
    """Decode by the byte-order mark, else UTF-8, else the Western code page charset_normalizer
    detects (with a warning); binary content is refused rather than indexed as garbage."""
    data = path.read_bytes()
    encoding = _text_encoding(path, data, warnings, whole=True)
    try:
        return _checked_text(path, data.decode(encoding))
    except UnicodeDecodeError:
        raise DocumentError(path, f"starts like {encoding} but does not decode") from None


def _text_encoding(path: Path, data: bytes, warnings: list[str], whole: bool) -> str:
    """The encoding of a text file, judged from its bytes (all of them, or its first piece)."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return encoding
    controls = len(_CONTROL_BYTES.findall(data))
    if b"\x00" in data or (controls > 1 and controls * 100 > len(data)):
        raise DocumentError(path, "binary content, not text")
    try:
        codecs.getincrementaldecoder("utf-8")().decode(data, final=whole)
        return "utf-8"
    except UnicodeDecodeError:
        pass
    import charset_normalizer

    # Dutch text that is not UTF-8 is in a Western European code page; left free, the detector
    # reads short Dutch texts as Central European ("crŤche").
    guess = charset_normalizer.from_bytes(data, cp_isolation=_WESTERN).best()
    if guess is None:
        raise DocumentError(path, "text in an unknown encoding; save it as UTF-8")
    warnings.append(f"not UTF-8: read as {guess.encoding}; save it as UTF-8 to be sure")
    return guess.encoding


# A text or Markdown file larger than this is read as a stream of pieces of about _PIECE_BYTES
# that end at a blank line, so that its memory stays that of one piece (and of one batch of
# passages) however large the file is.
STREAM_MIN_BYTES = 4_000_000
_PIECE_BYTES = 1_000_000


def is_streamed(path: Path, size: int) -> bool:
    """Whether a file is read as a stream (large plain text or Markdown)."""
    return path.suffix.lower() in (".txt", ".md") and size >= STREAM_MIN_BYTES


def text_pieces(path: Path, warnings: list[str] | None = None) -> Iterator[str]:
    """A text file's decoded text in pieces that end at a blank line (or at a line end when a
    paragraph is longer than a piece); binary content or a change of encoding midway raises
    DocumentError."""
    warnings = [] if warnings is None else warnings
    with path.open("rb") as file:
        first = file.read(_PIECE_BYTES)
        encoding = _text_encoding(path, first, warnings, whole=False)
        decoder = codecs.getincrementaldecoder(encoding)()
        rest = ""
        data = first
        while data:
            try:
                text = rest + decoder.decode(data)
            except UnicodeDecodeError:
                raise DocumentError(
                    path, f"not {encoding} throughout (mixed encodings?); save it as UTF-8"
                ) from None
            cut = text.rfind("\n\n")
            if cut < 0:
                cut = text.rfind("\n")
            if cut < 0:
                cut = len(text) if len(text) > 4 * _PIECE_BYTES else 0
            piece, rest = text[:cut], text[cut:]
            if piece.strip():
                yield _checked_text(path, piece)
            data = file.read(_PIECE_BYTES)
        rest += decoder.decode(b"", final=True)
        if rest.strip():
            yield _checked_text(path, rest)


def streamed_blocks(path: Path) -> Iterator[Block]:
    """The blocks of a large text or Markdown file, piece by piece."""
    markdown = path.suffix.lower() == ".md"
    for piece in text_pieces(path):
        yield from blocks_from_plain_text(piece, markdown=markdown)


def streamed_info(
    path: Path, source: str, entry: CatalogEntry | None
) -> tuple[DocumentInfo, tuple[str, ...]]:
    """A streamed file's catalog facts (its first heading from its first piece) and warnings."""
    warnings: list[str] = []
    pieces = text_pieces(path, warnings)
    first = next(pieces, "")
    blocks = list(blocks_from_plain_text(first, markdown=path.suffix.lower() == ".md"))
    if not any(block.kind != "heading" for block in blocks):
        raise DocumentError(path, "no text found in the file")
    info = _document_info(source, path, entry, blocks, None, warnings)
    return info, tuple(warnings)


def _checked_text(path: Path, text: str) -> str:
    """The text, unless more than 1 character in 100 is a control character (a binary file
    that happens to decode)."""
    controls = len(_CONTROL.findall(text))
    if controls > 1 and controls * 100 > len(text):
        raise DocumentError(path, "binary content, not text")
    return text


def normalise_whitespace(text: str) -> str:
    """Collapse runs of spaces and tabs; keep line breaks."""
    text = text.replace("\u00a0", " ").replace("\u00ad", "")
    return re.sub(r"[ \t\f\v]+", " ", text).strip()


def is_heading_line(line: str) -> bool:
    """A short line without final punctuation that starts like a title."""
    words = line.split()
    return (
        0 < len(line) <= _HEADING_MAX_CHARS
        and not line.rstrip(_CLOSING_QUOTES).endswith(_TERMINAL)
        and (line[0].isupper() or line[0].isdigit() or line[0] in "“‘\"'&")
        and len(words) <= 12
        and not _BULLET.match(line)
    )


def nested_heading(current: str | None, heading: str) -> str:
    """The section a heading opens: a heading in capitals under a mixed-case one ("MUZIKAAL
    INTERMEZZO" under "... Sterke kleuterleraren") is a sub-heading, and the section keeps its
    name before it (a later sub-heading replaces the earlier one)."""
    if not heading.isupper() or not current or current.isupper():
        return heading
    base, _, last = current.rpartition(": ")
    if base and last.isupper():
        current = base
    return f"{current.rstrip(':')}: {heading}"


def blocks_from_plain_text(
    text: str, markdown: bool = False, page: int | None = None
) -> Iterable[Block]:
    """Split plain text or Markdown into heading, paragraph and list-item blocks.

    Paragraphs are separated by blank lines. In plain text a short first line without final
    punctuation is a heading; a line after a closing quote is the quote's attribution, not one.
    """
    previous_paragraph = ""
    for paragraph in re.split(r"\n\s*\n", text.replace("\r\n", "\n")):
        lines = [normalise_whitespace(line) for line in paragraph.split("\n")]
        lines = [line for line in lines if line]
        # A short line after a paragraph that is a quotation is its attribution, not a heading.
        after_quote = bool(_QUOTATION.match(previous_paragraph))
        previous_paragraph = " ".join(lines) or previous_paragraph
        if (
            not markdown
            and len(lines) == 2
            and not after_quote
            and all(is_heading_line(line) for line in lines)
        ):
            # A heading wrapped onto a second short line ("Historiek" / "& visie").
            yield Block("heading", " ".join(lines), page)
            continue
        text_run: list[str] = []
        for position, line in enumerate(lines):
            marker = re.match(r"^(#{1,6})\s+(.*)$", line) if markdown else None
            if marker:
                yield from _flush(text_run, page)
                yield Block("heading", marker.group(2).strip(), page)
            elif _BULLET.match(line):
                yield from _flush(text_run, page)
                yield Block("list", _BULLET.sub("", line).strip(), page)
            elif not markdown and position == 0 and not after_quote and is_heading_line(line):
                yield Block("heading", line, page)
            else:
                text_run.append(line)
        yield from _flush(text_run, page)


def _flush(lines: list[str], page: int | None) -> Iterable[Block]:
    if lines:
        yield Block("text", "\n".join(lines), page)
        lines.clear()


def _load_docx(path: Path) -> list[Block]:
    import docx
    from docx.opc.exceptions import PackageNotFoundError

    _check_unpacked_size(path)
    try:
        document = docx.Document(str(path))
    except (PackageNotFoundError, KeyError, ValueError) as exc:
        raise DocumentError(path, f"corrupt or unreadable Word file ({exc})") from None
    except Exception as exc:  # python-docx surfaces zip and XML errors of many kinds
        if exc.__class__.__module__.startswith(("zipfile", "lxml")):
            raise DocumentError(path, "corrupt or unreadable Word file") from None
        raise
    # Style names looked up once: paragraph.style resolves the style anew for every paragraph
    # (about 2 ms each; a 120 MB document.xml took ten minutes).
    names = {style.style_id: (style.name or "").lower() for style in document.styles}
    blocks: list[Block] = []
    for paragraph in document.paragraphs:
        text = normalise_whitespace(paragraph.text)
        if not text:
            continue
        style = names.get(paragraph._p.style or "", "")  # the paragraph's style id (oxml)
        if style.startswith(("heading", "kop", "title", "titel")):
            blocks.append(Block("heading", text))
        elif "list" in style or "lijst" in style or _BULLET.match(text):
            blocks.append(Block("list", _BULLET.sub("", text)))
        else:
            blocks.append(Block("text", text))
    for table in document.tables:
        for row in table.rows:
            cells = [normalise_whitespace(cell.text) for cell in row.cells]
            line = " | ".join(cell for cell in cells if cell)
            if line:
                blocks.append(Block("text", line))
    return blocks


# A Word file is a zip: one that unpacks to more than this is refused before it is opened
# (a 444 KB file can hold a 120 MB document.xml).
DOCX_MAX_UNPACKED_MB = 100


def _check_unpacked_size(path: Path) -> None:
    import zipfile

    try:
        with zipfile.ZipFile(path) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError):
        raise DocumentError(path, "corrupt or unreadable Word file") from None
    if unpacked > DOCX_MAX_UNPACKED_MB * 1_000_000:
        raise DocumentError(
            path,
            f"Word file unpacks to {unpacked / 1_000_000:.0f} MB "
            f"(more than {DOCX_MAX_UNPACKED_MB} MB): not read",
        )


def _load_html(path: Path, markup: str) -> list[Block]:
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(markup, "html.parser")
    for tag in soup(["script", "style", "noscript", "nav", "footer", "header", "form", "template"]):
        tag.decompose()
    blocks: list[Block] = []
    for element in soup.find_all(
        ["h1", "h2", "h3", "h4", "h5", "h6", "p", "li", "td", "blockquote"]
    ):
        if element.find_parent(["li", "td", "blockquote"]) and element.name in ("p", "li"):
            continue  # counted with its container
        text = normalise_whitespace(element.get_text(" "))
        if not text:
            continue
        if element.name.startswith("h"):
            blocks.append(Block("heading", text))
        elif element.name == "li":
            blocks.append(Block("list", text))
        else:
            blocks.append(Block("text", text))
    if not blocks:
        body = soup.body.get_text("\n") if soup.body else soup.get_text("\n")
        blocks = list(blocks_from_plain_text(body))
    return blocks


def _fix_pdf_text(text: str) -> str:
    """Repair what PDF text extraction garbles: TeX accents, ligatures, stray spaces."""
    for spacing, combining in _TEX_ACCENTS.items():
        text = re.sub(
            rf"{re.escape(spacing)}([A-Za-zıi])",
            lambda m, c=combining: m.group(1).replace("ı", "i") + c,
            text,
        )
    return unicodedata.normalize("NFKC", text)


def _header_footer_keys(pages: list[list[str]]) -> set[str]:
    """Lines at the top or bottom of pages that repeat on many pages (digits ignored)."""
    if len(pages) < 3:
        return set()
    counts: Counter[str] = Counter()
    for lines in pages:
        edge = {_edge_key(line) for line in lines[:2] + lines[-2:]}
        counts.update(edge)
    threshold = max(3, len(pages) // 4)
    return {key for key, count in counts.items() if count >= threshold and key}


def _edge_key(line: str) -> str:
    return re.sub(r"\d+", "#", line.strip().lower())


def _join_hyphenated(lines: list[str]) -> list[str]:
    """Join words broken across line ends: 'ouder-' + 'betrokkenheid' -> 'ouderbetrokkenheid'."""
    joined: list[str] = []
    for line in lines:
        if joined and re.search(r"[A-Za-zÀ-ÿ]-$", joined[-1]) and line[:1].islower():
            joined[-1] = joined[-1][:-1] + line
        else:
            joined.append(line)
    return joined


def _load_pdf(path: Path) -> tuple[list[Block], str | None]:
    from pypdf import PdfReader
    from pypdf.errors import DependencyError, PdfReadError, PyPdfError

    try:
        reader = PdfReader(str(path))
        if reader.is_encrypted:
            try:
                unlocked = reader.decrypt("")
            except (DependencyError, NotImplementedError, PyPdfError):
                unlocked = 0
            if not unlocked:
                raise DocumentError(path, "encrypted PDF: a password is needed to read it")
        raw_pages = [_fix_pdf_text(page.extract_text() or "") for page in reader.pages]
        title = (reader.metadata.title or "").strip() if reader.metadata else ""
    except DocumentError:
        raise
    except (PdfReadError, PyPdfError, ValueError, KeyError, TypeError, OSError) as exc:
        raise DocumentError(path, f"corrupt or unreadable PDF ({exc.__class__.__name__})") from None
    pages = [
        [normalise_whitespace(line) for line in text.splitlines() if line.strip()]
        for text in raw_pages
    ]
    pages = [[line for line in lines if not _is_glyph_noise(line)] for lines in pages]
    if not pages:
        raise DocumentError(path, "PDF has no pages")
    if not any(pages):
        raise DocumentError(path, "PDF has no text layer (scanned?); run OCR on it first")
    repeated = _header_footer_keys(pages)
    blocks: list[Block] = []
    for number, lines in enumerate(pages, start=1):
        lines = _strip_edges(lines, repeated)
        widths = sorted(len(line) for line in lines) or [0]
        typical = widths[len(widths) * 3 // 4]  # measured before joining hyphenated lines
        blocks.extend(_pdf_page_blocks(_join_hyphenated(lines), number, typical))
    return blocks, title or None


def _is_glyph_noise(line: str) -> bool:
    """Lines that are mostly glyph names ('/noteheads.s2 /clefs.G'), as music fonts produce."""
    glyphs = sum(len(m) for m in _GLYPH_NAME.findall(line))
    return glyphs > 0.5 * len(line.replace(" ", ""))


def _strip_edges(lines: list[str], repeated: set[str]) -> list[str]:
    start, end = 0, len(lines)
    while start < min(2, end) and _edge_key(lines[start]) in repeated:
        start += 1
    while end > max(start, len(lines) - 2) and _edge_key(lines[end - 1]) in repeated:
        end -= 1
    lines = lines[start:end]
    # A bare page number at either edge is a footer even when it appears once.
    if lines and re.fullmatch(r"[-–]?\s*\d{1,4}\s*[-–]?", lines[-1]):
        lines = lines[:-1]
    if lines and re.fullmatch(r"\d{1,4}", lines[0]):
        lines = lines[1:]
    return lines


def _pdf_page_blocks(lines: list[str], page: int, typical: int) -> list[Block]:
    """Group a page's lines: short unpunctuated lines are headings, wrapped lines paragraphs."""
    if not lines:
        return []
    blocks: list[Block] = []
    paragraph: list[str] = []

    def flush() -> None:
        if paragraph:
            blocks.append(Block("text", " ".join(paragraph), page))
            paragraph.clear()

    for position, line in enumerate(lines):
        following = lines[position + 1] if position + 1 < len(lines) else ""
        if _BULLET.match(line):
            flush()
            blocks.append(Block("list", _BULLET.sub("", line), page))
        elif (
            is_heading_line(line)
            and len(line) < 0.6 * typical
            and not following[:1].islower()  # a sentence wrapping onto the next line
            and not re.search(r"\.{3,}", line)
        ):
            flush()
            blocks.append(Block("heading", line, page))
        elif blocks and blocks[-1].kind == "list" and not paragraph and line[:1].islower():
            blocks[-1] = Block("list", f"{blocks[-1].text} {line}", page)
        else:
            paragraph.append(line)
            if line.endswith((".", "!", "?", ":")) and len(line) < 0.8 * typical:
                flush()
    flush()
    return blocks
