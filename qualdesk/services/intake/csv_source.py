"""Reading the CSV files people actually have: BOM or none, Excel's cp1252, UTF-16 text
exports, comma / semicolon / tab delimiters; anything else is refused with a clear reason."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

from qualdesk.errors import InvalidInput

DELIMITERS = (",", ";", "\t", "|")


@dataclass(frozen=True)
class Table:
    """A CSV's header and its records; ``rows[i]`` is spreadsheet row ``numbers[i]``."""

    headers: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    numbers: tuple[int, ...]
    encoding: str
    delimiter: str
    name: str = ""

    def __len__(self) -> int:
        return len(self.rows)


def read_table(path: Path | str) -> Table:
    p = Path(path)
    try:
        data = p.read_bytes()
    except FileNotFoundError:
        raise InvalidInput(f"{p}: no such file") from None
    except IsADirectoryError:
        raise InvalidInput(f"{p}: is a folder, not a CSV file") from None
    except OSError as exc:
        raise InvalidInput(f"{p}: cannot be read ({exc.strerror})") from None
    return parse_table(data, p.name)


def parse_table(data: bytes, name: str = "file") -> Table:
    _refuse_non_text(data, name)
    text, encoding = decode(data)
    if not text.strip():
        raise InvalidInput(f"{name}: the file is empty (expected a header row and lead rows)")
    delimiter = sniff_delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        records = list(reader)
    except csv.Error as exc:
        raise InvalidInput(f"{name}: not readable as CSV (line {reader.line_num}: {exc})") from None
    # Leading blank lines are not the header; a spreadsheet still counts them as rows.
    first = 0
    while first < len(records) and not any(c.strip() for c in records[first]):
        first += 1
    headers = tuple(h.strip() for h in records[first])
    _check_headers(headers, name)
    rows: list[tuple[str, ...]] = []
    numbers: list[int] = []
    width = len(headers)
    for i, rec in enumerate(records[first + 1:], start=first + 2):
        if not any(c.strip() for c in rec):
            continue  # a blank line: nothing to import, numbering still counts it
        cells = tuple(rec[:width]) + ("",) * (width - len(rec))
        if len(rec) > width and any(c.strip() for c in rec[width:]):
            cells = tuple(rec)  # the row parser reports the extra cells
        rows.append(cells)
        numbers.append(i)
    return Table(headers, tuple(rows), tuple(numbers), encoding, delimiter, name)


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
    if b"\x00" in head and not head.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise InvalidInput(f"{name}: binary data, not a CSV text file")


def decode(data: bytes) -> tuple[str, str]:
    """UTF-16 (with BOM), else UTF-8 with or without BOM, else Excel's Windows-1252."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16"), "utf-16"
    try:
        return data.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252"), "cp1252"
    except UnicodeDecodeError:
        # cp1252 leaves five bytes undefined; Latin-1 maps every byte.
        return data.decode("latin-1"), "latin-1"


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
