/* Headache diary: sending the outbox to the diary, exactly once.

   Each waiting day goes with PUT /api/v1/patients/me/days/<date> and `If-Match: "<version>"`, or
   `If-None-Match: *` for a day that was new on this phone; a cleared day goes as DELETE with the
   same precondition. The server's answer moves the entry (outbox.js MOVES): 200/201 (or 204/404
   for a clear) confirms it; a 412 whose current record is this very content confirms it too, one
   showing an earlier save of this phone's rebases it, any other is a conflict the patient
   settles; 401 or a refused CSRF token asks for a new login; 422 and the like show the server's
   message; no answer, 409, 429 and 5xx retry with backoff. No DOM: the page (offline.js) and the
   service worker (sw.js, on Background Sync) both load it, after day.js and outbox.js. */
(function (global) {
  "use strict";

  const DiaryOffline = global.DiaryOffline;
  const { FORM_FIELDS, answerOf, sameContent, contentKey, outbox, moveEntry, emit } = DiaryOffline;
  const DAYS_URL = "/api/v1/patients/me/days/";
  const MAX_BACKOFF_MS = 5 * 60 * 1000;

  function backoff(attempts) {
    const base = Math.min(MAX_BACKOFF_MS, 2000 * 2 ** Math.max(0, attempts - 1));
    return Math.round(base * (0.5 + Math.random() / 2));
  }

  function retryChanges(entry) {
    const attempts = (entry.attempts || 0) + 1;
    return { attempts, retryAt: Date.now() + backoff(attempts) };
  }

  async function readJson(response) {
    try { return await response.json(); } catch { return null; }
  }

  function messageOf(body, fallback) {
    if (!body) return fallback;
    const errors = body.errors ? Object.values(body.errors).flat() : [];
    return errors.length ? errors.join(" ") : body.detail || body.title || fallback;
  }

  async function fetchToken(pageToken) {
    if (pageToken) return pageToken;
    const response = await fetch("/api/v1/auth/csrf", { credentials: "same-origin", cache: "no-store" });
    if (!response.ok) throw new Error("no CSRF token");
    return (await response.json()).csrf_token;
  }

  /** PUT the entry's day, or DELETE it when the entry clears the day; either only if the server
      still has the version it was based on (or no record, for a day new on this phone). */
  function sendDay(entry, token) {
    if (entry.merge) return sendMerge(entry, token);
    const headers = { Accept: "application/json", "X-CSRFToken": token };
    if (entry.baseVersion) headers["If-Match"] = `"${entry.baseVersion}"`;
    else headers["If-None-Match"] = "*";
    if (entry.day === null) {
      return fetch(DAYS_URL + entry.date, { method: "DELETE", headers, credentials: "same-origin", cache: "no-store" });
    }
    headers["Content-Type"] = "application/json";
    return fetch(DAYS_URL + entry.date, {
      method: "PUT", headers, body: JSON.stringify(entry.day), credentials: "same-origin", cache: "no-store",
    });
  }

  /** A merging entry (addRedFlag): the server's day with the entry's signs added, written on the
      version just read (a day with no record: the signs alone, as a new day). */
  async function sendMerge(entry, token) {
    const read = await fetch(DAYS_URL + entry.date, {
      headers: { Accept: "application/json" }, credentials: "same-origin", cache: "no-store" });
    const headers = { Accept: "application/json", "Content-Type": "application/json", "X-CSRFToken": token };
    let day;
    if (read.status === 200) {
      const current = await read.json();
      day = { headaches: current.headaches, medications: current.medications };
      for (const [name] of FORM_FIELDS.day) day[name] = current[name];
      day.red_flags = Array.from(new Set([...(current.red_flags || []), ...entry.day.red_flags]));
      headers["If-Match"] = `"${current.version}"`;
    } else if (read.status === 404) {
      day = { red_flags: entry.day.red_flags };
      headers["If-None-Match"] = "*";
    } else {
      return read; // 401 and the like: sendEntry settles them as for a PUT
    }
    return fetch(DAYS_URL + entry.date, {
      method: "PUT", headers, body: JSON.stringify(day), credentials: "same-origin", cache: "no-store",
    });
  }

  /** The server holds this entry's content as `version` (null: the day is cleared): the entry
      leaves the outbox. A newer save of the same day made meanwhile on this phone now builds on
      that version. */
  async function confirmed(entry, version) {
    const gone = await moveEntry(entry, "confirmed");
    if (gone === false) {
      await outbox.update(entry.date, entry.id, (current) =>
        (current.baseVersion === entry.baseVersion ? { ...current, baseVersion: version } : false));
    }
    emit({ type: "synced", date: entry.date, version, answered: entry.day === null || answerOf(entry.day) !== null });
  }

  /** PUT one day until the server's answer settles it: "done", "conflict", "invalid", "login",
      "retry" (the server could not take it now) or "network" (no answer: it may or may not have
      arrived, so its content is remembered as this phone's own). */
  async function sendEntry(entry, context) {
    for (let round = 0; round < 3; round++) {
      let response;
      try {
        context.token = context.token || await fetchToken(context.pageToken);
        response = await sendDay(entry, context.token);
        if (response.status === 400) {
          // A stale token (a new login since): ask for a fresh one, once.
          context.token = await fetchToken(null);
          response = await sendDay(entry, context.token);
        }
      } catch {
        const sent = contentKey(entry.day);
        await moveEntry(entry, "failed", { ...retryChanges(entry),
          unconfirmed: Array.from(new Set([...(entry.unconfirmed || []), sent])) });
        return "network";
      }
      const clears = entry.day === null;
      const body = await readJson(response);
      const status = response.status;
      if (status === 200 || status === 201) {
        await confirmed(entry, body.version);
        return "done";
      }
      if (clears && (status === 204 || status === 404)) { // 404: no record, so nothing to clear
        await confirmed(entry, null);
        return "done";
      }
      if (status === 412 && entry.merge) continue; // the day changed between reading and writing: read again
      if (status === 412) {
        const current = body && body.current ? body.current : null;
        if (clears ? !current : current && sameContent(current, entry.day)) {
          await confirmed(entry, current ? current.version : null);
          return "done";
        }
        if ((entry.unconfirmed || []).includes(contentKey(current))) {
          // An earlier save of this phone arrived after all (its answer was lost): build on it.
          const rebased = await moveEntry(entry, "rebased", { baseVersion: current ? current.version : null, unconfirmed: [] });
          if (!rebased) return "done"; // replaced meanwhile; the newer save goes next time
          entry = rebased;
          continue;
        }
        await moveEntry(entry, "conflicted", { server: current, message: "" });
        return "conflict";
      }
      if (status === 401 || status === 400) {
        await moveEntry(entry, "loggedOut", { message: messageOf(body, "") });
        return "login";
      }
      if (status === 422 || status === 403 || status === 404 || status === 413) {
        await moveEntry(entry, "refused", { message: messageOf(body, "The diary did not accept this day.") });
        return "invalid";
      }
      await moveEntry(entry, "failed", retryChanges(entry)); // 409, 429, 5xx: try again later
      return "retry";
    }
    return "retry";
  }

  /** Send every day that is due; resolves with {retryLater, needsLogin}. */
  async function syncOnce(options) {
    const force = options && options.force;
    const entries = await outbox.all();
    const due = entries.filter((e) => e.state === "waiting" && (force || !e.retryAt || e.retryAt <= Date.now()));
    if (!due.length) return { retryLater: false };
    let me;
    try {
      const response = await fetch("/api/v1/me", { credentials: "same-origin", cache: "no-store" });
      if (response.status === 401) {
        for (const entry of due) await moveEntry(entry, "loggedOut", { message: "" });
        emit({ type: "changed" });
        return { retryLater: false, needsLogin: true };
      }
      me = await response.json();
    } catch {
      for (const entry of due) await moveEntry(entry, "failed", retryChanges(entry));
      emit({ type: "changed" });
      return { retryLater: true };
    }
    const context = { token: null, pageToken: options && options.pageToken };
    let retryLater = false;
    for (const entry of due) {
      if (entry.userId && me && me.id !== entry.userId) continue; // never into another account
      const outcome = await sendEntry(entry, context);
      if (outcome === "network") { retryLater = true; break; } // the network is down: the rest waits too
      if (outcome === "retry") retryLater = true;
      if (outcome === "login") {
        for (const rest of due) await moveEntry(rest, "loggedOut");
        emit({ type: "changed" });
        return { retryLater: false, needsLogin: true };
      }
    }
    emit({ type: "changed" });
    return { retryLater };
  }

  let running = null;
  /** One sync at a time in this context, and (where Web Locks exist) across tabs and the worker. */
  function syncAll(options) {
    if (running) return running;
    const locks = global.navigator && navigator.locks;
    const run = () => syncOnce(options);
    running = (locks ? locks.request("diary-sync", run) : run())
      .catch(() => ({ retryLater: true }))
      .finally(() => { running = null; });
    return running;
  }

  Object.assign(DiaryOffline, { syncAll });
})(self);
