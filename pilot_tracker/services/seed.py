"""The demo portfolio: about 40 realistic pilots, vendors, KPIs, statuses, decisions, users.

Deterministic (fixed random seed) and idempotent: a second run changes nothing. Dates are
relative to today so the demo always has a year of measurements and a few stale pilots.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any, TypeVar

import sqlalchemy as sa

from pilot_tracker.domain.business_id import is_valid_business_id
from pilot_tracker.domain.enums import (
    Direction,
    Gate,
    Goal,
    Outcome,
    Rag,
    Role,
    SplitMethod,
    Stage,
    Theme,
    Track,
    default_track,
)
from pilot_tracker.extensions import db
from pilot_tracker.models import Municipality, Pilot, User, Vendor
from pilot_tracker.services import audit
from pilot_tracker.services.decisions import record_decision
from pilot_tracker.services.pilots import PilotData, create_pilot, load_pilot_for_update
from pilot_tracker.services.reporting import add_kpi, add_measurement, add_status_update
from pilot_tracker.services.users import create_user

# A published demo credential, not a secret: `seed-demo` refuses to run in production.
DEMO_PASSWORD = "kokeilu-demo-2026"
DEMO_DOMAIN = "demo.kokeilusalkku.fi"

T = TypeVar("T")
Progress = Callable[[str, int], Any]

VENDORS = [
    ("Kuntadigi Oy", "info@kuntadigi.example"),
    ("Tilapalvelu Nordic Oy", "myynti@tilapalvelu.example"),
    ("Paikkatieto Kolmio Oy", "hello@kolmio.example"),
    ("Reittiäly Oy", "asiakaspalvelu@reittialy.example"),
    ("Lupa-Arkki Ab", "kontakt@lupa-arkki.example"),
    ("Kiinteistövahti Oy", "tuki@kiinteistovahti.example"),
]

PILOTS: dict[Theme, list[tuple[str, str]]] = {
    Theme.TRANSPORT_OPTIMISATION: [
        (
            "Kutsuliikenteen reittioptimointi",
            "Asiointi- ja koulukuljetusten yhdistäminen kutsuohjatuksi palveluksi.",
        ),
        (
            "Koulukuljetusten yhteissuunnittelu",
            "Naapurikuntien koulukuljetusten reitit yhteisellä optimointityökalulla.",
        ),
        (
            "Kotihoidon ajoreitit",
            "Kotihoidon käyntien reititys ajoajan ja päästöjen vähentämiseksi.",
        ),
        (
            "Ateriakuljetusten reititys",
            "Kotiin kuljetettavien aterioiden reitit ja aikataulut optimoidusti.",
        ),
    ],
    Theme.PERMITS: [
        ("Sähköiset lupapalvelut", "Rakennus- ja toimenpidelupien haku ja käsittely verkossa."),
        (
            "Ympäristölupien digitaalinen käsittely",
            "Ympäristölupahakemusten sähköinen vastaanotto ja seuranta.",
        ),
        (
            "Maa-aineslupien verkkoasiointi",
            "Maa-aineslupien hakeminen ja valvonta yhteisessä palvelussa.",
        ),
        (
            "Tapahtumailmoitukset verkossa",
            "Yleisötapahtumien ilmoitukset ja luvat yhdestä paikasta.",
        ),
    ],
    Theme.FACILITY_BOOKING: [
        ("Tilavaraus verkossa", "Kuntien tilojen varaus ja maksu verkossa."),
        ("Liikuntavuorojen jakopalvelu", "Liikuntasalien vakiovuorojen haku ja jako sähköisesti."),
        (
            "Koulujen tilat iltakäyttöön",
            "Koulujen tilojen iltavaraukset ja kulunhallinta yhdellä palvelulla.",
        ),
        (
            "Kokoustilojen itsepalveluvaraus",
            "Kunnantalojen kokoustilat varattaviksi myös yhdistyksille.",
        ),
    ],
    Theme.FEEDBACK: [
        ("Asukaspalautteen keruu", "Yhteinen palautekanava ja palautteiden käsittely kunnissa."),
        ("Kirjastojen asiakaskokemus", "Kirjastokäyntien jälkeinen palautekysely ja raportointi."),
        (
            "Tekstiviestikysely kotihoidosta",
            "Kotihoidon asiakastyytyväisyys tekstiviestikyselyllä.",
        ),
        (
            "Kuntalaisaloitteiden seuranta",
            "Aloitteiden ja palautteiden käsittelyn näkyvä seuranta.",
        ),
    ],
    Theme.E_SERVICES: [
        ("Chatbot kuntainfoon", "Kuntien yhteinen neuvontabotti yleisimpiin kysymyksiin."),
        ("Sähköinen varhaiskasvatushaku", "Varhaiskasvatuspaikan haku ja päätökset verkossa."),
        ("Digitaalinen laskutus asukkaille", "Asukaslaskujen e-lasku ja verkkomaksu yhteisesti."),
        (
            "Etäasiointipisteet kirjastoihin",
            "Videoyhteydellä toimivat asiointipisteet sivukylille.",
        ),
    ],
    Theme.CUSTOMER_DATA: [
        ("Asiakastietojen yhteinen hallinta", "Asiakasrekisterien yhtenäistäminen ja tietosuoja."),
        (
            "Yhteinen asiakkuudenhallinta",
            "Asiakkuudenhallintajärjestelmä kuntien palvelupisteisiin.",
        ),
        ("Asiakasdatan laatuhanke", "Päällekkäisten asiakastietojen siivous ja yhdistäminen."),
        ("Suostumusten hallinta", "Asukkaiden suostumusten ja viestintäkieltojen hallinta."),
    ],
    Theme.GEODATA: [
        ("Paikkatietojen yhteinen alusta", "Kuntien paikkatietoaineistot yhteiselle alustalle."),
        ("Kaavoitusaineistojen digitointi", "Vanhojen kaavojen digitointi ja julkaisu."),
        (
            "Katuvalojen paikkatietorekisteri",
            "Katuvalaistuksen kohteet ja huollot karttapohjaisesti.",
        ),
        (
            "Viheralueiden hoitoluokitus",
            "Viheralueiden hoitoluokat paikkatietona hoitotöiden tueksi.",
        ),
    ],
    Theme.PROPERTY_MANAGEMENT: [
        (
            "Kiinteistöjen energianseuranta",
            "Kuntakiinteistöjen energiankulutuksen etäluenta ja analyysi.",
        ),
        (
            "Kiinteistöjen huoltokirja",
            "Sähköinen huoltokirja ja vikailmoitukset kuntakiinteistöille.",
        ),
        ("Sisäilmaseuranta kouluissa", "Koulujen sisäilman anturiseuranta ja hälytykset."),
        ("Tilahallinnan toiminnanohjaus", "Tilojen käyttöasteen ja kustannusten seuranta."),
    ],
    Theme.MOBILE_WORK: [
        ("Kotihoidon mobiilikirjaus", "Kotihoidon kirjaukset mobiililaitteella käynnin aikana."),
        (
            "Kenttätyön mobiilisovellus",
            "Kuntatekniikan kenttätyön tehtävät ja kirjaukset mobiilisti.",
        ),
        (
            "Rakennusvalvonnan mobiilitarkastus",
            "Katselmukset ja tarkastukset tablettisovelluksella.",
        ),
        ("Ruokapalvelujen mobiiliomavalvonta", "Keittiöiden omavalvontakirjaukset mobiilisti."),
    ],
    Theme.OTHER: [
        ("Robotiikka taloushallinnossa", "Ohjelmistorobotiikka ostolaskujen käsittelyyn."),
        ("Avoimen datan julkaisu", "Kuntien avoimen datan julkaisu yhteisessä portaalissa."),
        ("Tekoälyavusteinen kirjaamo", "Saapuvien asiakirjojen luokittelu ja ohjaus."),
        ("Etäluettavat vesimittarit", "Vesimittareiden etäluenta ja vuotohälytykset."),
    ],
}

# Stage of each pilot by its index in its theme: all six stages appear in every few themes.
STAGE_CYCLE = [
    Stage.PILOTING,
    Stage.EVALUATION,
    Stage.PLANNING,
    Stage.SCALING,
    Stage.IDEA,
    Stage.PILOTING,
    Stage.STOPPED,
    Stage.EVALUATION,
]

KPI_TEMPLATES: dict[Theme, list[tuple[str, str, Direction, bool, int, int]]] = {
    # name, unit, direction, is_savings, baseline, target
    Theme.TRANSPORT_OPTIMISATION: [
        ("Ajokilometrit kuukaudessa", "km", Direction.DECREASE, False, 42000, 34000),
        ("Kuljetuskustannussäästö", "€/v", Direction.INCREASE, True, 0, 60000),
    ],
    Theme.PERMITS: [
        ("Käsittelyaika", "pv", Direction.DECREASE, False, 45, 20),
        ("Sähköisten hakemusten osuus", "%", Direction.INCREASE, False, 20, 85),
    ],
    Theme.FACILITY_BOOKING: [
        ("Tilojen käyttöaste", "%", Direction.INCREASE, False, 38, 60),
        ("Varaushallinnon työaikasäästö", "€/v", Direction.INCREASE, True, 0, 25000),
    ],
    Theme.FEEDBACK: [
        ("Palautteita kuukaudessa", "kpl", Direction.INCREASE, False, 80, 300),
        ("Vastausaika palautteeseen", "pv", Direction.DECREASE, False, 14, 5),
    ],
    Theme.E_SERVICES: [
        ("Verkkoasioinnin osuus", "%", Direction.INCREASE, False, 30, 70),
        ("Neuvonnan työaikasäästö", "€/v", Direction.INCREASE, True, 0, 40000),
    ],
    Theme.CUSTOMER_DATA: [
        ("Päällekkäiset asiakastiedot", "kpl", Direction.DECREASE, False, 12000, 1000),
        ("Rekisterinpidon säästö", "€/v", Direction.INCREASE, True, 0, 90000),
    ],
    Theme.GEODATA: [
        ("Digitoidut aineistot", "%", Direction.INCREASE, False, 15, 90),
        ("Aineistopyyntöjen käsittelyaika", "pv", Direction.DECREASE, False, 10, 2),
    ],
    Theme.PROPERTY_MANAGEMENT: [
        ("Lämmönkulutus", "MWh/kk", Direction.DECREASE, False, 900, 780),
        ("Energiakustannussäästö", "€/v", Direction.INCREASE, True, 0, 120000),
    ],
    Theme.MOBILE_WORK: [
        ("Kirjauksiin kuluva aika", "min/pv", Direction.DECREASE, False, 55, 20),
        ("Työaikasäästö", "€/v", Direction.INCREASE, True, 0, 70000),
    ],
    Theme.OTHER: [
        ("Automatisoitujen tapahtumien osuus", "%", Direction.INCREASE, False, 5, 60),
        ("Henkilötyösäästö", "€/v", Direction.INCREASE, True, 0, 50000),
    ],
}

DECIDERS = ["kunnanhallitus", "kaupunginhallitus", "ohjausryhmä", "yhteistyöryhmä"]


@dataclass
class SeedResult:
    """What seeding did, and the logins to print."""

    created: bool
    pilots: int = 0
    vendors: int = 0
    logins: list[tuple[str, str, str]] = field(default_factory=list)


def _business_id(rng: random.Random) -> str:
    while True:
        body = f"{rng.randrange(1_000_000, 3_400_000):07d}"
        for check in range(10):
            candidate = f"{body}-{check}"
            if is_valid_business_id(candidate):
                return candidate


def _track(items: Iterable[T], progress: Progress | None, label: str, n: int) -> Iterable[T]:
    if progress is None:
        return items
    bar = progress(label, n)
    return _iter_with_bar(items, bar)


def _iter_with_bar(items: Iterable[T], bar: Any) -> Iterable[T]:
    with bar:
        for item in items:
            yield item
            bar.update(1)


def demo_logins() -> list[tuple[str, str, str]]:
    """(e-mail, role, note) of the demo users."""
    return [
        (f"admin@{DEMO_DOMAIN}", "admin", ""),
        (f"koordinaattori@{DEMO_DOMAIN}", "coordinator", ""),
        (f"valtuutettu@{DEMO_DOMAIN}", "council", ""),
        (f"lempaala@{DEMO_DOMAIN}", "council", "tied to Lempäälä (418)"),
        (f"toimittaja@{DEMO_DOMAIN}", "vendor", "Kuntadigi Oy"),
        (f"toimittaja2@{DEMO_DOMAIN}", "vendor", "Tilapalvelu Nordic Oy"),
    ]


def seed_demo(progress: Progress | None = None, today: date | None = None) -> SeedResult:
    """Create the demo portfolio once; later calls change nothing."""
    marker = db.session.scalars(
        sa.select(User.id).where(User.email == f"admin@{DEMO_DOMAIN}")
    ).first()
    if marker is not None:
        return SeedResult(created=False, logins=demo_logins())
    today = today or date.today()
    rng = random.Random(2026)
    actor = (None, "seed-demo")
    vendors = []
    for name, email in VENDORS:
        vendor = Vendor(name=name, business_id=_business_id(rng), contact_email=email)
        db.session.add(vendor)
        db.session.flush()
        audit.record("create", "vendor", vendor.id, new=audit.row_values(vendor), actor=actor)
        vendors.append(vendor)
    users = _create_users(vendors)
    municipalities = list(db.session.scalars(sa.select(Municipality).order_by(Municipality.code)))
    by_region: dict[str, list[Municipality]] = {}
    for m in municipalities:
        by_region.setdefault(m.region_code, []).append(m)

    plan = [
        (theme, index, name, summary)
        for theme, entries in PILOTS.items()
        for index, (name, summary) in enumerate(entries)
    ]
    count = 0
    for number, (theme, index, name, summary) in enumerate(
        _track(plan, progress, "Demo pilots", len(plan))
    ):
        _seed_pilot(rng, today, theme, index, number, name, summary, vendors, users, by_region)
        count += 1
    db.session.commit()
    return SeedResult(created=True, pilots=count, vendors=len(vendors), logins=demo_logins())


def _create_users(vendors: list[Vendor]) -> dict[str, User]:
    specs: list[tuple[str, Role, dict[str, Any]]] = [
        ("admin", Role.ADMIN, {"name": "Anna Admin"}),
        ("koordinaattori", Role.COORDINATOR, {"name": "Kalle Koordinaattori"}),
        ("valtuutettu", Role.COUNCIL, {"name": "Veera Valtuutettu"}),
        ("lempaala", Role.COUNCIL, {"name": "Leena Lempääläinen", "municipality_code": "418"}),
        ("toimittaja", Role.VENDOR, {"name": "Tuomas Toimittaja", "vendor_id": vendors[0].id}),
        ("toimittaja2", Role.VENDOR, {"name": "Tiina Toinen", "vendor_id": vendors[1].id}),
    ]
    return {
        local: create_user(f"{local}@{DEMO_DOMAIN}", role, DEMO_PASSWORD, commit=False, **extra)
        for local, role, extra in specs
    }


def _seed_pilot(
    rng: random.Random,
    today: date,
    theme: Theme,
    index: int,
    number: int,
    name: str,
    summary: str,
    vendors: list[Vendor],
    users: dict[str, User],
    by_region: dict[str, list[Municipality]],
) -> None:
    target_stage = STAGE_CYCLE[number % len(STAGE_CYCLE)]
    regions = sorted(by_region)
    # Pilots of the first vendor always include Lempäälä's region so the demo council user
    # and vendor user meet on some pilots.
    region = "06" if number % 6 == 0 else rng.choice(regions)
    pool = by_region[region]
    size = min(len(pool), rng.randint(2, 8))
    chosen = rng.sample(pool, size)
    if number % 6 == 0 and not any(m.code == "418" for m in chosen):
        chosen[0] = next(m for m in pool if m.code == "418")
    codes = sorted({m.code for m in chosen})
    method = [SplitMethod.PER_CAPITA, SplitMethod.EQUAL, SplitMethod.MANUAL][number % 3]
    manual = None
    if method is SplitMethod.MANUAL:
        base = Decimal(100) / len(codes)
        manual = {c: base.quantize(Decimal("0.01")) for c in codes}
        manual[codes[0]] += Decimal("100.00") - sum(manual.values())
    budget = rng.randrange(40_000, 600_000, 500) * 100
    funding = rng.choice([0, 0, budget // 4, budget // 3, budget // 2])
    savings = rng.randrange(10_000, 250_000, 1_000) * 100
    start = today - timedelta(days=rng.randint(200, 420))
    end = start + timedelta(days=rng.randint(300, 540))
    creation_stage = {
        Stage.SCALING: Stage.EVALUATION,
        Stage.STOPPED: Stage.PILOTING,
    }.get(target_stage, target_stage)
    if creation_stage in (Stage.PILOTING, Stage.EVALUATION):
        initial_stage = Stage.PLANNING  # reach piloting through a start decision
    else:
        initial_stage = creation_stage
    goals = rng.sample(list(Goal), rng.randint(1, 3))
    pilot = create_pilot(
        PilotData(
            name=name,
            summary=summary,
            theme=theme,
            track=default_track(theme) or (Track.QUICK if number % 2 else Track.SLOW),
            stage=initial_stage,
            goals=goals,
            lead_municipality=codes[0] if "418" not in codes else "418",
            participants=codes,
            split_method=method,
            manual_shares=manual,
            budget_cents=budget,
            external_funding_cents=funding,
            estimated_annual_savings_cents=savings,
            vendor_id=vendors[number % len(vendors)].id if number % 6 else vendors[0].id,
            coordinator_id=users["koordinaattori"].id,
            start_date=start,
            end_date=end,
            is_public=number % 4 != 3,
        ),
        commit=False,
    )
    loaded = load_pilot_for_update(pilot.id)
    assert loaded is not None
    pilot = loaded
    decider = rng.choice(DECIDERS)
    if initial_stage is Stage.PLANNING and creation_stage in (Stage.PILOTING, Stage.EVALUATION):
        record_decision(
            pilot,
            Gate.START,
            Outcome.GO,
            start,
            decider,
            "Pilotin suunnitelma ja kustannusjako hyväksytään; pilotti käynnistetään.",
            follow_up="Toimittaja raportoi tilanteen kuukausittain.",
            next_review=start + timedelta(days=180),
            commit=False,
        )
        if creation_stage is Stage.EVALUATION:
            pilot.stage = Stage.EVALUATION
            pilot.version += 1
    if creation_stage in (Stage.PILOTING, Stage.EVALUATION):
        _seed_kpis(rng, today, pilot, theme, start, users)
        _seed_statuses(rng, today, pilot, start, number, users)
    if target_stage is Stage.SCALING:
        record_decision(
            pilot,
            Gate.SCALE_UP,
            Outcome.GO,
            today - timedelta(days=rng.randint(5, 40)),
            decider,
            "Tavoitteet saavutettiin; palvelu laajennetaan kaikkiin osallistujakuntiin.",
            follow_up="Laajennussopimus toimittajan kanssa, käyttöönotto vaiheittain.",
            next_review=today + timedelta(days=rng.randint(20, 120)),
            commit=False,
        )
    elif target_stage is Stage.STOPPED:
        record_decision(
            pilot,
            Gate.MIDPOINT,
            Outcome.NO_GO,
            today - timedelta(days=rng.randint(5, 60)),
            decider,
            "Käyttöaste jäi tavoitteesta eikä säästöjä syntynyt; pilotti lopetetaan.",
            follow_up="Toimittaja toimittaa loppuraportin ja datan kunnille.",
            commit=False,
        )
    elif creation_stage is Stage.EVALUATION:
        record_decision(
            pilot,
            Gate.MIDPOINT,
            Outcome.CONTINUE,
            today - timedelta(days=rng.randint(10, 50)),
            decider,
            "Pilotti jatkuu arviointivaiheessa; lisää mittausdataa tarvitaan.",
            next_review=today + timedelta(days=rng.randint(10, 80)),
            commit=False,
        )


def _seed_kpis(
    rng: random.Random,
    today: date,
    pilot: Pilot,
    theme: Theme,
    start: date,
    users: dict[str, User],
) -> None:
    for name, unit, direction, is_savings, baseline, target in KPI_TEMPLATES[theme]:
        kpi = add_kpi(
            pilot,
            name,
            unit,
            Decimal(baseline),
            Decimal(target),
            direction,
            is_savings,
            commit=False,
        )
        reach = rng.uniform(0.3, 1.15)
        for month in range(12):
            measured_on = today - timedelta(days=30 * (11 - month) + 3)
            if measured_on < start:
                continue
            fraction = reach * (month + 1) / 12 + rng.uniform(-0.05, 0.05)
            value = Decimal(baseline + (target - baseline) * fraction).quantize(Decimal("0.1"))
            add_measurement(
                kpi,
                measured_on,
                value,
                recorded_by_id=users["toimittaja"].id,
                today=today,
                commit=False,
            )


def _seed_statuses(
    rng: random.Random,
    today: date,
    pilot: Pilot,
    start: date,
    number: int,
    users: dict[str, User],
) -> None:
    # Every fifth pilot has gone quiet for over 30 days, so the demo shows stale pilots.
    last_offset = 45 if number % 5 == 0 else rng.randint(1, 20)
    texts = {
        Rag.GREEN: "Eteni suunnitellusti; käyttäjämäärät kasvussa.",
        Rag.AMBER: "Integraatio viivästyi kaksi viikkoa; korjaussuunnitelma tehty.",
        Rag.RED: "Käyttöönotto pysähtyi tietosuojakysymyksiin; ohjausryhmä kutsuttu koolle.",
    }
    progress = 10
    for step in range(rng.randint(3, 6), -1, -1):
        reported_on = today - timedelta(days=last_offset + 30 * step)
        if reported_on < start:
            continue
        rag = rng.choices([Rag.GREEN, Rag.AMBER, Rag.RED], weights=[6, 3, 1])[0]
        progress = min(100, progress + rng.randint(5, 20))
        add_status_update(
            pilot,
            rag,
            progress,
            texts[rag],
            reported_on=reported_on,
            author_id=users["toimittaja"].id,
            today=today,
            commit=False,
        )
