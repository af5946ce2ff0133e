/* Headache diary: small progressive enhancements. Every page works without this file. */
(function () {
  "use strict";
  var form = document.getElementById("day-form");

  /* Headache details show once "Yes" is chosen or an intensity is tapped; "No" hides them. */
  function showHeadaches() {
    var box = form.querySelector("[data-headaches]");
    var answer = form.querySelector("input[name=headache_today]:checked");
    var yes = !!answer && answer.value === "yes";
    box.hidden = !!answer && answer.value === "no";
    box.querySelectorAll("[data-headache]").forEach(function (block) {
      var details = block.querySelector("[data-details]");
      var rated = block.querySelector("input[name$='.intensity']:checked");
      var invalid = block.querySelector("[aria-invalid=true]");
      if (details) details.hidden = !(yes || rated || invalid);
    });
  }

  /* Once the answer is Yes, the question card gives way to the day form's own answer. */
  function answeredYes() {
    var yes = form.querySelector("input[name=headache_today][value=yes]");
    if (yes) yes.checked = true;
    var question = document.querySelector("[data-question]");
    var toggle = document.getElementById("headache_today");
    if (question) question.hidden = true;
    if (toggle) toggle.hidden = false;
    showHeadaches();
  }

  function headacheSection() {
    if (!form.querySelector("[data-headaches]")) return;
    showHeadaches();
    form.addEventListener("change", function (event) {
      var name = event.target.name || "";
      if (/\.intensity$/.test(name)) answeredYes();
      if (name === "headache_today") showHeadaches();
    });
    /* "Yes" on the question card: the intensity choice, open and focused (no page load). */
    document.querySelectorAll("[data-answer-yes]").forEach(function (link) {
      link.addEventListener("click", function (event) {
        event.preventDefault();
        answeredYes();
        var first = form.querySelector("[data-headache] input[name$='.intensity']");
        if (first) {
          first.closest("fieldset").scrollIntoView({ block: "start" });
          first.focus({ preventScroll: true });
        }
      });
    });
  }

  /* Doses: - and + buttons around each number; tapping a medicine's name takes one dose. */
  function setDoses(input, value) {
    var min = Number(input.min || 0), max = Number(input.max || 20);
    input.value = String(Math.max(min, Math.min(max, value)));
    input.dispatchEvent(new Event("input", { bubbles: true }));
  }

  function stepButton(sign, label, input) {
    var button = document.createElement("button");
    button.type = "button";
    button.textContent = sign > 0 ? "+" : "\u2212";
    button.setAttribute("aria-label", (sign > 0 ? "One more dose: " : "One dose fewer: ") + label);
    button.addEventListener("click", function () {
      setDoses(input, (parseInt(input.value, 10) || 0) + sign);
    });
    return button;
  }

  function steppers() {
    form.querySelectorAll("input.doses").forEach(function (input) {
      var label = form.querySelector("label[for='" + input.id + "']");
      var name = label ? label.textContent.replace(/: doses taken$/, "").trim() : "doses";
      var group = document.createElement("span");
      group.className = "stepper";
      input.parentNode.insertBefore(group, input);
      group.appendChild(stepButton(-1, name, input));
      group.appendChild(input);
      group.appendChild(stepButton(1, name, input));
      var row = input.closest("[data-med]");
      input.addEventListener("input", function () {
        if (row) row.classList.toggle("taken", (parseInt(input.value, 10) || 0) > 0);
      });
    });
    form.querySelectorAll("[data-med-name]").forEach(function (label) {
      label.addEventListener("click", function (event) {
        var input = document.getElementById(label.htmlFor);
        if (!input) return;
        event.preventDefault(); // the tap is the answer: no keypad pops up
        if (!(parseInt(input.value, 10) > 0)) setDoses(input, 1);
      });
    });
  }

  /* A medicine typed from the list gets its kind filled in. */
  function catalogue() {
    var options = document.querySelectorAll("#catalogue option");
    if (!options.length) return;
    var kinds = {};
    options.forEach(function (o) { kinds[o.value.toLowerCase()] = o.dataset.class; });
    form.addEventListener("input", function (event) {
      var input = event.target;
      if (!/\.name$/.test(input.name) || input.type === "hidden") return;
      var kind = kinds[input.value.trim().toLowerCase()];
      var select = document.getElementById(input.name.replace(/name$/, "drug_class"));
      if (kind && select && !select.value) select.value = kind;
    });
  }

  /* Quick controls save at once; once the day form has unsaved answers they join the form
     instead, so nothing typed is lost, and their words say so ([data-with-changes]). */
  function quickControls() {
    var dirty = false;
    var note = document.querySelector("[data-quick-note]");
    function changed() {
      if (dirty) return;
      dirty = true;
      document.querySelectorAll("[data-with-changes]").forEach(function (hint) {
        hint.textContent = hint.getAttribute("data-with-changes");
      });
    }
    if (form.hasAttribute("data-unsaved")) changed(); // a form sent back after an error or conflict
    form.addEventListener("input", changed);
    form.addEventListener("change", changed);
    document.querySelectorAll("form[data-quick]").forEach(function (quick) {
      quick.addEventListener("submit", function (event) {
        var kind = quick.dataset.quick;
        var button = event.submitter;
        var field = form.querySelector("[data-quick-field='" + kind + "']");
        if (!dirty || (kind !== "no_headache" && !(field && button))) return;
        event.preventDefault();
        if (kind === "no_headache") {
          var no = form.querySelector("input[name=headache_today][value=no]");
          if (no) { no.checked = true; no.dispatchEvent(new Event("change", { bubbles: true })); }
          if (form.requestSubmit) form.requestSubmit(); else form.submit();
          return;
        }
        field.value = button.value;
        field.dispatchEvent(new Event("change", { bubbles: true })); // the draft keeps it too
        Array.prototype.forEach.call(quick.elements, function (b) {
          if (b.hasAttribute("aria-pressed")) b.setAttribute("aria-pressed", b === button ? "true" : "false");
        });
        if (note) note.textContent = "Noted, not saved yet: tap Save to keep it with your other changes.";
      });
    });
  }

  /* Ask before clearing a whole day, stopping sharing, deleting a session, erasing. A form with
     a [data-confirmed] field is one the server would otherwise confirm on a page of its own:
     once asked here, it goes straight through. */
  document.querySelectorAll("form[data-confirm]").forEach(function (f) {
    f.addEventListener("submit", function (event) {
      if (!window.confirm(f.dataset.confirm)) { event.preventDefault(); return; }
      var confirmed = f.querySelector("input[data-confirmed]");
      if (confirmed) confirmed.value = "yes";
    });
  });

  /* Next review: +1 week, +2 weeks... from the session's date (a plain date input without JS). */
  function addDays(iso, days) {
    var parts = iso.split("-").map(Number);
    var d = new Date(Date.UTC(parts[0], parts[1] - 1, parts[2] + days));
    return d.toISOString().slice(0, 10);
  }
  document.querySelectorAll("[data-quick-dates]").forEach(function (box) {
    var from = document.getElementById(box.dataset.from);
    var to = document.getElementById(box.dataset.to);
    if (!from || !to) return;
    box.hidden = false;
    box.querySelectorAll("button[data-days]").forEach(function (button) {
      button.addEventListener("click", function () {
        var start = /^\d{4}-\d{2}-\d{2}$/.test(from.value) ? from.value : new Date().toISOString().slice(0, 10);
        to.value = addDays(start, Number(button.dataset.days));
        to.dispatchEvent(new Event("change", { bubbles: true }));
        box.querySelectorAll("button[data-days]").forEach(function (b) {
          b.setAttribute("aria-pressed", b === button ? "true" : "false");
        });
      });
    });
    to.addEventListener("input", function () {
      box.querySelectorAll("button[data-days]").forEach(function (b) { b.setAttribute("aria-pressed", "false"); });
    });
  });

  /* Muscle rows: show at a glance which ones are treated. */
  document.querySelectorAll(".muscle-row").forEach(function (row) {
    row.addEventListener("change", function () {
      var chosen = row.querySelector("input[type=radio]:checked");
      row.classList.toggle("treated", !!chosen && chosen.value !== "");
    });
  });

  /* A share code can be copied in one tap, to paste into a message. */
  var code = document.querySelector("[data-share-code]");
  if (code && navigator.clipboard && window.isSecureContext) {
    var copy = document.createElement("button");
    copy.type = "button";
    copy.className = "copy";
    copy.textContent = "Copy the code";
    copy.addEventListener("click", function () {
      var text = Array.prototype.map.call(code.querySelectorAll(".code-group"), function (g) {
        return g.textContent;
      }).join("-");
      navigator.clipboard.writeText(text).then(function () { copy.textContent = "Copied \u2713"; });
    });
    code.insertAdjacentElement("afterend", copy);
  }

  /* Time zone (register and account): a search box over the places, and this device's own zone,
     chosen at once on the register page ([data-detect]) and offered on the account page. */
  function timeZoneField(select) {
    var all = Array.prototype.map.call(select.options, function (o) { return { zone: o.value, place: o.text }; });
    var device = "";
    try { device = Intl.DateTimeFormat().resolvedOptions().timeZone || ""; } catch { device = ""; }
    var deviceLine = select.parentNode.querySelector("[data-timezone-device]");
    var placeOf = function (zone) {
      var known = all.filter(function (c) { return c.zone === zone; })[0];
      return known ? known.place : zone.split("/").pop().replace(/_/g, " ") + " (" + zone + ")";
    };
    if (device && !all.some(function (c) { return c.zone === device; })) {
      all.push({ zone: device, place: placeOf(device) });
      select.add(new Option(placeOf(device), device));
    }
    var search = document.createElement("input");
    search.type = "search";
    search.id = "timezone-search";
    search.autocomplete = "off";
    search.setAttribute("aria-controls", select.id);
    var label = document.createElement("label");
    label.htmlFor = search.id;
    label.className = "hint";
    label.textContent = "Find your city or country";
    select.parentNode.insertBefore(label, select);
    select.parentNode.insertBefore(search, select);
    search.addEventListener("input", function () {
      var words = search.value.trim().toLowerCase();
      var chosen = select.value;
      var shown = all.filter(function (c) {
        return !words || (c.place + " " + c.zone.replace(/_/g, " ")).toLowerCase().indexOf(words) !== -1;
      });
      if (!shown.length) {
        deviceLine.textContent = "No place matches \u201c" + search.value.trim() + "\u201d. Try a city near you, or your country.";
        return;
      }
      select.replaceChildren.apply(select, shown.map(function (c) { return new Option(c.place, c.zone); }));
      var stays = shown.some(function (c) { return c.zone === chosen; });
      select.value = stays ? chosen : shown[0].zone;
      deviceLine.textContent = (shown.length === 1 ? "1 place matches" : shown.length + " places match") +
        ". Chosen: " + placeOf(select.value) + ".";
    });
    if (!device) return;
    if (select.hasAttribute("data-detect")) {
      select.value = device;
      deviceLine.textContent = "Set from this device: " + placeOf(device) + ".";
    } else if (select.value !== device) {
      var use = document.createElement("button");
      use.type = "button";
      use.className = "link";
      use.textContent = "Use " + placeOf(device);
      use.addEventListener("click", function () {
        search.value = "";
        select.replaceChildren.apply(select, all.map(function (c) { return new Option(c.place, c.zone); }));
        select.value = device;
        deviceLine.textContent = "Chosen: " + placeOf(device) + ". Tap Save to keep it.";
      });
      deviceLine.append("This device is set to a different time zone. ", use);
    }
  }
  document.querySelectorAll("select[data-timezone]").forEach(timeZoneField);

  /* After a failed save, take the reader to the list of what needs another look. */
  var summary = document.getElementById("error-summary");
  if (summary) summary.focus();

  /* Red flags (docs/red-flags.md). The advice under a ticked sign shows by CSS alone; here it is
     also read out, "None of these" and the signs exclude each other, and the headache signs
     open as soon as a headache is rated 7 or more or marked as sudden. */
  function redFlags() {
    form.addEventListener("change", function (event) {
      var input = event.target;
      var block = input.closest && input.closest(".red-flags");
      if (block && input.matches("[data-red-flag]")) {
        var none = block.querySelector("[data-flag-none]");
        if (input.checked && none) none.checked = false;
        var alert = block.querySelector("[data-flag-alert]");
        var advice = document.getElementById("advice-" + input.value);
        if (alert && advice) alert.textContent = input.checked ? advice.querySelector("strong").textContent : "";
      } else if (block && input.matches("[data-flag-none]") && input.checked) {
        block.querySelectorAll("[data-red-flag]").forEach(function (box) { box.checked = false; });
      }
      var name = input.name || "";
      var details = form.querySelector("[data-headache-flags]");
      if (!details || !input.checked) return;
      var askFrom = Number(details.getAttribute("data-ask-from-intensity"));
      if ((/\.intensity$/.test(name) && Number(input.value) >= askFrom) || (/\.symptoms$/.test(name) && input.value === "sudden")) {
        details.open = true;
      }
    });
  }

  if (form) {
    headacheSection();
    steppers();
    catalogue();
    quickControls();
    redFlags();
  }
})();
