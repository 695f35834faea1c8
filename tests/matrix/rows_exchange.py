"""Rows for the exchange blueprint: exports for every signed-in role, import for editors."""

from tests.matrix import LOGIN, Row, outcomes

SIGNED_IN = outcomes(LOGIN, 200, 200, 200, 200, 200, 200)
EDITORS_ONLY = outcomes(LOGIN, 403, 403, 403, 403, 200, 200)

ROWS = [
    Row("/export", "GET", "/export?stage=piloting", SIGNED_IN),
    Row("/export/<sheet>.csv", "GET", "/export/pilots.csv", SIGNED_IN),
    Row("/export/portfolio.xlsx", "GET", "/export/portfolio.xlsx", SIGNED_IN),
    Row("/import", "GET", "/import", EDITORS_ONLY),
    # Without a file the form comes back with its error (200); nothing is imported.
    Row("/import", "POST", "/import", EDITORS_ONLY, form={}),
    Row("/import/run", "POST", "/import/run", EDITORS_ONLY, form={}),
]
