"""Every route, every kind of actor: the access rule holds and no byte of A's data leaks.

The routes come from the app's URL map, so a new route without a declared rule (access.rule)
fails here. Actors: anonymous, patient A (whose data the URLs name), patient B, a therapist
linked to A, an unlinked therapist, and a therapist whose link A has just revoked.
"""

from __future__ import annotations

import io
import itertools
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

import pyotp
import pytest

from diary.access import RULES
from diary.interchange.reading import carried
from diary.operations import create_invitation, create_share_code
from diary.operations.second_factor import start_totp

from . import clock
from .authenticator import SoftAuthenticator
from .factories import PASSWORD, ApiClient, day_body, link, session_body

ACTORS = (
    "anonymous",
    "patient_b",
    "unlinked_therapist",
    "revoked_therapist",
    "linked_therapist",
    "patient_a",
)  # A last: some of A's own requests erase or log out
OK = range(200, 400)
_fresh = itertools.count(1)

# What each rule lets each actor do with A's data: a set of allowed statuses, or OK.
ALLOW, DENY_404, DENY_403 = "allow", 404, 403


def expected(rule: str, actor: str, api: bool, names_patient: bool) -> object:
    """The answer the access rule promises, for a URL that names A's data where it names any."""
    if actor == "anonymous":
        return ALLOW if rule == "anyone" else (401 if api else "login")
    therapist = actor.endswith("therapist")
    linked = actor == "linked_therapist"
    table = {
        "anyone": ALLOW,
        "logged_in": ALLOW,
        "patient": DENY_403 if therapist else ALLOW,
        "patient_page": DENY_404 if therapist else ALLOW,
        "therapist": ALLOW if therapist else DENY_403,
        "therapist_page": (ALLOW if linked or not names_patient else DENY_404) if therapist else DENY_404,
        "patient_or_linked_therapist": ALLOW if actor == "patient_a" or linked else DENY_404,
        "linked_therapist": ALLOW if linked else (DENY_403 if actor == "patient_a" else DENY_404),
        "session_author": ALLOW if linked else (DENY_403 if actor == "patient_a" else DENY_404),
    }
    return table[rule]


@pytest.fixture
def app(make_app):
    """The app with login limits high enough for the many logins of this walk."""
    app = make_app(
        LOGIN_LIMIT_PER_ADDRESS="100000 per minute",
        LOGIN_LIMIT_PER_ACCOUNT="100000 per minute",
        PASSWORD_RESET_LIMIT_PER_ADDRESS="100000 per minute",
    )
    with app.app_context():
        yield app


@dataclass
class World:
    """Patient A with a day, a session and a link; everyone else; a client for each actor."""

    a: object
    ids: dict
    clients: dict
    markers: tuple
    fresh_invitation: Callable[[], dict]  # ids of a new invitation: each is answered once


def invitation_ids(therapist) -> dict:
    """A new invitation of the therapist's: its id, and the token its link carries."""
    invitation, url = create_invitation(therapist)
    ids = {"invitation_id": str(invitation.id), "token": url.rsplit("/", 1)[-1]}
    # The API's /invitations/{invitation}: the id to DELETE (a GET of it is a 404 to anyone).
    return {**ids, "invitation": ids["invitation_id"]}


def login_of(user):
    """The id of the user's one login session."""
    from diary.extensions import db
    from diary.models import LoginSession

    return db.session.scalar(db.select(LoginSession.id).where(LoginSession.user_id == user.id))


def build_world(app, users, backend) -> World:
    n = next(_fresh)
    a = users.patient(name=f"Zebrafish Alexandra {n}", email=f"zebra{n}@secret.test")
    b = users.patient()
    linked_t, unlinked_t, revoked_t = users.therapist(), users.therapist(), users.therapist()
    a_link = link(a, linked_t)
    revoked = link(a, revoked_t)
    clients = {"anonymous": ApiClient(app.test_client())}
    for name, user in (
        ("patient_a", a),
        ("patient_b", b),
        ("linked_therapist", linked_t),
        ("unlinked_therapist", unlinked_t),
        ("revoked_therapist", revoked_t),
    ):
        clients[name] = ApiClient(app.test_client())
        clients[name].login(user)
    day = clock.today(a) - timedelta(days=1)
    body = day_body(notes="ZEBRA-DAY-NOTE", triggers=["zebratrigger"])
    assert (
        clients["patient_a"].put(f"/api/v1/patients/me/days/{day.isoformat()}", json=body).status_code == 201
    )
    session = (
        clients["linked_therapist"]
        .post(
            f"/api/v1/patients/{a.id}/sessions",
            json=session_body(date=day.isoformat(), notes="ZEBRA-SESSION-NOTE", next_review_on=None),
        )
        .get_json()
    )
    assert clients["patient_a"].delete(f"/api/v1/patients/me/links/{revoked.id}").status_code == 204
    ids = {
        "pid": str(a.id),
        "day": day.isoformat(),
        "sid": session["id"],
        "passkey_id": "00000000-0000-4000-8000-000000000000",  # one of A's, made for each actor
        "link_id": str(a_link.id),
        "filename": "css/app.css",
        "code": "sudden_severe",
        "subscription_id": push_subscription_id(a),  # a browser of A's that gets reminders
        **invitation_ids(linked_t),
        "login_id": str(login_of(a)),  # A's login: ending it is A's alone (404 to anyone else)
        "token": "no-such-token",  # a link nobody was given: a password reset's answers 404
    }
    markers = (a.display_name, a.email, "ZEBRA-DAY-NOTE", "zebratrigger", "ZEBRA-SESSION-NOTE")
    return World(
        a=a, ids=ids, clients=clients, markers=markers, fresh_invitation=lambda: invitation_ids(linked_t)
    )


def push_subscription_id(patient) -> str:
    """A push subscription of the patient's (reminders), as a browser would make it."""
    from diary.operations.reminders import add_push_subscription

    n = next(_fresh)
    return str(add_push_subscription(patient, f"https://push.example.test/{n}", "B" + "A" * 86, "A" * 22).id)


class Rereadable(io.BytesIO):
    """A file upload the walk sends to each actor in turn: read to its end, it starts again,
    and the test client's closing it after each request leaves it open."""

    def read(self, size=-1):
        data = super().read(size)
        if not data:
            self.seek(0)
        return data

    def close(self):
        """Kept open for the next actor."""


def request_body(endpoint: str, world: World):
    """A valid body for the routes that take one (JSON for the API, form fields for pages)."""
    n = next(_fresh)
    yesterday = world.ids["day"]
    if endpoint == "web.add_patient":
        # A real code of A's, so that a linked therapist's use of the form succeeds (the page
        # answers a wrong code with 404, as the API does).
        return {"code": create_share_code(world.a)[0]}
    if endpoint == "api.confirm_totp":
        return totp_confirmation(world.a)
    if endpoint == "api.add_passkey":
        return passkey_registration(world.clients["patient_a"])
    bodies = {
        "api.register": {"email": f"someone{n}@new.test", "password": PASSWORD, "display_name": "New"},
        "api.login": {"email": f"nobody{n}@new.test", "password": "wrong-password-here"},
        "api.update_me": {"display_name": "Renamed"},
        "api.change_password": {"current_password": PASSWORD, "new_password": "copper-meadow-lantern-92"},
        "api.erase_me": {"password": PASSWORD},
        "api.put_day": day_body(),
        "api.create_link": {"code": "XXXX-XXXX"},
        "api.create_session": session_body(date=yesterday, next_review_on=None),
        "api.create_invitation": {},
        "web.therapist_invite": {"patient_email": ""},
        "api.update_session": {"notes": "changed"},
        "api.turn_off_totp": {"password": PASSWORD},
        "api.remove_passkey": {"password": PASSWORD},
        "api.login_second_factor": {"method": "totp", "code": "123456"},
        "api.login_passkey": {"credential": {}},
        "web.login_second_factor": {"code": "123456"},
        "web.confirm_second_factor": {"code": "123456"},
        "web.turn_off_second_factor": {"password": PASSWORD},
        "api.import_days": {"days": []},
        "web.import_preview": {"file": (Rereadable(b'{"days": []}'), "diary.json")},
        "web.import_confirm": {"days": carried([])},
        "web.login": {"email": f"nobody{n}@new.test", "password": "wrong-password-here"},
        "web.register": {
            "email": f"someone{n}@new.test",
            "password": PASSWORD,
            "display_name": "New",
            "timezone": "Europe/London",
        },
        "web.save_day": {"headache_today": "no"},
        "web.quick_save": {"action": "soreness", "soreness": "2"},
        "web.account": {"display_name": "Renamed", "timezone": "Europe/London"},
        "web.new_session": {"date": yesterday, "techniques": "dry_needling"},
        "web.edit_session": {"date": yesterday, "techniques": "dry_needling"},
        "web.delete_session": {"confirm": "yes"},
        "web.revoke_link": {"confirm": "yes"},
        "web.change_password": {"current_password": PASSWORD, "new_password": "copper-meadow-lantern-92"},
        "web.erase_account": {"password": PASSWORD},
        "api.put_reminders": {"enabled": True, "time": "20:00", "channels": ["push"], "skip_if_logged": True},
        "api.add_push_subscription": {
            "endpoint": f"https://push.example.test/new/{n}",
            "keys": {"p256dh": "B" + "A" * 86, "auth": "A" * 22},
        },
        "web.save_reminders": {"enabled": "on", "time": "20:00", "channels": "push"},
        "api.request_password_reset": {"email": f"nobody{n}@new.test"},
        "api.reset_password": {"password": "copper-meadow-lantern-92"},
        "web.forgot_password": {"email": f"nobody{n}@new.test"},
        "web.reset_password": {"password": "copper-meadow-lantern-92"},
    }
    return bodies.get(endpoint)


def totp_confirmation(patient) -> dict:
    """A code that confirms a new authenticator-app key of A's (made anew for each actor: A's
    own request comes last)."""
    secret, _ = start_totp(patient)
    return {"code": pyotp.TOTP(secret).now()}


def passkey_registration(client: ApiClient) -> dict:
    """A passkey made for the options A's session holds (asked anew for each actor)."""
    options = client.post("/api/v1/me/mfa/passkeys/options").get_json()
    return {"credential": SoftAuthenticator().create(options), "name": "Matrix"}


def passkey_id(client: ApiClient) -> str:
    body = passkey_registration(client)
    return client.post("/api/v1/me/mfa/passkeys", json=body).get_json()["id"]


def call(client: ApiClient, method: str, url: str, endpoint: str, body):
    api = url.startswith("/api/")
    if method == "GET":
        return client.get(url)
    if api:
        return client.request(method, url, json=body)
    headers = {"X-CSRFToken": client.csrf_token()}
    return client.client.open(url, method=method, data=body or {}, headers=headers)


STRICT = {
    "patient_a": {"patient", "patient_page", "patient_or_linked_therapist", "logged_in"},
    "linked_therapist": {
        "patient_or_linked_therapist",
        "linked_therapist",
        "session_author",
        "therapist_page",
    },
}


def verdict(want, response, access_rule: str, actor: str) -> str | None:
    """None when the answer keeps the rule; otherwise what went wrong."""
    status = response.status_code
    if status >= 500:
        return f"server error {status}"
    if want == "login":
        location = response.headers.get("Location", "")
        return None if status == 302 and "/login" in location else f"expected redirect to login, got {status}"
    if want == ALLOW and access_rule in STRICT.get(actor, ()):
        return None if status in OK else f"expected success, got {status}"
    if access_rule == "anyone":  # a wrong password's 401 is an answer, not a refusal
        return None if status != 403 else f"expected to be let through, got {status}"
    if want == ALLOW:
        return None if status not in (401, 403) else f"expected to be let through, got {status}"
    return None if status == want else f"expected {want}, got {status}"


def routes(app):
    for rule in app.url_map.iter_rules():
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            yield rule, method


def test_every_route_has_a_declared_access_rule(app):
    missing = [
        f"{method} {rule.rule}"
        for rule, method in routes(app)
        if getattr(app.view_functions[rule.endpoint], "access_rule", None) not in RULES
    ]
    assert missing == [], f"routes without an access rule: {missing}"


def test_every_route_keeps_a_patients_data_from_everyone_else(app, users, backend, capsys):
    failures, cases = [], 0
    for rule, method in routes(app):
        access_rule = getattr(app.view_functions[rule.endpoint], "access_rule", None)
        if access_rule is None:
            continue  # reported by the test above
        world = build_world(app, users, backend)
        _, url = rule.build({k: world.ids[k] for k in rule.arguments}, append_unknown=False)
        api = url.startswith("/api/")
        for actor in ACTORS:
            if "passkey_id" in rule.arguments:  # one of A's passkeys, each removed once
                world.ids["passkey_id"] = passkey_id(world.clients["patient_a"])
                _, url = rule.build({k: world.ids[k] for k in rule.arguments}, append_unknown=False)
            if "token" in rule.arguments:  # an invitation's link: answered once, so one each
                _, url = rule.build({**world.ids, **world.fresh_invitation()}, append_unknown=False)
            want = expected(access_rule, actor, api, names_patient="pid" in rule.arguments)
            response = call(
                world.clients[actor], method, url, rule.endpoint, request_body(rule.endpoint, world)
            )
            cases += 1
            problem = verdict(want, response, access_rule, actor)
            text = response.get_data(as_text=True)
            response.close()  # static files answer with an open file
            may_see_a = actor == "patient_a" or (actor == "linked_therapist" and want == ALLOW)
            if not may_see_a:
                leaked = [m for m in world.markers if m in text]
                if leaked:
                    problem = (problem + "; " if problem else "") + f"leaked {leaked}"
            if problem:
                failures.append(f"{method} {rule.rule} [{access_rule}] as {actor}: {problem}")
    with capsys.disabled():
        print(f"\naccess matrix ({backend}): {cases} route x actor x method cases checked")
    assert cases > 100
    assert failures == [], "\n".join(failures)


def test_access_is_decided_by_the_rule_alone(app):
    """A route that names a patient declares a rule that resolves them, and no view module
    reaches for access's own helpers: the rule hands the view the patient it may have."""
    import ast
    from pathlib import Path

    from diary.access import PATIENT_RULES

    naming = [
        f"{r.rule} [{getattr(app.view_functions[r.endpoint], 'access_rule', None)}]"
        for r in app.url_map.iter_rules()
        if "pid" in r.arguments
        and getattr(app.view_functions[r.endpoint], "access_rule", None) not in PATIENT_RULES
    ]
    assert naming == [], f"routes naming a patient without a per-patient rule: {naming}"
    # the rule itself, and the words of the rules and of the access log
    allowed = {"rule", "RULES", "ACKNOWLEDGE", "PATIENT_PAGE", "SUMMARY_PAGE", "red_flag_subject"}
    reaching = []
    for path in sorted(Path("diary/web").glob("*.py")) + sorted(Path("diary/api").glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and (node.module or "").endswith("access"):
                reaching += [f"{path}: {a.name}" for a in node.names if a.name not in allowed]
            if (
                isinstance(node, ast.Attribute)
                and isinstance(node.value, ast.Name)
                and node.value.id == "access"
            ):
                reaching.append(f"{path}: access.{node.attr}")
    assert reaching == [], f"views deciding access themselves: {reaching}"
