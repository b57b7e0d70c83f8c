"""Reading the CSV files people actually have: BOM or none, Excel's cp1252, UTF-16 text
exports, comma / semicolon / tab delimiters; anything else is refused with a clear reason.

Honest about every byte:
- the encoding is decided once, from the whole file, up front: UTF-16 by its BOM; UTF-8
  when it decodes as UTF-8; Windows-1252 (Excel's) only when the file holds *no* UTF-8 at
  all, and then with a warning naming it. A UTF-8 file with one bad byte is refused with
  the line and byte offset: one byte never turns a whole file into mojibake;
- a quote that is never closed swallows the rows after it into one cell: the rows it
  swallowed are read again line by line and reported as bad rows (``Table.read_problems``:
  the line where the quote opened, its column and value, how many rows it swallowed), so
  an import refuses the file or, skipping bad rows, imports the rest and lists them;
- NUL bytes inside cells (no database text can hold one) are removed with a warning
  naming the rows and columns, on every engine alike;
- the rows are streamed from the file, never held: ``Table.rows`` reads the file again
  each time it is walked, so an import's memory does not grow with the row count.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from itertools import islice
from pathlib import Path
from typing import IO, Any

from qualdesk.errors import InvalidInput, RowProblem

DELIMITERS = (",", ";", "\t", "|")
_CHUNK = 1 << 20
# A valid UTF-8 sequence of two or more bytes: a file with even one of these is UTF-8.
_UTF8_MULTI = re.compile(rb"[\xc2-\xdf][\x80-\xbf]|\xe0[\xa0-\xbf][\x80-\xbf]"
                         rb"|[\xe1-\xec\xee\xef][\x80-\xbf]{2}|\xed[\x80-\x9f][\x80-\xbf]"
                         rb"|\xf0[\x90-\xbf][\x80-\xbf]{2}|[\xf1-\xf3][\x80-\xbf]{3}"
                         rb"|\xf4[\x80-\x8f][\x80-\xbf]{2}")
_CP1252_UNDEFINED = frozenset(b"\x81\x8d\x8f\x90\x9d")
Opener = Callable[[], IO[bytes]]
Record = tuple[str, ...]


class FileRows(Sequence[Record]):
    """A table's rows, read from the file each time they are walked (not kept in memory)."""

    def __init__(self, walk: Callable[[], Iterator[tuple[int, Record]]], count: int) -> None:
        self._walk, self._count = walk, count

    def numbered(self) -> Iterator[tuple[int, Record]]:
        return self._walk()

    def __len__(self) -> int:
        return self._count

    def __iter__(self) -> Iterator[Record]:
        return (cells for _, cells in self._walk())

    def __getitem__(self, index: Any) -> Any:
        if isinstance(index, slice):
            start, stop, step = index.indices(self._count)
            return tuple(islice(iter(self), start, stop, step))
        if index < 0:
            index += self._count
        if not 0 <= index < self._count:
            raise IndexError(index)
        return next(islice(iter(self), index, None))


class _Numbers(Sequence[int]):
    def __init__(self, rows: FileRows) -> None:
        self._rows = rows

    def __len__(self) -> int:
        return len(self._rows)

    def __iter__(self) -> Iterator[int]:
        return (n for n, _ in self._rows.numbered())

    def __getitem__(self, index: Any) -> Any:
        return tuple(self)[index]


@dataclass(frozen=True)
class Swallowed:
    """A quote opened on line ``first`` (in ``column``) and never closed: the cell ran on
    to line ``last``, swallowing the rows on ``rows`` (their line numbers; ``texts``: how
    each of those lines begins, to recognise it by)."""

    first: int
    last: int
    column: str
    value: str
    rows: tuple[int, ...]
    texts: tuple[str, ...] = ()

    def summary(self) -> str:
        n = len(self.rows)
        return (f"Row {self.first}: a quotation mark opened in the {self.column!r} cell is "
                f"never closed, so the {n} row{'s' if n != 1 else ''} after it (rows "
                f"{self.first + 1}-{self.last}) were read into that one cell")

    def problems(self) -> Iterator[RowProblem]:
        yield RowProblem(self.first, self.column, self.value,
                         f"line {self.first}: a quotation mark opened in this cell is never "
                         f"closed, so it swallowed the {len(self.rows)} row(s) after it "
                         f"(lines {self.first + 1}-{self.last}) into this one cell; add the "
                         "closing quotation mark and import again")
        for row, text in zip(self.rows, self.texts or ("",) * len(self.rows), strict=True):
            yield RowProblem(row, "(whole row)", text,
                             f"read into row {self.first}'s {self.column!r} cell by the "
                             f"quotation mark left open there (line {self.first}); not "
                             "imported on its own")


@dataclass(frozen=True)
class Table:
    """A CSV's header and its records; ``rows[i]`` is spreadsheet row ``numbers[i]``.

    ``warnings``: what reading changed or assumed (an encoding named, NULs removed)."""

    headers: tuple[str, ...]
    rows: Sequence[Record]
    numbers: Sequence[int]
    encoding: str
    delimiter: str
    name: str = ""
    warnings: tuple[str, ...] = field(default=())
    swallowed: tuple[Swallowed, ...] = field(default=())

    @property
    def read_problems(self) -> dict[int, RowProblem]:
        """{row: problem} for the rows reading found bad (those an open quote swallowed)."""
        return {p.row: p for sw in self.swallowed for p in sw.problems()}

    def __len__(self) -> int:
        return len(self.rows)

    def numbered(self) -> Iterator[tuple[int, Record]]:
        """(spreadsheet row, cells) in file order, in one pass."""
        if isinstance(self.rows, FileRows):
            return self.rows.numbered()
        return zip(self.numbers, self.rows, strict=True)

    def with_rows(self, change: Callable[[Record], Record], headers: tuple[str, ...]) -> Table:
        """This table under ``headers``, each record changed by ``change`` as it is read
        (streamed like the file's own rows, never held)."""
        rows = FileRows(lambda: ((n, change(cells)) for n, cells in self.numbered()), len(self))
        return replace(self, headers=headers, rows=rows, numbers=_Numbers(rows))


def read_table(path: Path | str) -> Table:
    p = Path(path)
    try:
        with p.open("rb"):
            pass
    except FileNotFoundError:
        raise InvalidInput(f"{p}: no such file") from None
    except IsADirectoryError:
        raise InvalidInput(f"{p}: is a folder, not a CSV file") from None
    except OSError as exc:
        raise InvalidInput(f"{p}: cannot be read ({exc.strerror})") from None
    return _table(lambda: p.open("rb"), p.name)


def _table(opener: Opener, name: str) -> Table:
    with opener() as fh:
        head = fh.read(64 * 1024)
    _refuse_non_text(head, name)
    encoding, warnings = detect_encoding(opener, name)
    delimiter = sniff_delimiter(_first_text(opener, encoding))
    scan = _Scan(opener, encoding, delimiter, name)
    headers, count = scan.first_pass()
    _check_headers(headers, name)
    rows = FileRows(scan.rows, count)
    label = "utf-8" if encoding == "utf-8-sig" else encoding
    return Table(headers, rows, _Numbers(rows), label, delimiter, name,
                 (*warnings, *scan.nul_warnings()), tuple(scan.swallowed.values()))


def _refuse_non_text(data: bytes, name: str) -> None:
    if data[:4] == b"PK\x03\x04":
        raise InvalidInput(f"{name}: this is an Excel workbook or another zip file, not CSV; "
                           "save it as 'CSV UTF-8 (comma delimited)' and import that")
    if data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        raise InvalidInput(f"{name}: this is an old Excel (.xls) workbook, not CSV; "
                           "save it as 'CSV UTF-8 (comma delimited)' and import that")
    if data[:5] == b"%PDF-":
        raise InvalidInput(f"{name}: this is a PDF, not a CSV file")
    head = data[:4096]
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return
    # Text with a stray NUL in a cell is still text (its NULs are removed with a warning);
    # a head full of NULs and control bytes is a binary file.
    controls = sum(1 for b in head if b < 9 or 13 < b < 32)
    if b"\x00" in head and controls * 50 > len(head):
        raise InvalidInput(f"{name}: binary data, not a CSV text file")


def detect_encoding(opener: Opener, name: str) -> tuple[str, tuple[str, ...]]:
    """The file's one encoding, from all of its bytes (see the module doc)."""
    with opener() as fh:
        first = fh.read(4)
        if first.startswith((b"\xff\xfe", b"\xfe\xff")):
            return "utf-16", ()
        fh.seek(0)
        decoder = codecs.getincrementaldecoder("utf-8")("strict")
        offset, line, bad_at, bad_line, bad_byte, multi, high_bytes = 0, 1, -1, 0, 0, False, set()
        while chunk := fh.read(_CHUNK):
            if bad_at < 0:
                try:
                    decoder.decode(chunk)
                except UnicodeDecodeError as exc:
                    bad_at = offset + exc.start
                    bad_line = line + chunk.count(b"\n", 0, exc.start)
                    bad_byte = chunk[exc.start]
            multi = multi or bool(_UTF8_MULTI.search(chunk))
            high_bytes.update(b for b in set(chunk) if b >= 0x80)
            line += chunk.count(b"\n")
            offset += len(chunk)
        if bad_at < 0:
            try:
                decoder.decode(b"", final=True)
            except UnicodeDecodeError:
                bad_at, bad_line, bad_byte = offset - 1, line, 0
    if bad_at < 0:
        return "utf-8-sig", ()
    if multi:
        raise InvalidInput(
            f"{name}: line {bad_line}, byte {bad_at}: 0x{bad_byte:02x} is not valid UTF-8, "
            "but the rest of the file is UTF-8, so no other encoding was guessed; nothing "
            "was imported: fix that line (or save the file again as 'CSV UTF-8') and import again")
    if high_bytes & _CP1252_UNDEFINED:
        return "latin-1", ("the file is not UTF-8 and holds bytes Windows-1252 does not "
                           "define: it was read as Latin-1 (ISO-8859-1); check accented "
                           "letters, or save it as 'CSV UTF-8' and import again",)
    return "cp1252", ("the file is not UTF-8: it was read as Windows-1252 (Excel's encoding); "
                      "check accented letters, or save it as 'CSV UTF-8' and import again",)


def _text(fh: IO[bytes], encoding: str) -> io.TextIOWrapper:
    return io.TextIOWrapper(fh, encoding=encoding, newline="", errors="strict")


def _first_text(opener: Opener, encoding: str) -> str:
    with opener() as fh, _text(fh, encoding) as t:
        for line in t:
            if line.strip():
                return line
    return ""


class _Scan:
    """The CSV records of one file, read in one streaming pass each time."""

    def __init__(self, opener: Opener, encoding: str, delimiter: str, name: str) -> None:
        self.opener, self.encoding, self.delimiter, self.name = opener, encoding, delimiter, name
        self.width = 0
        self.nuls: dict[str, list[int]] = {}
        self.swallowed: dict[int, Swallowed] = {}

    def _records(self) -> Iterator[tuple[int, int, list[str], list[str]]]:
        """(first line, last line, cells, text lines) of every record, blank ones included.

        The text lines are those of this record only (``csv.reader`` reads a record's
        lines and none further); the list is reused for the next record."""
        held: list[str] = []
        with self.opener() as fh, _text(fh, self.encoding) as t:
            reader = csv.reader(_holding(t, held), delimiter=self.delimiter)
            start = 1
            try:
                for rec in reader:
                    yield start, reader.line_num, rec, held
                    held.clear()
                    start = reader.line_num + 1
            except csv.Error as exc:
                raise InvalidInput(f"{self.name}: not readable as CSV (line {reader.line_num}: "
                                   f"{exc})") from None
            except UnicodeDecodeError as exc:
                raise InvalidInput(f"{self.name}: not valid {self.encoding} text ({exc.reason} "
                                   f"near line {reader.line_num})") from None

    def first_pass(self) -> tuple[tuple[str, ...], int]:
        """The header, the number of rows (a swallowing record counts as its lines)."""
        headers: tuple[str, ...] | None = None
        count = 0
        for first, last, rec, lines in self._records():
            if headers is None:
                if any(c.strip() for c in rec):
                    headers = tuple(h.replace("\x00", "").strip() for h in rec)
                    self.width = len(headers)
                continue
            if not any(c.strip() for c in rec):
                continue
            if last > first and (sw := self._swallowing(first, last, rec, lines, headers)):
                self.swallowed[first] = sw
                count += len(sw.rows)
            for i, c in enumerate(rec):
                if "\x00" in c:
                    col = headers[i] if i < len(headers) and headers[i] else f"column {i + 1}"
                    self.nuls.setdefault(col, []).append(first)
            count += 1
        if headers is None:
            raise InvalidInput(f"{self.name}: the file is empty (expected a header row and "
                               "lead rows)")
        return headers, count

    def _swallowing(self, first: int, last: int, rec: list[str], lines: list[str],
                    headers: tuple[str, ...]) -> Swallowed | None:
        """A cell whose continuation lines mostly look like whole rows is a quote left
        open (a real multi-line cell, an address say, has lines with fewer delimiters)."""
        if self.width < 2:
            return None
        for i, cell in enumerate(rec):
            cont = cell.split("\n")[1:]
            rowlike = [ln for ln in cont if ln.count(self.delimiter) >= self.width - 1]
            if cont and len(rowlike) * 2 >= len(cont):
                column = headers[i] if i < len(headers) and headers[i] else f"column {i + 1}"
                kept = [(first + k, ln.rstrip("\r\n")) for k, ln in enumerate(lines)
                        if k and ln.strip()]
                value = cell.split("\n")[0].rstrip("\r")
                return Swallowed(first, last, column, value[:80], tuple(n for n, _ in kept),
                                 tuple(_short(text) for _, text in kept))
        return None

    def rows(self) -> Iterator[tuple[int, Record]]:
        seen_header = False
        for first, _last, rec, lines in self._records():
            if not any(c.strip() for c in rec):
                continue  # a blank line: nothing to import, numbering still counts it
            if not seen_header:
                seen_header = True
                continue
            if first not in self.swallowed:
                yield first, self._cells(rec)
                continue
            # Each line the open quote swallowed, read on its own (for the rejects file).
            for k, line in enumerate(lines):
                if line.strip():
                    cells = next(csv.reader([line.rstrip("\r\n")], delimiter=self.delimiter))
                    yield first + k, self._cells(cells)

    def _cells(self, rec: list[str]) -> Record:
        width = self.width
        if any("\x00" in c for c in rec):
            rec = [c.replace("\x00", "") for c in rec]
        if len(rec) > width and any(c.strip() for c in rec[width:]):
            return tuple(rec)  # the row parser reports the extra cells
        return tuple(rec[:width]) + ("",) * (width - len(rec))

    def nul_warnings(self) -> tuple[str, ...]:
        out = []
        for col, rows in self.nuls.items():
            shown = ", ".join(str(r) for r in rows[:8]) + (
                f" and {len(rows) - 8} more" if len(rows) > 8 else "")
            out.append(f"row{'s' if len(rows) > 1 else ''} {shown}: NUL bytes removed from "
                       f"{col!r} (no database can store them)")
        return tuple(out)


def _short(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[:limit - 1] + "…"


def _holding(lines: Iterator[str], held: list[str]) -> Iterator[str]:
    for line in lines:
        held.append(line)
        yield line


def sniff_delimiter(text: str) -> str:
    """The candidate that splits the header line most (quotes respected)."""
    first_line = next((ln for ln in text.splitlines() if ln.strip()), "")
    best, best_n = ",", 0
    for d in DELIMITERS:
        try:
            n = len(next(csv.reader([first_line], delimiter=d))) - 1
        except (csv.Error, StopIteration):
            continue
        if n > best_n:
            best, best_n = d, n
    return best


def _check_headers(headers: tuple[str, ...], name: str) -> None:
    if not any(headers):
        raise InvalidInput(f"{name}: the first row is empty; it must name the columns")
    seen: set[str] = set()
    for h in headers:
        key = h.lower()
        if key and key in seen:
            raise InvalidInput(f"{name}: column {h!r} appears twice in the header row")
        seen.add(key)
