/* Headache diary: the day's unsaved changes, kept on this phone until the patient saves them.

   One draft per date, in the outbox's database (its meta store, key "draft:<date>"), so a logout,
   another person's login or an erased account wipes it with the rest. A draft is never sent: it
   only fills the day form again when the day is opened, with a note and a way to discard it.
   Only the patient's Save (or a quick control's tap) sends a day. A draft exists while the form
   differs from what the page showed when it opened, and from the start on a form the server
   sent back unsaved. Page only, after day-editor.js; offline.js starts it and calls saved()
   once a save of the day is kept in the outbox. */
(function (global) {
  "use strict";

  const DiaryOffline = global.DiaryOffline;
  const { formToDay, contentKey, meta } = DiaryOffline;
  const { dayForm, shownDate, versionField, dayToForm, catalogue } = DiaryOffline.editor;
  const backNote = document.querySelector("[data-draft-back]");
  const stateLine = document.querySelector("[data-draft-state]");
  const KEPT = "Not saved yet, kept on this phone.";
  const state = {
    date: dayForm ? shownDate() : null,
    user: "",
    baseline: null, // the content the page opened with (null: unsaved from the start)
    kept: false, // a draft of this date is kept
    writes: Promise.resolve(), // one write at a time, in order
  };

  const keyOf = (date) => `draft:${date}`;

  function formDay() {
    return formToDay(Array.from(new FormData(dayForm).entries()), catalogue());
  }

  /** The day as the server's page holds it: the fields' defaults, not what the browser may have
      put back into them on a reload or Back. */
  function pageDay() {
    const entries = [];
    for (const field of dayForm.elements) {
      if (!field.name || field.disabled || ["submit", "button", "reset"].includes(field.type)) continue;
      if (field.type === "checkbox" || field.type === "radio") {
        if (field.defaultChecked) entries.push([field.name, field.value]);
      } else if (field.tagName === "SELECT") {
        const option = Array.from(field.options).find((o) => o.defaultSelected) || field.options[0];
        if (option) entries.push([field.name, option.value]);
      } else {
        entries.push([field.name, field.defaultValue]);
      }
    }
    return formToDay(entries, catalogue());
  }

  function queue(work) {
    state.writes = state.writes.then(work).catch(() => { /* no IndexedDB: no draft */ });
    return state.writes;
  }

  function showState() {
    if (stateLine) stateLine.textContent = state.kept ? KEPT : "";
  }

  /** Keep the form as this date's draft, or drop the draft once the form is back as it opened. */
  function keep() {
    const day = formDay();
    const changed = state.baseline === null || contentKey(day) !== state.baseline;
    const baseVersion = versionField().value || null;
    return queue(async () => {
      if (changed) {
        await meta.set(keyOf(state.date), { user: state.user, day, baseVersion, keptAt: new Date().toISOString() });
      } else if (state.kept) {
        await meta.remove(keyOf(state.date));
      }
      state.kept = changed;
      showState();
    });
  }

  /** The day is saved (kept in the outbox, or sent): its draft goes, and what the form holds now
      is where a new draft starts from. */
  function saved() {
    state.baseline = contentKey(formDay());
    if (backNote) backNote.hidden = true;
    return queue(async () => {
      await meta.remove(keyOf(state.date));
      state.kept = false;
      showState();
    });
  }

  async function discard() {
    await queue(() => meta.remove(keyOf(state.date)));
    location.replace(location.pathname + location.search); // the day as the diary holds it
  }

  /** Fill the form from this date's draft, if `user` left one, and keep the draft from now on.
      `filled`: the outbox filled the form with a day waiting here, the day the page shows. */
  async function start(user, filled) {
    if (!dayForm) return;
    state.user = user;
    const unsaved = dayForm.hasAttribute("data-unsaved"); // sent back by the server, not saved
    state.baseline = unsaved ? null : contentKey(filled ? formDay() : pageDay());
    const draft = await meta.get(keyOf(state.date)).catch(() => null);
    if (draft && draft.user === user && !unsaved && contentKey(draft.day) !== state.baseline) {
      // A warning sign the day holds now (added from an advice page since) stays ticked.
      const flags = new Set([...(draft.day.red_flags || []), ...(formDay().red_flags || [])]);
      dayToForm({ ...draft.day, red_flags: Array.from(flags) }, draft.baseVersion);
      state.kept = true;
      if (backNote) backNote.hidden = false;
    } else if (draft) {
      await queue(() => meta.remove(keyOf(state.date)));
    }
    if (unsaved || contentKey(formDay()) !== state.baseline) await keep(); // typed, put back by the browser
    dayForm.addEventListener("input", keep);
    dayForm.addEventListener("change", keep);
    if (backNote) backNote.querySelector("[data-draft-discard]").addEventListener("click", discard);
    showState();
  }

  DiaryOffline.draft = { start, saved, keep, written: () => state.writes };
})(self);
