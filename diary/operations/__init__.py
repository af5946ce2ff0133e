"""Write side: one function per thing a user does (verb_noun). Each commits, or changes nothing."""

from .accounts import (
    authenticate,
    change_password,
    create_user,
    end_login_session,
    erase_account,
    normalise_email,
    start_login_session,
    update_profile,
)
from .days import (
    NEW_DAY,
    add_red_flag,
    check_diary_date,
    day_content,
    delete_day,
    mark_headache_free,
    record_day,
    update_day,
)
from .invitations import (
    accept_invitation,
    create_invitation,
    decline_invitation,
    invitation_url,
    register_patient,
    registration_open,
    withdraw_invitation,
)
from .sharing import create_share_code, link_therapist, revoke_link
from .treatment import (
    check_session_dates,
    delete_session,
    record_session,
    update_session,
)

__all__ = [
    "accept_invitation",
    "add_red_flag",
    "authenticate",
    "change_password",
    "check_session_dates",
    "check_diary_date",
    "create_invitation",
    "create_share_code",
    "create_user",
    "day_content",
    "decline_invitation",
    "delete_day",
    "delete_session",
    "end_login_session",
    "erase_account",
    "invitation_url",
    "link_therapist",
    "mark_headache_free",
    "NEW_DAY",
    "normalise_email",
    "record_day",
    "record_session",
    "register_patient",
    "registration_open",
    "revoke_link",
    "start_login_session",
    "update_day",
    "update_profile",
    "update_session",
    "withdraw_invitation",
]
