"""The patient's control over sharing: share codes, their therapists, revocation, the sessions
their therapists recorded, and the access log (phone first, working without JS)."""

from __future__ import annotations

import itertools
import re
from datetime import date, datetime
from zoneinfo import ZoneInfo

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.exceptions import NotFound

from .. import operations, queries
from .. import vocabulary as vocab
from ..access import ACKNOWLEDGE, rule
from . import bp

_ISO_DATE = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")
_DONE = {"read": "read", "create": "added", "update": "changed", "delete": "deleted", ACKNOWLEDGE: "saw"}
_TRIED = {
    "read": "read",
    "create": "add",
    "update": "change",
    "delete": "delete",
    ACKNOWLEDGE: "mark as seen",
}


@bp.app_template_filter("local_time")
def local_time(instant: datetime) -> datetime:
    """An instant in the logged-in user's own time zone."""
    return instant.astimezone(ZoneInfo(current_user.timezone))


@bp.app_template_filter("groupby_local_day")
def groupby_local_day(events) -> list[tuple[date, list]]:
    """Events grouped by their day in the user's time zone, keeping their order."""
    return [
        (day, list(group)) for day, group in itertools.groupby(events, key=lambda e: local_time(e.at).date())
    ]


def _plain_dates(text: str) -> str:
    def spelled(m: re.Match) -> str:
        try:
            return date(int(m[1]), int(m[2]), int(m[3])).strftime("%a %-d %b %Y")
        except ValueError:
            return m[0]

    return _ISO_DATE.sub(spelled, text)


@bp.app_template_filter("access_words")
def access_words(event) -> str:
    """An access event in plain words: "Sam Patel read your diary days"."""
    what = re.sub(r"^diary day (?=\d)", "diary for ", event.what)
    what = _plain_dates(re.sub(r"^red flags of ", "warning signs of ", what))
    if what.startswith("chart "):
        what = f"{what[6:]} chart"
    if event.allowed:
        return f"{event.actor_name} {_DONE.get(event.action, event.action)} your {what}"
    return f"{event.actor_name} tried to {_TRIED.get(event.action, event.action)} your {what}"


def _sharing_page(*, code: str | None = None, expires_at: datetime | None = None, status: int = 200):
    return render_template(
        "sharing.html", links=queries.patient_links(current_user), code=code, expires_at=expires_at
    ), status


@bp.get("/sharing")
@rule("patient_page")
def sharing():
    return _sharing_page()


@bp.post("/sharing/codes")
@rule("patient_page")
def create_share_code():
    # Shown once, on this answer: the code is not kept anywhere it could be read back.
    code, expires_at = operations.create_share_code(current_user)
    return _sharing_page(code=code, expires_at=expires_at, status=201)


@bp.post("/sharing/links/<link_id>/revoke")
@rule("patient_page")
def revoke_link(link_id: str):
    link = next((item for item in queries.patient_links(current_user) if str(item.id) == link_id), None)
    if link is None:
        raise NotFound()
    name = link.therapist.display_name
    if request.form.get("confirm") != "yes":  # without JS: ask on a page of its own
        return render_template(
            "confirm.html",
            title=f"Stop sharing with {name}?",
            detail=(
                f"{name} will no longer be able to open your diary, from their very next "
                "click. What is already in your diary stays. To share again later, make a new "
                "code."
            ),
            action=url_for("web.revoke_link", link_id=link_id),
            button="Stop sharing",
            back=url_for("web.sharing"),
        )
    if not operations.revoke_link(current_user, link_id):
        raise NotFound()
    flash(f"{name} can no longer see your diary.")
    return redirect(url_for("web.sharing"))


@bp.get("/sessions")
@rule("patient_page")
def patient_sessions():
    return render_template(
        "sessions.html", sessions=queries.list_sessions(current_user), vocab=vocab, today=current_user.today()
    )


@bp.get("/sharing/access-log")
@rule("patient_page")
def access_log():
    return render_template(
        "access_log.html", events=queries.access_log(current_user), today=current_user.today()
    )
