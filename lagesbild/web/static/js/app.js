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
var OUTBOX_KEY = "lagesbild-unsent-report";

function setUpReportOutbox() {
  var form = document.getElementById("report-form");
  if (!form || !window.localStorage) return;
  var status = document.getElementById("outbox-status");
  var hasErrors = form.querySelector(".field-errors, .errors") !== null;
  var saved = localStorage.getItem(OUTBOX_KEY);
  if (saved && !hasErrors) {
    try {
      var data = JSON.parse(saved);
      Object.keys(data).forEach(function (name) {
        var fields = form.querySelectorAll('[name="' + name + '"]');
        fields.forEach(function (field) {
          if (field.type === "radio" || field.type === "checkbox") {
            field.checked = field.value === data[name];
          } else if (name !== "csrfmiddlewaretoken") {
            field.value = data[name];
          }
        });
      });
      if (status) status.textContent = form.dataset.restoredText || "Ett osänt utkast har återställts. Kontrollera och skicka igen.";
      form.dispatchEvent(new Event("report:restored"));
    } catch (e) {
      localStorage.removeItem(OUTBOX_KEY);
    }
  }
  if (document.querySelector(".messages .success")) localStorage.removeItem(OUTBOX_KEY);
  form.addEventListener("submit", function () {
    var data = {};
    new FormData(form).forEach(function (value, name) { data[name] = value; });
    localStorage.setItem(OUTBOX_KEY, JSON.stringify(data));
    var button = document.getElementById("submit-report");
    if (button) button.setAttribute("aria-disabled", "true");
  });
}

document.addEventListener("DOMContentLoaded", function () {
  setUpListFilters();
  setUpReportOutbox();
});
