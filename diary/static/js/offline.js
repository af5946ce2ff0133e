/* Headache diary: the page's side of logging a day without a network (docs/offline.md).

   Offline (or on the shell), a save, a quick control or a clear goes into the outbox
   (outbox.js) and is sent later (sync.js). Online, it goes to the server as an ordinary form,
   but only once its day is in the outbox as "sending": kept, never sent by the sync, not
   counted as waiting. The page that answers the save names its date (<meta
   name="diary-save-answered">, from the redirect's landing page or the editor sent back with
   errors) and drops the entry: the server has it, or the patient sees what they typed. Any
   other page that finds a "sending" entry (the one the service worker sends back for a failed
   save with #offline-save, or simply the next page opened after the browser's own error page)
   makes it "waiting": the request got no answer, so the day is sent like one saved offline.
   Sending it twice is harmless: the same content again is a no-op for the server, and a 412
   showing this very content counts as confirmed.

   This file also shows what is waiting, the conflicts to settle and a new login to make, asks
   before a logout throws unsent days away, and registers the service worker. Every page works
   without it. Loaded last of the offline scripts: day.js, outbox.js, sync.js, day-editor.js. */
(function (global) {
  "use strict";

  const DiaryOffline = global.DiaryOffline;
  const { formToDay, formProblems, answerOf, outbox, moveEntry, meta, listeners } = DiaryOffline;
  const {
    dayForm, clearForm, isShell, localIsoDate, dayLabel, shownDate, todayOfPage, versionField, catalogue, element,
    setChecked, dayToForm, showRedFlags, showQuestion, pressQuickButtons, setUpShell, setDayStatus,
    waitingStatus, showCleared, UNANSWERED,
  } = DiaryOffline.editor;
  const statusBox = document.querySelector("[data-offline-status]");
  const userMeta = document.querySelector('meta[name="diary-user"]');
  const tokenMeta = document.querySelector('meta[name="csrf-token"]');
  const currentUser = userMeta ? userMeta.content : "";
  // The pages the service worker keeps are made for nobody: whose diary it is, is not known here.
  const isKeptPage = isShell || !!document.querySelector("[data-offline-page]");
  // Everything this page changes as it goes, in one place.
  const view = {
    message: "", // the last thing said at the top ("Saved on this phone, will sync.")
    line: null, // the status line and the panel under it, made on first use
    panel: null,
    updateBanner: null, // "A new version is ready", once the service worker says so
    retryTimer: null,
    leaving: false, // logged out: nothing more is read or written here
    keeping: false, // a save is being kept before it goes: a second tap meanwhile is the same save
  };

  /** Whether this page may have an outbox to show: a logged-in page, the shell, or a browser
      where one is left from before (never creates an empty one on a public page). */
  async function mayHaveOutbox() {
    if (view.leaving || !global.indexedDB) return false;
    return !!(currentUser || isKeptPage) || DiaryOffline.databaseExists();
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
    if (view.line) {
      view.line.tabIndex = -1;
      view.line.focus({ preventScroll: true });
      statusBox.scrollIntoView({ block: "start" });
    }
    if (day === null) showCleared(baseVersion);
    setDayStatus("waiting", waitingStatus(entry));
    if (day) showQuestion(day.headaches.length === 0, answerOf(day) === false);
    await DiaryOffline.draft.saved(); // what the form shows is kept as a save now, not a draft
    if (!offline()) DiaryOffline.syncAll({ force: true, pageToken: pageToken() });
  }

  function within(ms, promise) {
    return Promise.race([promise, new Promise((resolve, reject) => setTimeout(() => reject(new Error("timed out")), ms))]);
  }

  /** Send `form` as the ordinary page it is, once `day` (null: a clear) is kept in the outbox as
      "sending", so that a request that never gets an answer loses nothing (see the header). */
  async function sendAsPage(event, form, day) {
    event.preventDefault();
    if (view.keeping) return;
    view.keeping = true;
    const submitter = event.submitter;
    let kept = null;
    try {
      // Never held up for long: without the outbox the save still goes, as it always did.
      kept = await within(3000, DiaryOffline.enqueue(shownDate(), day, versionField().value || null, currentUser, "sending"));
      // The day (or its clear) is kept until answered: its draft goes. A quick control's form
      // sends one change only, so a draft (if any) stays.
      if (form === dayForm || form === clearForm) await within(1000, DiaryOffline.draft.saved());
    } catch { /* no IndexedDB here (private mode, full): nothing kept */ }
    view.keeping = false;
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

  function ensureStatusNodes() {
    if (!statusBox || view.line) return;
    view.line = document.createElement("p");
    view.line.className = "offline-line";
    view.line.setAttribute("role", "status");
    view.panel = document.createElement("div");
    statusBox.append(view.line, view.panel);
  }

  function say(message) {
    view.message = message;
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
    } catch { /* no IndexedDB: nothing queued */ }
    if (view.leaving) return;
    const waiting = entries.length;
    const parts = [];
    if (view.message) parts.push(view.message);
    if (waiting) {
      parts.push(`${plural(waiting, "day")} waiting to sync${offline() ? " (no connection just now)" : ""}.`);
      const choices = entries.filter((e) => e.state === "conflict").length;
      if (choices) parts.push(`${plural(choices, "day")} ${choices === 1 ? "needs" : "need"} your choice below.`);
    } else if (view.message === "Synced.") {
      parts.push("Every day saved on this phone is in your diary.");
    }
    view.line.textContent = parts.join(" ");
    view.panel.replaceChildren();
    if (!currentUser && !isKeptPage && waiting) {
      view.panel.append(element("p", { class: "notice", text: "These days were saved on this phone and are not in the diary yet. "
        + "Log in as the same person to send them; logging in as someone else removes them from this phone." }));
    }
    const needLogin = entries.filter((e) => e.state === "login");
    if (needLogin.length && currentUser) {
      const link = element("a", { href: `/login?next=${encodeURIComponent(location.pathname)}`, text: "Log in again" });
      view.panel.append(element("p", { class: "notice", "data-login-needed": "" }, [
        link, ` to send ${plural(needLogin.length, "day")} saved on this phone. They stay here until then.`]));
    }
    for (const entry of entries.filter((e) => e.state === "invalid")) {
      view.panel.append(element("p", { class: "notice", "data-invalid": entry.date }, [
        `${dayLabel(entry.date, true)}: the diary did not accept this day: ${entry.message} `,
        element("a", { href: entry.date === todayOfPage() ? "/today" : `/days/${entry.date}`, text: "Open the day to fix it" }), "."]));
    }
    for (const entry of entries.filter((e) => e.state === "conflict")) view.panel.append(conflictSection(entry));
    statusBox.classList.toggle("has-conflict", entries.some((e) => e.state === "conflict"));
    const shown = dayForm && entries.find((e) => e.date === shownDate());
    if (shown) setDayStatus("waiting", waitingStatus(shown));
    if (view.updateBanner) statusBox.append(view.updateBanner);
  }

  async function keep(date, which) {
    const entry = await outbox.get(date);
    if (!entry || entry.state !== "conflict") return;
    if (which === "phone") {
      await moveEntry(entry, "keptPhone", {
        baseVersion: entry.server ? entry.server.version : null, server: null, attempts: 0, retryAt: 0,
      });
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
      await moveEntry(entry, "keptServer");
      DiaryOffline.emit({ type: "changed" });
      say("Kept the other version.");
    }
  }

  function showUpdateBanner() {
    const button = element("button", { type: "button", text: "Reload" });
    button.addEventListener("click", () => location.reload());
    view.updateBanner = element("p", { class: "notice offline-update", role: "status" }, ["A new version is ready — reload. ", button]);
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
    clearTimeout(view.retryTimer);
    if (view.leaving) return;
    const entries = await outbox.all().catch(() => []);
    const next = entries.filter((e) => e.state === "waiting").map((e) => e.retryAt || 0);
    if (!next.length) return;
    const delay = Math.max(1000, Math.min(...next) - Date.now());
    view.retryTimer = setTimeout(() => sync(false), delay);
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
    if (message.type === "synced") view.message = "Synced.";
    render();
  });

  /* ---- Logging out: send what is waiting; ask before anything unsent is thrown away ------- */

  function path(form) {
    try { return new URL(form.action, location.href).pathname; } catch { return ""; }
  }

  async function logOut(form) {
    if (!offline()) await DiaryOffline.syncAll({ force: true, pageToken: pageToken() }).catch(() => null);
    const left = (await outbox.all().catch(() => [])).length;
    if (left && !window.confirm(`${plural(left, "day")} saved on this phone could not be sent to your diary yet. `
      + "Log out anyway and delete them from this phone?")) return;
    view.leaving = true;
    clearTimeout(view.retryTimer);
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
    try { sessionStorage.removeItem("diary-pending-save"); } catch { /* no session storage */ }
    if (currentUser) {
      const last = await meta.get("user");
      if (last && last !== currentUser) await DiaryOffline.wipe(); // someone else used the diary on this browser before
      if (last !== currentUser) await meta.set("user", currentUser);
      for (const entry of await outbox.all()) {
        if (entry.state === "login") await moveEntry(entry, "loggedIn", { retryAt: 0 });
      }
    }
    // Saves sent as pages: this page answers some of them (named by the server), and any other
    // got no answer, like the one the worker sends back here with #offline-save.
    const answered = Array.from(document.querySelectorAll('meta[name="diary-save-answered"]'), (m) => m.content);
    await settle(answered);
    let filled = false; // the outbox filled the form with a day waiting here
    if (dayForm) {
      const entry = await outbox.get(shownDate()).catch(() => null);
      filled = !!entry && entry.state !== "sending";
      if (filled) {
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
    // Unsaved changes back in the form before the sync can answer for this day (its new version).
    if (dayForm) await DiaryOffline.draft.start(currentUser || (await meta.get("user")) || "", filled);
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
      view.message = promoted.every((e) => e.day === null) ? "Cleared on this phone, will sync." : "Saved on this phone, will sync.";
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
  window.addEventListener("online", () => { view.message = ""; sync(true); });
  window.addEventListener("pageshow", (event) => {
    if (!event.persisted) return;
    // Back on a page kept in memory (Back from the browser's error page, say): a save sent from
    // here may have got no answer, and this page answers none.
    view.keeping = false;
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
  // Both at once, last: a test that sees dayToForm may wait for ready.
  DiaryOffline.dayToForm = dayToForm;
  DiaryOffline.ready = start().catch((error) => { console.error(error); });
})(self);
