"""The clinical picture as pages: the patient's "My progress", and the pre-follow-up summary a
therapist prints before seeing a patient again. The therapist's patient page shows the same
figures (templates/_patient_figures.html). Every figure comes from queries.patient_picture,
which applies diary.clinical to the patient's facts read once."""

from __future__ import annotations

from flask import render_template
from flask_login import current_user

from .. import queries
from .. import vocabulary as vocab
from ..access import SUMMARY_PAGE, rule
from ..models import User
from . import bp


@bp.get("/progress")
@rule("patient_page")
def progress():
    return render_template("progress.html", picture=queries.patient_picture(current_user))


@bp.get("/therapist/patients/<pid>/summary")
@rule("therapist_page", SUMMARY_PAGE)
def therapist_summary(patient: User):
    return render_template(
        "followup_summary.html",
        patient=patient,
        vocab=vocab,
        overuse_words=vocab.OVERUSE_BADGES,
        picture=queries.patient_picture(patient),
    )
