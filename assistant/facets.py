"""The facets documents are filtered by: one owner for their names, fields and Dutch labels."""

from __future__ import annotations

from dataclasses import dataclass

from assistant.records import DocumentInfo


@dataclass(frozen=True)
class Facet:
    """One filter: its name in the API and CLI, the field it restricts, and its Dutch words."""

    name: str  # as the API, the CLI and the UI's filters are keyed: "organisation"
    field: str  # the stored field it restricts: "organisation", "doc_type", "country", "themes"
    label: str  # the UI's label: "Organisatie"
    dutch: str  # as a Dutch sentence names it: "organisatie"
    aliases: tuple[str, ...] = ()  # other names users type: "organisatie"

    def values(self, info: DocumentInfo) -> tuple[str, ...]:
        """The document's values of this facet (a document has several themes)."""
        value = {
            "organisation": info.organisation,
            "doc_type": info.doc_type,
            "country": info.country,
            "themes": info.themes,
        }[self.field]
        if isinstance(value, tuple):
            return value
        return (value,) if value else ()


FACETS = (
    Facet("organisation", "organisation", "Organisatie", "organisatie", ("organisatie",)),
    Facet("type", "doc_type", "Documenttype", "type", ("documenttype",)),
    Facet("country", "country", "Land", "land", ("land",)),
    Facet("theme", "themes", "Thema", "thema", ("thema",)),
)
FIELDS = tuple(facet.field for facet in FACETS)
# Every name a user may type for a facet -> the facet.
BY_NAME = {name: facet for facet in FACETS for name in (facet.name, *facet.aliases)}


def facet_named(name: str) -> Facet | None:
    """The facet a user's filter name means ('land' and 'country' alike), or None."""
    return BY_NAME.get(name.strip().lower())


def filter_row(info: DocumentInfo) -> dict[str, str | list[str] | None]:
    """A passage's facet fields as the lexical index keeps them for filtering."""
    row: dict[str, str | list[str] | None] = {}
    for facet in FACETS:
        values = facet.values(info)
        row[facet.field] = list(values) if facet.field == "themes" else (values or (None,))[0]
    return row


COUNTRIES = {"BE": "België", "NL": "Nederland"}


def country_name(code: str | None) -> str:
    """A country as the UI names it: 'België' for BE; an unknown code as it is."""
    if not code:
        return "—"
    return COUNTRIES.get(code, code)


def value_label(facet: Facet, value: str) -> str:
    """A facet value as the UI shows it (countries by name)."""
    return country_name(value) if facet.field == "country" else value
