// Lägesbild: small progressive enhancements. Every page works without this script.
"use strict";

// Filter a list of labelled choices as the user types (the category picker).
function setUpListFilters() {
  document.querySelectorAll("[data-filter-list]").forEach(function (input) {
    var list = document.getElementById(input.dataset.filterList);
    if (!list) return;
    input.addEventListener("input", function () {
      var text = input.value.trim().toLowerCase();
      list.querySelectorAll("[data-filter-text]").forEach(function (item) {
        item.hidden = text !== "" && item.dataset.filterText.indexOf(text) === -1;
      });
    });
  });
}

// The reporting form keeps a copy of an unsent report in localStorage, so a report typed
// on a flaky connection is not lost: it is restored on the next visit and can be sent again.
// The hidden client_id travels with it, so the server never files it twice.
// Once the receipt shows, that copy becomes the last sent report: the fresh form under the
// receipt stays empty (a new report gets a new client_id), and going back to the sent form
// gives it its client_id and place again, which the browser does not restore for hidden fields.
var OUTBOX_KEY = "lagesbild-unsent-report";
var SENT_KEY = "lagesbild-sent-report";

function formValues(form) {
  var data = {};
  new FormData(form).forEach(function (value, name) { data[name] = value; });
  return data;
}

function readStored(key) {
  try {
    return JSON.parse(localStorage.getItem(key));
  } catch (e) {
    localStorage.removeItem(key);
    return null;
  }
}

function fillForm(form, data) {
  Object.keys(data).forEach(function (name) {
    if (name === "csrfmiddlewaretoken") return;
    form.querySelectorAll('[name="' + name + '"]').forEach(function (field) {
      if (field.type === "radio" || field.type === "checkbox") field.checked = field.value === data[name];
      else field.value = data[name];
    });
  });
  form.dispatchEvent(new Event("report:restored"));
}

// True when the browser has put back, by history navigation, the form that was last sent.
// `restored`: the page came back whole from the back-forward cache, whose navigation entry
// is still that of the first visit.
function isSentFormAgain(form, sent, restored) {
  var navigation = performance.getEntriesByType ? performance.getEntriesByType("navigation")[0] : null;
  var back = restored || (navigation && navigation.type === "back_forward");
  if (!sent || !back) return false;
  var now = formValues(form);
  return now.category === sent.category && now.description === sent.description;
}

function setUpReportOutbox() {
  var form = document.getElementById("report-form");
  if (!form || !window.localStorage) return;
  var status = document.getElementById("outbox-status");
  var button = document.getElementById("submit-report");
  var hasErrors = form.querySelector(".field-errors, .errors") !== null;
  if (document.querySelector(".messages .success")) {
    var justSent = localStorage.getItem(OUTBOX_KEY);
    if (justSent) localStorage.setItem(SENT_KEY, justSent);
    localStorage.removeItem(OUTBOX_KEY);
  }
  var unsent = readStored(OUTBOX_KEY);
  if (unsent && !hasErrors) {
    fillForm(form, unsent);
    status.textContent = form.dataset.restoredText;
  }
  form.addEventListener("submit", function (event) {
    if (event.defaultPrevented) return;  // kept on the device by report-queue.js instead
    localStorage.setItem(OUTBOX_KEY, JSON.stringify(formValues(form)));
    button.setAttribute("aria-disabled", "true");
  });
  // Chromium puts back the visible fields of a form reached through history only just before
  // "pageshow"; a page kept whole in the back-forward cache comes back as it was left, with
  // its fields filled but without the notice, which it needs just as much.
  window.addEventListener("pageshow", function (event) {
    button.removeAttribute("aria-disabled");
    if (unsent || hasErrors) return;
    var sent = readStored(SENT_KEY);
    if (isSentFormAgain(form, sent, event.persisted)) {
      if (!event.persisted) fillForm(form, sent);
      status.textContent = form.dataset.sentText;
    }
  });
}

// The main menu on a small screen: folded behind the "Meny" button (a disclosure with
// aria-expanded), opened and closed by it, closed by Escape with focus back on the button.
// Without this script the button stays hidden and the menu open (see app.css).
function setUpMenu() {
  var header = document.querySelector(".site-header");
  var button = header && header.querySelector(".menu-toggle");
  if (!button) return;
  var panel = document.getElementById(button.getAttribute("aria-controls"));
  function setOpen(open) {
    header.classList.toggle("menu-open", open);
    button.setAttribute("aria-expanded", open ? "true" : "false");
  }
  header.classList.add("menu-ready");
  setOpen(false);
  button.addEventListener("click", function () {
    setOpen(button.getAttribute("aria-expanded") !== "true");
  });
  panel.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && header.classList.contains("menu-open")) {
      setOpen(false);
      button.focus();
    }
  });
}

// A page seen logged out (the login page after logging out, or after the session ended)
// empties the cache that keeps the reporting form for use offline (web/service-worker.js):
// the form there carries the last user's name and the partnership's categories and places.
// Reports waiting to be sent stay; they go only with their own login.
function forgetOfflineForm() {
  if (!document.body.hasAttribute("data-logged-out") || !window.caches) return;
  caches.keys().then(function (names) {
    names.forEach(function (name) {
      if (name.indexOf("lagesbild-report-") === 0) caches.delete(name);
    });
  });
}

document.addEventListener("DOMContentLoaded", function () {
  setUpMenu();
  forgetOfflineForm();
  setUpListFilters();
  setUpReportOutbox();
});
