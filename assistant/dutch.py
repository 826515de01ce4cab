"""Dutch text analysis for the lexical index: stemming, stop words, synonyms, compounds."""

from __future__ import annotations

import hashlib
import re
import tomllib
import unicodedata
from dataclasses import dataclass, field
from functools import cache
from importlib import resources

import Stemmer
from bm25s.stopwords import STOPWORDS_DUTCH, STOPWORDS_EN

# Question words and fillers that carry no topic, beyond Snowball's Dutch stop list.
_QUESTION_WORDS = {
    "welke",
    "waarom",
    "wanneer",
    "hoeveel",
    "waar",
    "wij",
    "we",
    "jullie",
    "kun",
    "kunt",
    "mag",
    "mogen",
    "moeten",
    "eigenlijk",
    "precies",
    "graag",
    "ergens",
    "gewoon",
    "zit",
    "zitten",
}
STOPWORDS = frozenset(STOPWORDS_DUTCH) | _QUESTION_WORDS
_TOKEN = re.compile(r"[a-z0-9]+(?:'s)?")
_MIN_PART = 4  # shortest word a compound part may be
_LINKS = ("", "s", "e", "en")  # Dutch linking sounds between compound parts


# English function words that are no Dutch words: a question full of them is English.
_ENGLISH = (frozenset(STOPWORDS_EN) | {
    "what", "how", "which", "who", "whom", "where", "when", "why", "does", "do", "did", "can",
    "could", "should", "would", "my", "our", "your", "i", "you", "from", "about", "have", "has",
}) - frozenset(STOPWORDS_DUTCH)  # fmt: skip


def writes_english(text: str) -> bool:
    """Whether a question is written in English rather than Dutch: at least three English
    function words, and more than twice as many as Dutch ones ('coaching on the job' inside a
    Dutch question is Dutch)."""
    words = _TOKEN.findall(fold(text))
    english = sum(w in _ENGLISH for w in words)
    dutch = sum(w in STOPWORDS_DUTCH for w in words)
    return english >= 3 and english > 2 * dutch


def fold(text: str) -> str:
    """Lowercase and strip accents: 'Crèche' and 'creche' are the same word here."""
    decomposed = unicodedata.normalize("NFKD", text.lower().replace("’", "'"))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


@cache
def synonym_groups() -> tuple[tuple[str, ...], ...]:
    """The packaged synonym groups, folded, canonical term first."""
    data = tomllib.loads(
        resources.files("assistant").joinpath("data/synonyms.toml").read_text("utf-8")
    )
    return tuple(tuple(fold(term) for term in group["terms"]) for group in data["group"])


@cache
def _synonym_pattern() -> tuple[re.Pattern[str], dict[str, str]]:
    mapping = {variant: group[0] for group in synonym_groups() for variant in group[1:]}
    alternatives = sorted(mapping, key=len, reverse=True)
    pattern = re.compile(
        r"(?<![a-z0-9])(" + "|".join(map(re.escape, alternatives)) + r")(?![a-z0-9])"
    )
    return pattern, mapping


@dataclass(frozen=True)
class Analyzer:
    """Turns text into index terms; documents and questions go through the same steps.

    vocabulary holds the stems of the corpus's words: a compound is split only into parts
    whose stems occur in the corpus on their own.
    """

    stemmer: str = "dutch_porter"
    synonyms: bool = True
    compounds: bool = True
    vocabulary: frozenset[str] = field(default=frozenset(), repr=False)
    _splits: dict[str, tuple[str, ...]] = field(default_factory=dict, repr=False, compare=False)

    def words(self, text: str) -> list[str]:
        """Folded, synonym-mapped words without stop words, before stemming."""
        text = fold(text)
        if self.synonyms:
            pattern, mapping = _synonym_pattern()
            text = pattern.sub(lambda m: mapping[m.group(1)], text)
        return [
            w.removesuffix("'s")
            for w in _TOKEN.findall(text)
            if w not in STOPWORDS and (len(w) > 1 or w.isdigit())
        ]

    def terms(self, text: str) -> list[str]:
        """Index terms: stems of the words, plus the stems of compound parts."""
        words = self.words(text)
        stems = self.stem(words)
        if not (self.compounds and self.vocabulary):
            return stems
        terms: list[str] = []
        for word, stem in zip(words, stems, strict=True):
            terms.append(stem)
            terms.extend(self.split(word))
        return terms

    def stem(self, words: list[str]) -> list[str]:
        if self.stemmer == "none":
            return words
        stems = _stemmer(self.stemmer).stemWords(words)
        if self.stemmer != "dutch_porter":
            return stems
        return [_KEPT.get(w) or _undouble(stem) for w, stem in zip(words, stems, strict=True)]

    def split(self, word: str) -> tuple[str, ...]:
        """Stems of a compound's two parts ('ouderbetrokkenheid' -> ouder, betrokken), or ()."""
        if word not in self._splits:
            self._splits[word] = self._split(word)
        return self._splits[word]

    def _split(self, word: str) -> tuple[str, ...]:
        # The longest known head whose tail, with or without a linking s, e or en, is known.
        if len(word) < 2 * _MIN_PART or not word.isalpha():
            return ()
        for cut in range(len(word) - _MIN_PART, _MIN_PART - 1, -1):
            head = self.stem([word[:cut]])[0]
            if head not in self.vocabulary:
                continue
            tail = word[cut:]
            for link in _LINKS:
                rest = tail[len(link) :]
                if tail.startswith(link) and len(rest) >= _MIN_PART:
                    stem = self.stem([rest])[0]
                    if stem in self.vocabulary:
                        return (head, stem)
        return ()


# What the lexical index's analysis is: a change here or in synonyms.toml makes every saved
# lexical index stale (sync_lexical rebuilds it from the store).
ANALYSIS_VERSION = 2
# Porter's Dutch stemmer leaves a doubled consonant ('klassen' -> 'klass', 'lessen' -> 'less',
# 'gezinnen' -> 'gezinn'), so a plural missed its singular; Dutch spelling ends no stem in one.
_DOUBLED = re.compile(r"([bcdfgklmnprstvz])\1$")
# Words it merges with another: 'kans' became 'kan' (while 'kansen' stays 'kans'), and the
# magazine 'Klasse' became 'klas'.
_KEPT = {"kans": "kans", "klasse": "klasse"}


def _undouble(stem: str) -> str:
    return stem[:-1] if _DOUBLED.search(stem) else stem


def analysis_version() -> str:
    """The analysis code's version and the synonym list's, as a lexical index records them."""
    synonyms = resources.files("assistant").joinpath("data/synonyms.toml").read_bytes()
    return f"{ANALYSIS_VERSION}-{hashlib.sha256(synonyms).hexdigest()[:12]}"


@cache
def _stemmer(name: str) -> Stemmer.Stemmer:
    return Stemmer.Stemmer(name)


def build_vocabulary(texts: list[str], stemmer: str, synonyms: bool = True) -> frozenset[str]:
    """Stems of the corpus's words that can serve as compound parts."""
    analyzer = Analyzer(stemmer=stemmer, synonyms=synonyms, compounds=False)
    words = {w for text in texts for w in analyzer.words(text) if len(w) >= _MIN_PART}
    return frozenset(analyzer.stem(sorted(words)))
