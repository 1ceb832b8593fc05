"""Read and check one ingest directory: every problem is reported, none stops the reading.

A problem names the file, the line (1 is the header), the column and the reason, so that the
person who exported the data can fix it at the source.
"""

from __future__ import annotations

import codecs
import csv
import re
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from itertools import batched
from pathlib import Path

from ingest import normalise
from ingest.files import FILES, Column, FileSpec
from ingest.scratch import KeyTable

#: Joins the values of a file's unique columns into one key (a byte no checked value holds).
KEY_SEP = "\x1f"
#: Rows whose unique keys are looked up together.
UNIQUE_CHUNK = 5_000
#: Files larger than this are refused before they are read (bytes).
MAX_FILE_BYTES = 512 * 1024 * 1024
#: C0 and C1 control characters, which no value may hold once its whitespace is collapsed (a
#: tab or line break is a space by then): never data, they keep a record from being found
#: again by its quoted text (a merge suggestion's evidence), and ESC would drive the terminal
#: of an operator shown the value by the command line.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


@dataclass(frozen=True)
class Problem:
    file: str
    line: int
    column: str
    reason: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        col = f" [{self.column}]" if self.column else ""
        return f"{where}{col}: {self.reason}"

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass
class Record:
    """One checked row: normalised values by column, and where it came from."""

    file: str
    line: int
    values: dict[str, str]

    def __getitem__(self, key: str) -> str:
        return self.values.get(key, "")


@dataclass
class Batch:
    """What one directory holds once read: records by file name, and every problem found."""

    directory: Path
    records: dict[str, list[Record]] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    #: Keys of rows rejected while reading (case ids of cases.csv, case_id + person_ref of
    #: persons.csv): references to them are not reported a second time.
    rejected_keys: set[tuple[str, ...]] = field(default_factory=set)

    def rows(self, name: str) -> list[Record]:
        return self.records.get(name, [])

    @property
    def ok(self) -> bool:
        return not self.problems


def csv_files(directory: Path) -> tuple[list[tuple[Path, FileSpec]], list[Problem]]:
    """The directory's CSV files with their specs, in load order; unknown files are problems."""
    directory = Path(directory)
    if not directory.is_dir():
        return [], [Problem(str(directory), 0, "", "not a directory")]
    present = sorted(p for p in directory.iterdir() if p.suffix.lower() == ".csv")
    problems = []
    if not present:
        problems.append(Problem(str(directory), 0, "", "no CSV files to load"))
    found = {}
    for path in present:
        spec = FILES.get(path.name)
        if spec is None:
            known = ", ".join(FILES)
            problems.append(Problem(path.name, 0, "", f"unknown file; expected one of {known}"))
        else:
            found[spec.name] = (path, spec)
    return [found[name] for name in FILES if name in found], problems


def read_directory(directory: Path, max_bytes: int = MAX_FILE_BYTES) -> Batch:
    """Read every CSV file of ``directory`` into memory, checking each row (small batches, tests)."""
    batch = Batch(directory=Path(directory))
    files, batch.problems = csv_files(directory)
    for path, spec in files:
        records, problems = read_file(path, spec, max_bytes, batch.rejected_keys)
        batch.records[spec.name] = records
        batch.problems.extend(problems)
    return batch


def read_file(path: Path, spec: FileSpec, max_bytes: int = MAX_FILE_BYTES,
              rejected_keys: set[tuple[str, ...]] | None = None):
    """Return the file's checked records and its problems; note rejected rows' keys."""
    records: list[Record] = []
    problems: list[Problem] = []
    for item in check_file(path, spec, max_bytes, rejected_keys):
        (records if isinstance(item, Record) else problems).append(item)
    return records, problems


def check_file(path: Path, spec: FileSpec, max_bytes: int = MAX_FILE_BYTES,
               rejected_keys: set[tuple[str, ...]] | None = None,
               seen: KeyTable | None = None) -> Iterator[Record | Problem]:
    """Stream the file's rows: a checked :class:`Record` per good row, a :class:`Problem` per fault.

    Memory stays flat whatever the file's size: the keys of unique columns are kept in
    ``seen`` (an on-disk table, key columns joined by ``KEY_SEP`` -> first line) when given,
    else in memory.
    """
    size = path.stat().st_size
    if size > max_bytes:
        yield Problem(spec.name, 0, "", f"file is {size} bytes, over the limit of {max_bytes}")
        return
    bad_encoding = _encoding_problem(path, spec)
    if bad_encoding:
        yield bad_encoding
        return
    with path.open(encoding="utf-8-sig", newline="") as fh:
        reader = csv.reader(fh, strict=True)
        try:
            header = [h.strip() for h in next(reader)]
        except StopIteration:
            yield Problem(spec.name, 0, "", "file is empty; expected a header row")
            return
        except csv.Error as exc:
            yield Problem(spec.name, 1, "", f"header is not valid CSV: {exc}")
            return
        if not any(header):
            yield Problem(spec.name, 0, "", "file is empty; expected a header row")
            return
        header_problems = _check_header(spec, header)
        if header_problems:
            yield from header_problems
            return
        items = _check_rows(spec, reader, header, rejected_keys)
        if spec.unique:
            items = _unique(spec, items, seen)
        yield from items


def _check_rows(spec: FileSpec, reader, header: list[str],
                rejected_keys: set[tuple[str, ...]] | None) -> Iterator[Record | Problem]:
    checks = _column_checks(spec, header)
    width = len(header)
    try:
        for row in reader:
            line = reader.line_num
            if not "".join(row).strip():
                continue
            if len(row) != width:
                yield Problem(spec.name, line, "", f"{len(row)} fields, header has {width}")
                continue
            values, row_problems = _check_row(spec, line, row, checks)
            if row_problems:
                yield from row_problems
                if rejected_keys is not None:
                    rejected_keys.add(_row_key(spec, dict(zip(header, row, strict=True))))
                continue
            yield Record(spec.name, line, values)
    except csv.Error as exc:
        yield Problem(spec.name, reader.line_num, "", f"not valid CSV: {exc}")


def _unique(spec: FileSpec, items: Iterator[Record | Problem],
            seen: KeyTable | None) -> Iterator[Record | Problem]:
    """Report and drop each row repeating the unique columns of an earlier row. The keys are
    looked up in ``seen`` and stored there a chunk of rows at a time; without a table they
    are kept in a dict."""
    memo: dict[str, int] = {}
    for chunk in batched(items, UNIQUE_CHUNK):
        first = memo
        if seen is not None:
            keys = {_unique_key(spec, item) for item in chunk if isinstance(item, Record)}
            first = {k: int(v) for k, v in seen.get(keys).items()}
        new: list[tuple[str, str]] = []
        for item in chunk:
            if isinstance(item, Record):
                key = _unique_key(spec, item)
                if key in first:
                    cols = ", ".join(spec.unique)
                    values = tuple(item.values[c] for c in spec.unique)
                    yield Problem(spec.name, item.line, spec.unique[-1],
                                  f"duplicate {cols} {values}, first on line {first[key]}")
                    continue
                first[key] = item.line
                new.append((key, str(item.line)))
            yield item
        if seen is not None:
            seen.add(new)


def _unique_key(spec: FileSpec, record: Record) -> str:
    return KEY_SEP.join(record.values[c] for c in spec.unique)


def _encoding_problem(path: Path, spec: FileSpec) -> Problem | None:
    """Find the first byte that is not UTF-8, reading in chunks (the file may be large)."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    offset = newlines = 0
    with path.open("rb") as fh:
        while chunk := fh.read(1 << 20):
            try:
                decoder.decode(chunk)
            except UnicodeDecodeError as exc:
                line = newlines + chunk[: exc.start].count(b"\n") + 1
                return Problem(spec.name, line, "",
                               f"not UTF-8 ({exc.reason} at byte {offset + exc.start})")
            offset += len(chunk)
            newlines += chunk.count(b"\n")
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError as exc:
            return Problem(spec.name, newlines + 1, "", f"not UTF-8 ({exc.reason} at the end)")
    return None


def _row_key(spec: FileSpec, raw: dict[str, str]) -> tuple[str, ...]:
    case_id = (raw.get("case_id") or "").strip()
    if spec.name == "persons.csv":
        return ("person", case_id, (raw.get("person_ref") or "").strip())
    if spec.name == "cases.csv":
        return ("case", case_id)
    return ("row", spec.name)


def _check_header(spec: FileSpec, header: list[str]) -> list[Problem]:
    problems = []
    known = set(spec.column_names)
    for i, name in enumerate(header):
        if name in header[:i]:
            problems.append(Problem(spec.name, 1, name, "column appears twice"))
        elif name not in known:
            problems.append(
                Problem(spec.name, 1, name, f"unknown column; expected {', '.join(spec.column_names)}")
            )
    for col in spec.columns:
        if col.required and col.name not in header:
            problems.append(Problem(spec.name, 1, col.name, "required column is missing"))
    return problems


#: How one column of a file is checked, given its header: (name, position in the row or
#: None when the header lacks it, required, default, converter or None for plain text).
ColumnCheck = tuple[str, int | None, bool, str, Callable[[str, list[str]], str] | None]


def _column_checks(spec: FileSpec, header: list[str]) -> list[ColumnCheck]:
    """Each column's check, worked out once per file rather than once per cell."""
    where = {name: i for i, name in enumerate(header)}
    return [(col.name, where.get(col.name), col.required, col.default,
             _converter(col, where.get("country_hint"))) for col in spec.columns]


def _check_row(spec: FileSpec, line: int, row: list[str],
               checks: list[ColumnCheck]) -> tuple[dict[str, str], list[Problem]]:
    values: dict[str, str] = {}
    problems: list[Problem] = []
    suspect = not "".join(row).isprintable()  # spaces aside, few rows have any such character
    for name, index, required, default, convert in checks:
        value = " ".join(row[index].split()) if index is not None else ""
        if not value:
            if required:
                problems.append(Problem(spec.name, line, name, "required value is empty"))
            values[name] = default
            continue
        if suspect and (control := _CONTROL.search(value)):
            problems.append(Problem(spec.name, line, name,
                                    f"holds a control character (U+{ord(control.group()):04X}) "
                                    f"at position {control.start() + 1}"))
            continue
        if convert is None:
            values[name] = value
            continue
        try:
            values[name] = convert(value, row)
        except ValueError as exc:  # NormaliseError too
            problems.append(Problem(spec.name, line, name, str(exc)))
    return values, problems


def _converter(col: Column, hint_index: int | None) -> Callable[[str, list[str]], str] | None:
    """The function that checks and normalises a non-empty value of ``col`` (given the row,
    for a phone's country hint), raising ValueError with the reason; None for plain text."""
    if col.type == "date":
        return lambda value, row: normalise.normalise_date(value)
    if col.type == "country":
        return lambda value, row: normalise.normalise_country(value)
    if col.type == "phone":
        def phone(value: str, row: list[str]) -> str:
            hint = row[hint_index].strip() if hint_index is not None else ""
            return normalise.normalise_phone(value, hint or "SE")
        return phone
    if col.type == "int":
        def whole(value: str, row: list[str]) -> str:
            if not value.isdigit():
                raise ValueError(f"{value!r} is not a whole number")
            return str(int(value))
        return whole
    if col.type == "enum":
        choices = col.choices

        def enum(value: str, row: list[str]) -> str:
            folded = value.lower()
            if folded not in choices:
                raise ValueError(f"{value!r} is not one of {', '.join(choices)}")
            return folded
        return enum
    return None
