"""Load the 308 municipalities shipped in pilot_tracker/data (CC BY 4.0).

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-27

Reads the CSV itself with a frozen table definition rather than the app's models, so the
migration keeps working after the models change. Later register updates go through
`flask --app wsgi import-municipalities FILE`.
"""

import csv
from decimal import Decimal
from pathlib import Path

import sqlalchemy as sa
from alembic import op

import pilot_tracker

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

# Beside the package wherever it is installed (a wheel keeps migrations inside the package).
REGISTER = Path(pilot_tracker.__file__).resolve().parent / "data" / "municipalities.csv"

municipalities = sa.table(
    "municipalities",
    sa.column("code", sa.String),
    sa.column("name_fi", sa.String),
    sa.column("name_sv", sa.String),
    sa.column("region_code", sa.String),
    sa.column("region_name", sa.String),
    sa.column("population", sa.Integer),
    sa.column("population_year", sa.Integer),
    sa.column("lat", sa.Numeric(9, 6)),
    sa.column("lon", sa.Numeric(9, 6)),
)


def upgrade() -> None:
    with REGISTER.open(encoding="utf-8") as handle:
        rows = [
            {
                "code": row["code"],
                "name_fi": row["name_fi"],
                "name_sv": row["name_sv"],
                "region_code": row["region_code"],
                "region_name": row["region_fi"],
                "population": int(row["population"]),
                "population_year": int(row["population_year"]),
                "lat": Decimal(row["lat"]) if row["lat"] else None,
                "lon": Decimal(row["lon"]) if row["lon"] else None,
            }
            for row in csv.DictReader(handle)
        ]
    if len(rows) != 308:
        raise RuntimeError(f"expected 308 municipalities in {REGISTER}, found {len(rows)}")
    op.bulk_insert(municipalities, rows)


def downgrade() -> None:
    op.execute(municipalities.delete())
