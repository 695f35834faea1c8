"""Request and response schemas: they validate the API's input and generate its OpenAPI
document, so the two cannot drift apart."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, ValidationError, fields, post_load, validates_schema
from marshmallow.utils import missing

from pilot_tracker.api.fields import (
    CatalogueTemplate,
    DecimalIn,
    Hundredths,
    Length,
    MoneyIn,
    PercentIn,
    Range,
    Regexp,
    SignedMoneyIn,
    Text,
    cents_out,
    code_field,
    decimal_text_out,
    id_field,
    money_out,
)
from pilot_tracker.database import MAX_ID
from pilot_tracker.domain.enums import (
    CostKind,
    Direction,
    Gate,
    Goal,
    Outcome,
    Rag,
    SplitMethod,
    Stage,
    Theme,
    Track,
)

MAX_PAGE = 100_000
MAX_PER_PAGE = 200


def enum(cls: Any, **kwargs: Any) -> fields.Enum:
    """An enum field by value ("facility_booking"), as stored and sent over the API; the
    values are strings, so the OpenAPI document types them (`type: string`)."""
    kwargs.setdefault("error_messages", {"unknown": CatalogueTemplate("input_one_of")})
    return fields.Enum(cls, by_value=fields.String, **kwargs)


def out(field_cls: Any, *args: Any, **kwargs: Any) -> Any:
    """A response field: always present (the OpenAPI document lists it as required)."""
    return field_cls(*args, required=True, **kwargs)


class Shown:
    """A model with what the API shows beside it (a pilot's newest status, its cost figures):
    the extra names first, the model's own attributes otherwise. ModelSchema dumps it as
    it dumps the model."""

    __slots__ = ("extra", "model")

    def __init__(self, model: Any, **extra: Any) -> None:
        self.model = model
        self.extra = extra

    def __getattr__(self, name: str) -> Any:
        try:
            return self.extra[name]
        except KeyError:
            return getattr(self.model, name)


class ModelSchema(Schema):
    """An output schema of a model (or a Shown model), read by attribute.

    marshmallow's documented `get_attribute` hook: a Shown's extras first, then the model's
    attribute (`a.b` follows relations; a missing relation is null). The default probes
    every object for `__getitem__` first (as if a dict), which through Shown cost a page of
    pilots ~50 % more CPU to dump; this way it is as fast as the dicts it replaced.
    """

    def get_attribute(self, obj: Any, attr: str, default: Any) -> Any:
        if type(obj) is Shown:
            if attr in obj.extra:
                return obj.extra[attr]
            obj = obj.model
        for name in attr.split("."):
            obj = getattr(obj, name, missing)
            if obj is missing or obj is None:
                return default if obj is missing else None
        return obj


# ---------------------------------------------------------------- errors


class ProblemSchema(Schema):
    """RFC 9457 problem details; `errors` maps each bad field to its messages."""

    type = out(fields.String)
    title = out(fields.String)
    status = out(fields.Integer)
    detail = out(fields.String)
    errors = fields.Dict(keys=fields.String(), values=fields.List(fields.String()))
    current_version = fields.Integer()
    changed = fields.List(fields.String())
    retry_after = fields.Integer()


# ---------------------------------------------------------------- query strings


class PageArgsSchema(Schema):
    """`?page=1&per_page=50` (at most 200 per page)."""

    page = fields.Integer(load_default=1, validate=Range(1, MAX_PAGE))
    per_page = fields.Integer(load_default=50, validate=Range(1, MAX_PER_PAGE))


class PilotFilterArgsSchema(Schema):
    """Filters shared by the pilot list and the portfolio summary."""

    stage = enum(Stage)
    theme = enum(Theme)
    track = enum(Track)
    municipality = code_field(metadata={"description": "A participant's code, e.g. 418."})
    region = Text(
        validate=Regexp(r"^[0-9]{2}$", "input_two_digits"),
        metadata={"description": "Region (maakunta) code of a participant, e.g. 06."},
    )
    vendor_id = fields.Integer(validate=Range(1, MAX_ID))
    q = Text(validate=Length(max=200), metadata={"description": "Words in the name or summary."})


class PilotListArgsSchema(PilotFilterArgsSchema, PageArgsSchema):
    """Filters and paging of the pilot list."""


class MunicipalityArgsSchema(PageArgsSchema):
    """Paging and `?region=` of the municipality list."""

    region = Text(validate=Regexp(r"^[0-9]{2}$", "input_two_digits"))


# ---------------------------------------------------------------- pilots in


class CostSplitInSchema(Schema):
    """`{"method": "manual", "shares": {"418": "50.00", ...}}`; shares only with manual;
    `{"method": "hybrid", "equal_percent": "30.00"}`: that part equally, the rest per capita."""

    method = enum(SplitMethod, required=True)
    shares = fields.Dict(keys=code_field(), values=PercentIn())
    equal_percent = PercentIn()

    @validates_schema
    def equal_percent_only_when_hybrid(self, data: dict[str, Any], **kwargs: Any) -> None:
        method = data.get("method")
        if method is SplitMethod.HYBRID and data.get("equal_percent") is None:
            raise ValidationError("The hybrid method needs equal_percent.", "equal_percent")
        if data.get("equal_percent") is not None and method not in (None, SplitMethod.HYBRID):
            raise ValidationError(
                "equal_percent is given only with the hybrid method.", "equal_percent"
            )

    @validates_schema
    def shares_only_when_manual(self, data: dict[str, Any], **kwargs: Any) -> None:
        method = data.get("method")
        if data.get("shares") is not None and method not in (None, SplitMethod.MANUAL):
            raise ValidationError("Shares are given only with the manual method.", "shares")


class _PilotFieldsSchema(Schema):
    """The writable fields of a pilot, loaded straight into the pilot service's names."""

    name = Text(validate=Length(1, 200))
    summary = Text(validate=Length(max=10_000))
    theme = enum(Theme)
    track = enum(Track, allow_none=True)
    stage = enum(Stage)
    goals = fields.List(enum(Goal), validate=Length(max=len(Goal)))
    lead_municipality = code_field()
    participants = fields.List(code_field(), validate=Length(1, 308))
    cost_split = fields.Nested(CostSplitInSchema)
    budget_cents = MoneyIn(data_key="budget_eur")
    external_funding_cents = MoneyIn(data_key="external_funding_eur")
    external_funding_rate_percent = PercentIn(
        allow_none=True,
        metadata={"description": "Share of each cost the funding pays; null: funding ÷ budget."},
    )
    estimated_annual_savings_cents = MoneyIn(data_key="estimated_annual_savings_eur")
    vendor_id = id_field(allow_none=True)
    start_date = fields.Date(allow_none=True)
    end_date = fields.Date(allow_none=True)
    is_public = fields.Boolean(data_key="public")

    @post_load
    def unpack_cost_split(self, data: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
        split = data.pop("cost_split", None)
        if split is not None:
            data["split_method"] = split["method"]
            manual = split["method"] is SplitMethod.MANUAL
            data["manual_shares"] = split.get("shares") if manual else None
            hybrid = split["method"] is SplitMethod.HYBRID
            data["equal_percent"] = split.get("equal_percent") if hybrid else None
        return data


class PilotCreateSchema(_PilotFieldsSchema):
    """A new pilot; `track` defaults from the theme and `stage` to idea."""

    name = Text(required=True, validate=Length(1, 200))
    theme = enum(Theme, required=True)
    lead_municipality = code_field(required=True)
    participants = fields.List(code_field(), required=True, validate=Length(1, 308))


class PilotPatchSchema(_PilotFieldsSchema):
    """Any writable field, plus the `version` the change is based on (or `If-Match`)."""

    version = fields.Integer(strict=True, validate=Range(1, MAX_ID))


# ---------------------------------------------------------------- other input


class VendorCreateSchema(Schema):
    """A vendor with its business ID (Y-tunnus, check digit validated)."""

    name = Text(required=True, validate=Length(1, 200))
    business_id = Text(required=True, validate=Length(1, 40), metadata={"example": "0201256-6"})
    contact_email = Text(allow_none=True, validate=Length(max=254))


class StatusUpdateCreateSchema(Schema):
    """A status report; `date` defaults to today and cannot be in the future."""

    rag = enum(Rag, required=True)
    progress_percent = fields.Integer(strict=True, required=True, validate=Range(0, 100))
    text = Text(required=True, validate=Length(1, 10_000))
    reported_on = fields.Date(data_key="date")


class KpiCreateSchema(Schema):
    """A KPI; the target must differ from the baseline in the KPI's direction."""

    name = Text(required=True, validate=Length(1, 200))
    unit = Text(load_default="", validate=Length(max=50))
    baseline = DecimalIn(required=True)
    target = DecimalIn(required=True)
    direction = enum(Direction, required=True)
    is_savings = fields.Boolean(
        load_default=False, metadata={"description": "Measures savings in € per year."}
    )


class MeasurementCreateSchema(Schema):
    """A measured value of a KPI (not dated in the future)."""

    measured_on = fields.Date(required=True, data_key="date")
    value = DecimalIn(required=True)
    note = Text(load_default="", validate=Length(max=2000))


class DecisionCreateSchema(Schema):
    """A gate decision; the stage moves as the product rules say, or the request is refused."""

    gate = enum(Gate, required=True)
    outcome = enum(Outcome, required=True)
    decided_on = fields.Date(required=True, data_key="date")
    decided_by = Text(required=True, validate=Length(1, 200))
    rationale = Text(required=True, validate=Length(1, 10_000))
    follow_up = Text(load_default="", validate=Length(max=10_000))
    next_review = fields.Date(allow_none=True)
    back_to_planning = fields.Boolean(
        load_default=False,
        metadata={"description": "With `continue`: send the pilot back to planning."},
    )


# ---------------------------------------------------------------- responses


class MunicipalitySchema(ModelSchema):
    code = out(fields.String)
    name_fi = out(fields.String)
    name_sv = out(fields.String)
    region_code = out(fields.String)
    region_name = out(fields.String)
    population = out(fields.Integer)
    population_year = out(fields.Integer)


class VendorSchema(ModelSchema):
    id = out(fields.Integer)
    name = out(fields.String)
    business_id = out(fields.String)
    contact_email = out(fields.String, allow_none=True)


class ParticipantSchema(ModelSchema):
    code = out(fields.String, attribute="municipality_code")
    name = out(fields.String, attribute="municipality.name_fi")
    share_percent = out(fields.String, allow_none=True, metadata={"example": "26.28"})
    share_eur = cents_out(attribute="share_cents")
    is_lead = out(fields.Boolean)
    joined_on = out(
        fields.Date,
        allow_none=True,
        metadata={"description": "null for a founding participant (from the beginning)."},
    )
    left_on = out(fields.Date, allow_none=True, metadata={"description": "null while in."})
    actual_eur = cents_out(allow_none=True, attribute="actual_cents")
    forecast_eur = cents_out(allow_none=True, attribute="forecast_cents")


class CostSplitSchema(ModelSchema):
    method = out(enum, SplitMethod)
    shares = fields.Dict(
        keys=fields.String(),
        values=Hundredths(),
        metadata={"description": "Percent per participant; only with the manual method."},
    )
    equal_percent = Hundredths(
        metadata={"description": "The part shared equally; only with the hybrid method."}
    )


class StatusUpdateSchema(ModelSchema):
    id = out(fields.Integer)
    pilot_id = out(fields.Integer)
    date = out(fields.Date, attribute="reported_on")
    rag = out(enum, Rag)
    progress_percent = out(fields.Integer)
    text = out(fields.String)
    author_id = out(fields.Integer, allow_none=True)


class NamesakeSchema(ModelSchema):
    id = out(fields.Integer)
    name = out(fields.String)


class PlausibilityWarningSchema(ModelSchema):
    """A warning of a save that went through (PRODUCT.md, "Plausibility")."""

    code = out(
        fields.String,
        metadata={"enum": ["budget_large", "budget_per_resident", "duplicate_name"]},
    )
    field = out(fields.String, metadata={"description": "The field it concerns, e.g. budget_eur."})
    message = out(fields.String)
    namesake = fields.Nested(
        NamesakeSchema, metadata={"description": "duplicate_name: the pilot with the name."}
    )


class PilotSchema(ModelSchema):
    id = out(fields.Integer)
    uid = out(fields.String, metadata={"description": "Stable UUID, the same in every export."})
    version = out(fields.Integer)
    name = out(fields.String)
    summary = out(fields.String)
    theme = out(enum, Theme)
    track = out(enum, Track)
    stage = out(enum, Stage)
    goals = out(fields.List, enum(Goal), attribute="goal_values")
    lead_municipality = out(fields.String, attribute="lead_municipality_code")
    participants = out(fields.List, fields.Nested(ParticipantSchema))
    cost_split = out(fields.Nested, CostSplitSchema)
    budget_eur = cents_out(attribute="budget_cents")
    external_funding_eur = cents_out(attribute="external_funding_cents")
    external_funding_rate_percent = out(Hundredths, allow_none=True)
    estimated_annual_savings_eur = cents_out(attribute="estimated_annual_savings_cents")
    net_cost_eur = cents_out(attribute="net_cost_cents")
    actual_cost_eur = cents_out(allow_none=True, attribute="actual_cents")
    funded_eur = cents_out(allow_none=True, attribute="funded_cents")
    vendor_id = out(fields.Integer, allow_none=True)
    vendor_name = out(fields.String, allow_none=True)
    start_date = out(fields.Date, allow_none=True)
    end_date = out(fields.Date, allow_none=True)
    public = out(fields.Boolean, attribute="is_public")
    latest_status = out(fields.Nested, StatusUpdateSchema, allow_none=True)
    stale = out(fields.Boolean)
    commitment = out(
        fields.String,
        metadata={
            "enum": ["proposed", "committed", "stopped"],
            "description": "Proposed (idea, planning), committed (from the start go on) or "
            "stopped (only its actual costs count).",
        },
    )
    created_at = out(fields.AwareDateTime)
    updated_at = out(fields.AwareDateTime)
    warnings = fields.List(
        fields.Nested(PlausibilityWarningSchema),
        metadata={
            "description": "Only in the answers of POST and PATCH: what the save found "
            "implausible (saved anyway)."
        },
    )


class KpiSchema(ModelSchema):
    id = out(fields.Integer)
    pilot_id = out(fields.Integer)
    name = out(fields.String)
    unit = out(fields.String)
    baseline = decimal_text_out()
    target = decimal_text_out()
    direction = out(enum, Direction)
    is_savings = out(fields.Boolean)
    latest_value = decimal_text_out(allow_none=True)
    latest_on = out(fields.Date, allow_none=True)
    progress_percent = decimal_text_out(allow_none=True, normalise=False)


class MeasurementSchema(ModelSchema):
    id = out(fields.Integer)
    kpi_id = out(fields.Integer)
    date = out(fields.Date, attribute="measured_on")
    value = decimal_text_out()
    note = out(fields.String)
    recorded_by_id = out(fields.Integer, allow_none=True)


class DecisionSchema(ModelSchema):
    id = out(fields.Integer)
    pilot_id = out(fields.Integer)
    gate = out(enum, Gate)
    outcome = out(enum, Outcome)
    date = out(fields.Date, attribute="decided_on")
    decided_by = out(fields.String)
    rationale = out(fields.String)
    follow_up = out(fields.String)
    next_review = out(fields.Date, allow_none=True)
    stage_before = out(enum, Stage)
    stage_after = out(enum, Stage)
    snapshot = out(
        fields.Dict,
        metadata={"description": "The pilot's KPIs and costs as the deciders saw them."},
    )
    created_at = out(fields.AwareDateTime)


class YearMoneySchema(Schema):
    """One calendar year: planned net cost of committed and of proposed pilots (never added
    together) and actual costs dated in the year."""

    year = out(fields.Integer)
    planned_committed_eur = money_out()
    planned_proposed_eur = money_out()
    actual_eur = money_out()


class UnscheduledMoneySchema(Schema):
    """Planned net cost of pilots without both a planned start and end (in no year)."""

    planned_committed_eur = money_out()
    planned_proposed_eur = money_out()


class SummaryMunicipalitySchema(Schema):
    code = out(fields.String)
    name = out(fields.String)
    pilot_count = out(fields.Integer)
    net_cost_eur = money_out()
    eur_per_resident = out(fields.String, allow_none=True, metadata={"example": "2.20"})
    committed_eur = money_out()
    proposed_eur = money_out()
    committed_eur_per_resident = out(fields.String, allow_none=True, metadata={"example": "1.10"})


def _counts(description: str) -> Any:
    return out(
        fields.Dict,
        keys=fields.String(),
        values=fields.Integer(),
        metadata={"description": description},
    )


class PortfolioSummarySchema(Schema):
    pilot_count = out(fields.Integer)
    by_stage = _counts("Pilots per stage (every stage, zeros included).")
    by_theme = _counts("Pilots per theme (every theme, zeros included).")
    by_track = _counts("Pilots per track.")
    budget_eur = money_out()
    external_funding_eur = money_out()
    net_cost_eur = money_out()
    estimated_annual_savings_eur = money_out()
    realised_annual_savings_eur = money_out()
    stale_count = out(fields.Integer)
    municipalities = out(fields.List, fields.Nested(SummaryMunicipalitySchema))
    committed_net_cost_eur = money_out()
    proposed_net_cost_eur = money_out()
    actual_cost_eur = money_out()
    committed_estimated_annual_savings_eur = money_out()
    proposed_estimated_annual_savings_eur = money_out()
    by_year = out(fields.List, fields.Nested("YearMoneySchema"))
    unscheduled = out(fields.Nested, "UnscheduledMoneySchema")


class LicenseSchema(Schema):
    name = out(fields.String)
    url = out(fields.String)


class PublicMunicipalitySchema(ModelSchema):
    code = out(fields.String, attribute="municipality_code")
    name = out(fields.String, attribute="municipality.name_fi")


class PublicPilotSchema(ModelSchema):
    name = out(fields.String)
    summary = out(fields.String)
    theme = out(enum, Theme)
    track = out(enum, Track)
    stage = out(enum, Stage)
    municipalities = out(
        fields.List, fields.Nested(PublicMunicipalitySchema), attribute="participations"
    )
    vendor_name = out(fields.String, allow_none=True)
    budget_eur = cents_out(attribute="budget_cents")
    net_cost_eur = cents_out(attribute="net_cost_cents")
    decision_outcomes = out(
        fields.List, enum(Outcome), metadata={"description": "Newest decision first."}
    )


def page_schema(item: type[Schema], name: str) -> type[Schema]:
    """`{"items": [...], "page", "per_page", "total"}` of `item`."""
    return Schema.from_dict(
        {
            "items": out(fields.List, fields.Nested(item)),
            "page": out(fields.Integer),
            "per_page": out(fields.Integer),
            "total": out(fields.Integer),
        },
        name=name,
    )


MunicipalityPageSchema = page_schema(MunicipalitySchema, "MunicipalityPage")
VendorPageSchema = page_schema(VendorSchema, "VendorPage")
PilotPageSchema = page_schema(PilotSchema, "PilotPage")
StatusUpdatePageSchema = page_schema(StatusUpdateSchema, "StatusUpdatePage")
KpiPageSchema = page_schema(KpiSchema, "KpiPage")
DecisionPageSchema = page_schema(DecisionSchema, "DecisionPage")


class PublicPilotPageSchema(Schema):
    """Open data under CC BY 4.0: the licence travels with every page."""

    license = out(fields.Nested, LicenseSchema)
    attribution = out(fields.String)
    items = out(fields.List, fields.Nested(PublicPilotSchema))
    page = out(fields.Integer)
    per_page = out(fields.Integer)
    total = out(fields.Integer)


# ---------------------------------------------------------------- cost entries


class CostCreateSchema(Schema):
    """A cost entry in euros excluding VAT; a negative amount is a credit note."""

    entry_date = fields.Date(required=True, data_key="date")
    amount_cents = SignedMoneyIn(required=True, data_key="amount_eur")
    kind = enum(CostKind, required=True)
    reference = Text(load_default="", validate=Length(max=100))
    description = Text(load_default="", validate=Length(max=10_000))


class CostPatchSchema(Schema):
    """Any field of a cost entry."""

    entry_date = fields.Date(data_key="date")
    amount_cents = SignedMoneyIn(data_key="amount_eur")
    kind = enum(CostKind)
    reference = Text(validate=Length(max=100))
    description = Text(validate=Length(max=10_000))


class CostShareSchema(ModelSchema):
    code = out(fields.String, attribute="municipality_code")
    share_eur = cents_out(attribute="share_cents")


class CostSchema(ModelSchema):
    id = out(fields.Integer)
    pilot_id = out(fields.Integer)
    date = out(fields.Date, attribute="entry_date")
    amount_eur = cents_out(attribute="amount_cents")
    kind = out(enum, CostKind)
    reference = out(fields.String)
    description = out(fields.String)
    funded_eur = cents_out(attribute="funded_cents")
    shares = out(fields.List, fields.Nested(CostShareSchema))
    recorded_by_id = out(fields.Integer, allow_none=True)
    created_at = out(fields.AwareDateTime)


class CostPageSchema(Schema):
    items = out(fields.List, fields.Nested(CostSchema))
    page = out(fields.Integer)
    per_page = out(fields.Integer)
    total = out(fields.Integer)


class BillingArgsSchema(Schema):
    """`?from=&to=` (both days included); default: the last calendar quarter."""

    start = fields.Date(data_key="from")
    end = fields.Date(data_key="to")

    @validates_schema
    def ordered(self, data: dict[str, Any], **kwargs: Any) -> None:
        if data.get("start") and data.get("end") and data["end"] < data["start"]:
            raise ValidationError("The end of the period is before its start.", "to")


class BillingItemSchema(ModelSchema):
    pilot_id = out(fields.Integer)
    cost_id = out(fields.Integer)
    date = out(fields.Date, attribute="on")
    reference = out(fields.String)
    share_eur = cents_out(attribute="share_cents")


class BillingSchema(Schema):
    code = out(fields.String)
    start = out(fields.Date, data_key="from")
    end = out(fields.Date, data_key="to")
    items = out(fields.List, fields.Nested(BillingItemSchema))
    total_eur = cents_out(attribute="total_cents")
