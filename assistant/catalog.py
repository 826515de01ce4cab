"""The hand-edited catalog that gives each corpus document its citation facts."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from assistant.errors import DocumentError

CATALOG_FILE = "catalog.toml"
_REQUIRED = ("file", "title", "organisation", "type")
_OPTIONAL = ("country", "year", "url", "themes", "accessed")


@dataclass(frozen=True)
class CatalogEntry:
    """What the catalog says about one file."""

    file: str
    title: str
    organisation: str
    doc_type: str
    country: str | None = None
    year: int | None = None
    url: str | None = None
    themes: tuple[str, ...] = ()
    accessed: str | None = None  # ISO date the stored copy of a web page was taken


def load_catalog(corpus_dir: Path) -> dict[str, CatalogEntry]:
    """Read corpus_dir/catalog.toml (absent means empty), keyed by file path within the corpus."""
    path = corpus_dir / CATALOG_FILE
    if not path.is_file():
        return {}
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise DocumentError(path, f"catalog is not valid TOML ({exc})") from None
    entries: dict[str, CatalogEntry] = {}
    for number, raw in enumerate(data.get("document", []), start=1):
        where = f"[[document]] #{number}"
        missing = [key for key in _REQUIRED if not raw.get(key)]
        if missing:
            raise DocumentError(path, f"{where}: missing {', '.join(missing)}")
        unknown = set(raw) - set(_REQUIRED) - set(_OPTIONAL)
        if unknown:
            raise DocumentError(path, f"{where}: unknown key(s) {', '.join(sorted(unknown))}")
        year = raw.get("year")
        if year is not None and not isinstance(year, int):
            raise DocumentError(path, f"{where}: year must be a whole number or left out")
        themes = raw.get("themes", [])
        if not isinstance(themes, list) or not all(isinstance(t, str) for t in themes):
            raise DocumentError(path, f"{where}: themes must be a list of strings")
        accessed = raw.get("accessed")
        if accessed is not None:
            try:
                accessed = date.fromisoformat(str(accessed)).isoformat()
            except ValueError:
                raise DocumentError(
                    path, f"{where}: accessed must be a date such as 2026-11-23"
                ) from None
        entry = CatalogEntry(
            file=str(raw["file"]),
            title=str(raw["title"]),
            organisation=str(raw["organisation"]),
            doc_type=str(raw["type"]),
            country=raw.get("country"),
            year=year,
            url=raw.get("url"),
            themes=tuple(themes),
            accessed=accessed,
        )
        if entry.file in entries:
            raise DocumentError(path, f"{where}: file {entry.file!r} is listed twice")
        entries[entry.file] = entry
    return entries
