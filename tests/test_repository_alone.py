"""The suite runs from this repository alone: no test reads a file outside it."""

from __future__ import annotations

import re
from pathlib import Path

TESTS = Path(__file__).resolve().parent
# A path into `../shared` (`"../shared"`, `parents[2] / "shared"`, `shared/data/...`) or any
# climb above the repository's root (tests/ is parents[0], the root parents[1]).
OUTSIDE = re.compile(
    r"""["']\.\./shared|parents\[\d\]\s*/\s*["']shared|shared/data/|parents\[[3-9]\]"""
)


def test_no_test_reads_outside_the_repository() -> None:
    offenders = [
        f"{path.relative_to(TESTS)}:{number}"
        for path in TESTS.rglob("*.py")
        if path != Path(__file__).resolve()
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if OUTSIDE.search(line) and not line.lstrip().startswith("#")
    ]
    assert offenders == []


def test_test_data_comes_with_its_sources() -> None:
    sources = (TESTS / "data" / "SOURCES.md").read_text(encoding="utf-8")
    for data_file in sorted((TESTS / "data").glob("*.csv")):
        assert f"## {data_file.name}" in sources
