"""Invitations on the web: the therapist makes one at the appointment and shows its QR code; the
patient opens the link on their phone, starts a diary or logs in, and accepts or declines
(docs/invitations.md)."""

from __future__ import annotations

import io

import segno
from flask import Response, flash, redirect, render_template, request, url_for
from flask_login import current_user
from marshmallow import ValidationError
from werkzeug.exceptions import NotFound

from .. import operations, queries
from ..access import rule
from ..operations.invitations import INVITATION_LIFETIME_DAYS, INVITE_ONLY
from ..schemas import flatten_errors
from ..schemas.invitations import InvitationBodySchema
from . import bp

# A phone camera reads error level M well off a screen; the quiet zone is the standard 4 modules.
QR_ERROR = "m"
QR_SCALE = 8
QR_BORDER = 4


def qr_svg(url: str) -> bytes:
    """The QR code of `url` as an SVG document, dark on white (a dark page would hide the code)."""
    out = io.BytesIO()
    segno.make(url, error=QR_ERROR, micro=False).save(
        out,
        kind="svg",
        scale=QR_SCALE,
        border=QR_BORDER,
        dark="#000",
        light="#fff",
        title="Invitation link",
    )
    return out.getvalue()


@bp.app_template_global()
def registration_open() -> bool:
    """Whether pages offer to start a diary to anyone (REGISTRATION=open)."""
    return operations.registration_open()


def gone_page():
    """The friendly answer to a link that no longer works (404)."""
    return render_template(
        "error.html",
        title="This invitation no longer works",
        detail=(
            "It may have been answered already, withdrawn, or be more than "
            f"{INVITATION_LIFETIME_DAYS} days old. Ask your physiotherapist for a new one."
        ),
    ), 404


def closed_page():
    """The friendly answer to starting a diary without an invitation under REGISTRATION=invite_only."""
    return render_template(
        "error.html",
        title="Diaries are started by invitation",
        detail=INVITE_ONLY,
        back_url=url_for("web.login"),
        back_label="Log in",
    ), 403


# -- The therapist's side ------------------------------------------------------------------------


def _invitations_page(*, created=None, url=None, form=None, errors=None, status: int = 200):
    return render_template(
        "invitations.html",
        invitations=queries.therapist_invitations(current_user),
        created=created,
        url=url,
        qr_url=url and url_for("web.therapist_invitation_qr", token=url.rsplit("/", 1)[-1]),
        form=form or {},
        errors=errors or {},
        lifetime_days=INVITATION_LIFETIME_DAYS,
    ), status


@bp.get("/therapist/invitations")
@rule("therapist_page")
def therapist_invitations():
    return _invitations_page()


@bp.post("/therapist/invitations")
@rule("therapist_page")
def therapist_invite():
    try:
        data = InvitationBodySchema().load({"patient_email": request.form.get("patient_email", "") or None})
    except ValidationError as error:
        return _invitations_page(form=request.form, errors=flatten_errors(error.messages), status=422)
    # Shown on this answer only: the link's token is not kept anywhere it could be read back.
    invitation, url = operations.create_invitation(current_user, data["patient_email"])
    return _invitations_page(created=invitation, url=url, status=201)


@bp.get("/therapist/invitation-qr/<token>.svg")
@rule("therapist_page")
def therapist_invitation_qr(token: str):
    """The QR code of one of the therapist's open invitations, as a file (a strict
    Content-Security-Policy keeps inline images out). The token is in the address: only its hash
    is stored, so the code can only be drawn by whoever holds the link."""
    invitation = queries.open_invitation(token)
    if invitation is None or invitation.therapist_id != current_user.id:
        raise NotFound()
    return Response(qr_svg(operations.invitation_url(token)), mimetype="image/svg+xml")


@bp.post("/therapist/invitations/<uuid_text:invitation_id>/withdraw")
@rule("therapist_page")
def therapist_withdraw_invitation(invitation_id: str):
    if not operations.withdraw_invitation(current_user, invitation_id):
        raise NotFound()
    flash("Invitation withdrawn: its link no longer works.")
    return redirect(url_for("web.therapist_invitations"))


# -- The patient's side --------------------------------------------------------------------------


@bp.get("/invite/<token>")
@rule("anyone")
def invitation(token: str):
    """Who is asking and what they will see; Accept or Decline for a patient, the ways in for
    anyone else (they come back here after starting a diary or logging in)."""
    patient = current_user if current_user.is_authenticated and current_user.is_patient else None
    found = queries.open_invitation(token, patient)
    if found is None:
        return gone_page()
    return render_template("invitation.html", invitation=found, token=token)


@bp.post("/invite/<token>/accept")
@rule("patient_page")
def accept_invitation(token: str):
    link = operations.accept_invitation(current_user, token)
    if link is None:
        return gone_page()
    flash(f"{link.therapist.display_name} can now see your diary.")
    return redirect(url_for("web.sharing"))


@bp.post("/invite/<token>/decline")
@rule("patient_page")
def decline_invitation(token: str):
    found = queries.open_invitation(token, current_user)
    if found is None or not operations.decline_invitation(current_user, token):
        return gone_page()
    flash(f"You said no. {found.therapist.display_name} cannot see your diary.")
    return redirect(url_for("web.today"))
