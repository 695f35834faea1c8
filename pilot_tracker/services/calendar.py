"""Calendar feeds (RFC 5545): a user's secret feed and each pilot's own `.ics`.

Events: the next review (the newest decision's `next_review`), gate decisions (each on its
date), planned gate meetings (services/gate_meetings.py), open follow-up items with a due date
and the planned end of every pilot the feed's owner may see. UIDs name the record, not its
date, so a moved review, meeting or item updates the event in a calendar application rather
than duplicating it; a follow-up item done or dropped, or a cancelled meeting, leaves the feed.

Permissions as everywhere: the pilots come from `audience_pilots` (permissions.py), a vendor
sees only the follow-up items it owns (PRODUCT.md, "What is due"), and a council member's
feed holds the steering group's meetings and its own municipality's, not every participant's.
Each kind is one query over all the feed's pilots, whatever their number.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from typing import Any

import sqlalchemy as sa
from icalendar import Calendar

from pilot_tracker.domain.enums import Role
from pilot_tracker.domain.follow_up import ItemStatus, OwnerKind
from pilot_tracker.extensions import db
from pilot_tracker.language.i18n import current_language
from pilot_tracker.language.i18n import gettext as _
from pilot_tracker.language.labels import label
from pilot_tracker.models import (
    CalendarFeed,
    Decision,
    FollowUpItem,
    GateMeeting,
    Municipality,
    Pilot,
    User,
)
from pilot_tracker.services import audit
from pilot_tracker.services.due_items import audience_pilots, latest_reviews
from pilot_tracker.services.gate_meetings import MEETING_LENGTH, starts_utc

ONE_DAY = timedelta(days=1)
PAST_WINDOW = timedelta(days=90)  # past events kept in the feed, so calendars keep history
UID_DOMAIN = "kokeilusalkku"


def hash_token(plaintext: str) -> str:
    return hashlib.sha256(plaintext.encode("utf-8")).hexdigest()


def active_feed(user: User) -> CalendarFeed | None:
    return db.session.scalars(
        sa.select(CalendarFeed).where(
            CalendarFeed.user_id == user.id, CalendarFeed.revoked_at.is_(None)
        )
    ).first()


def create_feed(user: User, commit: bool = True) -> str:
    """A new secret feed URL token (the old one, if any, stops working); shown once."""
    revoke_feed(user, commit=False)
    plaintext = secrets.token_urlsafe(32)
    feed = CalendarFeed(user_id=user.id, token_hash=hash_token(plaintext))
    db.session.add(feed)
    db.session.flush()
    audit.record(
        "create", "calendar_feed", feed.id, new={"user_id": user.id}, actor=(user.id, user.email)
    )
    if commit:
        db.session.commit()
    return plaintext


def revoke_feed(user: User, commit: bool = True) -> bool:
    """Revoke the user's feed; True if there was one."""
    feed = active_feed(user)
    if feed is None:
        return False
    feed.revoked_at = datetime.now(UTC)
    audit.record(
        "update",
        "calendar_feed",
        feed.id,
        old={"revoked_at": None},
        new={"revoked_at": feed.revoked_at},
        actor=(user.id, user.email),
    )
    if commit:
        db.session.commit()
    return True


def user_of_feed(plaintext: str) -> User | None:
    """The active owner of an unrevoked feed token, or None."""
    if not plaintext or len(plaintext) > 100:
        return None
    row = db.session.execute(
        sa.select(User)
        .join(CalendarFeed, CalendarFeed.user_id == User.id)
        .where(CalendarFeed.token_hash == hash_token(plaintext), CalendarFeed.revoked_at.is_(None))
    ).first()
    if row is None or not row[0].active:
        return None
    return row[0]


@dataclass(frozen=True)
class CalendarEvent:
    uid: str
    on: date
    summary: str
    description: str
    url: str
    pilot_id: int
    starts: datetime | None = None  # a timed event (UTC); None: all day on `on`


@dataclass(frozen=True)
class Audience:
    """Whose feed it is, as far as the events' filters go."""

    vendor: bool = False  # only the follow-up items the vendor owns
    municipality: str | None = None  # a council member's: meetings of the group and its own

    @classmethod
    def of(cls, user: Any) -> Audience:
        role = getattr(user, "role", None)
        return cls(
            vendor=role == Role.VENDOR,
            municipality=getattr(user, "home_code", None) if role == Role.COUNCIL else None,
        )


def _feed_texts() -> dict[str, str]:
    """The feed's texts in the current language, translated once per feed, not once per
    event (hundreds of them)."""
    return {
        "review": _("Review: %(pilot)s"),
        "review_note": _("Next review after the %(gate)s gate decision."),
        "gate": _("Gate meeting: %(pilot)s"),
        "gate_note": _("%(gate)s gate: %(outcome)s."),
        "end": _("Planned end: %(pilot)s"),
        "end_note": _("The pilot's planned end date."),
        "meeting": _("Gate meeting (planned): %(pilot)s"),
        "meeting_note": _("%(gate)s gate: %(body)s."),
        "steering": _("the steering group"),
        "item": _("Follow-up item: %(title)s (%(pilot)s)"),
        "item_note": _("Owner: %(owner)s. Status: %(status)s."),
        "vendor": _("the vendor"),
        "coordinator": _("the coordinator"),
    }


@dataclass
class _Feed:
    """What each kind of event reads: the pilots `pilot_ids` selects, events since `since`,
    the audience's filters, the texts and labels of the current language."""

    pilot_ids: sa.Select[Any]
    since: date
    base_url: str
    audience: Audience
    texts: dict[str, str]
    place_name: Any  # the municipality's name column in the current language
    labels: dict[Any, str] = field(default_factory=dict)

    def named(self, value: Any) -> str:
        if value not in self.labels:
            self.labels[value] = label(value)
        return self.labels[value]

    def pilot_url(self, pilot_id: int) -> str:
        return f"{self.base_url}/pilots/{pilot_id}"


def _events(
    pilot_ids: sa.Select[Any], today: date, base_url: str, audience: Audience | None = None
) -> list[CalendarEvent]:
    """Reviews, gate decisions and meetings, follow-up items and planned ends of the pilots
    `pilot_ids` selects, as `audience` may see them."""
    language = current_language()
    feed = _Feed(
        pilot_ids=pilot_ids,
        since=today - PAST_WINDOW,
        base_url=base_url,
        audience=audience or Audience(),
        texts=_feed_texts(),
        place_name=Municipality.name_sv if language == "sv" else Municipality.name_fi,
    )
    events = [
        *_review_events(feed),
        *_decision_events(feed),
        *_meeting_events(feed),
        *_item_events(feed),
        *_end_events(feed),
    ]
    return sorted(events, key=lambda e: (e.on, e.uid))


def _review_events(feed: _Feed) -> list[CalendarEvent]:
    texts = feed.texts
    return [
        CalendarEvent(
            # One review per pilot: a later decision moving it moves this event.
            uid=f"review-{pilot_id}@{UID_DOMAIN}",
            on=review_on,
            summary=texts["review"] % {"pilot": name},
            description=texts["review_note"] % {"gate": feed.named(gate)},
            url=feed.pilot_url(pilot_id),
            pilot_id=pilot_id,
        )
        for _decision_id, pilot_id, review_on, gate, name in db.session.execute(
            latest_reviews(feed.pilot_ids, since=feed.since)
        )
    ]


def _decision_events(feed: _Feed) -> list[CalendarEvent]:
    texts = feed.texts
    decisions = (
        sa.select(
            Decision.id,
            Decision.pilot_id,
            Decision.decided_on,
            Decision.gate,
            Decision.outcome,
            Pilot.name,
        )
        .join(Pilot, Pilot.id == Decision.pilot_id)
        .where(Decision.pilot_id.in_(feed.pilot_ids), Decision.decided_on >= feed.since)
    )
    return [
        CalendarEvent(
            uid=f"gate-{decision_id}@{UID_DOMAIN}",
            on=decided_on,
            summary=texts["gate"] % {"pilot": name},
            description=texts["gate_note"]
            % {"gate": feed.named(gate), "outcome": feed.named(outcome)},
            url=feed.pilot_url(pilot_id),
            pilot_id=pilot_id,
        )
        for decision_id, pilot_id, decided_on, gate, outcome, name in db.session.execute(decisions)
    ]


def _meeting_events(feed: _Feed) -> list[CalendarEvent]:
    texts = feed.texts
    meetings = (
        sa.select(
            GateMeeting.id,
            GateMeeting.pilot_id,
            GateMeeting.meets_on,
            GateMeeting.starts_at,
            GateMeeting.gate,
            GateMeeting.municipality_code,
            GateMeeting.body,
            GateMeeting.place,
            Pilot.name,
            feed.place_name,
        )
        .join(Pilot, Pilot.id == GateMeeting.pilot_id)
        .outerjoin(Municipality, Municipality.code == GateMeeting.municipality_code)
        .where(GateMeeting.pilot_id.in_(feed.pilot_ids), GateMeeting.meets_on >= feed.since)
    )
    if feed.audience.municipality:
        meetings = meetings.where(
            sa.or_(
                GateMeeting.municipality_code.is_(None),
                GateMeeting.municipality_code == feed.audience.municipality,
            )
        )
    events = []
    for row in db.session.execute(meetings):
        meeting_id, pilot_id, meets_on, starts_at, gate, code, body, place, name, town = row
        who = texts["steering"] if code is None else town
        if code is not None and body:
            who = f"{town} ({feed.named(body)})"
        note = texts["meeting_note"] % {"gate": feed.named(gate), "body": who}
        events.append(
            CalendarEvent(
                uid=f"meeting-{meeting_id}@{UID_DOMAIN}",
                on=meets_on,
                summary=texts["meeting"] % {"pilot": name},
                description=f"{note} {place}".strip(),
                url=feed.pilot_url(pilot_id) + "#meetings",
                pilot_id=pilot_id,
                starts=starts_utc(row) if starts_at is not None else None,
            )
        )
    return events


def _item_events(feed: _Feed) -> list[CalendarEvent]:
    texts = feed.texts
    items = (
        sa.select(
            FollowUpItem.id,
            FollowUpItem.pilot_id,
            FollowUpItem.due_on,
            FollowUpItem.title,
            FollowUpItem.owner_kind,
            FollowUpItem.owner_municipality_code,
            FollowUpItem.status,
            Pilot.name,
            feed.place_name,
        )
        .join(Pilot, Pilot.id == FollowUpItem.pilot_id)
        .outerjoin(Municipality, Municipality.code == FollowUpItem.owner_municipality_code)
        .where(
            FollowUpItem.pilot_id.in_(feed.pilot_ids),
            FollowUpItem.status.in_([ItemStatus.OPEN, ItemStatus.IN_PROGRESS]),
            FollowUpItem.due_on >= feed.since,
        )
    )
    if feed.audience.vendor:
        items = items.where(FollowUpItem.owner_kind == OwnerKind.VENDOR)
    events = []
    for (
        item_id,
        pilot_id,
        due_on,
        title,
        owner_kind,
        _code,
        status,
        name,
        town,
    ) in db.session.execute(items):
        if due_on is None:  # the query asks for a due date; never None
            continue
        owner = town if owner_kind == OwnerKind.MUNICIPALITY else texts[str(owner_kind)]
        events.append(
            CalendarEvent(
                uid=f"follow-up-{item_id}@{UID_DOMAIN}",
                on=due_on,
                summary=texts["item"] % {"title": title, "pilot": name},
                description=texts["item_note"] % {"owner": owner, "status": feed.named(status)},
                url=f"{feed.pilot_url(pilot_id)}#item-{item_id}",
                pilot_id=pilot_id,
            )
        )
    return events


def _end_events(feed: _Feed) -> list[CalendarEvent]:
    ends = sa.select(Pilot.id, Pilot.name, Pilot.end_date).where(
        Pilot.id.in_(feed.pilot_ids), Pilot.end_date >= feed.since
    )
    return [
        CalendarEvent(
            uid=f"end-{pilot_id}@{UID_DOMAIN}",
            on=end_date,
            summary=feed.texts["end"] % {"pilot": name},
            description=feed.texts["end_note"],
            url=feed.pilot_url(pilot_id),
            pilot_id=pilot_id,
        )
        for pilot_id, name, end_date in db.session.execute(ends)
        if end_date is not None  # the query asks for an end date; never None
    ]


def _fold(line: bytes) -> bytes:
    """RFC 5545 3.1: lines longer than 75 octets folded with CRLF and a space, never inside
    a UTF-8 character."""
    if len(line) <= 75:
        return line
    parts = []
    limit = 75
    while len(line) > limit:
        cut = limit
        while cut > 0 and (line[cut] & 0xC0) == 0x80:  # a continuation byte: step back
            cut -= 1
        parts.append(line[:cut])
        line = line[cut:]
        limit = 74  # the leading space counts
    parts.append(line)
    return b"\r\n ".join(parts)


def ical_text(value: str) -> bytes:
    """A TEXT value escaped as RFC 5545 3.3.11 says: backslash, semicolon and comma escaped,
    a line break (CRLF, LF or a lone CR) as `\\n`; UTF-8."""
    escaped = (
        value.replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r\n", "\n")
        .replace("\r", "\n")
        .replace("\n", "\\n")
    )
    return escaped.encode("utf-8")


@lru_cache(maxsize=2048)
def _ical_date(day: date) -> bytes:
    """A DATE value (RFC 5545 3.3.4); the same few hundred days recur in every feed."""
    return b"%04d%02d%02d" % (day.year, day.month, day.day)


def _ical_utc(moment: datetime) -> bytes:
    """A DATE-TIME value in UTC (RFC 5545 3.3.5, form 2)."""
    moment = moment.astimezone(UTC)
    return b"%04d%02d%02dT%02d%02d%02dZ" % (
        moment.year,
        moment.month,
        moment.day,
        moment.hour,
        moment.minute,
        moment.second,
    )


def _event_lines(item: CalendarEvent, stamp: bytes) -> list[bytes]:
    """One VEVENT, each value encoded by its RFC 5545 type (parsed back by the icalendar
    library in tests/test_mail_calendar.py)."""
    if item.starts is None:
        when = [
            b"DTSTART;VALUE=DATE:" + _ical_date(item.on),
            b"DTEND;VALUE=DATE:" + _ical_date(item.on + ONE_DAY),
        ]
    else:
        when = [
            b"DTSTART:" + _ical_utc(item.starts),
            b"DTEND:" + _ical_utc(item.starts + MEETING_LENGTH),
        ]
    return [
        b"BEGIN:VEVENT",
        b"UID:" + ical_text(item.uid),
        b"DTSTAMP:" + stamp,
        *when,
        b"SUMMARY:" + ical_text(item.summary),
        b"DESCRIPTION:" + ical_text(item.description),
        # A URI value is not escaped; ours never hold CR or LF.
        b"URL:" + item.url.encode("utf-8"),
        b"TRANSP:TRANSPARENT",
        b"END:VEVENT",
    ]


def to_ical(events: list[CalendarEvent], name: str, language: str, now: datetime) -> bytes:
    """An RFC 5545 calendar of all-day events.

    The calendar's own properties are made with `icalendar.Calendar`; the events are written
    line by line, each value by its RFC 5545 type, because building each one as a Component
    cost about half a millisecond per event (most of it folding lines that need no folding)
    and even the library's value objects a good part of the feed's time, and a coordinator's
    feed has a thousand events or more.
    """
    calendar = Calendar()
    calendar.add("prodid", "-//Kokeilusalkku//Kokeilusalkku//" + language.upper())
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    # A calendar's name is one line (the library refuses a line break in it; a pilot's name
    # may hold one when it came through the API).
    calendar.add("x-wr-calname", " ".join(name.split()) or "Kokeilusalkku")
    head = calendar.to_ical().rstrip(b"\r\n").split(b"\r\n")
    assert head[-1] == b"END:VCALENDAR"
    stamp = _ical_utc(now)
    lines = head[:-1]
    for item in events:
        lines.extend(_event_lines(item, stamp))
    lines.append(b"END:VCALENDAR")
    return b"\r\n".join(_fold(line) for line in lines) + b"\r\n"


def user_feed(user: User, today: date, base_url: str, language: str) -> bytes:
    """The feed of everything concerning `user` (permissions.py decides what they see)."""
    events = _events(audience_pilots(user), today, base_url, Audience.of(user))
    return to_ical(events, _("Kokeilusalkku"), language, datetime.now(UTC))


def pilot_feed(pilot: Pilot, today: date, base_url: str, language: str, user: Any = None) -> bytes:
    """One pilot's own calendar (the caller has checked that `user` may see the pilot): all
    of its meetings, and of its follow-up items those `user` may see."""
    audience = Audience(vendor=Audience.of(user).vendor)
    events = _events(sa.select(Pilot.id).where(Pilot.id == pilot.id), today, base_url, audience)
    return to_ical(events, pilot.name, language, datetime.now(UTC))
