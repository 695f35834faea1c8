"""`/help` and `/help/<guide>`: open to everyone, signed in or not (nothing in them is
private); the guide's text is a template per language (templates/help/<lang>/<guide>.html),
written as prose in each language rather than assembled from catalogue strings."""

from __future__ import annotations

from flask import abort, render_template
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from pilot_tracker.domain.enums import Role
from pilot_tracker.help import bp
from pilot_tracker.language.i18n import current_language

# The guides, in the order the index lists them, with the role each is written for.
GUIDES: dict[str, tuple[object, tuple[Role, ...]]] = {
    "coordinator": (_l("First steps for a coordinator"), (Role.COORDINATOR, Role.ADMIN)),
    "council": (_l("First steps for a council member"), (Role.COUNCIL,)),
    "vendor": (_l("First steps for a vendor"), (Role.VENDOR,)),
}
# The screenshots of each guide (static/help/<lang>-<name>.jpg), made by the browser tests.
SCREENSHOTS: dict[str, tuple[str, ...]] = {
    "coordinator": ("coordinator-dashboard", "coordinator-participants"),
    "council": ("council-municipality",),
    "vendor": ("vendor-home", "vendor-monthly-report"),
}


def own_guide() -> str | None:
    """The guide written for the signed-in user's role, if any."""
    if not current_user.is_authenticated:
        return None
    for name, (_title, roles) in GUIDES.items():
        if current_user.role in roles:
            return name
    return None


@bp.get("/help")
def index() -> str:
    """The guides, the user's own first."""
    own = own_guide()
    names = sorted(GUIDES, key=lambda name: name != own)
    return render_template("help/index.html", guides=[(n, GUIDES[n][0]) for n in names], own=own)


@bp.get("/help/<name>")
def guide(name: str) -> str:
    """One role's first steps in the interface language."""
    if name not in GUIDES:
        abort(404)
    lang = current_language()
    return render_template(
        "help/guide.html",
        name=name,
        title=GUIDES[name][0],
        body=f"help/{lang}/{name}.html",
        shot=lambda key: f"help/{lang}-{key}.jpg",
        others=[(n, GUIDES[n][0]) for n in GUIDES if n != name],
    )
