"""The upload forms of the import."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileRequired, MultipleFileField
from wtforms import HiddenField

ALLOWED = ["csv", "xlsx"]


class ImportForm(FlaskForm):
    """One XLSX workbook, or the CSV files of the export (pilots.csv, participants.csv...)."""

    files = MultipleFileField(
        _l("Files to import"),
        validators=[
            FileRequired(_l("Choose a file.")),
            FileAllowed(ALLOWED, _l("Only .csv and .xlsx files can be imported.")),
        ],
    )


class RunImportForm(ImportForm):
    """The same files again, with the proof that they passed the check."""

    checked = HiddenField()
