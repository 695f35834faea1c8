"""axe-core on every main page as the coordinator, the vendor and signed out, in Finnish,
Swedish and English: the other half of test_axe.py's scan plan (its docstring says what is
scanned and why), in a module of its own so that it runs beside the first half."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.e2e.conftest import Demo
from tests.e2e.test_axe import PAGES, ROLES, check_role, plan, tabs  # noqa: F401 (fixture)

OTHERS = tuple(role for role in PAGES if role not in ROLES)


def test_the_two_modules_scan_every_role_once() -> None:
    assert set(OTHERS) | set(ROLES) == set(PAGES) and not set(OTHERS) & set(ROLES)
    assert sorted(plan(OTHERS) + plan(ROLES)) == sorted(plan())


@pytest.mark.parametrize(("role", "lang"), plan(OTHERS))
def test_every_page_passes_axe_wcag_a_and_aa(
    tabs: Callable[[str], list[Any]],  # noqa: F811
    demo: Demo,
    role: str,
    lang: str,
) -> None:
    check_role(tabs, demo, role, lang)
