/* Headache diary: logging a day without a network, and sending it later, exactly once.

   A day saved while offline goes into an IndexedDB outbox, keyed by date (a later save of the
   same day replaces the earlier one), with the version of the record it was based on. The
   outbox is sent with PUT /api/v1/patients/me/days/<date> and `If-Match: "<version>"`, or
   `If-None-Match: *` for a day that was new on this phone; a day leaves the outbox only when the
   server has confirmed it (200/201, or a 412 whose current record is this very content). A 412
   with other content is a conflict the patient settles; 401 or a refused CSRF token asks for a
   new login; 422 shows the server's message; network errors retry with backoff. Nothing is ever
   dropped without the patient's say, except when another person logs in on this browser.

   Clearing a day is queued the same way, as an entry whose day is null, sent as DELETE with the
   same precondition; 204 or 404 confirms it.

   Online, a save (or a clear) goes to the server as an ordinary form, but only once its day is
   in the outbox as "sending": kept, never sent by the sync, not counted as waiting. The page
   that answers the save names its date (<meta name="diary-save-answered">, from the redirect's
   landing page or the editor sent back with errors) and drops the entry: the server has it, or
   the patient sees what they typed. Any other page that finds a "sending" entry (the one the
   service worker sends back for a failed save with #offline-save, or simply the next page
   opened after the browser's own error page) makes it "waiting": the request got no answer, so
   the day is sent like one saved offline. Sending it twice is harmless: the same content again
   is a no-op for the server, and a 412 showing this very content counts as confirmed.

   The first part (the form -> day mapping, the outbox, the sync) has no DOM and also runs in the
   service worker (importScripts). The page part follows it. Every page works without this file. */
(function (global) {
  "use strict";

  const DB_NAME = "diary-offline";
  const OUTBOX = "outbox";
  const META = "meta";
  const SYNC_TAG = "diary-outbox";
  const DAYS_URL = "/api/v1/patients/me/days/";
  const STATIC_CACHE_PREFIX = "diary-static-";
  const MAX_BACKOFF_MS = 5 * 60 * 1000;

  /* ---- The day form -> the API's day record (the same mapping as diary/web/forms.py) ------ */

  /* Every field of a day as the day form carries it: [API name, form name, kind], the kinds
     of diary/dayshape.py (tests/browser/test_mapping.py checks this table against it). */
  const FORM_FIELDS = {
    day: [
      ["had_headache", "headache_today", "yes_no"], ["soreness", "soreness", "number"],
      ["exercises_done", "exercises_done", "yes_no"], ["triggers", "triggers", "triggers"],
      ["notes", "notes", "text"], ["red_flags", "red_flags", "words"],
    ],
    headaches: [
      ["start", "start", "text"], ["duration_minutes", "duration_minutes", "number"],
      ["intensity", "intensity", "number"], ["type", "type", "choice"], ["side", "side", "text"],
      ["locations", "locations", "words"], ["symptoms", "symptoms", "words"],
      ["neck_provoked", "neck_provoked", "yes_no"],
    ],
    medications: [
      ["name", "name", "name"], ["drug_class", "drug_class", "text"], ["doses", "doses", "number"],
      ["time", "time", "text"], ["relief", "relief", "text"],
    ],
  };
  // What a day holds when a field is left out (DaySchema's defaults; `had_headache` follows
  // from the headaches: true with some, else not answered).
  const DEFAULTS = {
    day: { soreness: null, exercises_done: null, triggers: [], notes: null, red_flags: [] },
    headaches: { start: null, duration_minutes: null, type: "unsure", side: null, locations: [],
      symptoms: [], neck_provoked: null },
    medications: { doses: 1, time: null, relief: null },
  };

  const ITEM = /^(headaches|medications)\.(\d{1,2})\.([a-z_]+)$/;

  /** A read-only multi-dict over [name, value] pairs, like werkzeug's MultiDict. */
  function multiDict(entries) {
    const values = new Map();
    for (const [name, value] of entries) {
      if (typeof value !== "string") continue; // files
      if (!values.has(name)) values.set(name, []);
      values.get(name).push(value);
    }
    return {
      get: (name) => (values.has(name) ? values.get(name)[0] : null),
      getlist: (name) => (values.has(name) ? values.get(name).slice() : []),
      keys: () => Array.from(values.keys()),
    };
  }

  function number(value) {
    if (value === null || value === undefined || value.trim() === "") return null;
    value = value.trim();
    return /^-?\d{1,6}$/.test(value) ? parseInt(value, 10) : value;
  }

  function yesNo(value) {
    return value === "yes" ? true : value === "no" ? false : null;
  }

  function blankToNull(value) {
    return value === null || value === undefined || value === "" ? null : value;
  }

  /** The value the form gives for a field of `kind` under `key`; null leaves the field out
      (dayshape.read_form). */
  function readField(form, key, kind) {
    switch (kind) {
      case "number": return number(form.get(key));
      case "text": case "choice": return blankToNull(form.get(key));
      case "name": return (form.get(key) || "").trim();
      case "yes_no": return yesNo(form.get(key));
      case "words": { const v = form.getlist(key); return v.length ? v : null; }
      case "triggers": {
        const words = form.getlist(key).filter((t) => t.trim());
        for (const t of (form.get(key + "_other") || "").split(",")) {
          if (t.trim()) words.push(t.trim());
        }
        return words.length ? words : null;
      }
      default: throw new Error(`unknown form kind ${kind}`);
    }
  }

  function readFields(form, fields, prefix) {
    const item = {};
    for (const [name, inForm, kind] of fields) {
      const value = readField(form, prefix + inForm, kind);
      if (value !== null) item[name] = value;
    }
    return item;
  }

  function indices(form, kind) {
    const found = new Set();
    for (const key of form.keys()) {
      const m = ITEM.exec(key);
      if (m && m[1] === kind) found.add(parseInt(m[2], 10));
    }
    return Array.from(found).sort((a, b) => a - b);
  }

  function headacheItem(form, i) {
    const p = `headaches.${i}.`;
    if (form.get(p + "remove")) return null;
    const item = readFields(form, FORM_FIELDS.headaches, p);
    // A block left at its defaults (nothing but what its form always sends) is an unused blank row.
    const alwaysSent = FORM_FIELDS.headaches.filter(([, , kind]) => kind === "choice").map(([name]) => name);
    return Object.keys(item).some((k) => !alwaysSent.includes(k)) ? item : null;
  }

  function medicationItem(form, i, catalogue) {
    const p = `medications.${i}.`;
    const item = readFields(form, FORM_FIELDS.medications, p);
    if (form.get(p + "remove") || item.doses === 0 || !(item.name || "drug_class" in item)) return null;
    const known = catalogue && catalogue[item.name.toLowerCase()];
    if (!("drug_class" in item) && known) item.drug_class = known; // typed from the list
    return item;
  }

  /** The API-shaped day that the day form's fields describe (forms.day_from_form). `entries` are
      [name, value] pairs (a FormData); `catalogue` maps lower-case medicine names to classes.
      A field left blank is left out: the server's default applies (an unanswered headache
      question reads true with headaches, null without). */
  function formToDay(entries, catalogue) {
    const form = multiDict(entries);
    const day = { headaches: [], medications: [], ...readFields(form, FORM_FIELDS.day, "") };
    if (day.had_headache !== false) {
      for (const i of indices(form, "headaches")) {
        const item = headacheItem(form, i);
        if (item) day.headaches.push(item);
      }
    }
    for (const i of indices(form, "medications")) {
      const item = medicationItem(form, i, catalogue);
      if (item) day.medications.push(item);
    }
    return day;
  }

  /** What the page would refuse before the schema is asked (forms.load_day_form): the question
      may stay unanswered, but "Yes" needs a headache with how bad it was. */
  function formProblems(entries, day) {
    const form = multiDict(entries);
    const errors = {};
    if (day.had_headache === true && !day.headaches.length) {
      const first = indices(form, "headaches")[0] || 0;
      errors[`headaches.${first}.intensity`] = ["Say how bad the headache was, from 1 to 10."];
    }
    return errors;
  }

  /** The day's answer to the headache question, as the server reads it (true, false or null). */
  function answerOf(day) {
    if (day.had_headache !== undefined) return day.had_headache;
    return (day.headaches || []).length ? true : null;
  }

  /** A day as the server stores and dumps it, to compare two versions of one day. */
  function normalDay(day) {
    const normal = (source, part) => {
      const out = {};
      for (const [name] of FORM_FIELDS[part]) {
        const value = source[name];
        out[name] = value !== undefined ? value : name in DEFAULTS[part] ? DEFAULTS[part][name] : null;
      }
      return out;
    };
    const normalized = normal({ ...day, had_headache: answerOf(day) }, "day");
    normalized.triggers = Array.from(new Set(normalized.triggers.map((t) => t.trim())));
    normalized.notes = normalized.notes && normalized.notes.trim() ? normalized.notes : null;
    normalized.headaches = (day.headaches || []).map((h) => normal(h, "headaches"));
    normalized.medications = (day.medications || []).map((m) => ({ ...normal(m, "medications"), name: (m.name || "").trim() }));
    return normalized;
  }

  function sameContent(a, b) {
    return JSON.stringify(normalDay(a)) === JSON.stringify(normalDay(b));
  }

  /* ---- The outbox (IndexedDB) ------------------------------------------------------------ */

  function openDb() {
    return new Promise((resolve, reject) => {
      const request = indexedDB.open(DB_NAME, 1);
      request.onupgradeneeded = () => {
        request.result.createObjectStore(OUTBOX, { keyPath: "date" });
        request.result.createObjectStore(META);
      };
      request.onsuccess = () => {
        const db = request.result;
        db.onversionchange = () => db.close(); // lets a wipe delete the database at once
        resolve(db);
      };
      request.onerror = () => reject(request.error);
    });
  }

  /** Run `work(store, setResult)` in one transaction; resolves with the result once committed. */
  async function inStore(name, mode, work) {
    const db = await openDb();
    return new Promise((resolve, reject) => {
      const transaction = db.transaction(name, mode);
      let result;
      work(transaction.objectStore(name), (value) => { result = value; });
      transaction.oncomplete = () => { db.close(); resolve(result); };
      transaction.onabort = transaction.onerror = () => { db.close(); reject(transaction.error); };
    });
  }

  // Entries queued by the app before version 2 of the rules hold days without `had_headache`:
  // that app said "no headache" by leaving the headaches empty. Read them so, or a day the patient
  // had answered "No" would reach the server as unanswered.
  const SHAPE = 2;
  function upgraded(entry) {
    if (!entry || entry.shape || !entry.day || entry.merge) return entry;
    const day = { ...entry.day };
    if (day.had_headache === undefined) day.had_headache = (day.headaches || []).length > 0;
    return { ...entry, day, shape: SHAPE };
  }

  const outbox = {
    all: () => inStore(OUTBOX, "readonly", (store, done) => {
      store.getAll().onsuccess = (e) => done(e.target.result.map(upgraded).sort((a, b) => (a.date < b.date ? -1 : 1)));
    }),
    get: (date) => inStore(OUTBOX, "readonly", (store, done) => {
      store.get(date).onsuccess = (e) => done(upgraded(e.target.result) || null);
    }),
    put: (entry) => inStore(OUTBOX, "readwrite", (store) => { store.put(entry); }),
    /** Change the entry of `date` only if it is still the one with `id` (a newer save wins). */
    update: (date, id, change) => inStore(OUTBOX, "readwrite", (store, done) => {
      store.get(date).onsuccess = (e) => {
        const entry = upgraded(e.target.result);
        if (!entry) return done(null);
        const changed = change(entry, entry.id === id);
        if (changed === null) store.delete(date);
        else if (changed) store.put(changed);
        done(changed);
      };
    }),
  };

  const meta = {
    get: (key) => inStore(META, "readonly", (store, done) => {
      store.get(key).onsuccess = (e) => done(e.target.result === undefined ? null : e.target.result);
    }),
    set: (key, value) => inStore(META, "readwrite", (store) => { store.put(value, key); }),
  };

  async function databaseExists() {
    if (!indexedDB.databases) return true;
    const list = await indexedDB.databases();
    return list.some((d) => d.name === DB_NAME);
  }

  /** Forget everything this browser keeps of the diary's data: the outbox, the last user, and
      any cache other than the data-free static one. */
  async function wipe() {
    await new Promise((resolve) => {
      const request = indexedDB.deleteDatabase(DB_NAME);
      request.onsuccess = request.onerror = () => resolve();
    });
    if (global.caches) {
      for (const name of await caches.keys()) {
        if (!name.startsWith(STATIC_CACHE_PREFIX)) await caches.delete(name);
      }
    }
    emit({ type: "changed" });
  }

  function newId() {
    return Date.now().toString(36) + "-" + Math.random().toString(36).slice(2, 10);
  }

  /** Queue the latest state of a day (null: the day is cleared); it replaces whatever was queued
      for that date. `state` "sending" keeps it while a page sends it (see the header). */
  async function enqueue(date, day, baseVersion, userId, state) {
    const entry = {
      date, day, baseVersion: baseVersion ? Number(baseVersion) : null, id: newId(),
      userId: userId || (await meta.get("user")) || "", queuedAt: new Date().toISOString(),
      state: state || "waiting", attempts: 0, retryAt: 0, message: "", server: null, unconfirmed: [],
      shape: SHAPE,
    };
    await inStore(OUTBOX, "readwrite", (store) => {
      store.get(date).onsuccess = (e) => {
        const older = e.target.result;
        // Saves of the same day sent from here without an answer may have arrived: a 412 showing
        // one of them is this phone's own write, not another device's.
        if (older && older.baseVersion === entry.baseVersion) entry.unconfirmed = older.unconfirmed || [];
        store.put(entry);
      };
    });
    emit({ type: "changed" });
    if (entry.state === "waiting") requestBackgroundSync();
    return entry;
  }

  /** Queue one red flag (docs/red-flags.md) for `date`, keeping the rest of the day: added to the
      day already waiting here, or else kept as an entry that `merge`s: the sync reads the day
      from the server, adds the sign, and writes it back on the version it read. */
  async function addRedFlag(date, code, userId) {
    const owner = userId || (await meta.get("user")) || "";
    const fresh = { id: newId(), queuedAt: new Date().toISOString(), attempts: 0, retryAt: 0, message: "" };
    const entry = await inStore(OUTBOX, "readwrite", (store, done) => {
      store.get(date).onsuccess = (e) => {
        const older = e.target.result;
        let changed;
        if (older) {
          const day = older.day || { headaches: [], medications: [] };
          const flags = Array.from(new Set([...(day.red_flags || []), code]));
          changed = { ...older, ...fresh, day: { ...day, red_flags: flags },
            state: older.state === "conflict" ? "conflict" : "waiting" };
        } else {
          changed = { date, day: { headaches: [], medications: [], red_flags: [code] }, merge: true, baseVersion: null,
            userId: owner, state: "waiting", server: null, unconfirmed: [], ...fresh };
        }
        store.put(changed);
        done(changed);
      };
    });
    emit({ type: "changed" });
    requestBackgroundSync();
    return entry;
  }

  /* ---- Sync ------------------------------------------------------------------------------ */

  const listeners = [];
  const channel = typeof BroadcastChannel === "function" ? new BroadcastChannel("diary-outbox") : null;
  if (channel) channel.onmessage = (event) => listeners.forEach((f) => f(event.data));

  /** Tell this context and every other one (pages, the service worker) what changed. */
  function emit(message) {
    listeners.forEach((f) => f(message));
    if (channel) channel.postMessage(message);
  }

  function requestBackgroundSync() {
    const sw = global.navigator && navigator.serviceWorker;
    if (!sw || typeof document === "undefined") return;
    sw.ready.then((registration) => registration.sync && registration.sync.register(SYNC_TAG))
      .catch(() => {});
  }

  function backoff(attempts) {
    const base = Math.min(MAX_BACKOFF_MS, 2000 * 2 ** Math.max(0, attempts - 1));
    return Math.round(base * (0.5 + Math.random() / 2));
  }

  async function readJson(response) {
    try { return await response.json(); } catch (error) { return null; }
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
    await outbox.update(entry.date, entry.id, (current, same) => {
      if (same) return null;
      if (current.baseVersion === entry.baseVersion) return { ...current, baseVersion: version };
      return false;
    });
    emit({ type: "synced", date: entry.date, version, answered: entry.day === null || answerOf(entry.day) !== null });
  }

  /** Change the entry as sent, unless a newer save replaced it (or `when` says no). */
  function setState(entry, changes, when) {
    return outbox.update(entry.date, entry.id, (current, same) =>
      (same && (!when || when(current)) ? { ...current, ...changes } : false));
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
        for (const entry of due) await setState(entry, { state: "login", message: "" });
        emit({ type: "changed" });
        return { retryLater: false, needsLogin: true };
      }
      me = await response.json();
    } catch (error) {
      for (const entry of due) await setState(entry, retryChanges(entry));
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
        for (const rest of due) await setState(rest, { state: "login" }, (e) => e.state === "waiting");
        emit({ type: "changed" });
        return { retryLater: false, needsLogin: true };
      }
    }
    emit({ type: "changed" });
    return { retryLater };
  }

  /** A content's fingerprint, to recognise a write of this phone's own that the server has
      ("null": a clear of this phone's that went through). */
  function contentKey(day) {
    return day ? JSON.stringify(normalDay(day)) : "null";
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
      } catch (error) {
        const sent = contentKey(entry.day);
        await setState(entry, { ...retryChanges(entry),
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
          const rebased = await setState(entry, { baseVersion: current ? current.version : null, unconfirmed: [] });
          if (!rebased) return "done"; // replaced meanwhile; the newer save goes next time
          entry = rebased;
          continue;
        }
        await setState(entry, { state: "conflict", server: current, message: "" });
        return "conflict";
      }
      if (status === 401 || status === 400) {
        await setState(entry, { state: "login", message: messageOf(body, "") });
        return "login";
      }
      if (status === 422 || status === 403 || status === 404 || status === 413) {
        await setState(entry, { state: "invalid", message: messageOf(body, "The diary did not accept this day.") });
        return "invalid";
      }
      await setState(entry, retryChanges(entry)); // 409, 429, 5xx: try again later
      return "retry";
    }
    return "retry";
  }

  function retryChanges(entry) {
    const attempts = (entry.attempts || 0) + 1;
    return { attempts, retryAt: Date.now() + backoff(attempts) };
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

  /** Whether an answer the server names ("<date> <entry id>", or "<date>" from a form sent
      without this file) is the answer to `entry`. */
  function answers(answer, entry) {
    const [date, id] = answer.split(" ");
    return date === entry.date && (!id || id === entry.id);
  }

  /** Settle the entries kept while their save was sent as a page (see the header): those whose
      date this page answers leave the outbox, every other one waits to be sent. Its content is
      remembered as this phone's own, since the request may have reached the server after all.
      Resolves with the entries now waiting. */
  async function settleSending(answered) {
    const promoted = [];
    for (const entry of await outbox.all()) {
      if (entry.state !== "sending") continue;
      const changed = await outbox.update(entry.date, entry.id, (current, same) => {
        if (!same) return false;
        if (answered.some((a) => answers(a, current))) return null;
        const unconfirmed = Array.from(new Set([...(current.unconfirmed || []), contentKey(current.day)]));
        return { ...current, state: "waiting", retryAt: 0, unconfirmed };
      });
      if (changed) promoted.push(changed);
    }
    if (promoted.length) {
      emit({ type: "changed" });
      requestBackgroundSync();
    }
    return promoted;
  }

  const DiaryOffline = {
    FORM_FIELDS, DEFAULTS, formToDay, formProblems, answerOf, normalDay, sameContent, enqueue, addRedFlag, settleSending, syncAll, wipe, outbox,
    meta, databaseExists, emit, listeners, SYNC_TAG,
  };
  global.DiaryOffline = DiaryOffline;

  if (typeof document === "undefined") return; // the service worker needs no more

  /* ---- The page --------------------------------------------------------------------------- */

  const statusBox = document.querySelector("[data-offline-status]");
  const userMeta = document.querySelector('meta[name="diary-user"]');
  const tokenMeta = document.querySelector('meta[name="csrf-token"]');
  const currentUser = userMeta ? userMeta.content : "";
  const dayForm = document.getElementById("day-form");
  const clearForm = document.querySelector("form[data-clear-day]");
  const isShell = !!(dayForm && dayForm.hasAttribute("data-shell"));
  // The pages the service worker keeps are made for nobody: whose diary it is, is not known here.
  const isKeptPage = isShell || !!document.querySelector("[data-offline-page]");
  let lastMessage = "";
  let retryTimer = null;
  let leaving = false; // logged out: nothing more is read or written here

  /** Whether this page may have an outbox to show: a logged-in page, the shell, or a browser
      where one is left from before (never creates an empty one on a public page). */
  async function mayHaveOutbox() {
    if (leaving || !global.indexedDB) return false;
    return !!(currentUser || isKeptPage) || DiaryOffline.databaseExists();
  }

  function localIsoDate(d) {
    const pad = (n) => String(n).padStart(2, "0");
    return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
  }

  function parseIso(iso) {
    const [y, m, d] = iso.split("-").map(Number);
    return new Date(y, m - 1, d);
  }

  function addDays(iso, days) {
    const d = parseIso(iso);
    d.setDate(d.getDate() + days);
    return localIsoDate(d);
  }

  function dayLabel(iso, withYear) {
    const options = { weekday: "long", day: "numeric", month: "long" };
    if (withYear) options.year = "numeric";
    return parseIso(iso).toLocaleDateString("en-GB", options).replace(",", "");
  }

  function catalogue() {
    const kinds = {};
    document.querySelectorAll("#catalogue option").forEach((o) => { kinds[o.value.toLowerCase()] = o.dataset.class; });
    return kinds;
  }

  function shownDate() {
    if (!dayForm) return null;
    if (!isShell) return dayForm.dataset.day;
    const m = /^\/days\/(\d{4}-\d{2}-\d{2})$/.exec(location.pathname);
    return m ? m[1] : localIsoDate(new Date());
  }

  function todayOfPage() {
    return isShell ? localIsoDate(new Date()) : (dayForm && dayForm.dataset.today) || localIsoDate(new Date());
  }

  function pageToken() {
    return tokenMeta && tokenMeta.content ? tokenMeta.content : null;
  }

  function offline() {
    return navigator.onLine === false;
  }

  /* The form's state as the API's day; quick controls apply their one change on top. */
  function formEntries(change) {
    const entries = Array.from(new FormData(dayForm).entries());
    if (!change) return entries;
    const [name, value] = change;
    const rest = entries.filter(([key]) => key !== name);
    rest.push([name, value]);
    return rest;
  }

  function versionField() {
    return dayForm.querySelector("input[name=version]");
  }

  /* ---- The form <- a queued day (the inverse of formToDay, for the shell and queued days) -- */

  function setChecked(root, name, values) {
    root.querySelectorAll(`input[name="${CSS.escape(name)}"]`).forEach((input) => {
      input.checked = values.includes(input.value);
    });
  }

  function renumber(node, kind, from, to) {
    const dotted = new RegExp(`^${kind}\\.${from}\\.`);
    const dashed = new RegExp(`^${kind}-${from}-`);
    node.querySelectorAll("[name],[id],[for],[aria-describedby]").forEach((el) => {
      for (const attr of ["name", "id", "for", "aria-describedby"]) {
        const value = el.getAttribute(attr);
        if (value) el.setAttribute(attr, value.replace(dotted, `${kind}.${to}.`).replace(dashed, `${kind}-${to}-`));
      }
    });
  }

  function headacheSlots() {
    const slots = [];
    dayForm.querySelectorAll("[data-headache]").forEach((block) => {
      const input = block.querySelector("input[name$='.intensity']");
      if (input) slots.push({ block, index: Number(input.name.split(".")[1]) });
    });
    return slots.sort((a, b) => a.index - b.index);
  }

  function addHeadacheSlot(slots) {
    const last = slots[slots.length - 1];
    const index = last.index + 1;
    const block = last.block.cloneNode(true);
    renumber(block, "headaches", last.index, index);
    const another = dayForm.querySelector("[data-headaches] > details.another");
    if (another) another.before(block); else last.block.after(block);
    slots.push({ block, index });
  }

  function clearHeadache(block, p) {
    block.querySelectorAll("input[type=radio], input[type=checkbox]").forEach((i) => { i.checked = i.value === "" && i.type === "radio"; });
    block.querySelectorAll("input[type=time]").forEach((i) => { i.value = ""; });
    const type = block.querySelector(`select[name="${p}type"]`);
    if (type) type.value = "unsure";
    const duration = block.querySelector(`select[name="${p}duration_minutes"]`);
    if (duration) duration.value = "";
  }

  function fillHeadache(block, p, h) {
    setChecked(block, p + "intensity", [String(h.intensity)]);
    setChecked(block, p + "locations", h.locations || []);
    setChecked(block, p + "symptoms", h.symptoms || []);
    setChecked(block, p + "side", [h.side || ""]);
    setChecked(block, p + "neck_provoked", [h.neck_provoked === true ? "yes" : h.neck_provoked === false ? "no" : ""]);
    const type = block.querySelector(`select[name="${p}type"]`);
    if (type) type.value = h.type || "unsure";
    const start = block.querySelector(`input[name="${p}start"]`);
    if (start) start.value = h.start || "";
    const duration = block.querySelector(`select[name="${p}duration_minutes"]`);
    if (duration) {
      const minutes = h.duration_minutes ? String(h.duration_minutes) : "";
      if (minutes && !Array.from(duration.options).some((o) => o.value === minutes)) {
        duration.add(new Option(`${minutes} minutes`, minutes));
      }
      duration.value = minutes;
    }
    const details = block.closest("details");
    if (details) details.open = true;
    if (h.start || h.duration_minutes || h.side || (h.symptoms || []).length || h.neck_provoked !== undefined && h.neck_provoked !== null || (h.type && h.type !== "unsure")) {
      const more = block.querySelector("details.more");
      if (more) more.open = true;
    }
  }

  function medicationSlots() {
    const slots = [];
    dayForm.querySelectorAll("input[name^='medications.'][name$='.doses']").forEach((doses) => {
      const index = Number(doses.name.split(".")[1]);
      const p = `medications.${index}.`;
      const name = dayForm.querySelector(`[name="${p}name"]`);
      slots.push({
        index, p, doses, name, known: !!name && name.type === "hidden",
        drugClass: dayForm.querySelector(`[name="${p}drug_class"]`),
        time: dayForm.querySelector(`[name="${p}time"]`),
        hasRelief: !!dayForm.querySelector(`[name="${p}relief"]`),
        row: doses.closest("[data-med]") || doses.closest("details"),
        used: false,
      });
    });
    return slots;
  }

  function addMedicationSlot(slots, med) {
    const model = slots.find((s) => s.known && s.row && s.row.matches("[data-med]"));
    if (!model) return null;
    const index = Math.max(...slots.map((s) => s.index)) + 1;
    const row = model.row.cloneNode(true);
    row.querySelectorAll(".stepper").forEach((stepper) => {
      const input = stepper.querySelector("input");
      stepper.replaceWith(input);
    });
    renumber(row, "medications", model.index, index);
    const label = row.querySelector("[data-med-name]");
    if (label) label.firstChild.textContent = med.name;
    model.row.parentNode.appendChild(row);
    const p = `medications.${index}.`;
    const slot = {
      index, p, doses: row.querySelector(`[name="${p}doses"]`), name: row.querySelector(`[name="${p}name"]`),
      drugClass: row.querySelector(`[name="${p}drug_class"]`), time: row.querySelector(`[name="${p}time"]`),
      hasRelief: true, known: true, row, used: false,
    };
    slots.push(slot);
    return slot;
  }

  function fillMedication(slot, m) {
    slot.used = true;
    slot.name.value = m.name;
    if (slot.drugClass) slot.drugClass.value = m.drug_class || "";
    slot.doses.value = String(m.doses === undefined ? 1 : m.doses);
    if (slot.time) slot.time.value = m.time || "";
    if (slot.hasRelief) setChecked(dayForm, slot.p + "relief", [m.relief || ""]);
    if (slot.row && slot.row.classList) slot.row.classList.add("taken");
    const details = slot.row && slot.row.matches && slot.row.matches("details") ? slot.row : null;
    if (details) details.open = true;
  }

  /** Show `day` in the day form (as forms.day_to_form does on the server), `version` its base. */
  function dayToForm(day, version) {
    // Headaches
    const answer = answerOf(day);
    setChecked(dayForm, "headache_today", answer === true ? ["yes"] : answer === false ? ["no"] : []);
    const hSlots = headacheSlots();
    while (hSlots.length < day.headaches.length) addHeadacheSlot(hSlots);
    hSlots.forEach((slot, k) => {
      const p = `headaches.${slot.index}.`;
      clearHeadache(slot.block, p);
      if (k < day.headaches.length) fillHeadache(slot.block, p, day.headaches[k]);
    });
    // Medicines: the same medicine's row when there is one, else a free row, else a new row.
    const mSlots = medicationSlots();
    for (const slot of mSlots) {
      slot.doses.value = slot.known ? "0" : slot.doses.defaultValue || "";
      if (!slot.known) {
        slot.name.value = "";
        if (slot.drugClass) slot.drugClass.value = "";
      }
      if (slot.time) slot.time.value = "";
      if (slot.hasRelief) setChecked(dayForm, slot.p + "relief", [""]);
      if (slot.row && slot.row.classList) slot.row.classList.remove("taken");
    }
    for (const m of day.medications) {
      const key = (m.name || "").toLowerCase();
      let slot = mSlots.find((s) => !s.used && s.known && s.name.value.toLowerCase() === key
        && (!s.drugClass || s.drugClass.value === m.drug_class));
      if (!slot && !m.relief) slot = mSlots.find((s) => !s.used && !s.known);
      if (!slot) slot = mSlots.find((s) => !s.used && !s.known && s.hasRelief);
      if (!slot) slot = addMedicationSlot(mSlots, m);
      if (slot) fillMedication(slot, m);
    }
    // The rest of the day
    const soreness = dayForm.querySelector("[data-quick-field=soreness]");
    if (soreness) soreness.value = day.soreness === null || day.soreness === undefined ? "" : String(day.soreness);
    const exercises = dayForm.querySelector("[data-quick-field=exercises_done]");
    if (exercises) exercises.value = day.exercises_done === true ? "yes" : day.exercises_done === false ? "no" : "";
    pressQuickButtons();
    const chips = Array.from(dayForm.querySelectorAll("input[name=triggers]")).map((i) => i.value);
    const triggers = day.triggers || [];
    setChecked(dayForm, "triggers", triggers);
    const other = dayForm.querySelector("[name=triggers_other]");
    if (other) other.value = triggers.filter((t) => !chips.includes(t)).join(", ");
    const notes = dayForm.querySelector("[name=notes]");
    if (notes) notes.value = day.notes || "";
    showRedFlags(day.red_flags || [], false);
    versionField().value = version ? String(version) : "";
    showQuestion(day.headaches.length === 0, answer === false);
    const checked = dayForm.querySelector("input[name=headache_today]:checked") || dayForm.querySelector("input[name=headache_today]");
    if (checked) checked.dispatchEvent(new Event("change", { bubbles: true }));
  }

  /** Tick the red flags `codes` in the day form (only adding, with `add`), and show the cards
      that hold a ticked one, as the server's page does. */
  function showRedFlags(codes, add) {
    dayForm.querySelectorAll("input[name=red_flags]").forEach((input) => {
      input.checked = codes.includes(input.value) || (add && input.checked);
    });
    const needling = dayForm.querySelector("[data-needling-flags]");
    if (needling && needling.querySelector("input[name=red_flags]:checked")) needling.hidden = false;
    const headache = dayForm.querySelector("[data-headache-flags]");
    if (headache && headache.querySelector("input[name=red_flags]:checked")) headache.open = true;
  }

  /** As on the server's page: the question card asks while no headache is logged (its No pressed
      once the day is saved as headache-free), and the day form's own answer shows otherwise. */
  function showQuestion(asking, saidNo) {
    const question = document.querySelector("[data-question]");
    const toggle = document.getElementById("headache_today");
    if (!question) return;
    question.hidden = !asking;
    if (toggle) toggle.hidden = asking;
    const no = question.querySelector("button[value=no_headache]");
    if (no) {
      no.setAttribute("aria-pressed", saidNo ? "true" : "false");
      const tick = no.querySelector("[aria-hidden=true]");
      if (tick && !saidNo) tick.remove();
      if (!tick && saidNo) no.prepend(element("span", { "aria-hidden": "true", text: "✓ " }));
    }
  }

  function pressQuickButtons() {
    const soreness = dayForm.querySelector("[data-quick-field=soreness]");
    const exercises = dayForm.querySelector("[data-quick-field=exercises_done]");
    document.querySelectorAll("button[form=quick-soreness]").forEach((b) => {
      b.setAttribute("aria-pressed", soreness && b.value === soreness.value ? "true" : "false");
    });
    document.querySelectorAll("button[form=quick-exercises]").forEach((b) => {
      b.setAttribute("aria-pressed", exercises && b.value === exercises.value ? "true" : "false");
    });
  }

  /* ---- The shell: the day editor kept for offline use, set to the wanted date ------------ */

  function setUpShell(date) {
    const today = todayOfPage();
    const isToday = date === today;
    const label = dayLabel(date, false);
    const year = date.slice(0, 4);
    const heading = document.querySelector(".day-head h1");
    if (heading) {
      heading.textContent = isToday ? "Today " : `${label} `;
      const small = document.createElement("small");
      small.textContent = isToday ? label : year;
      heading.appendChild(small);
    }
    document.title = `${isToday ? "Today" : `${label} ${year}`} · Headache diary`;
    dayForm.action = `/days/${date}`;
    dayForm.dataset.day = date;
    dayForm.dataset.today = today;
    document.querySelectorAll("form[data-quick]").forEach((f) => { f.action = `/days/${date}/quick`; });
    const steps = document.querySelectorAll(".day-head .step");
    const previous = addDays(date, -1);
    if (steps[0]) {
      steps[0].href = `/days/${previous}`;
      steps[0].setAttribute("aria-label", `Previous day, ${dayLabel(previous, false)}`);
    }
    if (!isToday) {
      const walker = document.createTreeWalker(document.querySelector("main"), NodeFilter.SHOW_TEXT);
      for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        if (node.parentElement.closest(".day-head, [data-offline-status]")) continue;
        node.textContent = node.textContent.replace(/\bNot today\b/g, "Not that day").replace(/\btoday\b/g, "this day");
      }
    }
    setDayStatus("missing", "Opened without a connection: what your diary already holds for this day "
      + "is not shown. What you save here is kept on this phone and sent when you are online.");
  }

  /** The line under the day's heading ("Logged ...", "Not logged yet.") */
  function setDayStatus(kind, text) {
    const status = document.querySelector("main p.status");
    if (status) {
      status.className = `status ${kind}`;
      status.textContent = text;
    }
  }

  const DAY_STATUS = {
    waiting: "Saved on this phone, waiting to sync.",
    conflict: "Saved on this phone, and changed on another device too: choose a version above.",
    login: "Saved on this phone; log in again to send it.",
    invalid: "Saved on this phone, but the diary did not accept it: see above.",
  };
  const CLEARED_STATUS = {
    waiting: "Cleared on this phone, waiting to sync.",
    conflict: "Cleared on this phone, and changed on another device too: choose a version above.",
    login: "Cleared on this phone; log in again to send it.",
    invalid: "Cleared on this phone, but the diary did not accept it: see above.",
  };

  const UNANSWERED = "You have not said yet whether you had a headache.";

  /** The day's status line for a day waiting in the outbox. */
  function waitingStatus(entry) {
    const texts = entry.day === null ? CLEARED_STATUS : DAY_STATUS;
    const text = texts[entry.state] || texts.waiting;
    return entry.day !== null && answerOf(entry.day) === null ? `${text} ${UNANSWERED}` : text;
  }

  /** Show a cleared day in the editor: nothing answered, nothing to clear, `version` its base (so
      saving the day again replaces what the diary still holds). */
  function showCleared(version) {
    dayToForm({ headaches: [], medications: [], triggers: [] }, version);
    const answers = dayForm.querySelectorAll("input[name=headache_today]");
    answers.forEach((input) => { input.checked = false; });
    if (answers[0]) answers[0].dispatchEvent(new Event("change", { bubbles: true }));
    if (clearForm) clearForm.hidden = true;
  }

  /* ---- Saving ------------------------------------------------------------------------------ */

  function showFormProblems(errors) {
    const messages = Object.values(errors).flat();
    say(messages.join(" "));
  }

  /** Keep `day` (null: the day is cleared) in the outbox and say so where the page would show
      "Saved" after an ordinary save: at the top, read out. */
  async function saveOnPhone(day, baseVersion) {
    const entry = await DiaryOffline.enqueue(shownDate(), day, baseVersion, currentUser);
    await say(day === null ? "Cleared on this phone, will sync." : "Saved on this phone, will sync.");
    if (line) {
      line.tabIndex = -1;
      line.focus({ preventScroll: true });
      statusBox.scrollIntoView({ block: "start" });
    }
    if (day === null) showCleared(baseVersion);
    setDayStatus("waiting", waitingStatus(entry));
    if (day) showQuestion(day.headaches.length === 0, answerOf(day) === false);
    if (!offline()) DiaryOffline.syncAll({ force: true, pageToken: pageToken() });
  }

  let keeping = false; // a save is being kept before it goes: a second tap meanwhile is the same save

  function within(ms, promise) {
    return Promise.race([promise, new Promise((resolve, reject) => setTimeout(() => reject(new Error("timed out")), ms))]);
  }

  /** Send `form` as the ordinary page it is, once `day` (null: a clear) is kept in the outbox as
      "sending", so that a request that never gets an answer loses nothing (see the header). */
  async function sendAsPage(event, form, day) {
    event.preventDefault();
    if (keeping) return;
    keeping = true;
    const submitter = event.submitter;
    let kept = null;
    try {
      // Never held up for long: without the outbox the save still goes, as it always did.
      kept = await within(3000, DiaryOffline.enqueue(shownDate(), day, versionField().value || null, currentUser, "sending"));
    } catch (error) { /* no IndexedDB here (private mode, full): nothing kept */ }
    keeping = false;
    // submit() fires no submit event (no second confirmation, no second round here) and sends no
    // submitter: its name and value (a quick control's button) go as a hidden field instead. The
    // kept copy's id goes too: the page answering this save names it (web/diary.py _answered).
    const extra = [];
    if (submitter && submitter.name) extra.push([submitter.name, submitter.value]);
    if (kept) extra.push(["outbox_entry", kept.id]);
    const fields = extra.map(([name, value]) => element("input", { type: "hidden", name, value }));
    form.append(...fields);
    HTMLFormElement.prototype.submit.call(form);
    fields.forEach((field) => field.remove()); // the form's data is taken: a page restored with Back sends no stray field
  }

  function onDaySubmit(event) {
    if (event.defaultPrevented) return;
    const entries = formEntries(null);
    const day = formToDay(entries, catalogue());
    if (!(isShell || offline())) {
      // A form the server will send back unsaved ("Yes" with no headache rated) is not kept: it
      // is not yet a day to send.
      if (!Object.keys(formProblems(entries, day)).length) sendAsPage(event, dayForm, day);
      return;
    }
    event.preventDefault();
    const problems = formProblems(entries, day);
    if (Object.keys(problems).length) { showFormProblems(problems); return; }
    saveOnPhone(day, versionField().value || null);
  }

  function onQuickSubmit(event) {
    if (event.defaultPrevented) return;
    const quick = event.currentTarget;
    const kind = quick.dataset.quick;
    const button = event.submitter;
    let change;
    if (kind === "no_headache") change = ["headache_today", "no"];
    else if (kind === "soreness" && button) change = ["soreness", button.value];
    else if (kind === "exercises_done" && button) change = ["exercises_done", button.value];
    else return;
    const day = formToDay(formEntries(change), catalogue());
    if (!(isShell || offline())) { sendAsPage(event, quick, day); return; }
    event.preventDefault();
    // Show the tap in the day form too, so the next save keeps it.
    if (kind === "no_headache") {
      setChecked(dayForm, "headache_today", ["no"]);
      const no = dayForm.querySelector("input[name=headache_today][value=no]");
      if (no) no.dispatchEvent(new Event("change", { bubbles: true }));
    } else {
      const field = dayForm.querySelector(`[data-quick-field=${kind}]`);
      if (field) field.value = button.value;
      pressQuickButtons();
    }
    saveOnPhone(day, versionField().value || null);
  }

  function onClearSubmit(event) {
    if (event.defaultPrevented) return; // the patient said no to "Clear everything ...?"
    if (!offline()) { sendAsPage(event, clearForm, null); return; }
    event.preventDefault();
    saveOnPhone(null, versionField().value || null);
  }

  /* ---- What the patient sees: days waiting, conflicts, a new login, a new version --------- */

  let line = null;
  let panel = null;
  let updateBanner = null;

  function ensureStatusNodes() {
    if (!statusBox || line) return;
    line = document.createElement("p");
    line.className = "offline-line";
    line.setAttribute("role", "status");
    panel = document.createElement("div");
    statusBox.append(line, panel);
  }

  function say(message) {
    lastMessage = message;
    return render();
  }

  function plural(n, word) {
    return `${n} ${word}${n === 1 ? "" : "s"}`;
  }

  function describe(day) {
    const items = [];
    if (!day) return ["Nothing: the day was cleared."];
    const headaches = day.headaches || [];
    if (headaches.length) {
      const worst = Math.max(...headaches.map((h) => h.intensity || 0));
      items.push(`${plural(headaches.length, "headache")}, worst ${worst} out of 10`);
    } else if (answerOf(day) === false) {
      items.push("No headache");
    } else {
      items.push("Headache question not answered");
    }
    for (const m of day.medications || []) items.push(`${m.name} ×${m.doses === undefined ? 1 : m.doses}`);
    if (day.soreness !== null && day.soreness !== undefined) items.push(`Soreness ${day.soreness} out of 10`);
    if (day.exercises_done === true) items.push("Exercises done");
    if (day.exercises_done === false) items.push("Exercises not done");
    if ((day.triggers || []).length) items.push(`Triggers: ${day.triggers.join(", ").replace(/_/g, " ")}`);
    if (day.notes) items.push(`Notes: ${day.notes}`);
    const flags = (day.red_flags || []).length;
    if (flags) items.push(flags === 1 ? "A warning sign reported" : `${flags} warning signs reported`);
    return items;
  }

  function element(tag, attrs, children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs || {})) {
      if (key === "text") node.textContent = value;
      else node.setAttribute(key, value);
    }
    for (const child of children || []) node.append(child);
    return node;
  }

  function versionList(title, day) {
    return element("div", { class: "conflict-version" }, [
      element("h3", { text: title }),
      element("ul", {}, describe(day).map((text) => element("li", { text }))),
    ]);
  }

  function conflictSection(entry) {
    const id = `conflict-${entry.date}`;
    const keepPhone = element("button", { type: "button", class: "primary", "data-keep": "phone", "data-date": entry.date, text: "Keep this phone's version" });
    const keepServer = element("button", { type: "button", "data-keep": "server", "data-date": entry.date, text: "Keep the other version" });
    return element("section", { class: "conflict card", "aria-labelledby": id, "data-conflict": entry.date }, [
      element("h2", { id, text: `${dayLabel(entry.date, true)} was changed on another device` }),
      element("p", { text: "This phone and your diary hold different versions of this day. Which one do you want to keep?" }),
      element("div", { class: "conflict-versions" }, [
        element("div", {}, [versionList("On this phone", entry.day), keepPhone]),
        element("div", {}, [versionList(entry.server ? "In your diary (from another device)" : "In your diary", entry.server), keepServer]),
      ]),
    ]);
  }

  async function render() {
    if (!statusBox) return;
    ensureStatusNodes();
    let entries = [];
    try {
      // A save still being sent as a page is not waiting (yet): see the header.
      if (await mayHaveOutbox()) entries = (await outbox.all()).filter((e) => e.state !== "sending");
    } catch (error) { /* no IndexedDB: nothing queued */ }
    if (leaving) return;
    const waiting = entries.length;
    const parts = [];
    if (lastMessage) parts.push(lastMessage);
    if (waiting) {
      parts.push(`${plural(waiting, "day")} waiting to sync${offline() ? " (no connection just now)" : ""}.`);
      const choices = entries.filter((e) => e.state === "conflict").length;
      if (choices) parts.push(`${plural(choices, "day")} ${choices === 1 ? "needs" : "need"} your choice below.`);
    } else if (lastMessage === "Synced.") {
      parts.push("Every day saved on this phone is in your diary.");
    }
    line.textContent = parts.join(" ");
    panel.replaceChildren();
    if (!currentUser && !isKeptPage && waiting) {
      panel.append(element("p", { class: "notice", text: "These days were saved on this phone and are not in the diary yet. "
        + "Log in as the same person to send them; logging in as someone else removes them from this phone." }));
    }
    const needLogin = entries.filter((e) => e.state === "login");
    if (needLogin.length && currentUser) {
      const link = element("a", { href: `/login?next=${encodeURIComponent(location.pathname)}`, text: "Log in again" });
      panel.append(element("p", { class: "notice", "data-login-needed": "" }, [
        link, ` to send ${plural(needLogin.length, "day")} saved on this phone. They stay here until then.`]));
    }
    for (const entry of entries.filter((e) => e.state === "invalid")) {
      panel.append(element("p", { class: "notice", "data-invalid": entry.date }, [
        `${dayLabel(entry.date, true)}: the diary did not accept this day: ${entry.message} `,
        element("a", { href: entry.date === todayOfPage() ? "/today" : `/days/${entry.date}`, text: "Open the day to fix it" }), "."]));
    }
    for (const entry of entries.filter((e) => e.state === "conflict")) panel.append(conflictSection(entry));
    statusBox.classList.toggle("has-conflict", entries.some((e) => e.state === "conflict"));
    const shown = dayForm && entries.find((e) => e.date === shownDate());
    if (shown) setDayStatus("waiting", waitingStatus(shown));
    if (updateBanner) statusBox.append(updateBanner);
  }

  async function keep(date, which) {
    const entry = await outbox.get(date);
    if (!entry || entry.state !== "conflict") return;
    if (which === "phone") {
      await outbox.update(date, entry.id, (current) => ({
        ...current, baseVersion: current.server ? current.server.version : null, state: "waiting",
        server: null, attempts: 0, retryAt: 0,
      }));
      say("Keeping this phone's version.");
      await DiaryOffline.syncAll({ force: true, pageToken: pageToken() });
    } else {
      if (dayForm && shownDate() === date) {
        if (entry.server) dayToForm(entry.server, entry.server.version);
        else dayToForm({ headaches: [], medications: [], triggers: [] }, null);
        if (clearForm) clearForm.hidden = !entry.server;
        if (!entry.server) setDayStatus("missing", "Not logged: the day was cleared on another device.");
        else if (answerOf(entry.server) === null) setDayStatus("unanswered", `Saved (the version from your other device). ${UNANSWERED}`);
        else setDayStatus("logged", "Logged (the version from your other device).");
      }
      await outbox.update(date, entry.id, () => null);
      DiaryOffline.emit({ type: "changed" });
      say("Kept the other version.");
    }
  }

  function showUpdateBanner() {
    const button = element("button", { type: "button", text: "Reload" });
    button.addEventListener("click", () => location.reload());
    updateBanner = element("p", { class: "notice offline-update", role: "status" }, ["A new version is ready — reload. ", button]);
    render();
  }

  /* ---- Syncing from the page ------------------------------------------------------------- */

  async function sync(force) {
    if (offline() || !(currentUser || isKeptPage)) { render(); return; }
    const result = await DiaryOffline.syncAll({ force, pageToken: pageToken() });
    scheduleRetry();
    return result;
  }

  async function scheduleRetry() {
    clearTimeout(retryTimer);
    if (leaving) return;
    const entries = await outbox.all().catch(() => []);
    const next = entries.filter((e) => e.state === "waiting").map((e) => e.retryAt || 0);
    if (!next.length) return;
    const delay = Math.max(1000, Math.min(...next) - Date.now());
    retryTimer = setTimeout(() => sync(false), delay);
  }

  listeners.push((message) => {
    if (message.type === "synced" && dayForm && shownDate() === message.date) {
      if (message.version === null) { // a clear
        versionField().value = "";
        if (clearForm) clearForm.hidden = true;
        setDayStatus("missing", "Cleared, and synced to your diary: this day counts as not logged.");
      } else {
        versionField().value = String(message.version);
        if (message.answered === false) setDayStatus("unanswered", `Saved, and synced to your diary. ${UNANSWERED}`);
        else setDayStatus("logged", "Logged, and synced to your diary.");
      }
    }
    if (message.type === "synced") lastMessage = "Synced.";
    render();
  });

  /* ---- Logging out: send what is waiting; ask before anything unsent is thrown away ------- */

  function path(form) {
    try { return new URL(form.action, location.href).pathname; } catch (error) { return ""; }
  }

  async function logOut(form) {
    if (!offline()) await DiaryOffline.syncAll({ force: true, pageToken: pageToken() }).catch(() => null);
    const left = (await outbox.all().catch(() => [])).length;
    if (left && !window.confirm(`${plural(left, "day")} saved on this phone could not be sent to your diary yet. `
      + "Log out anyway and delete them from this phone?")) return;
    leaving = true;
    clearTimeout(retryTimer);
    await DiaryOffline.wipe();
    form.submit();
  }

  /* ---- Start -------------------------------------------------------------------------------- */

  async function start() {
    if (!global.indexedDB) return;
    if (location.pathname === "/goodbye") { await DiaryOffline.wipe(); return; } // the account is erased
    // At once, before anything is read: the shell shows the wanted date by the time it has loaded.
    if (isShell) setUpShell(shownDate());
    if (location.hash === "#offline-save") history.replaceState(null, "", location.pathname + location.search);
    // The copy of a save that an older version of this file kept in the tab: health data, not to be left.
    try { sessionStorage.removeItem("diary-pending-save"); } catch (error) { /* no session storage */ }
    if (currentUser) {
      const last = await meta.get("user");
      if (last && last !== currentUser) await DiaryOffline.wipe(); // someone else used the diary on this browser before
      if (last !== currentUser) await meta.set("user", currentUser);
      for (const entry of await outbox.all()) {
        if (entry.state === "login") await outbox.update(entry.date, entry.id, (e) => ({ ...e, state: "waiting", retryAt: 0 }));
      }
    }
    // Saves sent as pages: this page answers some of them (named by the server), and any other
    // got no answer, like the one the worker sends back here with #offline-save.
    const answered = Array.from(document.querySelectorAll('meta[name="diary-save-answered"]'), (m) => m.content);
    await settle(answered);
    if (dayForm) {
      const entry = await outbox.get(shownDate()).catch(() => null);
      if (entry && entry.state !== "sending") {
        if (entry.day === null) showCleared(entry.baseVersion);
        else if (entry.merge && !isShell) showRedFlags(entry.day.red_flags, true); // the rest is the server's, shown
        else dayToForm(entry.day, entry.baseVersion);
        setDayStatus("waiting", waitingStatus(entry));
      }
      dayForm.addEventListener("submit", onDaySubmit);
      document.querySelectorAll("form[data-quick]").forEach((f) => f.addEventListener("submit", onQuickSubmit));
      if (clearForm) clearForm.addEventListener("submit", onClearSubmit);
    }
    if (addFlagForm) {
      addFlagForm.addEventListener("submit", onAddRedFlag);
      if (offlineSaved) await addFlagOnPhone(); // its request got no answer: the worker sent it back
    }
    render();
    sync(true);
  }

  /* An advice page's "Add this to today's diary" (web/redflags.py): online an ordinary form;
     offline, and when its request got no answer, kept here for today and synced later. */
  const addFlagForm = document.querySelector("form[data-add-red-flag]");
  const offlineSaved = location.hash === "#offline-save";

  async function addFlagOnPhone() {
    await DiaryOffline.addRedFlag(localIsoDate(new Date()), addFlagForm.dataset.addRedFlag, currentUser);
    const note = addFlagForm.querySelector("[data-add-note]");
    if (note) note.textContent = "Added on this phone. It goes into today's diary when you are back online.";
    if (!offline()) DiaryOffline.syncAll({ force: true, pageToken: pageToken() });
  }

  function onAddRedFlag(event) {
    if (!offline() || !global.indexedDB) return;
    event.preventDefault();
    addFlagOnPhone();
  }

  /** Settle the saves sent as pages (DiaryOffline.settleSending) and say so when one now waits. */
  async function settle(answered) {
    if (!(await mayHaveOutbox())) return;
    const promoted = await DiaryOffline.settleSending(answered).catch(() => []);
    if (promoted.length) {
      lastMessage = promoted.every((e) => e.day === null) ? "Cleared on this phone, will sync." : "Saved on this phone, will sync.";
    }
  }

  document.querySelectorAll("form").forEach((form) => {
    if (path(form) === "/logout") {
      form.addEventListener("submit", (event) => { event.preventDefault(); logOut(form); });
    }
  });
  if (statusBox) {
    statusBox.addEventListener("click", (event) => {
      const button = event.target.closest("button[data-keep]");
      if (button) keep(button.dataset.date, button.dataset.keep);
    });
  }
  document.querySelectorAll("[data-retry]").forEach((link) => {
    link.addEventListener("click", (event) => { event.preventDefault(); location.reload(); });
  });
  window.addEventListener("online", () => { lastMessage = ""; sync(true); });
  window.addEventListener("pageshow", (event) => {
    if (!event.persisted) return;
    // Back on a page kept in memory (Back from the browser's error page, say): a save sent from
    // here may have got no answer, and this page answers none.
    keeping = false;
    DiaryOffline.ready.then(() => settle([])).then(() => sync(true));
  });
  window.addEventListener("offline", () => render());

  if ("serviceWorker" in navigator) {
    navigator.serviceWorker.addEventListener("message", (event) => {
      if (event.data && event.data.type === "diary-updated") showUpdateBanner();
    });
    window.addEventListener("load", () => {
      navigator.serviceWorker.register("/sw.js").catch(() => {});
    });
  }
  DiaryOffline.dayToForm = dayToForm;
  DiaryOffline.ready = start().catch((error) => { console.error(error); });
})(self);
