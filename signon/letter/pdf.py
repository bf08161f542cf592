"""The letter as a PDF (SPEC section 6): plain data in, bytes out. Never touches the database.

Speed comes from laying the signatory list out ourselves before WeasyPrint sees it: each
line's width is measured with the body font's advance widths, so the list is cut into pages
in Python. Every list page is then an independent block, which lets a long list be rendered
in parallel processes in chunks of whole pages (no half-empty page where chunks meet) and
merged with pypdf; "Page N of M" is stamped on the merged file, so numbering is right
whatever the chunking. Runs of one-line entries are one `white-space: pre-line` paragraph
(one text box for WeasyPrint instead of one box per signer: about three times faster).

The renderer fetches nothing from the network: its URL fetcher serves only files under
static/ and refuses everything else (http, file:// elsewhere, data:).
"""

from __future__ import annotations

import io
import logging
import math
import mimetypes
import multiprocessing
import os
import threading
import unicodedata
from collections.abc import Sequence
from concurrent.futures import Executor, ProcessPoolExecutor
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from signon import settings

log = logging.getLogger(__name__)

STATIC_DIR = settings.PROJECT_DIR / "static"
# Geometry of a list page, in points; static/pdf.css uses the same numbers.
PAGE_WIDTH, PAGE_HEIGHT = 612.0, 792.0
MARGIN_TOP, MARGIN_BOTTOM, MARGIN_SIDE = 54.0, 72.0, 72.0
LIST_FONT_PT, LINE_PT = 9.5, 12.0
HANGING_INDENT_PT = 18.0
# Lines (units of LINE_PT) a list page holds, less half a line for rounding.
PAGE_UNITS = (PAGE_HEIGHT - MARGIN_TOP - MARGIN_BOTTOM) / LINE_PT - 0.5
SECTION_UNITS = 3.0  # the "Signatories" title on the first list page
HEADING_UNITS = 2.0  # a state heading: a blank line, then the name
# A line drawn partly in a fallback font (CJK, Devanagari) is up to 5% taller than LINE_PT.
FALLBACK_LINE_UNITS = 1.25
# Below this many list pages, one process renders everything: merging costs more than it saves.
MIN_PAGES_TO_SPLIT = 8
# The letter itself weighs about this many list pages when chunks are balanced.
LETTER_WEIGHT = 1.5
FONT_FAMILIES = (("Noto Serif", "NotoSerif-Regular.ttf"), ("DejaVu Serif", "DejaVuSerif.ttf"))
FONT_DIRS = (Path("/usr/share/fonts"), Path("/usr/local/share/fonts"))
WORKERS = max(1, min(4, os.cpu_count() or 1))


@dataclass(frozen=True)
class ListedSigner:
    name: str
    title: str
    jurisdiction: str

    def line(self) -> str:
        """ "Name, Title, Jurisdiction" on one line, whatever whitespace was typed."""
        parts = (" ".join(part.split()) for part in (self.name, self.title, self.jurisdiction))
        return ", ".join(part for part in parts if part)


@dataclass(frozen=True)
class StateGroup:
    name: str
    signers: tuple[ListedSigner, ...]


@dataclass(frozen=True)
class LetterDocument:
    title: str
    sponsors: tuple[str, ...]
    date_text: str
    addressee_lines: tuple[str, ...]
    salutation: str
    body_html: str  # sanitized when saved (signon/markdown.py); never what a signer typed
    sign_off: str
    groups: tuple[StateGroup, ...]

    @property
    def total(self) -> int:
        return sum(len(group.signers) for group in self.groups)


@dataclass(frozen=True)
class Block:
    """A piece of a list page: a heading, a run of one-line entries, or a wrapping entry."""

    kind: str  # "heading", "continued", "lines", "wrap", "total", "empty"
    text: str = ""
    lines: tuple[str, ...] = ()
    top: bool = False


ListPage = tuple[Block, ...]


@cache
def body_font() -> tuple[str, dict[str, float]]:
    """The body font's family name and its advance widths in em, by character.

    The first installed family of FONT_FAMILIES is named first in the PDF's CSS, so the
    widths measured here are those WeasyPrint lays out with. No font file found: a generic
    serif and no widths (every character then counts as wide).
    """
    from fontTools.ttLib import TTFont

    for family, filename in FONT_FAMILIES:
        for folder in FONT_DIRS:
            found = sorted(folder.rglob(filename)) if folder.is_dir() else []
            if found:
                with TTFont(found[0], lazy=True) as font:
                    advances, per_em = font["hmtx"].metrics, font["head"].unitsPerEm
                    widths = {
                        chr(code): advances[glyph][0] / per_em
                        for code, glyph in font.getBestCmap().items()
                    }
                return family, widths
    return "serif", {}


def measure(text: str) -> tuple[float, bool]:
    """(width in points at the list's font size, whether a fallback font is needed)."""
    _family, widths = body_font()
    text = unicodedata.normalize("NFC", text)
    # Characters the body font lacks come from fallback fonts: count them a full em wide.
    em = sum(widths.get(char, 1.0) for char in text)
    return em * LIST_FONT_PT, not widths.keys() >= set(text)


LINE_WIDTH_PT = PAGE_WIDTH - 2 * MARGIN_SIDE


def entry_units(text: str) -> tuple[float, bool]:
    """How many lines an entry takes on a list page, and whether it wraps."""
    width, fallback = measure(text)
    per_line = FALLBACK_LINE_UNITS if fallback else 1.0
    # Kerning and shaping only narrow a line; the 3% margin covers rounding.
    if width <= LINE_WIDTH_PT * 0.97:
        return per_line, False
    # Word wrapping leaves ragged ends: count lines as if each were only 85% full.
    lines = 1 + math.ceil(
        (width - LINE_WIDTH_PT * 0.85) / ((LINE_WIDTH_PT - HANGING_INDENT_PT) * 0.85)
    )
    return lines * per_line, True


class _Paginator:
    """Cuts the signatory list into pages of at most PAGE_UNITS lines."""

    def __init__(self) -> None:
        self.pages: list[ListPage] = []
        self.blocks: list[Block] = []
        self.run: list[str] = []
        self.used = SECTION_UNITS

    def _flush_run(self) -> None:
        if self.run:
            self.blocks.append(Block("lines", lines=tuple(self.run)))
            self.run = []

    def new_page(self) -> None:
        self._flush_run()
        self.pages.append(tuple(self.blocks))
        self.blocks, self.used = [], 0.0

    def add(self, block: Block, units: float) -> None:
        if block.kind == "lines":
            self.run.extend(block.lines)
        else:
            self._flush_run()
            self.blocks.append(block)
        self.used += units

    def group(self, group: StateGroup) -> None:
        entries = [(signer.line(), *entry_units(signer.line())) for signer in group.signers]
        # A heading never ends a page: it moves to the next one with its first two signers.
        opening = HEADING_UNITS + sum(units for _text, units, _wraps in entries[:2])
        for index, (text, units, wraps) in enumerate(entries):
            entry = Block("wrap", text) if wraps else Block("lines", lines=(text,))
            if index == 0:
                if self.used + opening > PAGE_UNITS and self.used > 0:
                    self.new_page()
                top = self.used == 0
                self.add(Block("heading", group.name, top=top), 1.0 if top else HEADING_UNITS)
            elif self.used + units > PAGE_UNITS:
                self.new_page()
                self.add(Block("continued", f"{group.name} (continued)", top=True), 1.0)
            self.add(entry, units)

    def finish(self, total_text: str) -> list[ListPage]:
        if self.used + HEADING_UNITS > PAGE_UNITS:
            self.new_page()
        self.add(Block("total", total_text), HEADING_UNITS)
        self._flush_run()
        self.pages.append(tuple(self.blocks))
        return self.pages


def total_text(total: int) -> str:
    return f"Total: {total:,} signator{'y' if total == 1 else 'ies'}"


def paginate(doc: LetterDocument) -> list[ListPage]:
    paginator = _Paginator()
    for group in doc.groups:
        paginator.group(group)
    if not doc.total:
        paginator.add(Block("empty", "No verified signatories yet."), 1.0)
    return paginator.finish(total_text(doc.total))


def _chunks(pages: list[ListPage], parts: int) -> list[list[ListPage]]:
    """Contiguous runs of pages of about equal weight; the first also carries the letter."""
    if parts <= 1 or len(pages) < MIN_PAGES_TO_SPLIT:
        return [pages]
    target = (len(pages) + LETTER_WEIGHT) / parts
    chunks: list[list[ListPage]] = [[]]
    weight = LETTER_WEIGHT
    for page in pages:
        if weight >= target * len(chunks) and len(chunks) < parts:
            chunks.append([])
        chunks[-1].append(page)
        weight += 1
    return chunks


def document_html(doc: LetterDocument, pages: Sequence[ListPage], *, with_letter: bool) -> str:
    """One part's HTML: the letter (first part only) and its share of the list pages."""
    from signon.web.templating import templates

    family, _widths = body_font()
    return templates.env.get_template("pdf/letter.html").render(
        doc=doc, pages=pages, with_letter=with_letter, font_family=family
    )


@cache
def _fetcher_class() -> type:
    # Defined on first use: importing WeasyPrint takes a second the web tier need not pay.
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    static_root = STATIC_DIR.resolve()

    class StaticFilesOnly(URLFetcher):
        """Serves files under static/ and refuses every other URL (SPEC section 6)."""

        def __init__(self) -> None:
            super().__init__(allowed_protocols=("file",), allow_redirects=False)
            self.refused: list[str] = []

        def fetch(self, url: str, headers: Any = None) -> URLFetcherResponse:
            path = static_path(url, static_root)
            if path is None:
                self.refused.append(url)
                log.warning("The PDF renderer refused to fetch %s", url[:200])
                raise ValueError("Only the project's static files can be used in a PDF")
            mime_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
            return URLFetcherResponse(url, path.read_bytes(), {"Content-Type": mime_type})

    return StaticFilesOnly


def static_path(url: str, static_root: Path) -> Path | None:
    """The file under static_root that a file: URL names, or None for anything else."""
    from urllib.parse import unquote, urlsplit

    parts = urlsplit(url)
    if parts.scheme != "file" or parts.netloc not in ("", "localhost") or parts.query:
        return None
    path = Path(unquote(parts.path)).resolve()
    if not path.is_relative_to(static_root) or not path.is_file():
        return None
    return path


def make_fetcher() -> Any:
    return _fetcher_class()()


def render_html(html: str, fetcher: Any = None) -> bytes:
    """Render one part with WeasyPrint. Runs in a worker process for large letters."""
    from weasyprint import HTML

    base_url = STATIC_DIR.resolve().as_uri() + "/"
    fetcher = fetcher or make_fetcher()
    return HTML(string=html, base_url=base_url, url_fetcher=fetcher).write_pdf()


# Times-Roman advance widths (per 1000 em) of the characters of "Page 12 of 34".
_FOOTER_WIDTHS = {" ": 250, "P": 556, "a": 444, "g": 500, "e": 444, "o": 500, "f": 333}
FOOTER_FONT_PT = 9.0


def _footer_stream(text: str, page_width: float) -> bytes:
    width = sum(_FOOTER_WIDTHS.get(char, 500) for char in text) * FOOTER_FONT_PT / 1000
    x = (page_width - width) / 2
    return f"Q q BT /SignonFooter {FOOTER_FONT_PT:g} Tf {x:.2f} 36 Td ({text}) Tj ET Q\n".encode()


def assemble(parts: Sequence[bytes], *, title: str, author: str) -> bytes:
    """Merge the parts in order and stamp "Page N of M" at the foot of every page.

    The footer is real text in the standard Times-Roman font (no embedding needed), drawn
    after each page's own content, which is wrapped in q/Q so its transformations (WeasyPrint
    flips the y axis) do not apply to it.
    """
    from pypdf import PdfReader, PdfWriter
    from pypdf.generic import ArrayObject, DictionaryObject, NameObject

    writer = PdfWriter()
    for part in parts:
        writer.append(PdfReader(io.BytesIO(part)))
    font = _add(writer, _footer_font())
    opening = _add(writer, _stream(b"q\n"))
    count = len(writer.pages)
    for number, page in enumerate(writer.pages, start=1):
        resources = page.setdefault(NameObject("/Resources"), DictionaryObject()).get_object()
        fonts = resources.setdefault(NameObject("/Font"), DictionaryObject()).get_object()
        fonts[NameObject("/SignonFooter")] = font
        footer = _stream(_footer_stream(f"Page {number} of {count}", float(page.mediabox.width)))
        contents = page[NameObject("/Contents")]
        existing = contents.get_object()
        own = list(existing) if isinstance(existing, ArrayObject) else [contents]
        page[NameObject("/Contents")] = ArrayObject([opening, *own, _add(writer, footer)])
    writer.add_metadata({"/Title": title, "/Author": author, "/Producer": "Signon"})
    output = io.BytesIO()
    writer.write(output)
    return output.getvalue()


def _add(writer: Any, obj: Any) -> Any:
    return writer._add_object(obj)  # pypdf has no public call to add a shared object


def _stream(data: bytes) -> Any:
    from pypdf.generic import DecodedStreamObject

    stream = DecodedStreamObject()
    stream.set_data(data)
    return stream


def _footer_font() -> Any:
    from pypdf.generic import DictionaryObject, NameObject

    return DictionaryObject(
        {
            NameObject("/Type"): NameObject("/Font"),
            NameObject("/Subtype"): NameObject("/Type1"),
            NameObject("/BaseFont"): NameObject("/Times-Roman"),
            NameObject("/Encoding"): NameObject("/WinAnsiEncoding"),
        }
    )


def render_letter(
    doc: LetterDocument, *, executor: Executor | None = None, parts: int = 1
) -> bytes:
    """The whole letter as PDF bytes.

    With an executor, every part renders there (never in the calling thread), `parts` of
    them in parallel for a long list; without one, in this process, one part.
    """
    chunks = _chunks(paginate(doc), parts if executor else 1)
    htmls = [document_html(doc, chunk, with_letter=i == 0) for i, chunk in enumerate(chunks)]
    if executor is None:
        rendered = [render_html(html) for html in htmls]
    else:
        rendered = list(executor.map(render_html, htmls))
    return assemble(rendered, title=doc.title, author=", ".join(doc.sponsors))


def _warm_up() -> None:
    """Worker start: import WeasyPrint and load the fonts once, not on the first request."""
    sample = LetterDocument(
        "Warm-up", ("Signon",), "", (), "", "<p><strong>Á</strong> á</p>", "", ()
    )
    render_html(document_html(sample, paginate(sample), with_letter=True))


def make_executor(workers: int = WORKERS) -> ProcessPoolExecutor:
    """A pool of rendering processes (spawned: forking a process with threads is unsafe)."""
    return ProcessPoolExecutor(
        max_workers=workers,
        mp_context=multiprocessing.get_context("spawn"),
        initializer=_warm_up,
        # A fresh process now and then hands memory back after a very long letter.
        max_tasks_per_child=200,
    )


class RenderPool:
    """A process's rendering processes: started on first use (most web processes never
    render a PDF, and spawning them costs seconds), shut down by their owner
    (signon/state.py: the app's lifespan, or the CLI command that rendered)."""

    def __init__(self, workers: int = WORKERS) -> None:
        self.workers = workers
        self._pool: ProcessPoolExecutor | None = None
        self._lock = threading.Lock()  # renders are driven from worker threads

    def executor(self) -> ProcessPoolExecutor:
        with self._lock:
            if self._pool is None:
                self._pool = make_executor(self.workers)
            return self._pool

    def reset(self) -> None:
        """Drop a broken pool (a worker was killed); the next render starts a new one."""
        with self._lock:
            pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(wait=False, cancel_futures=True)

    def shutdown(self) -> None:
        """Stop the processes, waiting for renders in progress. Blocks: call it in a thread."""
        with self._lock:
            pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)
