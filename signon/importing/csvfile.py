"""Reading an upstream CSV as published: UTF-8 (a BOM is tolerated), CRLF line endings,
a header row naming the columns. Rows that cannot be read are skipped with their line
number; the file's SHA-256 is computed as it is read."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterator
from pathlib import Path

from signon.importing.records import (
    PROGRESS_EVERY,
    UNSTORABLE,
    BadRecord,
    FirstLines,
    ImportRefused,
    Progress,
    SkipLog,
    Summary,
    decode,
    read_hashed,
)

Record = tuple[str | None, ...]


class CsvFile:
    """One CSV file, read once. `rows()` yields (line number, row) for well-formed rows;
    `index` maps each header name to its column."""

    def __init__(self, path: Path, required: tuple[str, ...], progress: Progress | None) -> None:
        data, self.sha256 = read_hashed(path)
        self.text, self.clean = decode(data)
        self.skipped = SkipLog()
        self.progress = progress
        # newline="" as the csv module wants: CRLF ends a row, a bare LF inside quotes is data.
        self._buffer = io.StringIO(self.text, newline="")
        self._reader = csv.reader(self._buffer)
        header = next(self._reader, None)
        if not header:
            raise ImportRefused(f"{path} is empty: a header row was expected.")
        self.index = {name.strip(): position for position, name in enumerate(header)}
        self.width = len(header)
        missing = [name for name in required if name not in self.index]
        if missing:
            raise ImportRefused(
                f"{path} lacks the column(s) {', '.join(missing)}: is it the upstream file?"
            )

    def rows(self) -> Iterator[tuple[int, list[str]]]:
        total, last_line, count = len(self.text), self._reader.line_num, 0
        while True:
            try:
                row = next(self._reader)
            except StopIteration:
                break
            except csv.Error as exc:
                self.skipped.add(f"line {last_line + 1}", f"unreadable CSV ({exc})")
                last_line = self._reader.line_num
                continue
            line, last_line = last_line + 1, self._reader.line_num
            count += 1
            if self.progress and count % PROGRESS_EVERY == 0:
                self.progress(self._buffer.tell(), total)
            if not row:
                continue  # a blank line: nothing to read, nothing lost
            if len(row) != self.width:
                self.skipped.add(f"line {line}", f"expected {self.width} columns, found {len(row)}")
                continue
            if not self.clean and UNSTORABLE.search("".join(row)):
                self.skipped.add(f"line {line}", "holds a NUL or bytes that are not UTF-8")
                continue
            yield line, row
        if self.progress:
            self.progress(total, total)


class KeyedRecords:
    """The records of a CSV file whose first value is a key listed once: `record` makes
    one from the `header` columns' values of a row; a row it refuses (BadRecord), or whose
    key an earlier line already listed, is skipped with its line number."""

    def __init__(
        self,
        path: Path,
        header: tuple[str, ...],
        progress: Progress | None,
        record: Callable[[list[str]], Record],
    ) -> None:
        self.source = str(path.resolve())
        self.file = CsvFile(path, header, progress)
        self.header = header
        self.record = record
        self.rows = 0

    def records(self) -> Iterator[Record]:
        positions = [self.file.index[name] for name in self.header]
        seen = FirstLines()
        for line, row in self.file.rows():
            try:
                record = self.record([row[position] for position in positions])
                seen.check(record[0] or "", line)
            except BadRecord as exc:
                self.file.skipped.add(f"line {line}", str(exc))
                continue
            self.rows += 1
            yield record

    def summary(self) -> Summary:
        return Summary(self.file.sha256, self.rows, tuple(self.file.skipped.items))
