// The review queue by keyboard: J/K move between reports, G accepts, R opens the correction,
// A the rejection, X ticks the report for accepting together. The keys are listed on the page
// and can be switched off there (WCAG 2.1.4: single-character shortcuts must be), the choice
// remembered on this device. They never act while a field has focus or with a modifier key.
// Without this script the queue works with Tab and the buttons alone.
"use strict";

(function () {
  var STORAGE_KEY = "lagesbild-review-shortcuts";
  var queue = document.getElementById("review-queue");
  if (!queue) return;
  // The filters are folded on a phone, so the queue comes first; a wider screen has room.
  var filters = document.getElementById("review-filters");
  if (filters && window.matchMedia("(min-width: 48rem)").matches) filters.open = true;
  var legend = document.getElementById("review-shortcuts");
  var toggle = document.getElementById("shortcuts-on");
  var selectAll = document.getElementById("select-unproblematic");

  function stored() {
    try { return localStorage.getItem(STORAGE_KEY) !== "off"; } catch (e) { return true; }
  }

  function setEnabled(on) {
    queue.classList.toggle("shortcuts-on", on);
    queue.querySelectorAll("[data-shortcut]").forEach(function (control) {
      var target = control.tagName === "DETAILS" ? control.querySelector("summary") : control;
      if (on) target.setAttribute("aria-keyshortcuts", control.dataset.shortcut.toUpperCase());
      else target.removeAttribute("aria-keyshortcuts");
    });
    try { localStorage.setItem(STORAGE_KEY, on ? "on" : "off"); } catch (e) { /* private mode */ }
  }

  function items() {
    return Array.prototype.slice.call(queue.querySelectorAll(".review-item:not(.review-done)"));
  }

  function current() {
    var active = document.activeElement;
    return active && active.closest ? active.closest(".review-item:not(.review-done)") : null;
  }

  function focusItem(item) {
    if (!item) return;
    item.focus();
    item.scrollIntoView({ block: "start" });
  }

  function move(step) {
    var list = items();
    if (!list.length) return;
    var index = list.indexOf(current());
    if (index === -1) focusItem(step > 0 ? list[0] : list[list.length - 1]);
    else focusItem(list[Math.min(list.length - 1, Math.max(0, index + step))]);
  }

  function open(item, key) {
    var details = item.querySelector('details[data-shortcut="' + key + '"]');
    if (!details) return;
    details.open = true;
    var field = details.querySelector("select, input:not([type=hidden]), textarea");
    if (field) field.focus();
  }

  // After a report is answered in place, go on with the next one still waiting.
  document.body.addEventListener("htmx:afterSettle", function (event) {
    var done = event.target.closest && event.target.closest(".review-done");
    if (!done) return;
    var next = done.nextElementSibling;
    while (next && !(next.matches(".review-item") && !next.matches(".review-done"))) {
      next = next.nextElementSibling;
    }
    if (next) focusItem(next);
    else done.focus();
  });

  document.addEventListener("keydown", function (event) {
    if (!queue.classList.contains("shortcuts-on")) return;
    if (event.ctrlKey || event.metaKey || event.altKey || event.isComposing) return;
    var target = event.target;
    if (target.closest("input, select, textarea, [contenteditable]")) return;
    var key = event.key.toLowerCase();
    var item = current();
    if (key === "j") move(1);
    else if (key === "k") move(-1);
    else if (!item) return;
    else if (key === "g") item.querySelector('[data-shortcut="g"]').click();
    else if (key === "r" || key === "a") open(item, key);
    else if (key === "x") {
      var box = item.querySelector(".bulk-choice input");
      if (box) box.checked = !box.checked;
    } else return;
    event.preventDefault();
  });

  if (selectAll) {
    selectAll.hidden = false;
    selectAll.addEventListener("click", function () {
      queue.querySelectorAll(".bulk-choice input").forEach(function (box) { box.checked = true; });
    });
  }
  legend.hidden = false;
  toggle.checked = stored();
  toggle.addEventListener("change", function () { setEnabled(toggle.checked); });
  setEnabled(toggle.checked);
})();
