"""Translations of the English messages that services and domain rules raise.

Services and the domain speak English (the API sends their messages as they are); pages show
them in the interface language. Fixed messages are listed literally so that extraction finds
them; messages with values in them (municipality codes, stages, sums, business IDs) are
recognised by a pattern and rebuilt from a translated message with the same values, stages
and gates by their labels. A message that embeds one of these (the importer's "The last
decision left the pilot in …: <reason>") has the embedded part translated. Where a domain
error carries a stable reason code (MoneyError.reason), `money_message` uses that instead.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from decimal import Decimal, InvalidOperation

from flask_babel import gettext as _
from flask_babel import ngettext

from pilot_tracker.domain.enums import Gate, Stage
from pilot_tracker.domain.money import MoneyError
from pilot_tracker.domain.plausibility import Finding
from pilot_tracker.labels import label


def N_(message: str) -> str:
    """Mark a message for extraction; it is translated when shown."""
    return message


_KNOWN: frozenset[str] = frozenset(
    {
        # services/pilots.py
        N_("A name is required."),
        N_("The name can be at most 200 characters."),
        N_("The summary can be at most 10 000 characters."),
        N_("The language is fi, sv or en."),
        N_("Choose a track: this theme has no default track."),
        N_("A municipality is listed twice."),
        N_("At least one participating municipality is required."),
        N_("There are only 308 municipalities."),
        N_("The lead municipality must be one of the participants."),
        N_("Must be zero or more."),
        N_("The amount is too large."),
        N_("The end date cannot be before the start date."),
        N_("A new pilot cannot start as scaling or stopped: that takes a decision."),
        N_("This field cannot be changed."),
        # services/municipal_decisions.py, services/follow_up.py (the joint life)
        N_("A municipality cannot decide at this gate in the pilot's stage."),
        N_("This municipality has already left the pilot."),
        N_(
            "This municipality does not take part in the pilot; a newcomer can join only at "
            "the scale_up gate."
        ),
        N_("The lead municipality cannot leave; make another participant the lead first."),
        N_("A municipality cannot leave before the day after it joined."),
        N_("Write the section number as the minutes do, e.g. 45 or § 45."),
        N_("Give the minutes' web address, starting with https:// or http://."),
        N_("Choose a municipality from the register."),
        N_("A decision is dated today or earlier; a future meeting is a next review."),
        N_("A municipality that has left the pilot cannot be added again."),
        N_("The owning municipality must be one of the participants."),
        N_("Only a municipality owner names a municipality."),
        N_("The pilot has no vendor to own this item."),
        N_("Give the item a title."),
        N_("No decision of this pilot has that id."),
        N_("Choose open, in progress, done or dropped."),
        N_("Write down what the pilot taught."),
        N_("Lessons are recorded at evaluation or with a decision."),
        # services/gate_meetings.py
        N_("No gate is open for this pilot, so no meeting can be planned."),
        N_("Choose a gate open in the pilot's stage."),
        N_("A planned meeting is today or later; a held one is a decision."),
        N_("Plan the meeting at most five years ahead."),
        N_("The meeting's municipality must be one of the participants."),
        N_("Only a municipality's meeting names its body."),
        N_("Unknown field."),
        # services/reporting.py
        N_("A number is required."),
        N_("Enter a number, e.g. 12.5."),
        N_("Enter a number with at most 15 digits before the decimal point."),
        N_("At most four decimals."),
        N_("At most 200 characters."),
        N_("At most 50 characters."),
        N_("At most 2000 characters."),
        N_("At most 10 000 characters."),
        N_("A measurement cannot be dated in the future."),
        N_("A status update cannot be dated in the future."),
        N_("Progress is a whole number from 0 to 100."),
        N_("Describe the status in a few words."),
        # domain/plausibility.py (refusals, by text as the services raise them)
        N_(
            "External funding cannot be larger than the budget: the net cost would hide the "
            "difference."
        ),
        N_(
            "A decision is dated today or earlier; a future meeting is a next review, "
            "not a decision."
        ),
        N_("A measurement is dated 1 January 2000 or later."),
        # services/decisions.py
        N_("Name the body that decided (e.g. kunnanhallitus)."),
        N_("Write down the rationale of the decision."),
        N_("The next review cannot be before the decision."),
        # domain/kpi.py
        N_("The target must differ from the baseline; otherwise there is no progress."),
        N_(
            "The target is below the baseline, but the KPI should increase; "
            "set a target above the baseline or choose decrease."
        ),
        N_(
            "The target is above the baseline, but the KPI should decrease; "
            "set a target below the baseline or choose increase."
        ),
        # domain/cost_split.py
        N_("The cost to split must not be negative."),
        N_("There are no participants to split the cost between."),
        N_(
            "Every participant's weight is 0 (for example a population of 0), "
            "so there is nothing to split the cost by."
        ),
        N_(
            "A per-capita split needs populations, but every participant's population "
            "is 0; update the municipality register or choose another method."
        ),
        N_("A manual split needs a percentage for every participant."),
        # domain/stages.py
        N_("A pilot moves to scaling only through a go decision at the scale_up gate."),
        N_("A pilot is stopped only through a no_go decision."),
        N_("Only a continue decision can send a pilot back to planning."),
        # domain/business_id.py
        N_(
            "A business ID has seven digits, a hyphen and a check digit (NNNNNNN-C), "
            "such as 0201256-6."
        ),
        # domain/money.py (by text: the importer passes these on as they are)
        N_("Expected a number, not true or false."),
        N_("The value must not be negative."),
        N_("The value must be a finite number."),
        N_("Use at most two decimals."),
        N_("Use at most two decimals (a comma is read as the decimal mark)."),
        N_("The amount must not be negative."),
    }
)

Handler = Callable[[re.Match[str]], str]
_PATTERNS: list[tuple[re.Pattern[str], Handler]] = []


def _pattern(regex: str) -> Callable[[Handler], Handler]:
    def register(handler: Handler) -> Handler:
        _PATTERNS.append((re.compile(regex), handler))
        return handler

    return register


def _stage(value: str) -> str:
    try:
        return label(Stage(value))
    except ValueError:
        return value


def _gate(value: str) -> str:
    try:
        return label(Gate(value))
    except ValueError:
        return value


def _number(text: str, digits: int = 2) -> str:
    from pilot_tracker.i18n import number

    try:
        return number(Decimal(text), digits)
    except InvalidOperation:
        return text


def _euros(text: str) -> str:
    from pilot_tracker.i18n import money

    try:
        return money(int(Decimal(text) * 100))
    except (InvalidOperation, ValueError):
        return text


_CODES = r"[0-9]{3}(?:, [0-9]{3})*"


# --- domain/cost_split.py --------------------------------------------------------------------


@_pattern(r"Municipality codes have three digits, such as 091; got (?P<code>.*)\.")
def _bad_code(m: re.Match[str]) -> str:
    return _("Municipality codes have three digits, such as 091; got %(code)s.", code=m["code"])


@_pattern(
    r"The share of (?P<code>[0-9]{3}) has more than two decimals; use at most two, e\.g\. 33\.33\."
)
def _share_decimals(m: re.Match[str]) -> str:
    return _(
        "The share of %(code)s has more than two decimals; use at most two, e.g. 33.33.",
        code=m["code"],
    )


@_pattern(r"The share of (?P<code>[0-9]{3}) must be between 0 and 100 %\.")
def _share_range(m: re.Match[str]) -> str:
    return _("The share of %(code)s must be between 0 and 100 %%.", code=m["code"])


@_pattern(r"The share of (?P<code>[0-9]{3}) must be a percentage from 0 to 100, e\.g\. 33\.33\.")
def _share_number(m: re.Match[str]) -> str:
    return _(
        "The share of %(code)s must be a percentage from 0 to 100, e.g. 33.33.", code=m["code"]
    )


@_pattern(
    r"The shares add up to (?P<sum>-?[0-9]+(?:\.[0-9]+)?) %; "
    r"they must add up to exactly 100\.00 %\."
)
def _share_sum(m: re.Match[str]) -> str:
    return _(
        "The shares add up to %(sum)s %%; they must add up to exactly 100.00 %%.",
        sum=_number(m["sum"]),
    )


@_pattern(r"The manual shares must cover exactly the participants: (?P<parts>.+)\.")
def _manual_cover(m: re.Match[str]) -> str:
    parts = []
    for part in m["parts"].split("; "):
        missing = re.fullmatch(rf"no percentage is given for (?P<codes>{_CODES})", part)
        extra = re.fullmatch(rf"(?P<codes>{_CODES}) (?:is|are) not a participant", part)
        if missing:
            parts.append(_("no percentage is given for %(codes)s", codes=missing["codes"]))
        elif extra:
            count = len(extra["codes"].split(", "))
            parts.append(
                ngettext(
                    "%(codes)s is not a participant",
                    "%(codes)s are not participants",
                    count,
                    codes=extra["codes"],
                )
            )
        else:
            parts.append(part)
    return _(
        "The manual shares must cover exactly the participants: %(problems)s.",
        problems="; ".join(parts),
    )


@_pattern(rf"The shares and the participants differ for (?P<codes>{_CODES})\.")
def _shares_differ(m: re.Match[str]) -> str:
    return _("The shares and the participants differ for %(codes)s.", codes=m["codes"])


@_pattern(r"The weight of (?P<code>[0-9]{3}) must not be negative\.")
def _weight_negative(m: re.Match[str]) -> str:
    return _("The weight of %(code)s must not be negative.", code=m["code"])


@_pattern(r"The population of (?P<code>[0-9]{3}) must be a whole number of 0 or more\.")
def _population(m: re.Match[str]) -> str:
    return _("The population of %(code)s must be a whole number of 0 or more.", code=m["code"])


# --- services/pilots.py ----------------------------------------------------------------------


@_pattern(r"Unknown municipality code\(s\): (?P<codes>.+)\.")
def _unknown_codes(m: re.Match[str]) -> str:
    return _("Unknown municipality code(s): %(codes)s.", codes=m["codes"])


@_pattern(r"No vendor has the id (?P<id>[0-9]+)\.")
def _no_vendor(m: re.Match[str]) -> str:
    return _("No vendor has the id %(id)s.", id=m["id"])


@_pattern(r"No user has the id (?P<id>[0-9]+)\.")
def _no_user(m: re.Match[str]) -> str:
    return _("No user has the id %(id)s.", id=m["id"])


# --- domain/stages.py ------------------------------------------------------------------------

_STAGE = r"[a-z_]+"


@_pattern(rf"The pilot is in its final stage (?P<stage>{_STAGE}); its stage can no longer change\.")
def _final_no_change(m: re.Match[str]) -> str:
    return _(
        "The pilot is in its final stage, %(stage)s: its stage can no longer change.",
        stage=_stage(m["stage"]),
    )


@_pattern(
    rf"The pilot is in its final stage (?P<stage>{_STAGE}); no further decisions can be recorded\."
)
def _final_no_decisions(m: re.Match[str]) -> str:
    return _(
        "The pilot is in its final stage, %(stage)s: no further decisions can be recorded.",
        stage=_stage(m["stage"]),
    )


@_pattern(
    rf"A pilot cannot move back from (?P<current>{_STAGE}) to (?P<new>{_STAGE}); only a continue "
    r"decision can send it back, and only to planning\."
)
def _move_back(m: re.Match[str]) -> str:
    return _(
        "A pilot cannot move back from %(current)s to %(new)s; only a continue decision can "
        "send it back, and only to planning.",
        current=_stage(m["current"]),
        new=_stage(m["new"]),
    )


@_pattern(
    rf"A (?P<gate>{_STAGE}) decision cannot be made while the pilot is in (?P<stage>{_STAGE}); "
    rf"the gates open in (?P=stage): (?P<gates>[a-z_, ]*)\."
    r"(?P<scale_up> Evaluate the pilot first: scale_up is decided in evaluation\.)?"
)
def _gate_closed(m: re.Match[str]) -> str:
    gates = [g for g in m["gates"].split(", ") if g]
    message = _(
        "A %(gate)s decision cannot be made while the pilot is in %(stage)s. "
        "Gates open in this stage: %(gates)s.",
        gate=_gate(m["gate"]),
        stage=_stage(m["stage"]),
        gates=", ".join(_gate(g) for g in gates) or "–",
    )
    if m["scale_up"]:
        message += " " + _("Scale-up is decided in evaluation: evaluate the pilot first.")
    return message


# --- domain/business_id.py -------------------------------------------------------------------


@_pattern(
    r"(?P<value>[0-9]{7}-[0-9]) cannot be a business ID: its first seven digits are never "
    r"issued \(their checksum leaves remainder 1\)\. Check the number\."
)
def _never_issued(m: re.Match[str]) -> str:
    return _(
        "%(value)s cannot be a business ID: its first seven digits are never issued "
        "(their checksum leaves remainder 1). Check the number.",
        value=m["value"],
    )


@_pattern(
    r"The check digit of (?P<value>[0-9]{7}-[0-9]) is wrong: for (?P<body>[0-9]{7}) it should "
    r"be (?P<expected>[0-9]), not (?P<check>[0-9])\."
)
def _check_digit(m: re.Match[str]) -> str:
    return _(
        "The check digit of %(value)s is wrong: for %(body)s it should be %(expected)s, "
        "not %(check)s.",
        value=m["value"],
        body=m["body"],
        expected=m["expected"],
        check=m["check"],
    )


# --- domain/money.py -------------------------------------------------------------------------


@_pattern(r"\"(?P<value>.*)\" is not a number; write it like 12500\.50 or 12 500,50\.")
def _not_a_number(m: re.Match[str]) -> str:
    return _("“%(value)s” is not a number; write it like 12500.50 or 12 500,50.", value=m["value"])


@_pattern(r"The value is too large; the largest accepted is (?P<max>[0-9]+\.[0-9]{2})\.")
def _value_too_large(m: re.Match[str]) -> str:
    return _("The value is too large; the largest accepted is %(max)s.", max=_number(m["max"]))


@_pattern(r"The amount is too large; the largest accepted is (?P<max>[0-9]+\.[0-9]{2}) €\.")
def _amount_too_large(m: re.Match[str]) -> str:
    return _("The amount is too large; the largest accepted is %(max)s.", max=_euros(m["max"]))


def money_message(error: MoneyError) -> str:
    """A MoneyError in the interface language, by its stable reason code."""
    if error.reason == "too_many_decimals":
        return _("Use at most two decimals (a comma is read as the decimal mark).")
    if error.reason == "negative":
        return _("The amount must not be negative.")
    if error.reason == "too_large":
        return _("The amount is too large.")
    if error.reason == "not_finite":
        return _("The value must be a finite number.")
    return _("Enter an amount in euros, e.g. 12500.50 or 12 500,50.")


def finding_message(finding: Finding) -> str:
    """A plausibility warning or refusal in the interface language, by its code."""
    from pilot_tracker.i18n import money

    params = finding.params
    if finding.code == "budget_large":
        return _(
            "The budget %(budget)s is above 5 000 000 €. Check the amount: is it in euros, "
            "without extra digits?",
            budget=money(params["budget_cents"]),
        )
    if finding.code == "budget_per_resident":
        per_resident = params["budget_cents"] // max(1, params["residents"])
        return _(
            "The budget is %(per_resident)s per resident of the participating municipalities, "
            "above 500 € per resident. Check the amount and the participants.",
            per_resident=money(per_resident),
        )
    if finding.code == "duplicate_name":
        return _("Another pilot is already called “%(name)s”.", name=params["name"])
    return translate(finding.message)


# --- translating -----------------------------------------------------------------------------


def _embedded(message: str) -> str:
    """Translate the known messages inside a longer one."""
    for regex, handler in _PATTERNS:
        message = regex.sub(handler, message)
    for known in _KNOWN:
        if known in message:
            message = message.replace(known, _(known))
    return message


def translate(message: str) -> str:
    """The message in the interface language when it is a known one, else as it is."""
    if message in _KNOWN:
        return _(message)
    for regex, handler in _PATTERNS:
        match = regex.fullmatch(message)
        if match is not None:
            return handler(match)
    return _embedded(message)


def translate_all(messages: list[str]) -> list[str]:
    """`translate` over a list of messages."""
    return [translate(m) for m in messages]
