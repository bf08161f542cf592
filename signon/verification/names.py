"""Does a typed name belong to a roster person? Tolerant of case, accents, middle names,
initials, nicknames and suffixes; strict on family names (pure functions).

Precision matters more than recall: a wrong match may help a wrong verification, while a
missed match only leaves a signature for a person to review.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache, lru_cache

from nicknames import NickNamer
from rapidfuzz import fuzz

SUFFIXES = {
    "jr",
    "sr",
    "ii",
    "iii",
    "iv",
    "v",
    "md",
    "phd",
    "esq",
    "dr",
    "hon",
    "rep",
    "sen",
    "mr",
    "mrs",
    "ms",
    "mx",
}
# Typo tolerance for whole given names ("Jonathon" vs "Jonathan"), as a rapidfuzz ratio.
GIVEN_NAME_SIMILARITY = 88


@dataclass(frozen=True)
class PersonName:
    given: tuple[str, ...]
    family: str


def _plain(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(char for char in decomposed if not unicodedata.combining(char)).casefold()


@lru_cache(maxsize=1 << 16)  # the same roster names are parsed for claim after claim
def parse_name(text: str) -> PersonName | None:
    """Split a name into given names and a family name.

    "Neylon, Adam T." and "Adam T. Neylon Jr." both give (("adam", "t"), "neylon").
    """
    plain = _plain(text)
    if "," in plain:
        family_part, _, given_part = plain.partition(",")
        plain = f"{given_part} {family_part}"
    words = [w for w in re.split(r"[^\w'-]+", plain) if w]
    words = [w.strip("'-") for w in words if w.strip("'-") not in SUFFIXES]
    words = [w for w in words if w]
    if len(words) < 2:
        return None
    return PersonName(given=tuple(words[:-1]), family=words[-1])


@cache
def _nicknamer() -> NickNamer:
    return NickNamer()


def _given_matches(typed: str, roster: str) -> bool:
    if typed == roster:
        return True
    if len(typed) == 1 or len(roster) == 1:  # an initial
        return typed[0] == roster[0]
    namer = _nicknamer()
    if roster in namer.nicknames_of(typed) or typed in namer.nicknames_of(roster):
        return True
    if namer.canonicals_of(typed) & namer.canonicals_of(roster):
        return True
    return fuzz.ratio(typed, roster) >= GIVEN_NAME_SIMILARITY


def _family_matches(typed: PersonName, roster: PersonName) -> bool:
    if typed.family == roster.family:
        return True
    # Compound family names: "Maria Garcia Lopez" against roster family "Garcia Lopez",
    # or hyphenated against spaced.
    typed_full = " ".join((*typed.given[1:], typed.family)).replace("-", " ")
    roster_family = roster.family.replace("-", " ")
    return typed_full.endswith(roster_family) and len(roster_family) >= 4


def same_written_name(typed: str, roster_names: Iterable[str]) -> bool:
    """True when `typed` is one of `roster_names` as written (case, accents, commas and
    suffixes aside), not only a name that may be the same person's."""
    mine = parse_name(typed)
    return mine is not None and any(parse_name(name) == mine for name in roster_names)


def names_match(typed: str, roster_names: Iterable[str]) -> bool:
    """True when `typed` names the same person as any of `roster_names`.

    The family names must agree; the first given name must agree as a name, an initial, a
    nickname or a near-spelling; middle names may be present on one side only.
    """
    mine = parse_name(typed)
    if mine is None:
        return False
    for candidate in roster_names:
        theirs = parse_name(candidate)
        if theirs is None or not _family_matches(mine, theirs):
            continue
        if _given_matches(mine.given[0], theirs.given[0]):
            return True
    return False
