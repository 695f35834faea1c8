"""`/export...` (CSV files and a workbook) and `/import` (check, then import)."""

from __future__ import annotations

import hashlib
from datetime import date
from typing import Any

import sqlalchemy as sa
from flask import Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from itsdangerous import BadSignature, URLSafeTimedSerializer
from werkzeug.datastructures import FileStorage
from werkzeug.wrappers import Response as WResponse

from pilot_tracker.catalogue import render
from pilot_tracker.domain.enums import Role
from pilot_tracker.exchange import bp
from pilot_tracker.exchange.forms import ImportForm, RunImportForm
from pilot_tracker.extensions import db
from pilot_tracker.language.i18n import current_language
from pilot_tracker.language.i18n import gettext as _
from pilot_tracker.models import Pilot
from pilot_tracker.permissions import ALL_ROLES, EDITORS, has_role, role_required
from pilot_tracker.services import export as export_service
from pilot_tracker.services.exchange import SHEETS, SHEETS_BY_NAME
from pilot_tracker.services.importer import ImportReport, PilotOutcome, import_pilots
from pilot_tracker.services.pilot_filters import apply_pilot_filters, filter_choices
from pilot_tracker.web.filter_form import FilterForm

SHEET_LABELS = {
    "pilots": _l("Pilots"),
    "participants": _l("Participants and cost shares"),
    "kpis": _l("KPIs"),
    "measurements": _l("KPI measurements"),
    "status_updates": _l("Status updates"),
    "decisions": _l("Decisions"),
    "costs": _l("Cost entries"),
    "municipal_decisions": _l("Municipal decisions"),
    "follow_up_items": _l("Follow-up items"),
    "follow_up_comments": _l("Comments on follow-up items"),
    "lessons": _l("Lessons learned"),
}
# A check proves a file for this long; after that the file is checked again first.
CHECK_VALID_SECONDS = 3600
SHOWN_PROBLEMS = 2000
# About 1 ms a row for the check and again for the import: well inside a request's timeout.
WEB_IMPORT_MAX_ROWS = 10_000


def _download(data: bytes, filename: str, mimetype: str) -> Response:
    response = Response(data, content_type=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "private, no-store"
    return response


def _filters() -> FilterForm:
    """The pilot list's own filter form, read from the query string (same parameters)."""
    form = FilterForm(request.args)
    form.setup(filter_choices(current_user, current_language()))
    return form


def _filtered_pilots(form: FilterForm) -> sa.Select[Any]:
    """The pilots the list at /pilots shows for the same query parameters."""
    return apply_pilot_filters(sa.select(Pilot), form.filters(), current_user)


FILTERS = ("q", "theme", "track", "stage", "region", "municipality", "vendor", "rag", "stale")


def _filter_args(form: FilterForm) -> dict[str, str]:
    """The filters in effect, for the download links (values the list would ignore left out)."""
    return {name: form.value(name) for name in FILTERS if form.value(name)}


@bp.get("/export")
@role_required(*ALL_ROLES)
def export_index() -> str:
    """The export page: the pilot list's filters, then a link to each CSV file and the workbook."""
    form = _filters()
    query = _filtered_pilots(form).order_by(None)
    count = db.session.scalar(sa.select(sa.func.count()).select_from(query.subquery()))
    fields = ["q", "theme", "track", "stage", "region", "municipality", "rag", "stale"]
    if not has_role(current_user, Role.VENDOR):
        fields.insert(6, "vendor")
    return render_template(
        "exchange/export.html",
        form=form,
        fields=[form[name] for name in fields],
        args=_filter_args(form),
        count=count or 0,
        sheet_labels=[(s.name, str(SHEET_LABELS[s.name])) for s in SHEETS],
        can_import=has_role(current_user, *EDITORS),
    )


@bp.get("/export/<sheet>.csv")
@role_required(*ALL_ROLES)
def export_csv(sheet: str) -> Response:
    """One table of the filtered pilots the user may see, as CSV (UTF-8 with BOM, `;`)."""
    table = SHEETS_BY_NAME.get(sheet)
    if table is None:
        abort(404)
    data = export_service.export_csv(current_user, table, _filtered_pilots(_filters()))
    return _download(
        data,
        f"kokeilusalkku-{table.name}-{date.today().isoformat()}.csv",
        "text/csv; charset=utf-8",
    )


@bp.get("/export/portfolio.xlsx")
@role_required(*ALL_ROLES)
def export_xlsx() -> Response:
    """Every table of the filtered pilots the user may see, a sheet each, as one workbook."""
    data = export_service.export_xlsx(current_user, _filtered_pilots(_filters()))
    return _download(
        data,
        f"kokeilusalkku-{date.today().isoformat()}.xlsx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )


# --- import --------------------------------------------------------------------------------


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="pilot-import-check")


def _uploaded(field: Any) -> list[tuple[str, bytes]]:
    files: list[FileStorage] = [f for f in (field.data or []) if isinstance(f, FileStorage)]
    return [(f.filename or "upload", f.read()) for f in files if f.filename]


def _digest(files: list[tuple[str, bytes]]) -> str:
    digest = hashlib.sha256()
    for name, data in sorted(files):
        digest.update(name.encode() + b"\0" + hashlib.sha256(data).digest())
    return digest.hexdigest()


def _outcome_view(outcome: PilotOutcome) -> dict[str, Any]:
    """A pilot's line of the import report, in the page's language."""
    actions = {"created": _("New"), "updated": _("Updated"), "unchanged": _("Unchanged")}
    texts = []
    for table, counts in outcome.rows.items():
        label = str(SHEET_LABELS[table])
        if counts.get("created"):
            texts.append(_("%(table)s: %(num)s new", table=label, num=counts["created"]))
        if counts.get("updated"):
            texts.append(_("%(table)s: %(num)s changed", table=label, num=counts["updated"]))
    for table, kept in outcome.kept.items():
        texts.append(
            _(
                "%(table)s: %(num)s not in the files, kept",
                table=str(SHEET_LABELS[table]),
                num=kept,
            )
        )
    return {
        "ref": outcome.ref,
        "name": outcome.name,
        "action_label": actions[outcome.action],
        "changes": outcome.changes,
        "rows": outcome.rows,
        "kept": outcome.kept,
        "row_texts": texts,
    }


def _render_import(
    form: ImportForm, report: ImportReport | None = None, checked: str = "", status: int = 200
) -> tuple[str, int]:
    problems = []
    if report is not None:
        problems = [
            {
                "source": p.source,
                "row": p.row,
                "column": p.column,
                "message": render(p.message),
            }
            for p in report.problems[:SHOWN_PROBLEMS]
        ]
    warnings = [
        {
            "where": w.where(),
            "message": render(w.finding.message),
            "namesake": w.finding.params.get("pilot_id")
            if w.finding.code == "duplicate_name"
            else None,
        }
        for w in (report.warnings if report is not None else [])
    ]
    outcomes = [_outcome_view(o) for o in (report.outcomes if report is not None else [])]
    run_form = RunImportForm(formdata=None, checked=checked, prefix="run")
    return (
        render_template(
            "exchange/import.html",
            form=form,
            run_form=run_form,
            report=report,
            problems=problems,
            warnings=warnings,
            outcomes=outcomes,
            hidden_count=max(0, len(report.problems) - SHOWN_PROBLEMS) if report else 0,
            sheets=SHEETS,
            sheet_labels=[(s.name, str(SHEET_LABELS[s.name])) for s in SHEETS],
        ),
        status,
    )


@bp.get("/import")
@role_required(*EDITORS)
def import_form() -> tuple[str, int]:
    """The upload form."""
    return _render_import(ImportForm())


@bp.post("/import")
@role_required(*EDITORS)
def import_check() -> tuple[str, int]:
    """The dry run: every problem by sheet, row and column; nothing is saved."""
    form = ImportForm()
    if not form.validate_on_submit():
        return _render_import(form)
    files = _uploaded(form.files)
    report = import_pilots(files, dry_run=True, max_rows=WEB_IMPORT_MAX_ROWS)
    checked = ""
    if report.ok:
        checked = _serializer().dumps({"digest": _digest(files), "user": current_user.id})
    return _render_import(form, report, checked)


@bp.post("/import/run")
@role_required(*EDITORS)
def import_run() -> tuple[str, int] | WResponse:
    """The real import of files that passed the check; all or nothing."""
    form = RunImportForm(prefix="run")
    check_form = ImportForm(formdata=None)
    if not form.validate_on_submit():
        check_form.files.errors = list(form.files.errors) or [_("Choose the files again.")]
        return _render_import(check_form)
    files = _uploaded(form.files)
    try:
        proof = _serializer().loads(form.checked.data or "", max_age=CHECK_VALID_SECONDS)
    except BadSignature:
        proof = None
    if not proof or proof.get("digest") != _digest(files) or proof.get("user") != current_user.id:
        check_form.files.errors = [
            _(
                "These are not the files that were checked, or the check is more than an hour "
                "old. Check the files first."
            )
        ]
        return _render_import(check_form)
    report = import_pilots(files, dry_run=False, max_rows=WEB_IMPORT_MAX_ROWS)
    if not report.imported:
        # The database changed after the check (a vendor or user was removed, say).
        return _render_import(check_form, report)
    flash(
        _(
            "Imported: %(created)s new pilots, %(updated)s updated, %(unchanged)s unchanged.",
            created=report.pilots("created"),
            updated=report.pilots("updated"),
            unchanged=report.pilots("unchanged"),
        ),
        "success",
    )
    if "pilots.index" in current_app.view_functions:
        return redirect(url_for("pilots.index"))
    return redirect(url_for("exchange.import_form"))
