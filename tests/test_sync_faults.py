"""Twenty phones send their outboxes through a network that loses, repeats and reorders:
afterwards the server holds exactly the days each phone had confirmed, byte for byte, none
twice and none lost.

A real HTTP server (werkzeug, threaded) sits behind a proxy of ours on 127.0.0.1 that drops 20%
of requests, drops 20% of responses after the server has answered (and so committed), sends 5%
twice, holds some back so that a later request overtakes them, and a few for longer than the
phone waits (they land after the phone has moved on). Each phone syncs with the protocol of the
web app's outbox (static/js/sync.js): `If-None-Match: *` for a day new on the phone,
`If-Match` with the version it builds on; a day is done on 200/201 or on a 412 whose current
record is the phone's own content; a 412 showing a save of this phone whose answer was lost is
built upon; no answer means retry later. Patients also edit days while answers are missing.
"""

from __future__ import annotations

import asyncio
import http.client
import json
import random
import re
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta
from http.cookies import SimpleCookie

import pytest
from werkzeug.serving import WSGIRequestHandler, make_server

from diary.extensions import db

from . import clock
from .factories import UserFactory

pytestmark = pytest.mark.slow

SEED = 20261120
PHONES = 20
DAYS_PER_PHONE = 50
DROP_REQUEST = 0.20
DROP_RESPONSE = 0.20
DUPLICATE = 0.05
HOLD_BACK = 0.15  # delayed 0-300 ms: reordered among the phone's own and others' requests
HOLD_BACK_LONG = 0.03  # delayed past the phone's patience: lands after it has retried
PHONE_TIMEOUT = 1.0
LONG_HOLD = 1.6
EDIT_WHILE_UNSURE = 0.3  # after a lost answer, the patient changes the day before the retry
TIME_LIMIT = 150.0
NETWORK_ERRORS = (OSError, http.client.HTTPException)


# -- The network ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Fate:
    drop_request: bool
    drop_response: bool
    duplicate: bool
    delay: float


class FaultyProxy:
    """An HTTP/1.1 proxy (one request per connection) that loses, repeats and reorders."""

    def __init__(self, upstream_port: int, seed: int):
        self.upstream_port = upstream_port
        self.rng = random.Random(seed)
        self.counts: Counter = Counter()
        self.in_flight = 0
        # The loop keeps only weak references to tasks, and a stream's protocol lets go of its
        # handler once the phone hangs up: without these, a handler still waiting for the server
        # could be garbage-collected mid-flight, leaving its sockets unclosed.
        self.handlers: set[asyncio.Task] = set()
        self.loop = asyncio.new_event_loop()
        self.ready = threading.Event()
        self.thread = threading.Thread(target=self._serve, name="faulty-proxy", daemon=True)

    def _serve(self) -> None:
        asyncio.set_event_loop(self.loop)
        self.server = self.loop.run_until_complete(asyncio.start_server(self._handle, "127.0.0.1", 0))
        self.port = self.server.sockets[0].getsockname()[1]
        self.ready.set()
        self.loop.run_forever()

    def start(self) -> None:
        self.thread.start()
        self.ready.wait(10)

    def settle(self, timeout: float = 30.0) -> None:
        """Wait until every request held back has been delivered (or dropped)."""
        deadline = time.monotonic() + timeout
        while self.in_flight and time.monotonic() < deadline:
            time.sleep(0.05)
        assert self.in_flight == 0, f"{self.in_flight} requests still in the proxy"

    def stop(self) -> None:
        async def close():
            self.server.close()
            await self.server.wait_closed()
            # A connection a phone gave up on may still be waiting for the server: end it, and
            # let every closed transport finish closing before the loop goes.
            pending = [
                task for task in self.handlers | asyncio.all_tasks() if task is not asyncio.current_task()
            ]
            for task in pending:
                task.cancel()
            await asyncio.gather(*pending, return_exceptions=True)
            await asyncio.sleep(0.05)

        asyncio.run_coroutine_threadsafe(close(), self.loop).result(10)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(10)
        self.loop.close()

    def _fate(self) -> Fate:
        r = self.rng
        delay = 0.0
        roll = r.random()
        if roll < HOLD_BACK_LONG:
            delay = LONG_HOLD
        elif roll < HOLD_BACK_LONG + HOLD_BACK:
            delay = r.uniform(0, 0.3)
        return Fate(
            drop_request=r.random() < DROP_REQUEST,
            drop_response=r.random() < DROP_RESPONSE,
            duplicate=r.random() < DUPLICATE,
            delay=delay,
        )

    async def _forward(self, request: bytes) -> bytes:
        reader, writer = await asyncio.open_connection("127.0.0.1", self.upstream_port)
        try:
            writer.write(request)
            await writer.drain()
            return await reader.read()  # the request says Connection: close
        finally:
            writer.close()

    async def _handle(self, reader, writer) -> None:
        self.in_flight += 1
        task = asyncio.current_task()
        self.handlers.add(task)
        try:
            head = await reader.readuntil(b"\r\n\r\n")
            length = re.search(rb"(?im)^content-length:\s*(\d+)", head)
            request = head + (await reader.readexactly(int(length.group(1))) if length else b"")
            fate = self._fate()
            if fate.drop_request:
                self.counts["requests dropped"] += 1
                return
            if fate.delay:
                self.counts["held back long" if fate.delay == LONG_HOLD else "held back"] += 1
                await asyncio.sleep(fate.delay)
            if fate.duplicate:
                self.counts["sent twice"] += 1
                response, _ = await asyncio.gather(self._forward(request), self._forward(request))
            else:
                response = await self._forward(request)
            self.counts["delivered to the server"] += 1
            if fate.drop_response:
                self.counts["responses dropped after the server answered"] += 1
                return
            writer.write(response)
            await writer.drain()
        except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, ConnectionError):
            self.counts["connections broken by the phone"] += 1
        finally:
            writer.close()
            self.in_flight -= 1
            self.handlers.discard(task)


# -- The phones -------------------------------------------------------------------------------


def http_call(
    port: int,
    method: str,
    path: str,
    body: bytes | None = None,
    headers: dict | None = None,
    timeout: float = 10.0,
):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        connection.request(method, path, body=body, headers={"Connection": "close", **(headers or {})})
        response = connection.getresponse()
        data = response.read()
        return response.status, response.getheader("Set-Cookie"), data
    finally:
        connection.close()


def content_key(day: dict) -> str:
    return json.dumps(day, sort_keys=True, separators=(",", ":"))


LOCATIONS = ["forehead", "temples", "behind_eyes", "top_of_head", "back_of_head", "neck", "shoulders"]
SYMPTOMS = ["nausea", "vomiting", "light_sensitivity", "sound_sensitivity", "aura", "neck_stiffness"]
MEDICINES = [
    ("Paracetamol 500 mg", "non_opioid_analgesic"),
    ("Ibuprofen 400 mg", "non_opioid_analgesic"),
    ("Sumatriptan 50 mg", "triptan"),
    ("Co-codamol 30/500", "combination_analgesic"),
]


def random_day(rng: random.Random, n: int) -> dict:
    """A day as the API dumps it (every field present), so the server's copy can match it exactly."""
    headaches = [
        {
            "start": f"{rng.randrange(24):02d}:{rng.choice([0, 15, 30, 45]):02d}"
            if rng.random() < 0.6
            else None,
            "duration_minutes": rng.choice([None, 30, 60, 120, 240]),
            "intensity": rng.randint(1, 10),
            "type": rng.choice(["tension", "migraine", "unsure"]),
            "side": rng.choice([None, "left", "right", "both"]),
            "locations": rng.sample(LOCATIONS, rng.randint(0, 3)),
            "symptoms": rng.sample(SYMPTOMS, rng.randint(0, 2)),
            "neck_provoked": rng.choice([None, True, False]),
        }
        for _ in range(rng.choice([0, 0, 1, 1, 2]))
    ]
    medications = [
        {
            "name": name,
            "drug_class": drug_class,
            "doses": rng.randint(1, 3),
            "time": rng.choice([None, "09:00", "18:30"]),
            "relief": rng.choice([None, "none", "partial", "pain_free"]),
        }
        for name, drug_class in rng.sample(MEDICINES, rng.randint(0, 2))
    ]
    return {
        "had_headache": True if headaches else rng.choice([False, None]),
        "headaches": headaches,
        "medications": medications,
        "soreness": rng.choice([None, rng.randint(0, 10)]),
        "exercises_done": rng.choice([None, True, False]),
        "triggers": rng.sample(["stress", "poor_sleep", "screen_time", "weather"], rng.randint(0, 2)),
        "notes": f"Edit {n}: {rng.getrandbits(48):x}",
        "red_flags": rng.choice([[], [], [], ["getting_worse"], ["needle_site_infection", "sudden_severe"]]),
    }


@dataclass
class Entry:
    """One queued day: its latest content, the version it builds on, and contents this phone
    sent for it without learning whether they arrived."""

    content: dict
    base: int | None
    unconfirmed: set = field(default_factory=set)


class Phone:
    """A patient's phone with days logged offline, syncing like the web app's outbox."""

    def __init__(
        self, number: int, server_port: int, proxy_port: int, email: str, password: str, days: list[date]
    ):
        self.number = number
        self.proxy_port = proxy_port
        self.rng = random.Random(SEED * 1000 + number)
        # Each day: the states the patient saves one after the other (1 to 3, all different).
        self.plan = {
            d.isoformat(): [
                random_day(self.rng, k)
                for k in range(1 + (self.rng.random() < 0.5) + (self.rng.random() < 0.2))
            ]
            for d in days
        }
        self.next_edit = {d: 1 for d in self.plan}
        self.outbox = {d: Entry(states[0], None) for d, states in self.plan.items()}
        self.confirmed: dict[str, tuple[dict, int]] = {}
        self.stats: Counter = Counter()
        self.failures: list[str] = []
        self.cookie, self.token = self._log_in(server_port, email, password)

    @staticmethod
    def _log_in(port: int, email: str, password: str) -> tuple[str, str]:
        def cookie_of(set_cookie: str | None, old: str) -> str:
            if not set_cookie:
                return old
            morsel = SimpleCookie(set_cookie).get("diary_session")
            return f"diary_session={morsel.value}" if morsel else old

        status, set_cookie, data = http_call(port, "GET", "/api/v1/auth/csrf")
        cookie = cookie_of(set_cookie, "")
        token = json.loads(data)["csrf_token"]
        status, set_cookie, data = http_call(
            port,
            "POST",
            "/api/v1/auth/login",
            json.dumps({"email": email, "password": password}).encode(),
            {"Content-Type": "application/json", "X-CSRFToken": token, "Cookie": cookie},
        )
        assert status == 200, data
        cookie = cookie_of(set_cookie, cookie)
        status, set_cookie, data = http_call(port, "GET", "/api/v1/auth/csrf", headers={"Cookie": cookie})
        return cookie_of(set_cookie, cookie), json.loads(data)["csrf_token"]

    def _put(self, day: str, entry: Entry) -> tuple[int, dict | None]:
        headers = {
            "Content-Type": "application/json",
            "Accept": "application/json",
            "X-CSRFToken": self.token,
            "Cookie": self.cookie,
        }
        if entry.base:
            headers["If-Match"] = f'"{entry.base}"'
        else:
            headers["If-None-Match"] = "*"
        status, _, data = http_call(
            self.proxy_port,
            "PUT",
            f"/api/v1/patients/me/days/{day}",
            json.dumps(entry.content).encode(),
            headers,
            timeout=PHONE_TIMEOUT,
        )
        if not data:
            raise http.client.RemoteDisconnected("empty answer")
        return status, json.loads(data)

    def _confirmed(self, day: str, entry: Entry, version: int) -> None:
        self.confirmed[day] = (entry.content, version)
        del self.outbox[day]
        states = self.plan[day]
        if self.next_edit[day] < len(states):  # the patient changes the day again later
            self.outbox[day] = Entry(states[self.next_edit[day]], version)
            self.next_edit[day] += 1

    def _edit_while_unsure(self, day: str, entry: Entry) -> None:
        states = self.plan[day]
        if self.next_edit[day] < len(states) and self.rng.random() < EDIT_WHILE_UNSURE:
            # The latest state replaces the queued one; it builds on the same version.
            self.outbox[day] = Entry(states[self.next_edit[day]], entry.base, set(entry.unconfirmed))
            self.next_edit[day] += 1
            self.stats["edited while the answer was missing"] += 1

    def _send(self, day: str) -> bool:
        """One attempt at one day; False when there was no answer."""
        entry = self.outbox[day]
        self.stats["PUTs"] += 1
        try:
            status, body = self._put(day, entry)
        except NETWORK_ERRORS:
            self.stats["no answer"] += 1
            entry.unconfirmed.add(content_key(entry.content))
            self._edit_while_unsure(day, entry)
            return False
        if status in (200, 201):
            stored = {k: v for k, v in body.items() if k not in ("date", "version", "updated_at")}
            if content_key(stored) != content_key(entry.content):
                self.failures.append(f"{day}: the server answered {status} with other content")
            self.stats[f"{status}"] += 1
            self._confirmed(day, entry, body["version"])
        elif status == 412:
            current = body.get("current")
            current_content = current and {
                k: v for k, v in current.items() if k not in ("date", "version", "updated_at")
            }
            if current and content_key(current_content) == content_key(entry.content):
                self.stats["412 showing this very content (confirmed)"] += 1
                self._confirmed(day, entry, current["version"])
            elif current and content_key(current_content) in entry.unconfirmed:
                self.stats["412 showing an earlier save of this phone (built upon)"] += 1
                entry.base, entry.unconfirmed = current["version"], set()
            else:
                self.failures.append(f"{day}: a conflict with itself: {body}")
                del self.outbox[day]
        elif status in (409, 429, 500, 502, 503):
            self.stats[f"{status}, try later"] += 1
        else:
            self.failures.append(f"{day}: unexpected {status}: {body}")
            del self.outbox[day]
        return True

    def sync(self, deadline: float) -> None:
        """Send the outbox, oldest day first, retrying with a (short) backoff until all is done."""
        misses = 0
        while self.outbox and time.monotonic() < deadline:
            for day in sorted(self.outbox):
                if day not in self.outbox:
                    continue
                if self._send(day):
                    misses = 0
                else:
                    misses += 1
                    time.sleep(min(0.2, 0.005 * 2 ** min(misses, 6)) * self.rng.uniform(0.5, 1))
                    break  # like the web app: no answer, so the rest waits for the next round


class _QuietHandler(WSGIRequestHandler):
    def log_request(self, *args, **kwargs):
        pass


@pytest.fixture
def server(make_app):
    app = make_app(LOGIN_LIMIT_PER_ADDRESS="100000 per minute", LOGIN_LIMIT_PER_ACCOUNT="100000 per minute")
    httpd = make_server("127.0.0.1", 0, app, threaded=True, request_handler=_QuietHandler)
    thread = threading.Thread(target=httpd.serve_forever, name="sync-server", daemon=True)
    thread.start()
    yield app, httpd.server_port
    httpd.shutdown()
    thread.join(10)


def test_twenty_phones_sync_through_a_lossy_network_and_every_day_lands_exactly_once(server, backend, capsys):
    app, port = server
    with app.app_context():
        users = UserFactory()
        patients = [users.patient() for _ in range(PHONES)]
        accounts = [(p.email, p.plain_password, clock.today(p)) for p in patients]
        db.session.remove()
    proxy = FaultyProxy(port, SEED)
    proxy.start()
    try:
        phones = [
            Phone(
                n,
                port,
                proxy.port,
                email,
                password,
                [today - timedelta(days=11 + k) for k in range(DAYS_PER_PHONE)],
            )
            for n, (email, password, today) in enumerate(accounts)
        ]
        started = time.monotonic()
        deadline = started + TIME_LIMIT
        threads = [
            threading.Thread(target=phone.sync, args=(deadline,), name=f"phone-{phone.number}")
            for phone in phones
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(TIME_LIMIT + 30)
        took = time.monotonic() - started
        proxy.settle()  # the requests held back longest land too, before anything is checked
    finally:
        proxy.stop()

    stats = sum((phone.stats for phone in phones), Counter())
    with capsys.disabled():
        print(
            f"\nsync under faults ({backend}): {PHONES} phones x {DAYS_PER_PHONE} days, "
            f"{stats['PUTs']} PUTs in {took:.1f}s; network: {dict(proxy.counts)}; phones: {dict(stats)}"
        )
    assert not any(phone.outbox for phone in phones), f"not done within {TIME_LIMIT}s"
    assert [f for phone in phones for f in phone.failures] == []
    assert proxy.counts["requests dropped"] and proxy.counts["responses dropped after the server answered"]
    assert proxy.counts["sent twice"] and proxy.counts["held back long"]

    for phone in phones:
        # Read back directly from the server, not through the proxy.
        first, last = min(phone.plan), max(phone.plan)
        status, _, data = http_call(
            port, "GET", f"/api/v1/patients/me/days?from={first}&to={last}", headers={"Cookie": phone.cookie}
        )
        assert status == 200
        stored = {d["date"]: d for d in json.loads(data)["days"]}
        assert sorted(stored) == sorted(phone.plan), f"phone {phone.number}: days lost or added"
        for day, (content, version) in phone.confirmed.items():
            got = stored[day]
            assert content_key(
                {k: v for k, v in got.items() if k not in ("date", "version", "updated_at")}
            ) == content_key(content), f"phone {phone.number}, {day}"
            assert content == phone.plan[day][-1]  # the patient's last word on the day
            assert got["version"] == version
            # Every version is a different content: a repeated write never made one.
            assert version <= len(phone.plan[day])
