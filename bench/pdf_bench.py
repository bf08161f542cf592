"""Time and memory of the letter PDF: the project's layout against a plain-table baseline.

    .venv/bin/python bench/pdf_bench.py                 # 1k, 5k and 20k signers
    .venv/bin/python bench/pdf_bench.py --sizes 1000 --repeat 5

Every measurement runs in a fresh process, so peak memory is that run's own: the peak RSS
of the largest process involved (the coordinator or any rendering worker, read with
getrusage after the workers have exited). "project" is signon.letter.pdf.render_letter with its
process pool already started (as in the web app, whose pool stays up); "cold" adds starting
the pool, as `signon export pdf` pays once. "baseline" is the same letter with the
signatories as one plain HTML table (name, title, jurisdiction, state), page numbers from
CSS, rendered by WeasyPrint in one process. The signers are fictional, spread over 50
states, with accented names; no database is involved.
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import subprocess
import sys
import time
from html import escape
from itertools import groupby
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from signon.letter import pdf
from signon.offices import STATES

FIRST = (
    "Ana",
    "María",
    "José",
    "Li",
    "Wei",
    "Oluwaseun",
    "Zoë",
    "Björn",
    "Siobhán",
    "Nguyễn",
    "Aleksandr",
    "Fatima",
    "John",
    "Mary",
    "Robert",
    "Patricia",
    "Kwame",
    "Priya",
)
LAST = (
    "Díaz",
    "Smith",
    "Johnson",
    "Nguyen",
    "García",
    "Müller",
    "O'Brien",
    "Kowalski",
    "Øverby",
    "Jackson",
    "Lee",
    "Martinez",
    "Okafor",
    "Patel",
    "Schwarzenegger-Whitfield",
)
TITLES = (
    "City Council Member",
    "Mayor",
    "County Commissioner",
    "State Representative",
    "State Senator",
    "School Board Member",
    "Alderperson",
    "Township Trustee",
)
PLACES = (
    "Saint Paul",
    "Milwaukee",
    "Dane County",
    "Springfield",
    "Lincoln",
    "Fairfax County",
    "Minneapolis Public Schools",
    "Ann Arbor",
    "Boise",
    "Santa Fe",
)
BODY = (
    "<p>We, the undersigned state and local elected officials, urge Congress to reject the "
    "EATS Act, which would strip states and localities of the power to set standards.</p>" * 6
)
FIFTY = [code for code in STATES if code not in ("DC", "AS", "GU", "MP", "PR", "VI")]


def signers(count: int) -> list[tuple[str, str, str, str]]:
    """(state name, name, title, jurisdiction), sorted as the letter prints them."""
    rng = random.Random(count)  # noqa: S311 - fictional data, the same on every run
    rows = [
        (
            STATES[rng.choice(FIFTY)],
            f"{rng.choice(FIRST)} {rng.choice(LAST)}",
            rng.choice(TITLES),
            rng.choice(PLACES),
        )
        for _ in range(count)
    ]
    return sorted(rows, key=lambda row: (row[0], row[1].split()[-1], row[1]))


def document(count: int) -> pdf.LetterDocument:
    groups = tuple(
        pdf.StateGroup(state, tuple(pdf.ListedSigner(*row[1:]) for row in rows))
        for state, rows in groupby(signers(count), key=lambda row: row[0])
    )
    return pdf.LetterDocument(
        "Reject the EATS Act",
        ("Local Progress", "State Innovation Exchange"),
        "November 25, 2026",
        ("Members of the United States Congress",),
        "Dear Members of Congress,",
        BODY,
        "Sincerely,",
        groups,
    )


BASELINE_CSS = """@page { size: letter; margin: 54pt 72pt 72pt;
  @bottom-center { content: "Page " counter(page) " of " counter(pages); font-size: 9pt } }
body { font-family: "Noto Serif", "DejaVu Serif", serif; font-size: 11pt }
table { border-collapse: collapse; width: 100%; font-size: 9.5pt; break-before: page }
td { padding: 1pt 3pt; border-bottom: .5pt solid #999 }"""


def baseline_html(doc: pdf.LetterDocument, rows: list[tuple[str, str, str, str]]) -> str:
    cells = "".join(
        f"<tr><td>{escape(name)}</td><td>{escape(title)}</td><td>{escape(place)}</td>"
        f"<td>{escape(state)}</td></tr>"
        for state, name, title, place in rows
    )
    return (
        f"<html><head><style>{BASELINE_CSS}</style></head><body>"
        f"<p>{escape(' · '.join(doc.sponsors))}</p><p>{doc.date_text}</p>"
        f"<h1>{escape(doc.title)}</h1>{doc.body_html}<table>{cells}</table></body></html>"
    )


def cpu_seconds() -> float:
    """CPU time of this process and its waited-for children: a figure other load barely moves."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def peak_mb() -> float:
    """The peak RSS of the largest process: this one or any waited-for child, in MB."""
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return max(own, children) / 1024


def measure_one(kind: str, count: int, parts: int) -> dict[str, object]:
    """One measurement, in this (fresh) process."""
    doc = document(count)
    if kind == "baseline":
        html = baseline_html(doc, signers(count))
        cpu, started = cpu_seconds(), time.perf_counter()
        content = pdf.render_html(html)
        seconds = time.perf_counter() - started
        return {
            "seconds": seconds,
            "cpu": cpu_seconds() - cpu,
            "peak_mb": peak_mb(),
            "bytes": len(content),
        }
    cpu, started = cpu_seconds(), time.perf_counter()
    executor = pdf.make_executor(parts)
    # Start every worker (and its warm-up) before the clock starts for the warm figure.
    list(executor.map(time.sleep, [0.2] * parts))
    warm = time.perf_counter()
    content = pdf.render_letter(doc, executor=executor, parts=parts)
    done = time.perf_counter()
    executor.shutdown(wait=True)
    return {
        "seconds": done - warm,
        "cold_seconds": done - started,
        # All processes, pool start-up and warm-up included.
        "cpu": cpu_seconds() - cpu,
        "peak_mb": peak_mb(),
        "bytes": len(content),
        "pages": len(pdf.paginate(doc)) + 1,
    }


def run(kind: str, count: int, parts: int) -> dict[str, object]:
    output = subprocess.run(  # noqa: S603 - this script, with our own arguments
        [sys.executable, __file__, "--one", kind, str(count), "--parts", str(parts)],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return json.loads(output.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1000,5000,20000")
    parser.add_argument("--repeat", type=int, default=3, help="Runs of the project's layout.")
    parser.add_argument("--baseline-repeat", type=int, default=1)
    parser.add_argument("--parts", type=int, default=pdf.WORKERS, help="Rendering processes.")
    parser.add_argument("--no-baseline", action="store_true")
    parser.add_argument("--one", nargs=2, metavar=("KIND", "COUNT"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(measure_one(args.one[0], int(args.one[1]), args.parts)))
        return
    print(f"{args.parts} rendering processes; times: best / median of the runs")
    print(
        "| signers | pages | project | cold | CPU | peak RSS "
        "| baseline | CPU | peak RSS | speed-up | memory |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for count in (int(size) for size in args.sizes.split(",")):
        ours = _runs("project", count, args.parts, args.repeat)
        best, median = ours[0], ours[len(ours) // 2]
        peak = max(r["peak_mb"] for r in ours)
        line = (
            f"| {count:,} | {best['pages']} | {best['seconds']:.2f} / {median['seconds']:.2f} s"
            f" | {best['cold_seconds']:.2f} s | {best['cpu']:.1f} s"
            f" | {peak:.0f} MB"
        )
        if args.no_baseline:
            print(line + " | | | | | |")
            continue
        base = _runs("baseline", count, 1, args.baseline_repeat)[0]
        speed, memory = base["seconds"] / best["seconds"], base["peak_mb"] / peak
        print(
            f"{line} | {base['seconds']:.1f} s | {base['cpu']:.1f} s | {base['peak_mb']:.0f} MB"
            f" | {speed:.1f}× | {memory:.1f}× |",
            flush=True,
        )


def _runs(kind: str, count: int, parts: int, repeat: int) -> list[dict]:
    return sorted((run(kind, count, parts) for _ in range(repeat)), key=lambda r: r["seconds"])


if __name__ == "__main__":
    main()
