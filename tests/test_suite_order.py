"""The order in which `make test` hands modules to its workers (tests/conftest.py): every
module named in SLOW_MODULES exists (a renamed one would quietly fall back to the end), and
the collected tests start with them, slowest first, each module's tests kept together."""

from __future__ import annotations

import pytest

from tests.conftest import ROOT, SLOW_MODULES, _slowest_modules_first


def test_every_slow_module_exists_once() -> None:
    assert len(set(SLOW_MODULES)) == len(SLOW_MODULES)
    missing = [name for name in SLOW_MODULES if not (ROOT / name).is_file()]
    assert not missing, f"SLOW_MODULES names modules that are gone: {missing}"


class _Item:
    def __init__(self, name: str, n: int) -> None:
        self.path = ROOT / name
        self.n = n


def test_slow_modules_go_first_then_the_others_by_their_number_of_tests() -> None:
    items = [
        _Item("tests/test_few.py", 1),
        _Item(SLOW_MODULES[1], 1),
        _Item("tests/test_many.py", 1),
        _Item("tests/test_many.py", 2),
        _Item(SLOW_MODULES[0], 1),
        _Item(SLOW_MODULES[1], 2),
    ]
    ordered = _slowest_modules_first(items)  # type: ignore[arg-type]
    assert [(item.path.relative_to(ROOT).as_posix(), item.n) for item in ordered] == [
        (SLOW_MODULES[0], 1),
        (SLOW_MODULES[1], 1),
        (SLOW_MODULES[1], 2),
        ("tests/test_many.py", 1),
        ("tests/test_many.py", 2),
        ("tests/test_few.py", 1),
    ]


def test_this_run_starts_with_the_slow_modules(request: pytest.FixtureRequest) -> None:
    collected = [item.path.relative_to(ROOT).as_posix() for item in request.session.items]
    first = list(dict.fromkeys(collected))
    expected = [name for name in SLOW_MODULES if name in first]
    assert first[: len(expected)] == expected
