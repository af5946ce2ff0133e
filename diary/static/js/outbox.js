/* Headache diary: the outbox, the days kept on this phone until the diary has them.

   An IndexedDB store keyed by date: one entry per day, its latest content (a later save of the
   same day replaces the earlier one), the version of the record it was based on, and its state.
   Every state and every move between states is in STATES and MOVES below, and nothing changes
   an entry's state except through them (docs/offline.md has the same table). No DOM: the page
   (offline.js) and the service worker (sw.js) both load it, after day.js. */
(function (global) {
  "use strict";

  const DiaryOffline = global.DiaryOffline;
  const DB_NAME = "diary-offline";
  const OUTBOX = "outbox";
  const META = "meta";
  const SYNC_TAG = "diary-outbox";
  const STATIC_CACHE_PREFIX = "diary-static-";

  /* ---- The states of an entry, and the moves between them ------------------------------- */

  const STATES = {
    sending: "kept while its save goes to the server as an ordinary page: never sent by the sync, not shown as waiting",
    waiting: "to be sent by the sync, at once or at retryAt after a failure",
    conflict: "the diary holds other content for this day: the patient chooses a version",
    login: "the server asks for a new login before it takes the day",
    invalid: "the diary refused the day: the patient opens it to fix it",
  };
  const NEW = "new"; // the day has no entry yet
  const GONE = "gone"; // the entry leaves the outbox
  const ANY = [NEW, ...Object.keys(STATES)];
  /* name: [the states it starts from, the state it ends in]. Leaving the table out: wipe(), which
     deletes the whole outbox (a logout, another person's login, an erased account). */
  const MOVES = {
    saved: [ANY, "waiting"], // saved offline or on the shell; replaces whatever was kept for the day
    sentAsPage: [ANY, "sending"], // saved online: kept while the form goes as a page
    answered: [["sending"], GONE], // the page answering the save names it
    unanswered: [["sending"], "waiting"], // any other page opened: the request got no answer
    signAdded: [[NEW, "sending", "waiting", "login", "invalid"], "waiting"], // a warning sign added offline
    signAddedToConflict: [["conflict"], "conflict"], // the patient still chooses, with the sign on this phone's side
    confirmed: [["waiting"], GONE], // the server holds this content (200/201; 204/404 for a clear; a 412 showing it)
    failed: [["waiting"], "waiting"], // no answer, 409, 429, 5xx: again after a backoff
    rebased: [["waiting"], "waiting"], // a 412 showing an earlier save of this phone's: built on it
    conflicted: [["waiting"], "conflict"], // a 412 showing other content
    loggedOut: [["waiting"], "login"], // 401, or a refused CSRF token
    refused: [["waiting"], "invalid"], // 422, 403, 404, 413
    keptPhone: [["conflict"], "waiting"], // the patient keeps this phone's version
    keptServer: [["conflict"], GONE], // the patient keeps the diary's version
    loggedIn: [["login"], "waiting"], // a page of the same person opened after a new login
  };

  /** The state an entry in `from` ends in by `move`; throws for a move the table does not allow. */
  function stateAfter(move, from) {
    const [starts, to] = MOVES[move];
    if (!starts.includes(from || NEW)) throw new Error(`outbox: no move ${move} from ${from || NEW}`);
    return to;
  }

  /* ---- The store (IndexedDB) ------------------------------------------------------------- */

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

  /** Move `entry` (as read before) by `move` of MOVES, with `changes` to its other fields, unless
      a newer save replaced it or it is no longer in a state the move starts from. Resolves with
      the entry as kept, null when it left the outbox, false when nothing changed. */
  function moveEntry(entry, move, changes) {
    const [starts, to] = MOVES[move];
    return outbox.update(entry.date, entry.id, (current, same) => {
      if (!same || !starts.includes(current.state)) return false;
      return to === GONE ? null : { ...current, ...changes, state: to };
    });
  }

  const meta = {
    get: (key) => inStore(META, "readonly", (store, done) => {
      store.get(key).onsuccess = (e) => done(e.target.result === undefined ? null : e.target.result);
    }),
    set: (key, value) => inStore(META, "readwrite", (store) => { store.put(value, key); }),
    remove: (key) => inStore(META, "readwrite", (store) => { store.delete(key); }),
  };

  async function databaseExists() {
    if (!indexedDB.databases) return true;
    const list = await indexedDB.databases();
    return list.some((d) => d.name === DB_NAME);
  }

  /* ---- Telling every context (pages, the service worker) what changed -------------------- */

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

  /* ---- Putting days in, and taking everything out ---------------------------------------- */

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
      for that date. `state` "sending" keeps it while a page sends it (move sentAsPage). */
  async function enqueue(date, day, baseVersion, userId, state) {
    const entry = {
      date, day, baseVersion: baseVersion ? Number(baseVersion) : null, id: newId(),
      userId: userId || (await meta.get("user")) || "", queuedAt: new Date().toISOString(),
      state: MOVES[state === "sending" ? "sentAsPage" : "saved"][1],
      attempts: 0, retryAt: 0, message: "", server: null, unconfirmed: [], shape: SHAPE,
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
          const move = older.state === "conflict" ? "signAddedToConflict" : "signAdded";
          changed = { ...older, ...fresh, day: { ...day, red_flags: flags }, state: stateAfter(move, older.state) };
        } else {
          changed = { date, day: { headaches: [], medications: [], red_flags: [code] }, merge: true, baseVersion: null,
            userId: owner, state: stateAfter("signAdded", NEW), server: null, unconfirmed: [], ...fresh };
        }
        store.put(changed);
        done(changed);
      };
    });
    emit({ type: "changed" });
    requestBackgroundSync();
    return entry;
  }

  /** Whether an answer the server names ("<date> <entry id>", or "<date>" from a form sent
      without this file) is the answer to `entry`. */
  function answers(answer, entry) {
    const [date, id] = answer.split(" ");
    return date === entry.date && (!id || id === entry.id);
  }

  /** Settle the entries kept while their save was sent as a page: those whose date this page
      answers leave the outbox, every other one waits to be sent. Its content is remembered as
      this phone's own, since the request may have reached the server after all. Resolves with
      the entries now waiting. */
  async function settleSending(answered) {
    const promoted = [];
    for (const entry of await outbox.all()) {
      if (entry.state !== "sending") continue;
      const changed = answered.some((a) => answers(a, entry))
        ? await moveEntry(entry, "answered")
        : await moveEntry(entry, "unanswered", {
          retryAt: 0, unconfirmed: Array.from(new Set([...(entry.unconfirmed || []), DiaryOffline.contentKey(entry.day)])),
        });
      if (changed) promoted.push(changed);
    }
    if (promoted.length) {
      emit({ type: "changed" });
      requestBackgroundSync();
    }
    return promoted;
  }

  Object.assign(DiaryOffline, {
    STATES, MOVES, SYNC_TAG, outbox, moveEntry, meta, databaseExists, emit, listeners, wipe, enqueue, addRedFlag,
    settleSending,
  });
})(self);
