"""The one place that decides who may see or change a patient's diary.

- A patient reads and writes their own diary.
- A therapist the patient shares with (a live TherapistLink) reads it and writes treatment
  sessions; each such read, and each refused attempt on a real patient, is written to the
  patient's access log here. Each change writes its own event in the transaction of the change
  (diary/operations), so the log names what was changed.
- Everyone else is told the patient does not exist: every refusal here is a 404.

Every route declares its rule with `rule(...)`, and the rule decides all of it: a route whose
URL names a patient (`<pid>`, and `<sid>` for one treatment session) gets the patient (and the
session) as arguments instead, already checked and logged. No view checks access itself
(tests/test_access_matrix.py walks the URL map and checks both).
"""

from __future__ import annotations

import functools
import uuid
from collections.abc import Callable
from datetime import date, timedelta
from zoneinfo import ZoneInfo

from flask import redirect, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import func, insert, select
from werkzeug.exceptions import Forbidden, NotFound

from . import second_factor
from .errors import problem, wants_problem_json
from .extensions import db
from .models import AccessEvent, TherapistLink, TreatmentSession, User, utcnow

ME = "me"
READING = frozenset({"GET", "HEAD"})
ACKNOWLEDGE = "acknowledge"  # a therapist has seen a day's red flags (queries.red_flag_days)
LIST_READ = "figures in their patient list"  # in the patient's words: "Sam read your figures in ..."
# A therapist's page about one patient, in the log's words: the charts it draws are fetched one
# by one, and are part of the page view (`rule(..., part_of_page=True)`), not events of their own.
PATIENT_PAGE = "diary: days, treatment sessions, figures and charts"
SUMMARY_PAGE = "pre-follow-up summary: figures and charts"  # the printable summary draws two
PAGE_VIEWS = (PATIENT_PAGE, SUMMARY_PAGE)  # the page views whose charts are part of them
PAGE_VIEW = timedelta(minutes=30)  # how long after a page view its charts are part of it

RULES = {
    "anyone": "no login needed",
    "logged_in": "any logged-in user",
    "patient": "a patient, acting on their own account (a therapist gets 403)",
    "patient_page": "a patient's own page (anyone else gets 404)",
    "therapist": "a therapist (a patient gets 403)",
    "therapist_page": "a therapist's page (anyone else gets 404); a patient in it must be linked",
    "patient_or_linked_therapist": "the patient, or a therapist the patient shares with",
    "linked_therapist": "a therapist the patient shares with (the patient gets 403)",
    "session_author": "the therapist who wrote the session, while still linked",
}
# The rules that may name a patient in their URL.
PATIENT_RULES = frozenset(
    {"therapist_page", "patient_or_linked_therapist", "linked_therapist", "session_author"}
)


def rule(
    name: str,
    what: str | Callable[..., str] | None = None,
    *,
    action: str | None = None,
    lists_patients: bool = False,
    part_of_page: bool = False,
    second_factor_setup: bool = False,
) -> Callable:
    """Declare and enforce a route's access rule.

    For a URL that names a patient (`<pid>`):
    - `what` is what the route shows or changes, in the patient's access log words: a string
      whose `{...}` fields are the URL's other values (`"diary day {day}"`), or a function of them;
    - `action` is what its other methods than GET do ("create", "update", "delete", ...).
    The view is called with `patient` (a User) instead of `pid`, and `session` (a
    TreatmentSession of that patient) instead of `sid`.

    `lists_patients`: the route shows a therapist figures of every patient who shares with them
    (the triage list); each of those patients' logs gets a read, once a day.

    `part_of_page`: a read a page makes after it loads (a chart): within PAGE_VIEW of the
    therapist's PATIENT_PAGE or SUMMARY_PAGE read of the same patient, that page view's event
    covers it.

    `second_factor_setup`: the route is part of the account and of setting up two-step sign-in,
    so a therapist who must set one up first (THERAPIST_MFA=required) reaches it; every other
    route sends them there (docs/second-factor.md).
    """
    if name not in RULES:
        raise ValueError(f"unknown access rule {name!r}")
    if what is not None and name not in PATIENT_RULES:
        raise ValueError(f"rule {name!r} names no patient, so it logs nothing")

    def decorator(view):
        @functools.wraps(view)
        def wrapped(*args, **kwargs):
            if name == "anyone":  # not even the session is read: static files vary on no cookie
                return view(*args, **kwargs)
            if not current_user.is_authenticated:
                return login_required(view)(*args, **kwargs)  # answers 401 or the login page
            actor = current_user._get_current_object()
            if name in ("patient_page", "patient") and not actor.is_patient:
                raise NotFound() if name == "patient_page" else Forbidden("Only a patient can do this.")
            if name in ("therapist_page", "therapist") and not actor.is_therapist:
                raise NotFound() if name == "therapist_page" else Forbidden("Only a therapist can do this.")
            if not second_factor_setup and _second_factor_missing(actor):
                return _second_factor_setup_required()
            if "pid" in kwargs:
                kwargs.update(_resolve(actor, kwargs, what, action, part_of_page))
            if lists_patients:
                _log_list_read(actor)
            return view(*args, **kwargs)

        if name in PATIENT_RULES and name != "therapist_page" and what is None:
            raise ValueError(f"{view.__name__}: rule {name!r} needs `what`, for the access log")
        wrapped.access_rule = name
        wrapped.second_factor_gated = name != "anyone" and not second_factor_setup
        return wrapped

    return decorator


def _second_factor_missing(actor: User) -> bool:
    """A therapist who must have a second factor (THERAPIST_MFA=required) and has none yet."""
    return second_factor.required_for(actor) and not second_factor.has_second_factor(actor.id)


def _second_factor_setup_required():
    """403 `second_factor_setup_required` from the API; a page sends the therapist to set it up."""
    if wants_problem_json():
        return problem(
            403,
            "Set up two-step sign-in first",
            "Your clinic asks for two-step sign-in on therapist accounts. Set it up on your account page.",
            type="second_factor_setup_required",
        )
    return redirect(url_for("web.second_factor_setup"))


def _resolve(actor: User, kwargs: dict, what, action: str | None, part_of_page: bool = False) -> dict:
    """The patient (and session) a URL names, when `actor` may have them; otherwise 403 or 404."""
    pid, sid = kwargs.pop("pid"), kwargs.pop("sid", None)
    subject = what(**kwargs) if callable(what) else (what or "diary").format(**kwargs)
    if request.method in READING:
        patient = _readable(actor, pid, subject, part_of_page)
        return (
            {"patient": patient}
            if sid is None
            else {"patient": patient, "session": _session(actor, patient, sid, "read")}
        )
    if action is None:
        raise RuntimeError(f"{request.endpoint}: a change needs the rule's `action`")
    patient = _writable(actor, pid, action, subject)
    return (
        {"patient": patient}
        if sid is None
        else {"patient": patient, "session": _session(actor, patient, sid, action)}
    )


def _log_list_read(therapist: User) -> None:
    """A read of LIST_READ in the log of each patient the therapist's list shows, unless there is
    one already on the patient's today: the list shows their figures, not a diary day. Three
    statements at most, however long the list."""
    patients = db.session.execute(
        select(User.id, User.timezone)
        .join(TherapistLink, TherapistLink.patient_id == User.id)
        .where(TherapistLink.therapist_id == therapist.id)
    ).all()
    if not patients:
        return
    now = utcnow()
    latest = dict(
        db.session.execute(
            select(AccessEvent.patient_id, func.max(AccessEvent.at))
            .where(
                AccessEvent.actor_id == therapist.id,
                AccessEvent.action == "read",
                AccessEvent.what == LIST_READ,
                AccessEvent.at >= now - timedelta(days=2),
            )
            .group_by(AccessEvent.patient_id)
        ).all()
    )

    def day(at, zone):
        return at.astimezone(ZoneInfo(zone)).date()

    unlogged = [
        pid for pid, zone in patients if pid not in latest or day(latest[pid], zone) != day(now, zone)
    ]
    if unlogged:
        db.session.execute(
            insert(AccessEvent),
            [
                {
                    "patient_id": pid,
                    "actor_id": therapist.id,
                    "actor_name": therapist.display_name,
                    "actor_email": therapist.email,
                    "action": "read",
                    "what": LIST_READ,
                    "allowed": True,
                    "at": now,
                }
                for pid in unlogged
            ],
        )
        db.session.commit()


def _patient_id(actor: User, pid: str) -> uuid.UUID | None:
    if pid == ME:
        return actor.id if actor.is_patient else None
    try:
        return uuid.UUID(pid)
    except (ValueError, AttributeError, TypeError):
        return None


def _linked_patient(therapist: User, patient_id: uuid.UUID) -> User | None:
    return db.session.scalar(
        select(User)
        .join(TherapistLink, TherapistLink.patient_id == User.id)
        .where(TherapistLink.therapist_id == therapist.id, User.id == patient_id)
    )


def log_access(actor: User, patient_id: uuid.UUID, action: str, what: str, allowed: bool) -> None:
    """Add one access event to the current transaction (committed with the work it records)."""
    db.session.add(
        AccessEvent(
            patient_id=patient_id,
            actor_id=actor.id,
            actor_name=actor.display_name,
            actor_email=actor.email,
            action=action,
            what=what[:120],
            allowed=allowed,
        )
    )


def log_change(actor: User, patient: User, action: str, what: str) -> None:
    """A therapist's change to a patient's record, added to the change's own transaction."""
    log_access(actor, patient.id, action, what, allowed=True)


def session_subject(day: date) -> str:
    """How the access log names one treatment session."""
    return f"treatment session of {day.isoformat()}"


def red_flag_subject(day: date) -> str:
    """How the access log names the red flags of one day."""
    return f"red flags of {day.isoformat()}"


def _refuse(actor: User, patient_id: uuid.UUID | None, action: str, what: str):
    """404, after noting a therapist's refused attempt in a real patient's log."""
    if actor.is_therapist and patient_id is not None:
        patient = db.session.get(User, patient_id)
        if patient is not None and patient.is_patient:
            log_access(actor, patient_id, action, what, allowed=False)
            db.session.commit()
    raise NotFound()


def _readable(actor: User, pid: str, what: str, part_of_page: bool = False) -> User:
    """The patient `pid` names, when `actor` may read their diary; otherwise 404.

    A therapist's read is logged and committed before any of the data is returned, unless it is
    part of a page view that was (`part_of_page`).
    """
    patient_id = _patient_id(actor, pid)
    if patient_id is not None and actor.is_patient and patient_id == actor.id:
        return actor
    if patient_id is not None and actor.is_therapist:
        patient = _linked_patient(actor, patient_id)
        if patient is not None:
            if not (part_of_page and _page_viewed(actor, patient)):
                log_access(actor, patient.id, "read", what, allowed=True)
                db.session.commit()
            return patient
    return _refuse(actor, patient_id, "read", what)


def _page_viewed(therapist: User, patient: User) -> bool:
    """Whether the therapist read a page of the patient (PAGE_VIEWS) within PAGE_VIEW."""
    return (
        db.session.scalar(
            select(AccessEvent.id)
            .where(
                AccessEvent.patient_id == patient.id,
                AccessEvent.actor_id == therapist.id,
                AccessEvent.action == "read",
                AccessEvent.what.in_(PAGE_VIEWS),
                AccessEvent.allowed,
                AccessEvent.at >= utcnow() - PAGE_VIEW,
            )
            .limit(1)
        )
        is not None
    )


def _writable(actor: User, pid: str, action: str, what: str) -> User:
    """The patient whose treatment record a linked therapist changes; otherwise 404.

    A patient on their own diary gets 403: they can see it, but sessions are the therapist's.
    The change logs itself (log_change) in its own transaction.
    """
    patient_id = _patient_id(actor, pid)
    if patient_id is not None and actor.is_patient and patient_id == actor.id:
        raise Forbidden("Treatment sessions are recorded by your therapist.")
    if patient_id is not None and actor.is_therapist:
        patient = _linked_patient(actor, patient_id)
        if patient is not None:
            return patient
    return _refuse(actor, patient_id, action, what)


def _session(actor: User, patient: User, sid: str, action: str) -> TreatmentSession:
    """One of the patient's sessions, for its author only: 404 when there is none, 403 (and,
    for a change, a refused event in the log) when another therapist wrote it."""
    try:
        session_id = uuid.UUID(sid)
    except ValueError:
        raise NotFound() from None
    session = db.session.scalar(
        select(TreatmentSession).where(
            TreatmentSession.id == session_id, TreatmentSession.patient_id == patient.id
        )
    )
    if session is None:
        raise NotFound()
    if session.therapist_id != actor.id:
        if action != "read":
            log_access(actor, patient.id, action, session_subject(session.date), allowed=False)
            db.session.commit()
        raise Forbidden("Only the therapist who wrote a session can change it.")
    return session
