"""The counts-by-state tile map: one square per state and DC on a fixed grid (pure).

The template templates/_partials/tilemap.html draws it as inline SVG with presentation
attributes (the site's CSP forbids style attributes). Shades are steps of one blue ramp;
each shade comes with the text colour that keeps WCAG AA contrast (4.5:1) on it, and
tests/views/test_public.py checks those ratios.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

from signon.offices import STATES

# The usual US tile grid (column, row): Alaska and Hawaii in the corners, DC beside Maryland.
# One line per row of the map (fmt: skip), so the code reads as the grid it draws.
GRID: dict[str, tuple[int, int]] = {
    "AK": (0, 0), "ME": (10, 0),
    "VT": (9, 1), "NH": (10, 1),
    "WA": (0, 2), "ID": (1, 2), "MT": (2, 2), "ND": (3, 2), "MN": (4, 2), "IL": (5, 2),
    "WI": (6, 2), "MI": (7, 2), "NY": (8, 2), "RI": (9, 2), "MA": (10, 2),
    "OR": (0, 3), "NV": (1, 3), "WY": (2, 3), "SD": (3, 3), "IA": (4, 3), "IN": (5, 3),
    "OH": (6, 3), "PA": (7, 3), "NJ": (8, 3), "CT": (9, 3),
    "CA": (0, 4), "UT": (1, 4), "CO": (2, 4), "NE": (3, 4), "MO": (4, 4), "KY": (5, 4),
    "WV": (6, 4), "VA": (7, 4), "MD": (8, 4), "DE": (9, 4),
    "AZ": (1, 5), "NM": (2, 5), "KS": (3, 5), "AR": (4, 5), "TN": (5, 5), "NC": (6, 5),
    "SC": (7, 5), "DC": (8, 5),
    "OK": (3, 6), "LA": (4, 6), "MS": (5, 6), "AL": (6, 6), "GA": (7, 6),
    "HI": (0, 7), "TX": (3, 7), "FL": (8, 7),
}  # fmt: skip
COLUMNS = 11
ROWS = 8
TILE = 56  # the side of a square, in SVG units
GAP = 4

# (fill, text colour) from no signer to the most; text is dark on light tiles, white on dark.
SHADES: tuple[tuple[str, str], ...] = (
    ("#f2f2f2", "#1a1a1a"),
    ("#deebf7", "#1a1a1a"),
    ("#9ecae1", "#1a1a1a"),
    ("#2171b5", "#ffffff"),
    ("#08519c", "#ffffff"),
    ("#08306b", "#ffffff"),
)


@dataclass(frozen=True)
class Tile:
    code: str
    name: str
    count: int
    x: int
    y: int
    fill: str
    text_fill: str


@dataclass(frozen=True)
class TileMap:
    tiles: tuple[Tile, ...]
    width: int
    height: int
    # The text alternative: (code, name, count) of every state with signers, by name.
    listed: tuple[tuple[str, str, int], ...] = ()
    tile: int = TILE


def shade(count: int, highest: int) -> tuple[str, str]:
    """The fill and text colours for a count: 0 is grey, then five steps up to the highest."""
    if count <= 0 or highest <= 0:
        return SHADES[0]
    steps = len(SHADES) - 1
    return SHADES[max(1, min(steps, math.ceil(steps * count / highest)))]


def build_tilemap(by_state: Mapping[str, int]) -> TileMap:
    """Tiles for the 50 states and DC; territories with signers get a row of their own."""
    highest = max(by_state.values(), default=0)
    cells = dict(GRID)
    extra = [code for code in STATES if code not in GRID and by_state.get(code, 0) > 0]
    for column, code in enumerate(extra):
        cells[code] = (column, ROWS)
    rows = ROWS + (1 if extra else 0)
    tiles = []
    for code, (column, row) in cells.items():
        count = by_state.get(code, 0)
        fill, text_fill = shade(count, highest)
        tiles.append(
            Tile(
                code=code,
                name=STATES[code],
                count=count,
                x=column * (TILE + GAP),
                y=row * (TILE + GAP),
                fill=fill,
                text_fill=text_fill,
            )
        )
    listed = sorted(
        (code, STATES.get(code, code), count) for code, count in by_state.items() if count > 0
    )
    return TileMap(
        tiles=tuple(tiles),
        width=COLUMNS * (TILE + GAP) - GAP,
        height=rows * (TILE + GAP) - GAP,
        listed=tuple(sorted(listed, key=lambda row: row[1])),
    )


def contrast_ratio(first: str, second: str) -> float:
    """WCAG 2 contrast ratio of two #rrggbb colours."""

    def luminance(colour: str) -> float:
        channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
        linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

    light, dark = sorted((luminance(first), luminance(second)), reverse=True)
    return (light + 0.05) / (dark + 0.05)
