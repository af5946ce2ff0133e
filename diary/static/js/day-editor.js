/* Headache diary: the day editor filled in from a day kept on this phone (the inverse of
   day.js formToDay), and the shell (the editor kept for offline use) set to the wanted date.
   Page only, loaded before offline.js, which uses it through DiaryOffline.editor. */
(function (global) {
  "use strict";

  const DiaryOffline = global.DiaryOffline;
  const { answerOf } = DiaryOffline;
  const dayForm = document.getElementById("day-form");
  const clearForm = document.querySelector("form[data-clear-day]");
  const isShell = !!(dayForm && dayForm.hasAttribute("data-shell"));

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

  function shownDate() {
    if (!dayForm) return null;
    if (!isShell) return dayForm.dataset.day;
    const m = /^\/days\/(\d{4}-\d{2}-\d{2})$/.exec(location.pathname);
    return m ? m[1] : localIsoDate(new Date());
  }

  function todayOfPage() {
    return isShell ? localIsoDate(new Date()) : (dayForm && dayForm.dataset.today) || localIsoDate(new Date());
  }

  function versionField() {
    return dayForm.querySelector("input[name=version]");
  }

  /** The kind of each medicine of the list the form offers, by its name in lower case. */
  function catalogue() {
    const kinds = {};
    document.querySelectorAll("#catalogue option").forEach((o) => { kinds[o.value.toLowerCase()] = o.dataset.class; });
    return kinds;
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
    showQuestion(day.headaches.length === 0 && answer !== true, answer === false);
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

  DiaryOffline.editor = {
    dayForm, clearForm, isShell, localIsoDate, dayLabel, shownDate, todayOfPage, versionField, catalogue, element,
    setChecked, dayToForm, showRedFlags, showQuestion, pressQuickButtons, setUpShell, setDayStatus,
    waitingStatus, showCleared, UNANSWERED,
  };
})(self);
