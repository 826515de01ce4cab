"""What a question asks for: an amount, a number, a date, a name ... and whether a text has it.

An extractive answer can only quote what the documents say. When a question asks for a kind of
thing (a price, a count of something, a year, a person's name) and no quotable unit holds one,
the honest answer is a refusal that says what is missing.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from assistant.dutch import STOPWORDS, Analyzer, fold

NeedKind = Literal[
    "amount",
    "percentage",
    "count",
    "date",
    "age",
    "duration",
    "name",
    "names",
    "thing",
    "who",
    "list",
    "procedure",
    "phone",
    "email",
    "address",
    "time",
    "place",
    "grade",
]

_NUMBER_WORDS = (
    "een paar|enkele|twee|drie|vier|vijf|zes|zeven|acht|negen|tien|elf|twaalf|dertien|veertien|"
    "vijftien|zestien|twintig|dertig|veertig|vijftig|zestig|zeventig|tachtig|negentig|honderd|"
    "duizend|miljoen|meerdere|tientallen|honderden"
)
_NUMBER = rf"(?:\d+(?:[.,]\d+)?|(?:{_NUMBER_WORDS})\w*)"
_MONTHS = "januari|februari|maart|april|mei|juni|juli|augustus|september|oktober|november|december"
_DAYS = "maandag|dinsdag|woensdag|donderdag|vrijdag|zaterdag|zondag"

# Adjectives skipped before the counted noun ("hoeveel Vlaamse lerarenopleidingen").
_ADJECTIVES = ("vlaamse", "gentse", "nederlandse", "drentse", "europese", "andere", "extra")
# Acronyms and names with a capital inside ("VVE-programma", "KdG"), and capitalised words
# (names of places, networks, people), after the first word of a sentence.
_CAPITALISED = re.compile(r"(?<=\w )([A-Z]{2,}(?![a-z])|[A-Z][a-z]+[A-Z]\w*)")
_NAMED = re.compile(r"(?<=\w )([A-Z][\w-]*\d?[\w-]*)")
_YEAR = re.compile(r"\b((?:19|20)\d\d)\b")
_NOT_NAMES = frozenset({"Ik", "Wij", "We", "De", "Het", "Een", "Vlaamse", "Nederlandse"})
# Words for a tool, method or programme ('welk instrument', 'welke voorleesmethode').
_TOOLS = ("app", "programma", "software", "methode", "instrument", "toets", "tool", "platform",
          "boek", "materiaal", "materialen", "spel")  # fmt: skip
_PLURAL = r"(?:en|s|n|'s|’s|len)?"
# Triggers, matched on the folded question (a situation before it may ask too: "Een ouder
# vroeg me vanaf welke leeftijd ...").
_ASKS = {
    "amount": re.compile(
        r"\b(hoeveel (geld|euro|subsidie|budget|financiering)\b|wat kost|"
        r"kost(en|te)? (een|het|de|zo'?n|dat|die)|hoeveel kost|"
        r"wat (verdien|betaal)\w*|salaris|loon\b|(?<!wie )betaal\w* (je|ik|we|ouders)\b|"
        r"prijs|bedrag|tarief)"
    ),
    "percentage": re.compile(r"\b(hoeveel procent|welk percentage|procentpunt|hoeveel %)"),
    # "hoeveel tijd" asks for a duration, not a count.
    # "Zijn daar cijfers van?" asks for figures; "naast betere cijfers" does not.
    "count": re.compile(
        r"\b(hoeveel(?!\s+tijd\b)|aantal|welke cijfers|"
        r"(zijn|bestaan|heb\w*|geven|geeft) (er |daar |ze )?(ook |al )?cijfers)\b"
    ),
    "date": re.compile(
        r"\b(in welk jaar|welk jaar|sinds wanneer|tot wanneer|van wanneer|vanaf wanneer|"
        r"welke datum|welke (week)?dag|welke avond|"
        r"wanneer (start|begint|begon|vond|verscheen|was|werd|"
        r"is .* opgericht|gaat .* door|gaan .* door|(is|zijn) (het|de) volgende))"
    ),
    "age": re.compile(r"\b(hoe oud|welke leeftijd|vanaf welke leeftijd)\b"),
    "duration": re.compile(
        r"\b(hoe ?lang (duurt|loopt|duurde|liep)|hoelang|over hoeveel (weken|maanden|jaar)|"
        r"hoeveel tijd)"
    ),
    "name": re.compile(
        r"\b(hoe heet|hoe heten|wat is de naam|welke naam|wie (is|was) (?:[\w-]+ ){0,5}?de|"
        r"wie zingt)"
    ),
    # Which named places or institutions: "in welke steden", "welke zeven basisscholen".
    "names": re.compile(
        r"\bwelke\s+(?:[\w-]+\s+){0,2}?(?P<term>steden|stad|gemeenten|gemeente|"
        r"(?:basis|hoge|secundaire\s)?scholen|(?:basis|hoge)?school|lerarenopleidingen|"
        r"universiteiten|universiteit|provincies|provincie|kranten|krant|zenders?|"
        r"landen|wijken|wijk|organisaties|instellingen|partners|partnerorganisaties)\b"
    ),
    # Which tool, method or programme: "welk screeningsinstrument", "met welke app". The
    # answer must name the thing asked for: a unit that never says "app" names no app.
    "thing": re.compile(
        rf"\bwelke?\s+(?:[\w-]+\s+)?(?P<term>[\w-]*(?:{'|'.join(_TOOLS)}){_PLURAL})(?![\w'’])"
    ),
    # "Welke zeven hefbomen ...": the items themselves, not a sentence that counts them.
    "list": re.compile(
        r"\b(?:welke|wat zijn (?:precies |nu |eigenlijk )?de)\s+"
        r"(?:twee|drie|vier|vijf|zes|zeven|acht|negen|tien|\d+)\s+"
        r"(?:(?:vlaamse|gentse|nederlandse|drentse|andere)\s+)?(?P<term>[\w'’-]+)"
    ),
    # How to enrol, join or apply: a description of the step, not of what one enrols in.
    "procedure": re.compile(
        r"\b(?P<enrol>schrijf\w* (?:\w+ )?(?:me|ons|je|zich|mij) in|inschrijven|aanmelden|"
        r"meld\w* (?:\w+ )?(?:me|ons|je|zich|mij) aan)\b|"
        r"\b(?P<join>lid (?:worden|word)|aansluiten bij)\b|"
        r"\b(?P<apply>aanvragen|vraag\w* (?:[\w-]+ ){0,4}?(?:subsidie|financiering|geld) aan|"
        r"hoe vraag\w* (?:[\w-]+ ){0,5}?aan)\b"
    ),
    # Who made, wrote or decides something: a person's or organisation's name.
    "who": re.compile(
        r"\bwie (heeft|hebben|schreef|schreven|ontwikkelde|maakte|voerde|beslist|besliste|"
        r"leidt|leidde|organiseert|organiseerde)\b"
    ),
    "phone": re.compile(r"\b(telefoonnummer|gsm-?nummer|bellen|opbellen)\b"),
    "email": re.compile(r"\b(e-?mailadres|mailadres|mailen|e-?mail)\b"),
    "address": re.compile(r"\b(adres|bezoekadres|postadres|waar (ligt|zit|is) .* gevestigd)\b"),
    # "Hoe laat beginnen ze?", not "hoe laat de stad hen ... uitwisselen" (lets them).
    "time": re.compile(
        r"\b(om hoe laat|hoe laat (begin|start|eindig|stop|open|sluit|is|zijn|gaat|gaan)\w*|"
        r"hoe laat\s*\?|welk uur)"
    ),
    # Where something took place: "waar ging de slotconferentie door?"
    "place": re.compile(
        r"\bwaar (ging|gaat|gaan|gingen|vond|vindt|vonden|was|is|zijn) .{0,80}?"
        r"\b(door|plaats|plaatsvinden|doorgaan)\b"
    ),
    "grade": re.compile(r"\b(vanaf|in|tot) welke? (groep|klas|leerjaar|graad)\b"),
}
# What satisfies each need, matched on the folded unit text.
_HAS = {
    "amount": re.compile(r"€|\beuro\b|\beur\b|\bgratis\b|\bkosteloos\b"),
    "percentage": re.compile(r"%|\bprocent|\bprocentpunt"),
    "date": re.compile(
        rf"\b(1[89]\d\d|20\d\d)\b|\b({_MONTHS})\b|\b({_DAYS})\b|'s (avonds|ochtends|middags)|"
        r"\boverdag\b"
    ),
    "age": re.compile(r"\b\d+ (jaar|maanden)\b|\bleeftijd|\bjarige"),
    "duration": re.compile(
        rf"\b{_NUMBER}\s+(\w+\s+)?(dag|dagen|week|weken|maand|maanden|jaar|jaren|uur|uren)\b|"
        r"\b(eenmalig|langere periode|\d{4}\s*-\s*\d{4})"
    ),
    "phone": re.compile(r"\b0\d{1,3}[ /.-]?\d{2,3}[ .]?\d{2}[ .]?\d{2}\b|\+\d{2} ?\d"),
    "email": re.compile(r"[\w.+-]+@[\w-]+\.[\w.]+"),
    "procedure": re.compile(
        r"inschrij|schrijf\w* .{0,30}\bin\b|aanmeld|\bmeld\w* .{0,30}\baan\b|registreer|"
        r"\blid\b|\bleden\b|aansluiten|aangesloten|aan te sluiten|\bsluit\w* .{0,30}\baan\b|toetre|"
        r"aanvra|aan te vragen|\bvraag\w* .{0,30}\baan\b|indien|in te dienen|"
        r"\bdien\w* .{0,30}\bin\b"
    ),
    "time": re.compile(r"\b\d{1,2}(\s?u|[.:h]\d\d|\s?uur)\b"),
    "grade": re.compile(
        r"\bgroep (\d|een|twee|drie|vier|vijf|zes|zeven|acht)\b|"
        r"\b\d+(e|de|ste) (leerjaar|klas|graad)|"
        r"\b(eerste|tweede|derde|vierde|vijfde|zesde) (leerjaar|klas|graad)|"
        r"\b(instap|peuter|kleuter)klas"
    ),
    # A street and number, or a Dutch or Belgian postcode before a place.
    "address": re.compile(
        r"\b\w+(straat|laan|plein|weg|kaai|dreef|lei|steenweg|markt)\s+\d+|"
        r"\b\d{4}\s?[a-z]{2}\s+[a-z]|\b[1-9]\d{3}\s+[a-z]{3,}"
    ),
}
# Numbers that date something ("dinsdag 22 juni", "sinds 2014", "2016-2018") count nothing.
_DATES = re.compile(
    rf"\b\d{{1,2}}\s+({_MONTHS})(\s+\d{{4}})?\b|\b(1[89]\d\d|20\d\d)(\s*[-–]\s*(\d{{4}}|\d\d))?\b"
)
# A person's or organisation's name: capitalised words in a row, not at the start of the text.
_NAME = re.compile(
    r"(?<=[\w,;:(’'‘“] )[A-ZÀ-Ý][\w’'-]+(?: (?:&|en|van|de|der|den)?\s?[A-ZÀ-Ý][\w’'-]+)+"
)
# A title in quotes ('Samen evalueren voor meer impact'); a quoted saying of several lines is
# no name (a director's words name no director).
_TITLE = re.compile(r"[“‘\"][^”’\"]{6,90}[”’\"]")
# A share counts nothing: 'vijftien procent van de leerlingen' is no number of pupils.
_SHARES = re.compile(rf"\b{_NUMBER}\s*(%|procent\b)")
_WHAT = {
    "amount": "bedrag",
    "percentage": "percentage",
    "count": "aantal",
    "date": "datum of jaar",
    "age": "leeftijd",
    "duration": "duur",
    "name": "naam",
    "names": "namen",
    "thing": "naam",
    "who": "naam van een persoon of organisatie",
    "list": "opsomming",
    "procedure": "werkwijze",
    "phone": "telefoonnummer",
    "email": "e-mailadres",
    "address": "adres",
    "time": "uur",
    "place": "plaats",
    "grade": "groep of klas",
}


@dataclass(frozen=True)
class Need:
    """One thing the question asks for; term is the counted noun of 'hoeveel X'."""

    kind: NeedKind
    term: str | None = None
    # For "names": the question's own words, folded; a name it already gives is no answer.
    given: frozenset[str] = frozenset()

    def missing(self, question: str = "") -> str:
        """The Dutch sentence that says the documents do not hold it: 'De documenten in deze
        collectie noemen geen bedrag voor een vorming van Stad Gent per deelnemer.'"""
        what = _WHAT[self.kind]
        if self.kind == "count" and self.term:
            what = f"aantal {self.term}"
        cost = re.search(
            r"\b(?:kost|kosten)\s+([^?.!]{3,80}?)\s*[?.!]?$", asking_sentence(question)
        )
        if self.kind == "amount" and cost:
            what = f"bedrag voor {cost.group(1)}"
        if self.kind == "procedure":
            how = {"enrol": "je je inschrijft", "join": "je lid wordt", "apply": "je dat aanvraagt"}
            return f"De documenten in deze collectie beschrijven niet hoe {how[self.term]}."
        if self.kind == "list" and self.term:
            return f"De documenten in deze collectie sommen de {self.term} niet op."
        if self.kind == "thing" and self.term:
            return f"De documenten in deze collectie noemen geen {self.term}."
        if self.kind == "names" and self.term:
            return f"De documenten in deze collectie noemen de {self.term} niet bij naam."
        return f"De documenten in deze collectie noemen geen {what}."


def asking_sentence(question: str) -> str:
    """The sentence that asks (situations often come first: 'Ik werk in ... . Hoeveel ...?')."""
    sentences = [s for s in re.split(r"(?<=[.!?])\s+", question.strip()) if s]
    asking = [s for s in sentences if s.endswith("?")]
    return " ".join(asking) if asking else question


def needs_of(question: str) -> tuple[Need, ...]:
    """The kinds of thing the question asks for, most specific first."""
    text = fold(question)
    found: list[Need] = []
    for kind, pattern in _ASKS.items():
        match = pattern.search(text)
        if not match:
            continue
        if kind == "count" and any(n.kind in ("amount", "percentage") for n in found):
            continue
        if kind == "names":
            # The names it gives, and their acronyms ('CIK' for 'Centrum voor Inclusieve
            # Kinderopvang').
            acronyms = {_initials(run).lower() for run in _CAPITALISED_RUN.findall(question)}
            given = frozenset(re.findall(r"\w+", text)) | acronyms
            found.append(Need(kind, re.sub(r"\s+", " ", match.group("term")), given))
            continue
        if kind in ("thing", "list", "who"):
            term = match.group("term") if kind != "who" else None
            found.append(Need(kind, term, frozenset(re.findall(r"\w+", text))))
            continue
        if kind == "procedure":
            found.append(Need(kind, match.lastgroup))
            continue
        term = {"count": _counted(text), "name": _role(text)}.get(kind)
        if kind == "date" and re.search(
            r"\b(welke datum|welke (week)?dag|welke avond|wanneer (is|zijn) (het|de) volgende)\b",
            text,
        ):
            term = "day"  # a date or a weekday, not "'s avonds", and for what comes next no year
        found.append(Need(kind, term))
    return tuple(found)


def _role(text: str) -> str | None:
    """Whose name is asked: 'wie is de coördinator' -> 'coordinator', 'wie zingt' -> 'zingt'."""
    match = re.search(
        r"\bwie (?:is|was) (?:[\w-]+ ){0,5}?de (?:\w+ )??(\w{5,})|\bwie (zingt|schreef)", text
    )
    if not match:
        return None
    return match.group(1) or match.group(2)


def _counted(text: str) -> str | None:
    """The noun counted in 'hoeveel Vlaamse lerarenopleidingen ...' (skipping adjectives)."""
    match = re.search(r"\bhoeveel(?!\s+tijd\b)((?:\s+[\w'-]+){1,3})", text)
    if not match:
        return None
    for word in match.group(1).split():
        if word in STOPWORDS or word in _ADJECTIVES:
            continue
        return word
    return None


def named_in(question: str) -> list[str]:
    """Capitalised words inside the asking sentence: names of places, networks, people; and
    the years it names ('de volgende conferentie in 2026' is not dated by one of 2018)."""
    asking = asking_sentence(question)
    return [
        m.group(1)
        for m in _NAMED.finditer(asking)
        if m.group(1) not in _NOT_NAMES and len(m.group(1)) > 2
    ] + _YEAR.findall(asking)


def focus_terms(question: str) -> list[str]:
    """Names the asking sentence gives that an answer must be about: acronyms and names
    written in capitals inside a word ('VVE-programma', 'KdG'), and the thing a question
    starts or organises ('wanneer start de inschrijvingsperiode', 'hoe organiseer ik een
    huisbezoek'). (Not the noun after 'welke':
    people ask for 'welke zender' where the documents say 'Focus WTV'.)"""
    asking = asking_sentence(question)
    names = [m.group(1) for m in _CAPITALISED.finditer(asking)]
    subjects = [m.group(m.lastgroup) for m in _SUBJECT.finditer(fold(asking))]
    return names + subjects


# The thing a question is about, in questions that name it in a fixed place.
_SUBJECT = re.compile(
    r"\bwanneer (?:start|begint|eindigt|loopt|opent|sluit)\w* (?:de|het) (?P<started>[\w-]{4,})|"
    r"\bhoe (?:organiseer|plan|regel|bereid)\w* (?:ik|je|we|jullie) (?:een|de|het) "
    r"(?P<organised>[\w-]{4,})|"
    r"\b(?:standpunt|visie|mening) (?:van [\w ]{2,40}? )?(?:over|op) (?:het |de )?"
    r"(?P<opinion>[\w-]{4,})"
)


def unknown_terms(question: str, analyzer: Analyzer, known: Callable[[str], bool]) -> list[str]:
    """Focus terms that no indexed text mentions, neither whole nor as a compound's part."""
    unknown = []
    for term in focus_terms(question):
        words = analyzer.words(term)
        if words and not any(
            known(stem)
            for word in words
            for stem in (*analyzer.stem([word]), *analyzer.split(word))
        ):
            unknown.append(term)
    return unknown


# Capitalised words in a row, with the small words a name may hold between them.
_CAPITALISED_RUN = re.compile(
    r"[A-ZÀ-Ý][\w-]*(?:\s+(?:(?:voor|van|de|en|het|der)\s+)?[A-ZÀ-Ý][\w-]*)+"
)


def abbreviates(acronym: str, text: str) -> bool:
    """Whether the text writes out the acronym: 'KKGK' in 'Kleine Kinderen Grote Kansen', 'CIK'
    in 'Centrum voor Inclusieve Kinderopvang'."""
    if not acronym.isupper() or len(acronym) < 2:
        return False
    return any(_initials(run) == acronym for run in _CAPITALISED_RUN.findall(text))


def _initials(run: str) -> str:
    """The capitals that open a name's words: 'Centrum voor Inclusieve Kinderopvang' -> 'CIK'."""
    return "".join(word[0] for word in run.split() if word[0].isupper())


# A proper name inside a text: a capitalised word that does not open a sentence, or an acronym.
# Capitalised adjectives of place ("Vlaamse", "Gentse", "Europese") name nothing.
_PROPER = re.compile(r"(?<=[\w,;(’'‘“] )[A-ZÀ-Ý][\w’'-]+|\b[A-Z]{2,}\b")
_PLACE_ADJECTIVE = re.compile(r"(se|sche|iaanse)$")
_PLACE_NOUNS = ("stad", "steden", "gemeente", "gemeenten", "provincie", "provincies", "wijk",
                "wijken", "land", "landen")  # fmt: skip
# A place's name stands after a preposition of place or a word for a place ("in Emmen",
# "Stad Gent"), not just anywhere: "Europees Fonds voor Asiel, Migratie en Integratie" names
# no city. A neighbourhood's name follows the word for it ("de wijk Sluizeken-Tolhuis-Ham").
_PLACE = r"([A-ZÀ-Ý][a-zà-ÿ]+(?:-[A-ZÀ-Ý]?[a-zà-ÿ]+)*)"
_PLACE_NAME = re.compile(
    rf"\b(?:in|uit|te|naar|rond|regio|[Ss]tad|[Gg]emeente|[Pp]rovincie)\s+{_PLACE}"
)
_DISTRICT_NAME = re.compile(rf"\b[Ww]ijk(?:en)?\s+{_PLACE}")
# A school's name holds a word for a school, follows one ("O.B.S. De Bascule"), or is a run of
# capitalised words ("Thomas More Mechelen").
_SCHOOL_NAME = re.compile(
    r"[A-ZÀ-Ý][\w-]*(?:school|[Hh]ogeschool|[Uu]niversiteit|[Cc]ollege|[Aa]theneum|[Ll]yceum)\b|"
    r"\b(?:O\.?B\.?S\.?|C\.?B\.?S\.?|K\.?B\.?S\.?|[Bb]asisschool|[Ss]chool|[Cc]ampus)\s+"
    r"((?:De |Het |Sint-)?[A-ZÀ-Ý][\w-]+)|"
    r"(?:^|(?<=[\w,;:(] ))([A-ZÀ-Ý][a-zà-ÿ]+(?: [A-ZÀ-Ý][a-zà-ÿ]+){1,3})"
)


def names_in(text: str, need: Need) -> list[str]:
    """The names of the kind the need asks for (places, schools, else any) that a text gives
    and the question did not give already."""
    if need.term in _PLACE_NOUNS:
        found = [m.group(1) for m in _PLACE_NAME.finditer(text)]
        if need.term in ("wijk", "wijken"):
            found += [m.group(1) for m in _DISTRICT_NAME.finditer(text)]
    elif need.term and re.search(r"school|scholen|opleiding|universiteit", need.term):
        found = [m.group(0) for m in _SCHOOL_NAME.finditer(text)]
    else:
        found = _PROPER.findall(text)
    return [
        name
        for name in found
        if not _PLACE_ADJECTIVE.search(name.split()[-1])
        and name not in _NOT_NAMES
        and not all(_given(word, need.given) for word in re.findall(r"\w+", fold(name)))
    ]


def _given(word: str, given: frozenset[str]) -> bool:
    """Whether the question gives the word already, or a form of it ('Centra' for 'centrum')."""
    return word in given or (len(word) >= 5 and any(g[:5] == word[:5] for g in given))


def satisfies(
    need: Need, text: str, analyzer: Analyzer, listed: bool = False, whole: bool = False
) -> bool:
    """Whether a quotable text holds what the need asks for (listed: the text is a lead-in
    with its list, whose items may go on in the passages after it; whole: a count counts the
    noun itself, not a compound holding it)."""
    folded = fold(text)
    if need.kind == "names":
        return bool(names_in(text, need))
    if need.kind == "place":
        return bool(_PLACE_NAME.search(text) or _HAS["address"].search(folded))
    if need.kind == "date" and need.term == "day":
        return bool(re.search(rf"\b\d{{1,2}} ({_MONTHS})\b|\b({_DAYS})\b", folded))
    if need.kind == "thing":
        return _holds_whole(need.term or "", text, analyzer) or (
            # Documents name a tool by its name alone ('het werken met de MEMOQ'): for a plain
            # word such as 'instrument', an acronym the question does not give names one too.
            any(re.fullmatch(rf"{tool}{_PLURAL}", need.term or "") for tool in _TOOLS)
            and any(a.lower() not in need.given for a in re.findall(r"\b[A-Z]{3,}\b", text))
        )
    if need.kind == "list":
        return (listed or _lists(text)) and holds_term(need.term or "", text, analyzer)
    if need.kind in _HAS:
        return bool(_HAS[need.kind].search(folded))
    if need.kind == "who":
        return any(
            not set(re.findall(r"\w+", fold(name))) <= need.given for name in _NAME.findall(text)
        )
    if need.kind == "name":
        named = bool(_NAME.search(text) or _TITLE.search(text))
        # A role's holder: the role must be named beside the name ('inclusiecoach Hilde ...').
        return named and (need.term is None or holds_term(need.term, text, analyzer))
    # A count: a number, with the counted noun just after it when the question names one.
    counted = _SHARES.sub(" ", _DATES.sub(" ", folded))
    if need.term is None:
        return bool(re.search(rf"\b{_NUMBER}\b", counted))
    wanted = set(analyzer.terms(need.term))
    # A year is not a count ("2016 – 2018 Focus kleuteronderwijs" counts no kleuters). The
    # words after a number are looked ahead at, so that in "tachtig scholen en twaalf
    # gemeenten" the second number is not taken as the first one's noun.
    for match in re.finditer(rf"\b{_NUMBER}\b(?=((?:\s+[\w'-]+){{1,3}}))", counted):
        if whole:  # each word's own stem, without the parts of a compound
            if wanted & {t[0] for t in map(analyzer.terms, match.group(1).split()) if t}:
                return True
            continue
        following = set(analyzer.terms(match.group(1)))
        if wanted & following or any(
            w[:5] == f[:5] for w in wanted for f in following if len(w) >= 5 and len(f) >= 5
        ):
            return True
    return False


def _lists(text: str) -> bool:
    """Whether a text gives items: on their own lines ("• ..."), or as an enumeration of short
    parts "a, b en c" ("met zeven hefbomen en vier verbindende concepten" only counts them)."""
    if re.search(r"^• .*\n• ", text, re.MULTILINE):
        return True
    for clause in re.split(r"[.;:]\s", text):
        parts = clause.split(",")
        if (
            len(parts) >= 3
            and all(len(part.split()) <= 5 for part in parts[1:-1])
            and re.search(r"\b(en|of)\b", parts[-1])
        ):
            return True
    return False


def _holds_whole(term: str, text: str, analyzer: Analyzer) -> bool:
    """Whether the text holds every word of the term, each whole (stemmed) or as both parts of
    a compound: 'screeningsinstrument' is not held by 'een instrument bespelen'."""
    held = set(analyzer.terms(text))
    words = analyzer.words(term)
    return bool(words) and all(
        analyzer.stem([word])[0] in held or (parts and set(parts) <= held)
        for word in words
        for parts in (analyzer.split(word),)
    )


def holds_term(term: str, text: str, analyzer: Analyzer) -> bool:
    """Whether the text holds the term (stemmed, or as a compound's part)."""
    wanted = set(analyzer.terms(term))
    return bool(wanted & set(analyzer.terms(text)))
