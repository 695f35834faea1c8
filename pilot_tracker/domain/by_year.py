"""Spreading planned money over calendar years (PRODUCT.md, "By year").

A pilot's planned net cost is spread over the calendar years from its planned start to its
planned end, both days included, in proportion to the days in each year; in cents by the
largest-remainder rule, ties to the earlier year. A municipality's share is spread the same
way (its share first, then its years), so its years always add up to its share.
"""

from __future__ import annotations

from datetime import date

from pilot_tracker.domain.errors import DomainError


class SpreadError(DomainError):
    """Dates or an amount that cannot be spread (an end before the start, a negative sum)."""


def days_by_year(start: date, end: date) -> dict[int, int]:
    """The number of days of [start, end] (both included) in each calendar year."""
    if end < start:
        raise SpreadError("spread_end_before_start")
    if start.year == end.year:
        return {start.year: (end - start).days + 1}
    days = {start.year: (date(start.year, 12, 31) - start).days + 1}
    for year in range(start.year + 1, end.year):
        days[year] = (date(year + 1, 1, 1) - date(year, 1, 1)).days
    days[end.year] = (end - date(end.year, 1, 1)).days + 1
    return days


def spread_by_year(cents: int, start: date, end: date) -> dict[int, int]:
    """`cents` spread over the calendar years of [start, end] by days, to the cent.

    Every year first gets the floor of its exact share; the cents left over go one each to
    the largest remainders, ties to the earlier year. The years add up to `cents` exactly.
    """
    if cents < 0:
        raise SpreadError("spread_negative")
    days = days_by_year(start, end)
    if len(days) == 1:
        return {start.year: cents}
    total = sum(days.values())
    shares: dict[int, int] = {}
    remainders: list[tuple[int, int]] = []
    for year, n in days.items():
        share, remainder = divmod(cents * n, total)
        shares[year] = share
        remainders.append((-remainder, year))
    left = cents - sum(shares.values())
    if left:
        remainders.sort()  # the largest remainder first, then the earlier year
        for _, year in remainders[:left]:
            shares[year] += 1
    return shares


def add_years(into: dict[int, int], years: dict[int, int]) -> None:
    """Add a spread to a running total by year (in place)."""
    for year, cents in years.items():
        into[year] = into.get(year, 0) + cents
