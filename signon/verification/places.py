"""How officials type the places they serve, and which OCD division such a text names (pure).

"City of Los Angeles", "Town of Chapel Hill", "Madison city", "St. Paul", "Ft. Myers",
"City and County of Denver", "Prince Georges County", "Minneapolis Public Schools",
"Osborn School Board Member, Phoenix": each is read into a `TypedPlace` (a comparison key
and, when the text or the title says it, the kind of government), then matched against
the rows of the state's divisions. Precision comes first: when several divisions fit
and nothing in the text tells them apart, no division is chosen (`choose_divisions`
returns them all, and the caller reports the ambiguity).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from signon.verification.divisions import name_key

# Which OCD division types fit each local office level.
LOCAL_TYPES: dict[str, tuple[str, ...]] = {
    "municipal": ("place", "town", "township", "village", "borough", "city"),
    "county": ("county", "parish", "borough"),
    "school_board": ("school_district",),
}
ABBREVIATIONS = {"st": "saint", "ste": "sainte", "ft": "fort", "mt": "mount"}
# A school district named as such ("Tempe School District"), not only by its place.
NAMED = "named"
KINDS = ("city", "town", "township", "village", "borough", "county", "parish")
_PREFIXES = (
    ("the ", None),
    ("city and county of ", "city"),
    ("city and borough of ", "city"),
    ("consolidated government of ", None),
    ("unified government of ", None),
    ("charter township of ", "township"),
    ("city of ", "city"),
    ("town of ", "town"),
    ("village of ", "village"),
    ("borough of ", "borough"),
    ("township of ", "township"),
    ("county of ", "county"),
    ("parish of ", "parish"),
    ("municipality of ", None),
    ("metropolitan government of ", None),
    ("metropolitan ", None),
)
_SUFFIXES = re.compile(
    r" (city and county|city and borough|charter township|city|town|village|township|"
    r"borough|county|parish|cdp|municipality|metropolitan government|unified government|"
    r"consolidated government|metro government|urban county|plantation)$"
)
# New York City's boroughs, as typed, and the county each one is.
NYC_BOROUGHS = {
    "brooklyn": "kings",
    "kings": "kings",
    "manhattan": "new_york",
    "queens": "queens",
    "bronx": "bronx",
    "staten island": "richmond",
    "richmond": "richmond",
}
DC_NAMES = (
    "",
    "washington",
    "dc",
    "d c",
    "washington d c",
    "washington dc",
    "district of columbia",
)
# Words of a school district's name that say nothing about which one it is. The word lists
# here stay packed (fmt: skip): one word a line would spread each over a screen.
_SCHOOL_GENERIC = {
    "school", "schools", "district", "dist", "public", "sd", "isd", "usd", "board", "of",
    "education", "the", "no", "system", "schl", "corporation", "committee", "governing",
    "trustees", "department",
}  # fmt: skip
# Words that tell districts of one place apart (Tempe vs Tempe Union High): a typed name
# may leave them out only when it then fits a single district.
_SCHOOL_LEVEL = {
    "elementary", "high", "unified", "union", "independent", "consolidated", "community",
    "city", "county", "joint", "central", "area", "regional", "metropolitan", "local",
    "municipal", "township", "borough", "parish", "exempted", "village", "special",
    "common", "unit", "secondary", "primary", "junior", "senior",
}  # fmt: skip
_BOARD_WORDS = re.compile(
    r"\b(school board|board of education|board of trustees|governing board|school committee|"
    r"school district|board of directors|board)\b"
)
_ROLE_WORDS = {
    "president", "vice", "member", "trustee", "director", "chair", "chairman", "chairwoman",
    "chairperson", "clerk", "treasurer", "secretary", "elected", "and", "of", "the",
}  # fmt: skip
_TITLE_KIND = re.compile(r"\b(city|town|township|village|borough|county|parish)\b")


@dataclass(frozen=True)
class DivisionRow:
    """One current division of the state, as the resolver needs it."""

    id: str
    name: str
    type: str
    same_as: str | None = None


@dataclass(frozen=True)
class TypedPlace:
    key: str  # "saint paul", "prince georges", "daly"
    kind: str | None  # city, town, township, village, borough, county, parish, NAMED, None
    words: tuple[str, ...] = ()  # a school district's distinguishing words

    @property
    def empty(self) -> bool:
        return not self.key and not self.words


def _plain(text: str) -> str:
    """Lower case, no accents, no punctuation that officials vary: "Prince George's" and
    "Prince Georges" read alike, so do "Miami-Dade" and "Miami Dade"."""
    key = name_key(text)
    key = re.sub(r"['’`]", "", key)
    key = re.sub(r"[.,;:()/#\-]", " ", key)
    words = [ABBREVIATIONS.get(word, word) for word in key.split()]
    return " ".join(words)


def read_place(text: str) -> TypedPlace:
    """ "City of St. Paul" -> (saint paul, city); "Madison city" -> (madison, city);
    "Daly City" -> (daly, city), as OCD's "Daly City city" reads."""
    key, kind = _plain(text), None
    changed = True
    while changed:
        changed = False
        for prefix, prefix_kind in _PREFIXES:
            if key.startswith(prefix):
                key, kind, changed = key[len(prefix) :], kind or prefix_kind, True
    if key in ("nyc", "n y c"):
        key, kind = "new york", "city"
    key = re.sub(r" balance$", "", key)
    while match := _SUFFIXES.search(key):
        suffix = match.group(1)
        kind = kind or (suffix if suffix in KINDS else "city" if "city" in suffix else None)
        key = key[: match.start()]
    return TypedPlace(key.strip(), kind)


def title_kind(title: str) -> str | None:
    """The kind of government a title names: "Town Council Member" -> town."""
    match = _TITLE_KIND.search(_plain(title))
    return match.group(1) if match else None


def row_keys(row: DivisionRow) -> set[str]:
    """The keys a division answers to: its name's, and its id's last part's ("Athens GA --
    consolidated ..." is place:athens)."""
    name = row.name.split(" -- ")[0]
    keys = {read_place(name).key}
    slug = row.id.rpartition(":")[2].replace("_", " ").replace("~", "")
    keys.add(read_place(slug).key)
    return {key for key in keys if key}


def row_kind(row: DivisionRow) -> str | None:
    return read_place(row.name.split(" -- ")[0]).kind


def lookup_prefixes(place: TypedPlace) -> tuple[str, ...]:
    """The name prefixes (name_key) that every fitting division starts with, for the query:
    "saint paul" may be filed as "St. Paul"."""
    first = (place.words or place.key.split() or [""])[0]
    if not first:
        return ()
    reverse = {full: short for short, full in ABBREVIATIONS.items()}
    return tuple(sorted({first, *([reverse[first]] if first in reverse else [])}))


def _canonical(rows: Iterable[DivisionRow]) -> tuple[str, ...]:
    return tuple(sorted({row.same_as or row.id for row in rows}))


def choose_places(
    rows: Sequence[DivisionRow], level: str, place: TypedPlace, title: str
) -> tuple[str, ...]:
    """The canonical ids of the divisions a municipal or county claim names; one id when
    the text decides, several when it does not, none when nothing fits."""
    types = LOCAL_TYPES[level]
    fits = [row for row in rows if row.type in types and place.key in row_keys(row)]
    if len(fits) > 1:
        governed = [row for row in fits if row_kind(row) != "cdp"]  # a CDP has no government
        fits = governed or fits
    kind = place.kind or title_kind(title) or ("county" if level == "county" else None)
    if _contradicts(level, kind):  # a "County Commissioner" claiming a municipal office
        fits = [row for row in fits if _consolidated(row, rows)]
    if len(_canonical(fits)) > 1 and kind:
        same_kind = [row for row in fits if row_kind(row) == kind]
        fits = same_kind or fits
    if len(_canonical(fits)) > 1 and kind is None and level == "municipal":
        fits = _the_city(fits)
    if len(_canonical(fits)) > 1 and kind is None and level == "municipal":
        fits = _the_mayors_place(fits, title)
    return _canonical(fits)


# County subdivisions that have no mayor, by state: townships (governed by trustees or
# supervisors) everywhere but New Jersey, whose townships elect mayors; towns in New York,
# Wisconsin and Minnesota (supervisors, a chair). New England's towns and New Jersey's are
# left out: some of them do have mayors.
_MAYORLESS_TOWN_STATES = ("ny", "wi", "mn")
_MAYOR = re.compile(r"\bmayor\b")


def _the_mayors_place(fits: list[DivisionRow], title: str) -> list[DivisionRow]:
    """A mayor of "Granville", Ohio governs the village, not Granville township nested in
    Licking County: when the title is a mayor's and every other fit is a county
    subdivision that has no mayor, the one place that is not nested in a county is it."""
    if not _MAYOR.search(_plain(title)):
        return fits
    top = [row for row in fits if "/county:" not in row.id]
    others = [row for row in fits if row not in top]
    if len(top) == 1 and others and all(_mayorless(row) for row in others):
        return top
    return fits


def _mayorless(row: DivisionRow) -> bool:
    state = row.id.partition("/state:")[2][:2]
    kind = row_kind(row)
    if kind == "township":
        return state != "nj"
    return kind == "town" and state in _MAYORLESS_TOWN_STATES


COUNTY_KINDS = ("county", "parish")


def _contradicts(level: str, kind: str | None) -> bool:
    """The text names a county for a municipal office, or a city for a county office."""
    if level == "municipal":
        return kind in COUNTY_KINDS
    return level == "county" and kind is not None and kind not in (*COUNTY_KINDS, "borough")


def _consolidated(row: DivisionRow, rows: Sequence[DivisionRow]) -> bool:
    """A city that OCD says is its county, or a county that a city of it is: the only
    divisions that fit both a city's and a county's words (San Francisco, Denver)."""
    if row.same_as and any(f"/{kind}:" in row.same_as for kind in COUNTY_KINDS):
        return True
    return any(other.same_as == row.id for other in rows)


def _the_city(fits: list[DivisionRow]) -> list[DivisionRow]:
    """ "Madison" in Wisconsin is the city, not the town of Madison nested in Dane County:
    a lone city among county subdivisions is plainly the place. Villages and towns that
    are governments of their own (Hempstead, NY) are never preferred this way."""
    cities = [row for row in fits if row_kind(row) == "city"]
    others = [row for row in fits if row not in cities]
    if len(cities) == 1 and all("/county:" in row.id for row in others):
        return cities
    return fits


def read_school_district(title: str, jurisdiction: str) -> TypedPlace:
    """The words that name a school district: the jurisdiction's when it names one
    ("Minneapolis Public Schools"), else the title's ("Osborn School Board Member"), else
    the jurisdiction as a place ("Tempe")."""
    typed = _plain(jurisdiction)
    if _school_words(typed) != typed.split():
        return TypedPlace(typed, NAMED, tuple(_school_words(typed)))
    match = _BOARD_WORDS.search(_plain(title))
    if match:
        named = [w for w in _school_words(_plain(title)[: match.start()]) if w not in _ROLE_WORDS]
        if named:
            return TypedPlace(" ".join(named), NAMED, tuple(named))
    return TypedPlace(typed, None, tuple(_school_words(typed)))


def _school_words(text: str) -> list[str]:
    return [word for word in text.split() if word not in _SCHOOL_GENERIC]


def choose_school_districts(rows: Sequence[DivisionRow], place: TypedPlace) -> tuple[str, ...]:
    """Districts whose distinguishing words are the typed ones, give or take level words
    ("Osborn" is Osborn Elementary District). "Tempe" fits both Tempe School District and
    Tempe Union High School District, and so chooses neither."""
    wanted = set(place.words)
    if not wanted:
        return ()
    fits = []
    for row in rows:
        if row.type != "school_district":
            continue
        words = set(_school_words(_plain(row.name)))
        if wanted <= words and all(w in _SCHOOL_LEVEL or w.isdigit() for w in words - wanted):
            fits.append(row)
    if place.kind == NAMED:  # a district named in full may be one of several of its place
        exact = [row for row in fits if set(_school_words(_plain(row.name))) == wanted]
        fits = exact if len(exact) == 1 else fits
    return _canonical(fits)
