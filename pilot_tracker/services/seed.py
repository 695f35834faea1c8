"""The demo portfolio: 40 pilots as a region's portfolio looks, vendors, KPIs, statuses,
decisions and users.

Deterministic (fixed random seed) and idempotent: a second run changes nothing. Dates are
relative to the day it runs, so the demo always has a year of noisy measurements, a few
stale pilots, reviews that have passed without a decision (two of Lempäälä's among them),
pilots past their planned end still running and a few stopped after a no-go.
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
from pilot_tracker.models import Pilot, User, Vendor
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


@dataclass(frozen=True)
class Spec:
    """One demo pilot (see SPECS): where it is, what it costs and how it got there."""

    name: str
    summary: str
    theme: Theme
    stage: Stage
    codes: tuple[str, ...]  # the participants, the lead first
    method: SplitMethod
    budget_eur: int
    funding_eur: int
    savings_eur: int
    vendor: int  # index in VENDORS
    start: int  # days ago (negative: in the future)
    length: int  # planned days
    decided: int | None = None  # days ago of the latest gate decision after the start
    review: int | None = None  # next review, days from today (negative: passed)
    midpoint: Outcome | None = None  # a piloting pilot's midpoint decision
    no_go: str = ""  # a stopped pilot's rationale
    evaluation: bool = False  # a stopped pilot was evaluated before its no-go
    planning_review: int | None = None  # a planning pilot's start decision was deferred
    manual: tuple[str, ...] = ()  # manual percentages, in the order of `codes`
    stale: bool = False  # the vendor has not reported for over a month
    language: str = "fi"


# The demo portfolio, pilot by pilot. Themes and stages are uneven on purpose, as in a real
# region's portfolio: many booking and e-service pilots, one robotics experiment; most pilots
# running, a few ideas, a couple stopped. Days are relative to the day the demo is seeded:
# `start` is how many days ago the pilot started (negative: it starts later), `length` its
# planned length in days, `decided` how many days ago its latest decision was made and
# `review` the next review that decision set (negative: it has passed, so it is overdue).
SPECS: tuple[Spec, ...] = (
    # --- Pirkanmaa, with Lempäälä ----------------------------------------------------------
    Spec(
        "Tilavaraus verkossa",
        "Kuntien liikunta- ja kokoustilat varattaviksi ja maksettaviksi samassa verkkopalvelussa. "
        "Vakiovuorot haetaan keväällä sähköisesti, ja vapaat vuorot näkyvät kalenterissa.",
        Theme.FACILITY_BOOKING,
        Stage.PILOTING,
        ("418", "922", "604", "211"),
        SplitMethod.PER_CAPITA,
        186_000,
        46_500,
        52_000,
        vendor=1,
        start=300,
        length=480,
        review=-177,  # 8.6. when seeded on 2.12.: overdue, no decision since
    ),
    Spec(
        "Kotihoidon reittisuunnittelu",
        "Kotihoidon käyntien reitit suunnitellaan optimointityökalulla, jotta ajoon kuluu "
        "vähemmän aikaa ja asiakkaalle jää enemmän.",
        Theme.TRANSPORT_OPTIMISATION,
        Stage.EVALUATION,
        ("418", "020", "908", "887"),
        SplitMethod.PER_CAPITA,
        240_000,
        80_000,
        95_000,
        vendor=0,
        start=430,
        length=540,
        decided=200,
        review=-120,  # 4.8. when seeded on 2.12.: overdue
    ),
    Spec(
        "Koulukuljetusten yhteissuunnittelu",
        "Lempäälän, Vesilahden ja Akaan koulukuljetukset kilpailutetaan ja reititetään "
        "yhdessä. Tavoitteena on vähemmän tyhjiä ajoja rajakylien välillä.",
        Theme.TRANSPORT_OPTIMISATION,
        Stage.PILOTING,
        ("418", "922", "020"),
        SplitMethod.EQUAL,
        98_000,
        0,
        41_000,
        vendor=3,
        start=520,
        length=420,
        decided=130,
        review=20,
        midpoint=Outcome.CONTINUE,  # past its planned end, piloting
    ),
    Spec(
        "Sähköinen varhaiskasvatushaku",
        "Varhaiskasvatuspaikkaa haetaan verkossa, ja päätös tulee huoltajalle sähköisesti. "
        "Paperilomakkeista luovutaan kokeilukunnissa syksyn haussa.",
        Theme.E_SERVICES,
        Stage.SCALING,
        ("418", "536", "980", "604", "211"),
        SplitMethod.PER_CAPITA,
        312_000,
        120_000,
        88_000,
        vendor=0,
        start=560,
        length=365,
        decided=25,
        review=75,
    ),
    Spec(
        "Asukaspalautteen yhteinen kanava",
        "Yksi palautekanava kaikille kokeilukunnille: palaute ohjautuu oikealle vastuualueelle "
        "ja vastausaika näkyy asukkaalle.",
        Theme.FEEDBACK,
        Stage.PLANNING,
        ("418", "562", "635"),
        SplitMethod.MANUAL,
        64_000,
        0,
        18_000,
        vendor=0,
        start=-45,
        length=300,
        manual=("45.00", "30.00", "25.00"),
    ),
    Spec(
        "Kiinteistöjen energianseuranta",
        "Kuntien koulujen ja päiväkotien kulutusmittarit etäluetaan, ja poikkeamista tulee "
        "hälytys kiinteistönhoitajalle.",
        Theme.PROPERTY_MANAGEMENT,
        Stage.PILOTING,
        ("211", "418", "635", "562"),
        SplitMethod.PER_CAPITA,
        410_000,
        150_000,
        135_000,
        vendor=5,
        start=240,
        length=540,
        decided=60,
        review=50,
        midpoint=Outcome.GO,
    ),
    Spec(
        "Ikäihmisten etäasiointi kirjastoissa",
        "Sivukylien kirjastoihin videoyhteydellä toimiva asiointipiste, josta saa neuvontaa "
        "sosiaali- ja terveyspalveluihin.",
        Theme.E_SERVICES,
        Stage.IDEA,
        ("418", "922"),
        SplitMethod.EQUAL,
        35_000,
        0,
        8_000,
        vendor=0,
        start=-160,
        length=365,
    ),
    Spec(
        "Chatbot kuntainfoon",
        "Neuvontabotti vastaa verkkosivuilla yleisimpiin kysymyksiin jätehuollosta, "
        "kirjastoista ja liikuntapaikoista ilta- ja viikonloppuisin.",
        Theme.E_SERVICES,
        Stage.STOPPED,
        ("536", "418", "980"),
        SplitMethod.PER_CAPITA,
        120_000,
        30_000,
        40_000,
        vendor=0,
        start=400,
        length=365,
        decided=150,
        no_go="Botti ratkaisi alle viidenneksen kysymyksistä, ja neuvonnan "
        "puhelut lisääntyivät. Kokeilu lopetetaan; opit kirjataan seuraavaa hankintaa varten.",
    ),
    Spec(
        "Rakennusvalvonnan sähköinen arkisto",
        "Vanhat rakennuslupapiirustukset skannataan ja liitetään kiinteistötunnukseen, jotta "
        "asukkaat ja suunnittelijat löytävät ne itse.",
        Theme.PERMITS,
        Stage.PILOTING,
        ("980", "108", "536"),
        SplitMethod.PER_CAPITA,
        145_000,
        36_000,
        30_000,
        vendor=4,
        start=150,
        length=330,
        review=30,
    ),
    Spec(
        "Sisäilmaseuranta kouluissa",
        "Langattomat anturit mittaavat luokkien hiilidioksidia, lämpöä ja kosteutta; tiedot "
        "näkyvät huoltoyhtiölle ja koulun johdolle.",
        Theme.PROPERTY_MANAGEMENT,
        Stage.EVALUATION,
        ("604", "536", "922"),
        SplitMethod.EQUAL,
        88_000,
        22_000,
        26_000,
        vendor=5,
        start=380,
        length=400,
        decided=35,
        review=55,
    ),
    # --- Keski-Suomi --------------------------------------------------------------------------
    Spec(
        "Liikuntavuorojen jakopalvelu",
        "Seurat hakevat salivuorot verkossa, ja vuorot jaetaan yhteisillä, julkisilla "
        "perusteilla. Peruutetut vuorot vapautuvat heti muiden varattaviksi.",
        Theme.FACILITY_BOOKING,
        Stage.SCALING,
        ("179", "410", "500", "850"),
        SplitMethod.PER_CAPITA,
        156_000,
        39_000,
        47_000,
        vendor=1,
        start=600,
        length=420,
        decided=60,
        review=120,
    ),
    Spec(
        "Koulujen tilat iltakäyttöön",
        "Koulujen liikuntasalit ja luokat varattaviksi iltaisin ja viikonloppuisin; ovet "
        "avautuvat varaajan puhelimella.",
        Theme.FACILITY_BOOKING,
        Stage.PILOTING,
        ("410", "992", "729"),
        SplitMethod.EQUAL,
        72_000,
        0,
        21_000,
        vendor=1,
        start=200,
        length=300,
        review=-20,
    ),
    Spec(
        "Kunnan kalustolainaamo",
        "Retkeily- ja tapahtumakalusto lainattavaksi kirjastokortilla. Varaus ja nouto "
        "hoituvat samasta palvelusta kuin tilavaraus.",
        Theme.FACILITY_BOOKING,
        Stage.IDEA,
        ("249", "182"),
        SplitMethod.EQUAL,
        28_000,
        0,
        6_000,
        vendor=1,
        start=-220,
        length=240,
    ),
    Spec(
        "Kenttätyön mobiilisovellus",
        "Kuntatekniikan työtilaukset, kuittaukset ja valokuvat kirjataan työmaalla "
        "puhelimella. Paperiset työmääräimet jäävät pois.",
        Theme.MOBILE_WORK,
        Stage.EVALUATION,
        ("992", "729", "892"),
        SplitMethod.PER_CAPITA,
        132_000,
        33_000,
        58_000,
        vendor=0,
        start=450,
        length=480,
        decided=95,
        review=-10,
    ),
    Spec(
        "Paikkatietojen yhteinen alusta",
        "Kaavat, johtokartat ja katualueiden tiedot yhdelle alustalle, josta myös "
        "naapurikunta ja pelastuslaitos näkevät ajantasaiset aineistot.",
        Theme.GEODATA,
        Stage.PILOTING,
        ("179", "500", "410", "850", "892"),
        SplitMethod.MANUAL,
        265_000,
        90_000,
        64_000,
        vendor=2,
        start=330,
        length=600,
        review=-64,
        manual=("52.00", "12.00", "18.00", "9.00", "9.00"),
    ),
    # --- Pohjois-Savo ---------------------------------------------------------------------------
    Spec(
        "Sähköiset lupapalvelut",
        "Rakennus- ja toimenpideluvat haetaan ja käsitellään verkossa. Hakija näkee, missä "
        "vaiheessa käsittely on, ja täydennyspyynnöt tulevat sähköisesti.",
        Theme.PERMITS,
        Stage.SCALING,
        ("297", "749", "420", "778"),
        SplitMethod.PER_CAPITA,
        340_000,
        120_000,
        110_000,
        vendor=4,
        start=640,
        length=450,
        decided=12,
        review=170,
    ),
    Spec(
        "Ympäristölupien digitaalinen käsittely",
        "Ympäristölupahakemukset vastaanotetaan sähköisesti ja lausuntopyynnöt kulkevat "
        "samassa järjestelmässä.",
        Theme.PERMITS,
        Stage.PLANNING,
        ("140", "402", "925"),
        SplitMethod.EQUAL,
        54_000,
        0,
        12_000,
        vendor=4,
        start=-30,
        length=365,
        planning_review=40,
    ),
    Spec(
        "Kotihoidon mobiilikirjaus",
        "Hoitajat kirjaavat käynnit asiakkaan luona mobiililaitteella, eikä päivän päätteeksi "
        "tarvitse palata toimistolle kirjaamaan.",
        Theme.MOBILE_WORK,
        Stage.PILOTING,
        ("915", "420", "171"),
        SplitMethod.PER_CAPITA,
        118_000,
        30_000,
        72_000,
        vendor=0,
        start=190,
        length=365,
        decided=20,
        review=80,
        midpoint=Outcome.CONTINUE,
    ),
    Spec(
        "Asiakastietojen yhteinen hallinta",
        "Kuntien asiakasrekisterit yhtenäistetään: päällekkäiset tiedot siivotaan ja "
        "tietosuojapyyntöihin vastataan yhdestä paikasta.",
        Theme.CUSTOMER_DATA,
        Stage.EVALUATION,
        ("297", "749", "140", "915", "402", "778"),
        SplitMethod.PER_CAPITA,
        480_000,
        200_000,
        150_000,
        vendor=2,
        start=500,
        length=540,
        decided=110,
        review=-45,
    ),
    # --- Varsinais-Suomi ----------------------------------------------------------------------
    Spec(
        "Kokoustilojen itsepalveluvaraus",
        "Kunnantalojen kokoustilat myös yhdistysten varattaviksi; kulkuoikeus tulee "
        "varauksen mukana puhelimeen.",
        Theme.FACILITY_BOOKING,
        Stage.PILOTING,
        ("202", "423", "481", "704"),
        SplitMethod.PER_CAPITA,
        84_000,
        21_000,
        19_000,
        vendor=1,
        start=130,
        length=365,
        review=50,
    ),
    Spec(
        "Uimahallien vuorovaraus",
        "Uimahallien ratavuorot ja kurssit varattaviksi verkossa; kävijämäärät näkyvät "
        "reaaliajassa.",
        Theme.FACILITY_BOOKING,
        Stage.PLANNING,
        ("680", "529", "481"),
        SplitMethod.PER_CAPITA,
        96_000,
        0,
        22_000,
        vendor=1,
        start=-60,
        length=365,
    ),
    Spec(
        "Digitaalinen laskutus asukkaille",
        "Vesi-, jäte- ja varhaiskasvatuslaskut e-laskuina ja verkkomaksuna. Paperilaskuja "
        "lähetetään vain niitä pyytäville.",
        Theme.E_SERVICES,
        Stage.EVALUATION,
        ("734", "577", "430"),
        SplitMethod.PER_CAPITA,
        150_000,
        40_000,
        68_000,
        vendor=0,
        start=410,
        length=450,
        decided=45,
        review=40,
    ),
    Spec(
        "Ateriapalvelun reititys",
        "Kotiin kuljetettavien aterioiden reitit ja aikataulut optimoidaan, ja asiakas saa "
        "tekstiviestin toimitusajasta.",
        Theme.TRANSPORT_OPTIMISATION,
        Stage.PILOTING,
        ("734", "577", "738"),
        SplitMethod.EQUAL,
        66_000,
        0,
        24_000,
        vendor=3,
        start=260,
        length=200,
        review=-90,
        stale=True,
    ),
    Spec(
        "Suostumusten hallinta",
        "Asukkaiden suostumukset ja viestintäkiellot kootaan yhteen, jotta sama asukas ei saa "
        "kieltämäänsä viestiä toiselta palvelulta.",
        Theme.CUSTOMER_DATA,
        Stage.IDEA,
        ("202", "423"),
        SplitMethod.EQUAL,
        42_000,
        0,
        9_000,
        vendor=2,
        start=-200,
        length=300,
    ),
    Spec(
        "Ostolaskujen ohjelmistorobotiikka",
        "Ohjelmistorobotti tarkastaa ja tiliöi toistuvat ostolaskut; poikkeukset ohjautuvat "
        "taloussihteerille.",
        Theme.OTHER,
        Stage.PILOTING,
        ("853", "202", "680"),
        SplitMethod.MANUAL,
        210_000,
        50_000,
        85_000,
        vendor=0,
        start=170,
        length=365,
        review=10,
        manual=("70.00", "15.00", "15.00"),
    ),
    # --- Pohjanmaa (på svenska) ----------------------------------------------------------------
    Spec(
        "Elektronisk lokalbokning",
        "Kommunernas idrottshallar och möteslokaler bokas och betalas på nätet, på finska och "
        "svenska.",
        Theme.FACILITY_BOOKING,
        Stage.EVALUATION,
        ("499", "475", "946", "545"),
        SplitMethod.PER_CAPITA,
        92_000,
        23_000,
        26_000,
        vendor=1,
        start=460,
        length=420,
        decided=70,
        review=-8,
        language="sv",
    ),
    Spec(
        "Respons från invånarna",
        "En gemensam kanal för respons och förslag; svarstiden följs upp och publiceras.",
        Theme.FEEDBACK,
        Stage.PILOTING,
        ("905", "499", "893"),
        SplitMethod.PER_CAPITA,
        58_000,
        0,
        14_000,
        vendor=0,
        start=110,
        length=365,
        review=70,
        language="sv",
    ),
    # --- Lappi ----------------------------------------------------------------------------------
    Spec(
        "Kutsuliikenne ja asiointikyydit",
        "Asiointi- ja koulukyydit yhdistetään kutsuohjatuksi palveluksi, jonka kyydin voi "
        "tilata puhelimella tai sovelluksella.",
        Theme.TRANSPORT_OPTIMISATION,
        Stage.PILOTING,
        ("240", "851", "241", "845", "751"),
        SplitMethod.PER_CAPITA,
        224_000,
        112_000,
        76_000,
        vendor=3,
        start=280,
        length=400,
        decided=100,
        review=-60,
        midpoint=Outcome.CONTINUE,
    ),
    Spec(
        "Etäluettavat vesimittarit",
        "Vesimittarit luetaan etänä ja vuodoista tulee hälytys; lukemia ei enää kysytä "
        "asukkailta kortilla.",
        Theme.PROPERTY_MANAGEMENT,
        Stage.STOPPED,
        ("698", "758", "261"),
        SplitMethod.PER_CAPITA,
        176_000,
        44_000,
        52_000,
        vendor=5,
        start=380,
        length=540,
        decided=40,
        no_go="Mittarien paristot tyhjenivät pakkasella kuukausissa, eikä "
        "toimittaja löytänyt korjausta. Ohjausryhmä päätti lopettaa kokeilun.",
        evaluation=True,
    ),
    Spec(
        "Tapahtumailmoitukset verkossa",
        "Yleisötapahtumien ilmoitukset poliisille, pelastuslaitokselle ja kunnalle yhdellä "
        "lomakkeella.",
        Theme.PERMITS,
        Stage.PILOTING,
        ("698", "240", "851"),
        SplitMethod.EQUAL,
        46_000,
        0,
        11_000,
        vendor=4,
        start=95,
        length=270,
        review=60,
    ),
    # --- Pohjois-Karjala ------------------------------------------------------------------------
    Spec(
        "Kirjastojen asiakaskokemus",
        "Kirjastokäynnin jälkeen asiakas saa lyhyen kyselyn; tulokset raportoidaan "
        "kuukausittain jokaiselle kirjastolle.",
        Theme.FEEDBACK,
        Stage.EVALUATION,
        ("167", "276", "426"),
        SplitMethod.PER_CAPITA,
        38_000,
        0,
        9_000,
        vendor=0,
        start=390,
        length=365,
        decided=30,
        review=-2,
    ),
    Spec(
        "Kaavoitusaineistojen digitointi",
        "Vanhat asema- ja yleiskaavat digitoidaan ja julkaistaan karttapalvelussa koneluettavina.",
        Theme.GEODATA,
        Stage.PLANNING,
        ("167", "309", "260"),
        SplitMethod.PER_CAPITA,
        110_000,
        55_000,
        20_000,
        vendor=2,
        start=-20,
        length=420,
    ),
    Spec(
        "Tekstiviestikysely kotihoidosta",
        "Kotihoidon asiakkaat ja omaiset vastaavat käynnin jälkeen tekstiviestikyselyyn; "
        "huonoon arvioon soitetaan takaisin.",
        Theme.FEEDBACK,
        Stage.PILOTING,
        ("422", "260", "309"),
        SplitMethod.EQUAL,
        31_000,
        0,
        7_000,
        vendor=0,
        start=210,
        length=300,
        review=-30,
        stale=True,
    ),
    # --- Päijät-Häme ja Uusimaa -----------------------------------------------------------------
    Spec(
        "Yhteinen asiakkuudenhallinta",
        "Asiakkuudenhallintajärjestelmä kuntien palvelupisteisiin: asukkaan asiointi näkyy "
        "neuvojalle, kanavasta riippumatta.",
        Theme.CUSTOMER_DATA,
        Stage.PLANNING,
        ("398", "098", "560", "016"),
        SplitMethod.PER_CAPITA,
        380_000,
        150_000,
        120_000,
        vendor=2,
        start=-90,
        length=540,
    ),
    Spec(
        "Verkkoajanvaraus kuntapalveluihin",
        "Rakennusvalvonnan, maksuneuvonnan ja kirjaston ajanvaraukset samaan ajanvarauspalveluun.",
        Theme.E_SERVICES,
        Stage.PILOTING,
        ("186", "245", "858", "611"),
        SplitMethod.PER_CAPITA,
        128_000,
        32_000,
        45_000,
        vendor=0,
        start=160,
        length=365,
        review=25,
    ),
    Spec(
        "Maa-aineslupien verkkoasiointi",
        "Maa-aineslupien hakeminen ja valvontailmoitukset yhteisessä verkkopalvelussa.",
        Theme.PERMITS,
        Stage.IDEA,
        ("505", "611"),
        SplitMethod.EQUAL,
        40_000,
        0,
        8_000,
        vendor=4,
        start=-250,
        length=300,
    ),
    Spec(
        "Ruokapalvelujen mobiiliomavalvonta",
        "Keittiöiden lämpötila- ja puhtauskirjaukset tehdään tabletilla, ja poikkeamista "
        "tulee ilmoitus esihenkilölle.",
        Theme.MOBILE_WORK,
        Stage.PLANNING,
        ("098", "111", "016"),
        SplitMethod.EQUAL,
        44_000,
        0,
        15_000,
        vendor=0,
        start=-75,
        length=300,
    ),
    # --- Pohjois-Pohjanmaa ----------------------------------------------------------------------
    Spec(
        "Palveluliikenteen reittien optimointi",
        "Palveluliikenteen reitit ja aikataulut sovitetaan todelliseen kysyntään "
        "matkakorttidatan perusteella.",
        Theme.TRANSPORT_OPTIMISATION,
        Stage.SCALING,
        ("564", "244", "425", "859"),
        SplitMethod.PER_CAPITA,
        290_000,
        145_000,
        130_000,
        vendor=3,
        start=620,
        length=400,
        decided=50,
        review=100,
    ),
    Spec(
        "Kuntalaisaloitteiden seuranta",
        "Aloitteet ja niiden käsittely näkyvät verkossa; aloitteen tekijä saa ilmoituksen "
        "jokaisesta käsittelyvaiheesta.",
        Theme.FEEDBACK,
        Stage.STOPPED,
        ("244", "425", "494"),
        SplitMethod.EQUAL,
        26_000,
        0,
        5_000,
        vendor=0,
        start=300,
        length=365,
        decided=90,
        no_go="Aloitteita tuli kokeilun aikana vain muutama, eikä palvelu "
        "tuonut lisäarvoa kunnan nykyiseen asianhallintaan nähden.",
    ),
    Spec(
        "Sähköinen kiinteistöhuoltokirja",
        "Kuntakiinteistöjen huoltokirja ja vikailmoitukset sähköisiksi; huoltoyhtiö kuittaa "
        "työt samaan järjestelmään.",
        Theme.PROPERTY_MANAGEMENT,
        Stage.EVALUATION,
        ("564", "244", "859", "494", "425"),
        SplitMethod.PER_CAPITA,
        205_000,
        60_000,
        80_000,
        vendor=5,
        start=470,
        length=500,
        decided=140,
        review=-75,
    ),
)

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

DECIDERS = {
    "fi": ["ohjausryhmä", "kunnanhallitus", "yhteistyöryhmä", "kaupunginhallitus"],
    "sv": ["styrgruppen", "kommunstyrelsen"],
}
RATIONALES: dict[tuple[str, Gate, Outcome], list[str]] = {
    ("fi", Gate.START, Outcome.GO): [
        "Suunnitelma, kustannusjako ja mittarit hyväksytään; kokeilu käynnistetään.",
        "Kunnat sitoutuvat kokeiluun esitetyllä kustannusjaolla. Toimittajan kanssa sovitaan "
        "kuukausiraportoinnista.",
        "Hankinta on valmis ja kokeilun tavoitteet on kirjattu mittareiksi; aloitetaan.",
    ],
    ("fi", Gate.START, Outcome.CONTINUE): [
        "Päätös siirtyy: yhden osallistujakunnan rahoituspäätös puuttuu vielä.",
    ],
    ("fi", Gate.MIDPOINT, Outcome.GO): [
        "Välitulokset ovat tavoitteen mukaisia; kokeilu jatkuu suunnitelman mukaan.",
        "Käyttöaste on noussut odotettua nopeammin. Jatketaan ja kerätään säästödataa.",
    ],
    ("fi", Gate.MIDPOINT, Outcome.CONTINUE): [
        "Kokeilua jatketaan, mutta mittausdataa tarvitaan lisää ennen laajentamispäätöstä.",
        "Tulokset vaihtelevat kunnittain; jatketaan ja selvitetään erojen syyt.",
        "Käyttöönotto viivästyi, joten arviointi siirretään. Toimittaja esittää "
        "korjaussuunnitelman.",
    ],
    ("fi", Gate.SCALE_UP, Outcome.GO): [
        "Tavoitteet saavutettiin; palvelu laajennetaan pysyväksi kaikissa kokeilukunnissa.",
        "Säästöt ja asiakaspalaute puoltavat laajentamista. Jatkosopimus valmistellaan.",
    ],
    ("sv", Gate.START, Outcome.GO): [
        "Planen, kostnadsfördelningen och mätarna godkänns; försöket inleds.",
    ],
    ("sv", Gate.MIDPOINT, Outcome.CONTINUE): [
        "Försöket fortsätter; mer mätdata behövs innan beslut om utvidgning.",
    ],
    ("sv", Gate.MIDPOINT, Outcome.GO): ["Delresultaten motsvarar målen; försöket fortsätter."],
}
FOLLOW_UPS = {
    "fi": [
        "Toimittaja raportoi tilanteen kuukausittain ohjausryhmälle.",
        "Toimittaja toimittaa käyttötilastot neljännesvuosittain ja korjaa havaitut puutteet.",
        "Sovitaan toimittajan kanssa koulutuksesta loppukäyttäjille ennen seuraavaa vaihetta.",
        "",
    ],
    "sv": ["Leverantören rapporterar varje månad till styrgruppen.", ""],
}
STATUS_TEXTS: dict[tuple[str, Rag], list[str]] = {
    ("fi", Rag.GREEN): [
        "Eteni suunnitellusti; käyttäjämäärät kasvussa.",
        "Käyttöönotto on valmis kaikissa kokeilukunnissa.",
        "Palaute käyttäjiltä on ollut myönteistä, eikä avoimia ongelmia ole.",
        "Kuukauden tavoitteet saavutettiin. Seuraavaksi koulutetaan loput käyttäjät.",
        "Integraatio taloushallintoon otettiin käyttöön ilman katkoja.",
    ],
    ("fi", Rag.AMBER): [
        "Integraatio viivästyi kaksi viikkoa; korjaussuunnitelma on tehty.",
        "Käyttäjiä on vähemmän kuin suunniteltiin, joten viestintää lisätään.",
        "Toimittajan resurssit ovat lomakaudella ohuet, ja osa tehtävistä siirtyy.",
        "Tietojen siirrossa löytyi virheitä, jotka korjataan ennen seuraavaa vaihetta.",
    ],
    ("fi", Rag.RED): [
        "Käyttöönotto pysähtyi tietosuojakysymyksiin; ohjausryhmä on kutsuttu koolle.",
        "Järjestelmä oli poissa käytöstä useana päivänä, ja toimittaja selvittää syytä.",
        "Budjetti uhkaa ylittyä; lisätöistä neuvotellaan toimittajan kanssa.",
    ],
    ("sv", Rag.GREEN): [
        "Försöket framskrider enligt plan.",
        "Användarna är nöjda och antalet bokningar ökar.",
    ],
    ("sv", Rag.AMBER): ["Integrationen är två veckor försenad; en plan för rättelse är gjord."],
    ("sv", Rag.RED): ["Systemet var ur funktion flera dagar; leverantören utreder orsaken."],
}


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
    count = 0
    for number, spec in enumerate(_track(SPECS, progress, "Demo pilots", len(SPECS))):
        _seed_pilot(rng, today, number, spec, vendors, users)
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


def _say(rng: random.Random, texts: list[str]) -> str:
    return rng.choice(texts)


def _decide(
    rng: random.Random,
    today: date,
    pilot: Pilot,
    spec: Spec,
    gate: Gate,
    outcome: Outcome,
    decided_on: date,
    next_review: date | None,
    rationale: str = "",
) -> None:
    lang = spec.language
    record_decision(
        pilot,
        gate,
        outcome,
        decided_on,
        _say(rng, DECIDERS[lang]),
        rationale or _say(rng, RATIONALES[(lang, gate, outcome)]),
        follow_up=_say(rng, FOLLOW_UPS[lang]),
        next_review=next_review,
        commit=False,
        today=today,
    )


def _to_evaluation(pilot: Pilot) -> None:
    """The plain forward move from piloting to evaluation, as an edit would make it."""
    pilot.stage = Stage.EVALUATION
    pilot.version += 1
    db.session.flush()


def _seed_pilot(
    rng: random.Random,
    today: date,
    number: int,
    spec: Spec,
    vendors: list[Vendor],
    users: dict[str, User],
) -> None:
    start = today - timedelta(days=spec.start)
    end = start + timedelta(days=spec.length)
    started = spec.stage not in (Stage.IDEA, Stage.PLANNING)
    method, equal_percent = spec.method, None
    # Some of the per-capita ones share 30 % equally, as eKommune Sunnmøre does.
    if method is SplitMethod.PER_CAPITA and number % 4 == 0:
        method, equal_percent = SplitMethod.HYBRID, Decimal("30.00")
    manual = None
    if spec.method is SplitMethod.MANUAL:
        manual = {c: Decimal(p) for c, p in zip(spec.codes, spec.manual, strict=True)}
    pilot = create_pilot(
        PilotData(
            name=spec.name,
            summary=spec.summary,
            theme=spec.theme,
            track=default_track(spec.theme) or Track.QUICK,
            stage=Stage.PLANNING if started else spec.stage,
            goals=rng.sample(list(Goal), rng.randint(1, 3)),
            lead_municipality=spec.codes[0],
            participants=sorted(spec.codes),
            split_method=method,
            manual_shares=manual,
            equal_percent=equal_percent,
            budget_cents=spec.budget_eur * 100,
            external_funding_cents=spec.funding_eur * 100,
            estimated_annual_savings_cents=spec.savings_eur * 100,
            vendor_id=vendors[spec.vendor].id,
            coordinator_id=users["koordinaattori"].id,
            start_date=start,
            end_date=end,
            is_public=number % 4 != 3,
            language=spec.language,
        ),
        commit=False,
    )
    loaded = load_pilot_for_update(pilot.id)
    assert loaded is not None
    pilot = loaded
    review = today + timedelta(days=spec.review) if spec.review is not None else None
    if not started:
        if spec.planning_review is not None:
            _decide(
                rng,
                today,
                pilot,
                spec,
                Gate.START,
                Outcome.CONTINUE,
                today - timedelta(days=20),
                today + timedelta(days=spec.planning_review),
            )
        if spec.stage is Stage.PLANNING and number % 2:
            _seed_kpis(rng, today, pilot, spec, start, None, users)
        return
    decided = today - timedelta(days=spec.decided) if spec.decided is not None else None
    later = decided is not None or spec.stage in (Stage.EVALUATION, Stage.SCALING)
    _decide(
        rng,
        today,
        pilot,
        spec,
        Gate.START,
        Outcome.GO,
        start,
        start + timedelta(days=150) if later else review,
    )
    stopped_on = decided if spec.stage is Stage.STOPPED else None
    _seed_kpis(rng, today, pilot, spec, start, stopped_on, users)
    _seed_statuses(rng, today, pilot, spec, start, stopped_on, users)
    assert decided is not None or spec.stage is Stage.PILOTING
    if spec.stage is Stage.PILOTING and spec.midpoint is not None and decided is not None:
        _decide(rng, today, pilot, spec, Gate.MIDPOINT, spec.midpoint, decided, review)
    elif spec.stage is Stage.EVALUATION and decided is not None:
        _to_evaluation(pilot)
        _decide(rng, today, pilot, spec, Gate.MIDPOINT, Outcome.CONTINUE, decided, review)
    elif spec.stage is Stage.SCALING and decided is not None:
        midpoint = start + (decided - start) / 2
        _decide(
            rng, today, pilot, spec, Gate.MIDPOINT, Outcome.GO, midpoint, decided - timedelta(7)
        )
        _to_evaluation(pilot)
        _decide(rng, today, pilot, spec, Gate.SCALE_UP, Outcome.GO, decided, review)
    elif spec.stage is Stage.STOPPED and decided is not None:
        gate = Gate.MIDPOINT
        if spec.evaluation:
            _to_evaluation(pilot)
            gate = Gate.SCALE_UP
        _decide(rng, today, pilot, spec, gate, Outcome.NO_GO, decided, None, spec.no_go)


def _step(unit: str) -> Decimal:
    """How finely a KPI of this unit is measured."""
    if unit == "€/v":
        return Decimal(100)
    if unit in ("kpl", "km", "MWh/kk"):
        return Decimal(1)
    return Decimal("0.1")


def _seed_kpis(
    rng: random.Random,
    today: date,
    pilot: Pilot,
    spec: Spec,
    start: date,
    stopped_on: date | None,
    users: dict[str, User],
) -> None:
    """The theme's KPIs (some pilots measure only one) with monthly measurements since the
    start: a trend towards the target that flattens out, with noise and the odd bad month."""
    templates = KPI_TEMPLATES[spec.theme]
    if rng.random() < 0.3:
        templates = templates[:1]
    until = stopped_on or today
    for name, unit, direction, is_savings, baseline, target in templates:
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
        if start > today:
            continue
        # Stopped pilots got nowhere near their targets; the others reach 40-115 %.
        reach = rng.uniform(0.05, 0.3) if stopped_on else rng.uniform(0.4, 1.15)
        ramp = rng.uniform(5, 12)  # months until the trend flattens
        step = _step(unit)
        for month in range(12):
            measured_on = today - timedelta(days=30 * (11 - month) + rng.randint(1, 6))
            if measured_on < start or measured_on > until:
                continue
            months_in = (measured_on - start).days / 30
            trend = reach * min(1.0, months_in / ramp)
            noise = rng.gauss(0, 0.06) - (0.15 if rng.random() < 0.08 else 0)
            fraction = max(0.0 if is_savings else -0.1, trend + noise)
            raw = Decimal(str(baseline + (target - baseline) * fraction))
            value = (raw / step).quantize(Decimal(1)) * step
            if unit == "%":
                value = min(Decimal(100), max(Decimal(0), value))
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
    spec: Spec,
    start: date,
    stopped_on: date | None,
    users: dict[str, User],
) -> None:
    """Roughly monthly status reports from the start; a stale pilot's vendor stopped
    reporting over a month ago, a stopped pilot's reports end at the stop."""
    last = stopped_on or today - timedelta(
        days=rng.randint(38, 70) if spec.stale else rng.randint(2, 20)
    )
    dates: list[date] = []
    day = last
    while day >= start and len(dates) < 8:
        dates.append(day)
        day -= timedelta(days=rng.randint(24, 38))
    progress = 0
    lang = spec.language
    for reported_on in reversed(dates):
        rag = rng.choices([Rag.GREEN, Rag.AMBER, Rag.RED], weights=[6, 3, 1])[0]
        if stopped_on and reported_on == stopped_on:
            rag = Rag.RED
        progress = min(100, progress + rng.randint(4, 16))
        add_status_update(
            pilot,
            rag,
            progress,
            _say(rng, STATUS_TEXTS[(lang, rag)]),
            reported_on=reported_on,
            author_id=users["toimittaja"].id,
            today=today,
            commit=False,
        )
