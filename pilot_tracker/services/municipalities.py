"""The municipality register: reading a register file and applying it."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from importlib import resources
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from pilot_tracker.extensions import db
from pilot_tracker.models import Municipality
from pilot_tracker.services import audit

REQUIRED_COLUMNS = (
    "code",
    "name_fi",
    "name_sv",
    "region_code",
    "region_fi",
    "population",
    "population_year",
)
OPTIONAL_COLUMNS = ("lat", "lon")
UPDATABLE = ("name_fi", "name_sv", "region_code", "region_name", "population", "population_year")


class RegisterFileError(ValueError):
    """The file is malformed; `problems` lists each one (line and column)."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


@dataclass
class ImportReport:
    """What an import changed."""

    added: list[str] = field(default_factory=list)
    changed: dict[str, dict[str, tuple[Any, Any]]] = field(default_factory=dict)
    unchanged: int = 0
    missing_from_file: list[str] = field(default_factory=list)


# Finnish and Swedish alphabets end in å, ä, ö (in that order), after z.
_LAST_LETTERS = str.maketrans({"å": "{0", "ä": "{1", "ö": "{2", "ü": "y", "é": "e"})


def name_order(name: str) -> str:
    """A sort key for municipality names in Finnish and Swedish alphabetical order."""
    return name.casefold().translate(_LAST_LETTERS)


def bundled_register_path() -> Path:
    """The register shipped inside the package (CC BY 4.0, see data/SOURCES.md)."""
    return Path(str(resources.files("pilot_tracker") / "data" / "municipalities.csv"))


def parse_register(text: str) -> list[dict[str, Any]]:
    """Rows of a register file, validated; raises RegisterFileError naming every problem."""
    if text.startswith("\ufeff"):
        text = text[1:]
    reader = csv.DictReader(io.StringIO(text))
    header = reader.fieldnames or []
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    if missing:
        raise RegisterFileError([f"missing column(s): {', '.join(missing)}"])
    problems: list[str] = []
    rows: list[dict[str, Any]] = []
    seen: set[str] = set()
    for line, raw in enumerate(reader, start=2):
        if None in raw:
            problems.append(f"line {line}: more fields than columns")
            continue
        values = {k: (raw.get(k) or "").strip() for k in header}
        code, region = values["code"], values["region_code"]
        _check_codes_and_names(line, values, seen, problems)
        seen.add(code)
        population = _int(values["population"])
        if population is None or population < 0:
            problems.append(
                f"line {line}, column population: {values['population']!r} is not a whole "
                "number of residents"
            )
        year = _int(values["population_year"])
        if year is None or not 1900 <= year <= 2100:
            problems.append(
                f"line {line}, column population_year: {values['population_year']!r} is not a year"
            )
        coords = _coordinates(line, values, problems)
        rows.append(
            {
                "code": code,
                "name_fi": values["name_fi"],
                "name_sv": values["name_sv"],
                "region_code": region,
                "region_name": values["region_fi"],
                "population": population,
                "population_year": year,
                **coords,
            }
        )
    if not rows and not problems:
        problems.append("the file has no rows")
    if problems:
        raise RegisterFileError(problems)
    return rows


def _check_codes_and_names(
    line: int, values: dict[str, str], seen: set[str], problems: list[str]
) -> None:
    """The row's code (3 digits, not in `seen`), names and region code; each problem
    appended to `problems`."""
    code = values["code"]
    if not (len(code) == 3 and code.isdigit()):
        problems.append(f"line {line}, column code: {code!r} is not a 3-digit code")
    elif code in seen:
        problems.append(f"line {line}, column code: {code} appears twice")
    for col in ("name_fi", "name_sv", "region_fi"):
        if not values[col]:
            problems.append(f"line {line}, column {col}: empty")
        elif len(values[col]) > 100:
            problems.append(f"line {line}, column {col}: longer than 100 characters")
    region = values["region_code"]
    if not (len(region) == 2 and region.isdigit()):
        problems.append(f"line {line}, column region_code: {region!r} is not a 2-digit code")


def _coordinates(
    line: int, values: dict[str, str], problems: list[str]
) -> dict[str, Decimal | None]:
    """The row's optional lat and lon (six decimals); a bad one appended to `problems`."""
    coords: dict[str, Decimal | None] = {}
    for col, limit in (("lat", 90), ("lon", 180)):
        coords[col] = None
        if values.get(col):
            try:
                coord = Decimal(values[col]).quantize(Decimal("0.000001"))
                coords[col] = coord
                if abs(coord) > limit:
                    raise InvalidOperation
            except InvalidOperation:
                problems.append(f"line {line}, column {col}: {values[col]!r} is not a coordinate")
    return coords


def _int(text: str) -> int | None:
    cleaned = text.replace(" ", "").replace("\u00a0", "")
    if not cleaned.isdigit():
        return None
    return int(cleaned)


def read_register_file(path: str | Path) -> list[dict[str, Any]]:
    """Read and validate a register file (UTF-8)."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise RegisterFileError([f"the file is not UTF-8 text ({exc.reason})"]) from exc
    except OSError as exc:
        raise RegisterFileError([f"cannot read the file: {exc.strerror}"]) from exc
    return parse_register(text)


def apply_register(rows: list[dict[str, Any]], dry_run: bool = False) -> ImportReport:
    """Add new municipalities and update changed ones, in one transaction; audited.

    Municipalities missing from the file are kept (pilots may refer to them) and reported.
    """
    report = ImportReport()
    existing = {m.code: m for m in db.session.scalars(sa.select(Municipality))}
    for row in rows:
        current = existing.get(row["code"])
        if current is None:
            report.added.append(row["code"])
            if not dry_run:
                municipality = Municipality(**row)
                db.session.add(municipality)
                audit.record("create", "municipality", row["code"], new=row)
            continue
        diff = {
            key: (getattr(current, key), row[key])
            for key in UPDATABLE
            if getattr(current, key) != row[key]
        }
        if diff:
            report.changed[row["code"]] = diff
            if not dry_run:
                audit.record(
                    "update",
                    "municipality",
                    row["code"],
                    old={k: v[0] for k, v in diff.items()},
                    new={k: v[1] for k, v in diff.items()},
                )
                for key, (_old, new) in diff.items():
                    setattr(current, key, new)
        else:
            report.unchanged += 1
    file_codes = {row["code"] for row in rows}
    report.missing_from_file = sorted(set(existing) - file_codes)
    if dry_run:
        db.session.rollback()
    else:
        db.session.commit()
    return report
