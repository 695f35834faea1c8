"""Decision-support benchmark: similar-pilot lookup and scale-up projection at scale.

    .venv/bin/python -m bench.decision_support --db sqlite --pilots 10000
    .venv/bin/python -m bench.decision_support --db postgresql --pilots 10000

The portfolio comes from bench/run.py's generator (same pilots, participations, KPIs,
measurements and decisions); its names and summaries are then rewritten as realistic Finnish
pilot texts (a theme's typical names, inflected and compound forms, place names), because
the generator's identical summaries would make every text search trivially cheap or
trivially expensive. The database's own triggers (SQLite) and expression indexes
(PostgreSQL) keep the text search in step with those updates, as they do in the app.

Measured through Flask's test client (server time, no network), signed in as a coordinator:
the similar pilots of a pilot (GET /api/v1/pilots/<id>/similar), the new-pilot form's lookup
(GET /pilots/similar?name=&summary=&theme=), the projection onto the region, the country and
a set of codes (GET /api/v1/pilots/<id>/projection), and the pilot page with both sections.
Each is warmed up, then timed over several pilots and queries (median and 95th percentile);
SQL queries are counted on the 10 000-pilot and on a 100-pilot portfolio (they must be equal).

Prints a table and writes bench/results/decision-support-<db>-<pilots>.json. The databases
are kept (SQLite bench/results/bench-ds-<n>.db, PostgreSQL kokeilu_bench_ds_<n>); `--reuse`
measures them again without generating.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import statistics
import sys
import time
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from flask import Flask

from bench import run as base

RESULTS = base.RESULTS
TARGET_MS = 50.0
SEED = 20261128

# Typical names of each theme's pilots, as Finnish municipalities write them: compounds and
# inflected forms, so that the search has to do what it does for real users.
NAMES: dict[str, list[str]] = {
    "transport_optimisation": [
        "Kotihoidon ajoreittien optimointi",
        "Koulukuljetusten reittisuunnittelu",
        "Kuljetusten yhdistely",
        "Asiointiliikenteen kutsupalvelu",
        "Jätehuollon reittien optimointi",
        "Ateriakuljetusten reititys",
    ],
    "permits": [
        "Sähköiset lupapalvelut",
        "Rakennuslupien sähköinen haku",
        "Lupahakemusten käsittely verkossa",
        "Ympäristölupien seuranta",
        "Maa-aineslupien sähköinen asiointi",
    ],
    "facility_booking": [
        "Tilavaraus verkossa",
        "Sähköinen tilavarausjärjestelmä",
        "Liikuntatilojen varauspalvelu",
        "Kokoustilojen ja laitteiden varaus",
        "Koulujen tilojen iltakäyttö",
    ],
    "feedback": [
        "Asiakaspalautteen keruu",
        "Palautekanava kuntalaisille",
        "Asukaskyselyt mobiilisti",
        "Palautteen käsittelyn automatisointi",
    ],
    "e_services": [
        "Sähköinen asiointi",
        "Digitaalinen asiointipalvelu",
        "Neuvontabotti asiakaspalveluun",
        "Ajanvaraus verkossa",
    ],
    "customer_data": [
        "Asiakastietojen hallinta",
        "Asiakasrekisterien yhdistäminen",
        "Asiakkuudenhallinnan järjestelmä",
    ],
    "geodata": [
        "Paikkatietojen yhteiskäyttö",
        "Kantakartan ajantasaistus",
        "Kolmiulotteinen kaupunkimalli",
        "Osoitetietojen hallinta",
    ],
    "property_management": [
        "Kiinteistöjen energianhallinta",
        "Kiinteistönhoidon järjestelmä",
        "Sisäilman seuranta antureilla",
        "Kunnossapidon sähköinen huoltokirja",
    ],
    "mobile_work": [
        "Mobiilityö kotihoidossa",
        "Liikkuvan työn sovellus",
        "Mobiilikirjaukset kentältä",
    ],
    "other": [
        "Tekoäly asiakaspalvelussa",
        "Ohjelmistorobotiikka taloushallinnossa",
        "Etäpalvelupisteet kirjastoihin",
        "Avoimen datan julkaisu",
    ],
}
SUMMARIES: dict[str, list[str]] = {
    "transport_optimisation": [
        "Reitit suunnitellaan automaattisesti päivittäin.",
        "Ajokilometrit ja polttoainekulut vähenevät.",
        "Kuljettajien työvuorot ja ajoneuvojen käyttö tehostuvat.",
    ],
    "permits": [
        "Hakemukset jätetään ja käsitellään sähköisesti.",
        "Lupakäsittelyn läpimenoaika lyhenee.",
        "Hakijat näkevät hakemuksensa tilan verkossa.",
    ],
    "facility_booking": [
        "Kuntien tilojen varaus ja maksu verkossa.",
        "Vapaat vuorot näkyvät kalenterissa reaaliajassa.",
        "Avainten luovutus korvataan sähköisellä kulunvalvonnalla.",
    ],
    "feedback": [
        "Palautteet kootaan yhteen järjestelmään.",
        "Kuntalaiset saavat vastauksen palautteeseensa nopeammin.",
    ],
    "e_services": [
        "Asiointi onnistuu ympäri vuorokauden.",
        "Yleisimmät kysymykset hoituvat ilman jonotusta.",
    ],
    "customer_data": [
        "Asiakastiedot yhdistetään eri palveluista.",
        "Tietosuoja ja käyttöoikeudet hallitaan keskitetysti.",
    ],
    "geodata": [
        "Paikkatiedot jaetaan kuntien kesken rajapinnoilla.",
        "Kartta-aineistot pysyvät ajan tasalla.",
    ],
    "property_management": [
        "Rakennusten kulutustiedot kerätään automaattisesti.",
        "Huoltotarpeet ennakoidaan mittausten perusteella.",
    ],
    "mobile_work": [
        "Työntekijät kirjaavat tiedot suoraan mobiililaitteella.",
        "Paperityö ja päällekkäinen kirjaaminen vähenevät.",
    ],
    "other": [
        "Rutiinitehtävät automatisoidaan.",
        "Kokeilussa selvitetään uuden teknologian hyödyt.",
    ],
}
# What users type into the new-pilot form: inflected and compound forms of real themes.
FORM_QUERIES = [
    ("Tilavarausjärjestelmä kouluille", "Koulujen liikuntatilojen varausten hallinta verkossa"),
    ("Lupapalvelujen sähköistäminen", "Rakennuslupahakemusten käsittely sähköisesti"),
    ("Kotihoidon reittien suunnittelu", "Ajoreittien optimointi ja kuljetusten yhdistely"),
    ("Asiakaspalautejärjestelmä", "Palautteiden keruu ja käsittely yhdessä paikassa"),
    ("Kiinteistöjen energiankulutuksen seuranta", "Sisäilma- ja energia-anturit kouluihin"),
]


def rewrite_texts(app: Flask, seed: int = SEED) -> None:
    """Give every generated pilot a realistic name and summary of its theme (one UPDATE per
    pilot in a single transaction; the text search follows through triggers or indexes)."""
    from pilot_tracker.extensions import db

    rng = random.Random(seed)
    with app.app_context():
        rows = db.session.execute(
            sa.text(
                "SELECT p.id, p.theme, m.name_fi, m.region_name FROM pilots p "
                "JOIN municipalities m ON m.code = p.lead_municipality_code ORDER BY p.id"
            )
        ).all()
        updates = []
        for pilot_id, theme, place, region in rows:
            name = rng.choice(NAMES[theme])
            suffix = rng.random()
            if suffix < 0.4:
                name = f"{name} – {place}"
            elif suffix < 0.6:
                name = f"{name}, {region}"
            summary = " ".join(rng.sample(SUMMARIES[theme], k=min(2, len(SUMMARIES[theme]))))
            updates.append({"id": pilot_id, "name": name, "summary": summary})
        progress = base.Progress("rewrite texts", len(updates))
        with db.engine.begin() as conn:
            for chunk in base._chunks(updates, base.BATCH):
                conn.execute(
                    sa.text("UPDATE pilots SET name = :name, summary = :summary WHERE id = :id"),
                    chunk,
                )
                progress.advance(len(chunk))
        progress.close()
    base._analyze(app)


def prepare(kind: str, pilots: int, reuse: bool, pg_url: str) -> Flask:
    """A migrated database with the portfolio, generated unless reused."""
    from flask_migrate import upgrade

    from pilot_tracker.extensions import db
    from pilot_tracker.models import Pilot

    app = base.make_app(base.database_url(kind, pilots, reuse, pg_url, tag="ds"))
    with app.app_context():
        upgrade()
        existing = db.session.execute(sa.select(sa.func.count(Pilot.id))).scalar()
    if reuse and existing:
        print(f"== {kind}: {pilots:,} pilots (reusing)", file=sys.stderr)
        base._analyze(app)
        return app
    print(f"== {kind}: {pilots:,} pilots (generating)", file=sys.stderr)
    base.generate(app, pilots)
    rewrite_texts(app)
    return app


# --- measuring ---------------------------------------------------------------------------


@dataclass
class Case:
    """One operation, requested at several paths (different pilots or queries)."""

    name: str
    paths: list[str]
    bearer: bool = False
    actor: str = "coordinator"


@dataclass
class Result:
    name: str
    example: str
    median_ms: float
    p95_ms: float
    cpu_median_ms: float
    queries: int
    queries_small: int | None
    ok: bool | None  # None: shown for information, no target of its own


def _sample_pilots(app: Flask, count: int) -> list[int]:
    """Pilots spread over the portfolio (every theme, several sizes)."""
    from pilot_tracker.extensions import db
    from pilot_tracker.models import Pilot

    with app.app_context():
        ids = list(db.session.scalars(sa.select(Pilot.id).order_by(Pilot.id)))
    step = max(1, len(ids) // count)
    return ids[::step][:count]


def _busiest_vendor(app: Flask) -> int:
    """The vendor with the most pilots: the benchmark's vendor user works for it."""
    from pilot_tracker.extensions import db
    from pilot_tracker.models import Pilot

    with app.app_context():
        return int(
            db.session.execute(
                sa.select(Pilot.vendor_id)
                .where(Pilot.vendor_id.is_not(None))
                .group_by(Pilot.vendor_id)
                .order_by(sa.func.count().desc(), Pilot.vendor_id)
                .limit(1)
            ).scalar_one()
        )


def _vendor_pilots(app: Flask, count: int) -> list[int]:
    from pilot_tracker.extensions import db
    from pilot_tracker.models import Pilot

    vendor = _busiest_vendor(app)
    with app.app_context():
        return list(
            db.session.scalars(
                sa.select(Pilot.id).where(Pilot.vendor_id == vendor).order_by(Pilot.id).limit(count)
            )
        )


def cases(app: Flask, samples: int) -> list[Case]:
    """The operations to measure, each over `samples` pilots or form queries."""
    from urllib.parse import urlencode

    pilots = _sample_pilots(app, samples)
    own = _vendor_pilots(app, samples)
    form = [
        "/pilots/similar?" + urlencode({"name": name, "summary": summary})
        for name, summary in (FORM_QUERIES * samples)[:samples]
    ]
    return [
        Case("similar (API)", [f"/api/v1/pilots/{p}/similar" for p in pilots], bearer=True),
        Case(
            "similar (API, as a vendor)",
            [f"/api/v1/pilots/{p}/similar" for p in own],
            bearer=True,
            actor="vendor",
        ),
        Case("similar (new-pilot form)", form),
        Case(
            "projection region (API)",
            [f"/api/v1/pilots/{p}/projection?scope=region" for p in pilots],
            bearer=True,
        ),
        Case(
            "projection national (API)",
            [f"/api/v1/pilots/{p}/projection?scope=national" for p in pilots],
            bearer=True,
        ),
        Case(
            "projection codes (API)",
            [f"/api/v1/pilots/{p}/projection?codes=091,049,837,853,564" for p in pilots],
            bearer=True,
        ),
        Case("pilot page (both sections)", [f"/pilots/{p}" for p in pilots]),
    ]


def _clients(app: Flask) -> tuple[Any, dict[str, dict[str, str]]]:
    """A signed-in browser client (a coordinator) and bearer headers of a coordinator and
    of a vendor's user (made here once)."""
    from pilot_tracker.domain.enums import Role
    from pilot_tracker.extensions import db
    from pilot_tracker.models import User
    from pilot_tracker.services.tokens import create_token
    from pilot_tracker.services.users import create_user

    client = base._signed_in_client(app)
    headers = {}
    vendor = _busiest_vendor(app)
    with app.app_context():
        vendor_email = f"bench-vendor-{vendor}@bench.example"
        if db.session.scalars(sa.select(User).where(User.email == vendor_email)).first() is None:
            create_user(vendor_email, Role.VENDOR, "bench password 2026", vendor_id=vendor)
        for actor, email in (
            ("coordinator", "bench-coordinator@bench.example"),
            ("vendor", vendor_email),
        ):
            user = db.session.scalars(sa.select(User).where(User.email == email)).one()
            headers[actor] = {"Authorization": f"Bearer {create_token(user, name='bench')[1]}"}
    return client, headers


def _count(statements: list[str]) -> int:
    return len([s for s in statements if s.lstrip().split(None, 1)[0].upper() in base.SQL_VERBS])


def measure(app: Flask, todo: list[Case], rounds: int) -> dict[str, dict[str, Any]]:
    """Median and p95 over every path of a case × rounds; queries of the first path."""
    client, bearer = _clients(app)
    out: dict[str, dict[str, Any]] = {}
    for case in todo:
        headers = bearer[case.actor] if case.bearer else {}

        def fetch(path: str, headers: dict[str, str] = headers) -> None:
            response = client.get(path, headers=headers)
            if response.status_code != 200:
                raise RuntimeError(f"{path} answered {response.status_code}")
            response.get_data()

        for path in case.paths[:3]:
            fetch(path)
        counts = []
        for path in case.paths:
            with base.count_queries() as statements:
                fetch(path)
            counts.append(_count(statements))
        timings, cpu = [], []
        for _ in range(rounds):
            for path in case.paths:
                started, started_cpu = time.perf_counter(), time.process_time()
                fetch(path)
                timings.append((time.perf_counter() - started) * 1000)
                cpu.append((time.process_time() - started_cpu) * 1000)
        out[case.name] = {
            "example": case.paths[0],
            "median_ms": statistics.median(timings),
            "p95_ms": base._percentile(timings, 0.95),
            "cpu_median_ms": statistics.median(cpu),
            "queries": max(counts),
            "queries_min": min(counts),
            "timings": len(timings),
        }
    return out


def report(
    kind: str, pilots: int, small: int, results: list[Result], timed: int, load: float
) -> str:
    """The printed table."""
    head = (
        f"Decision-support benchmark: {kind}, {pilots:,} pilots; {timed} timed requests per "
        f"row (several pilots or form queries; server time, test client); load average "
        f"{load:.2f} on {os.cpu_count()} CPUs"
    )
    columns = (
        f"{'operation':<28} {'median ms':>9} {'p95 ms':>7} {'cpu ms':>7} {'target':>7} "
        f"{'q@' + str(small):>6} {'q@' + str(pilots):>8}  ok"
    )
    lines = [head, "", columns, "-" * len(columns)]
    for r in results:
        small_q = "–" if r.queries_small is None else str(r.queries_small)
        lines.append(
            f"{r.name:<28} {r.median_ms:>9.1f} {r.p95_ms:>7.1f} {r.cpu_median_ms:>7.1f} "
            f"{'–' if r.ok is None else '≤' + str(int(TARGET_MS)):>7} "
            f"{small_q:>6} {r.queries:>8}  {'–' if r.ok is None else 'yes' if r.ok else 'NO'}"
        )
    lines.append("")
    lines.append(
        f"Target (issue 9): median ≤ {TARGET_MS:.0f} ms for the lookup and the projection, "
        "the same number of queries at both sizes (and for every pilot of a row). The pilot "
        "page row is for information: it holds the whole page. cpu ms: this process's CPU "
        "time per request (median; SQLite's work included, PostgreSQL's not)."
    )
    return "\n".join(lines)


def run(args: argparse.Namespace) -> dict[str, Any]:
    """Generate (unless reused), measure, print, write JSON."""
    big = prepare(args.db, args.pilots, args.reuse, args.pg_url)
    small_app = None
    if args.small and args.small != args.pilots:
        small_app = prepare(args.db, args.small, args.reuse, args.pg_url)
    todo = cases(big, args.samples)
    load = os.getloadavg()[0]
    print(f"== measuring {len(todo)} operations", file=sys.stderr)
    measured = measure(big, todo, args.rounds)
    small_counts: dict[str, int] = {}
    if small_app is not None:
        small_measured = measure(small_app, cases(small_app, args.samples), 1)
        small_counts = {name: values["queries"] for name, values in small_measured.items()}
    results = []
    for case in todo:
        m = measured[case.name]
        small_q = small_counts.get(case.name)
        constant = m["queries"] == m["queries_min"] and small_q in (None, m["queries"])
        is_page = case.name.startswith("pilot page")
        results.append(
            Result(
                name=case.name,
                example=m["example"],
                median_ms=round(m["median_ms"], 2),
                p95_ms=round(m["p95_ms"], 2),
                cpu_median_ms=round(m["cpu_median_ms"], 2),
                queries=m["queries"],
                queries_small=small_q,
                ok=None if is_page else constant and m["median_ms"] <= TARGET_MS,
            )
        )
    timed = args.rounds * args.samples
    text = report(args.db, args.pilots, args.small, results, timed, load)
    print(text)
    data = {
        "database": args.db,
        "pilots": args.pilots,
        "small": args.small,
        "samples": args.samples,
        "rounds": args.rounds,
        "load_average": load,
        "results": [asdict(r) for r in results],
        "machine": {"python": platform.python_version(), "cpus": os.cpu_count()},
        "at": datetime.now(UTC).isoformat(timespec="seconds"),
        "table": text,
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"decision-support-{args.db}-{args.pilots}.json"
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False))
    print(f"\nWrote {path.relative_to(base.ROOT)}", file=sys.stderr)
    for app in (big, small_app):
        if app is not None:
            with app.app_context():
                from pilot_tracker.extensions import db

                db.engine.dispose()
    return data


def parse_args(argv: Iterable[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench.decision_support", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--db", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--pilots", type=int, default=10_000)
    parser.add_argument(
        "--small", type=int, default=100, help="the small portfolio for query counts (0: none)"
    )
    parser.add_argument("--samples", type=int, default=10, help="pilots (or queries) per row")
    parser.add_argument("--rounds", type=int, default=3, help="timed rounds over the samples")
    parser.add_argument("--reuse", action="store_true", help="measure existing databases again")
    parser.add_argument(
        "--pg-url",
        default=os.environ.get("BENCH_POSTGRES_URL", base.DEFAULT_PG),
        help="a PostgreSQL URL whose user may create databases (env BENCH_POSTGRES_URL)",
    )
    return parser.parse_args(list(argv) if argv is not None else None)


def main(argv: Iterable[str] | None = None) -> int:
    run(parse_args(argv))
    return 0


# Kept for a quick check from a shell: time one call of a service in an app context.
def time_call(app: Flask, call: Callable[[], Any], repeat: int = 20) -> float:
    """Median milliseconds of `call()` inside an app context."""
    timings = []
    with app.app_context():
        call()
        for _ in range(repeat):
            started = time.perf_counter()
            call()
            timings.append((time.perf_counter() - started) * 1000)
    return statistics.median(timings)


if __name__ == "__main__":
    sys.exit(main())
