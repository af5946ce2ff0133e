"""A day queued offline by the app before version 2 of the rules (its days have no
`had_headache`: that app said "no headache" by leaving the headaches empty) still syncs as the
patient meant it once the new app is loaded: headache-free stays headache-free, a headache day
stays a headache day. Nothing a patient saved is lost in the update."""

from __future__ import annotations

from datetime import timedelta

import pytest

from .conftest import log_in, offline_ready, service_worker_ready, until

pytestmark = pytest.mark.browser
BACKENDS = ("sqlite", "postgresql")

LEGACY_ENTRY = """([date, day, userId]) => new Promise((resolve, reject) => {
  const request = indexedDB.open("diary-offline");
  request.onsuccess = () => {
    const db = request.result;
    const tx = db.transaction("outbox", "readwrite");
    tx.objectStore("outbox").put({date, day, baseVersion: null, id: "legacy-" + date, userId,
      queuedAt: new Date().toISOString(), state: "waiting", attempts: 0, retryAt: 0, message: "",
      server: null, unconfirmed: []});
    tx.oncomplete = () => { db.close(); resolve(true); };
    tx.onerror = () => reject(tx.error);
  };
  request.onerror = () => reject(request.error);
})"""


def legacy_day(**changes):
    """A day as the version-1 outbox stored it: no had_headache, no red_flags."""
    return {
        "headaches": [],
        "medications": [],
        "soreness": None,
        "exercises_done": None,
        "triggers": [],
        "notes": "queued before the update",
        **changes,
    }


def test_days_queued_by_the_version_1_app_keep_their_meaning(phone, live_server, patient):
    context = phone()
    page = context.new_page()
    log_in(page, patient)
    service_worker_ready(page)
    offline_ready(page)
    today = live_server.today(patient)
    free, headache = (today - timedelta(days=2)).isoformat(), (today - timedelta(days=1)).isoformat()
    user = page.evaluate("document.querySelector('meta[name=diary-user]').content")
    page.evaluate(LEGACY_ENTRY, [free, legacy_day(), user])
    page.evaluate(
        LEGACY_ENTRY,
        [
            headache,
            legacy_day(
                headaches=[
                    {
                        "start": None,
                        "duration_minutes": None,
                        "intensity": 5,
                        "type": "tension",
                        "side": None,
                        "locations": [],
                        "symptoms": [],
                        "neck_provoked": None,
                    }
                ]
            ),
            user,
        ],
    )

    page.evaluate("DiaryOffline.syncAll({force: true})")
    until(page, "DiaryOffline.outbox.all().then((all) => all.length === 0)")

    days = live_server.days(patient)
    assert days[free]["had_headache"] is False
    assert days[headache]["had_headache"] is True
    assert days[free]["notes"] == "queued before the update"
