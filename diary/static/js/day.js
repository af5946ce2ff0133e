/* Headache diary: a day as the day form holds it <-> the API's day record. No DOM, no storage:
   the page (offline.js) and the service worker (sw.js, through sync.js) both load it. It is the
   first of the offline scripts and makes the namespace they share, self.DiaryOffline
   (docs/offline.md). */
(function (global) {
  "use strict";

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

  /** A content's fingerprint, to recognise a write of this phone's own that the server has
      ("null": a clear of this phone's that went through). */
  function contentKey(day) {
    return day ? JSON.stringify(normalDay(day)) : "null";
  }

  global.DiaryOffline = Object.assign(global.DiaryOffline || {}, {
    FORM_FIELDS, DEFAULTS, formToDay, formProblems, answerOf, normalDay, sameContent, contentKey,
  });
})(self);
