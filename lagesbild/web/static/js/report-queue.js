// The reporting form without a connection. A report made offline is kept on the device in
// IndexedDB (it survives closing the browser) and sent when the connection returns, each
// with its own client_id, so the server files it once however often it is sent. The queue is
// shown above the form and announced (aria-live). The service worker (web/service-worker.js)
// keeps the form, its scripts, the areas and the places in a cache, so the form opens offline.
// A queued report is sent only for the user and partnership that made it; when the session
// has ended it stays queued and the reporter is asked to log in again.
"use strict";

var QUEUE_DB = "lagesbild-report-queue";
var QUEUE_STORE = "reports";
var RETRY_MS = 30000;

function openQueue() {
  return new Promise(function (resolve, reject) {
    var request = indexedDB.open(QUEUE_DB, 1);
    request.onupgradeneeded = function () {
      request.result.createObjectStore(QUEUE_STORE, { keyPath: "client_id" });
    };
    request.onsuccess = function () { resolve(request.result); };
    request.onerror = function () { reject(request.error); };
  });
}

function inQueue(mode, action) {
  return openQueue().then(function (db) {
    return new Promise(function (resolve, reject) {
      var transaction = db.transaction(QUEUE_STORE, mode);
      var request = action(transaction.objectStore(QUEUE_STORE));
      transaction.oncomplete = function () { db.close(); resolve(request.result); };
      transaction.onerror = function () { db.close(); reject(transaction.error); };
    });
  });
}

var queue = {
  all: function () { return inQueue("readonly", function (store) { return store.getAll(); }); },
  put: function (item) { return inQueue("readwrite", function (store) { return store.put(item); }); },
  remove: function (key) { return inQueue("readwrite", function (store) { return store.delete(key); }); },
};

function newClientId() {
  if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
  return "10000000-1000-4000-8000-100000000000".replace(/[018]/g, function (c) {
    return (c ^ (crypto.getRandomValues(new Uint8Array(1))[0] & (15 >> (c / 4)))).toString(16);
  });
}

function csrfToken(form) {
  var match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
  // The cookie is the current token even when the page came from the cache after a new login.
  return match ? decodeURIComponent(match[1]) : form.querySelector("[name=csrfmiddlewaretoken]").value;
}

// A form from the cache carries the time it was cached as its default: the local time now.
function setTimeToNow(form) {
  var field = form.querySelector("[name=occurred_at]");
  var now = new Date();
  now.setMinutes(now.getMinutes() - now.getTimezoneOffset());
  field.value = now.toISOString().slice(0, 16);
}

function format(text, values) {
  return text.replace(/%\((\w+)\)s/g, function (all, name) { return values[name]; });
}

function setUpReportQueue() {
  var form = document.getElementById("report-form");
  var panel = document.getElementById("report-queue");
  if (!form || !panel || !window.indexedDB) return;
  var texts = panel.dataset;
  var owner = { user: form.dataset.user, partnership: form.dataset.partnership };
  var status = document.getElementById("queue-status");
  var list = document.getElementById("queue-list");
  var sendButton = document.getElementById("queue-send");
  var loginLink = document.getElementById("queue-login");
  var reportPath = new URL(form.action || location.href).pathname;
  var sending = false;
  var lastNote = "";

  function mine(item) { return item.user === owner.user && item.partnership === owner.partnership; }

  function itemLine(item) {
    var li = document.createElement("li");
    li.textContent = item.label + (item.errors ? " – " + format(texts.rejected, { errors: item.errors.join(" ") }) : "");
    if (item.errors) {
      var open = document.createElement("button");
      open.type = "button";
      open.className = "link-button";
      open.textContent = texts.open;
      open.addEventListener("click", function () {
        fillForm(form, item.fields);
        form.querySelector("[name=category]:checked, [name=category]").focus();
      });
      li.appendChild(document.createTextNode(" "));
      li.appendChild(open);
    }
    return li;
  }

  function show(note) {
    if (note !== undefined) lastNote = note;
    return queue.all().then(function (items) {
      var own = items.filter(mine);
      var others = items.length - own.length;
      var parts = [];
      if (own.length) parts.push(format(own.length === 1 ? texts.one : texts.many, { count: own.length }));
      if (others) parts.push(format(texts.others, { count: others }));
      if (lastNote) parts.push(lastNote);
      status.textContent = parts.join(" ");
      list.replaceChildren.apply(list, own.map(itemLine));
      panel.hidden = !own.length;
      sendButton.hidden = !own.some(function (item) { return !item.errors; });
      return own;
    });
  }

  // What became of one attempt: the form again after the redirect means filed (or filed
  // before: the server answers a repeat the same way); any other page after a redirect is
  // the login (the session ended); 403 a refused token, which a new login also mends.
  function send(item) {
    var body = new FormData();
    Object.keys(item.fields).forEach(function (name) { body.append(name, item.fields[name]); });
    body.set("csrfmiddlewaretoken", csrfToken(form));
    return fetch(reportPath, { method: "POST", body: body, credentials: "same-origin" })
      .then(function (response) {
        var landed = new URL(response.url).pathname;
        if (response.ok && response.redirected && landed === reportPath) return "sent";
        if ((response.ok && landed !== reportPath) || response.status === 403) return "login";
        if (response.status !== 400) return "retry";
        return response.text().then(function (html) {
          var page = new DOMParser().parseFromString(html, "text/html");
          item.errors = Array.prototype.map.call(
            page.querySelectorAll("#report-form .errors p, #report-form .field-errors li, #report-form p.field-errors"),
            function (node) { return node.textContent.trim(); }
          );
          return queue.put(item).then(function () { return "rejected"; });
        });
      })
      .catch(function () { return "retry"; });
  }

  function sendAll() {
    if (sending || !navigator.onLine) return Promise.resolve();
    sending = true;
    return queue.all().then(function (items) {
      var waiting = items.filter(function (item) { return mine(item) && !item.errors; });
      var sent = 0;
      var outcome = "";
      function next(i) {
        if (i === waiting.length || outcome === "login" || outcome === "retry") return Promise.resolve();
        return send(waiting[i]).then(function (result) {
          outcome = result;
          if (result !== "sent") return next(i + 1);
          sent += 1;
          return queue.remove(waiting[i].client_id).then(function () { return next(i + 1); });
        });
      }
      return next(0).then(function () {
        loginLink.hidden = outcome !== "login";
        var note = outcome === "login" ? texts.login : "";
        if (sent) note = format(texts.sent, { count: sent }) + (note ? " " + note : "");
        if (outcome === "retry") setTimeout(sendAll, RETRY_MS);
        return show(note);
      });
    }).finally(function () { sending = false; });
  }

  function chosenLabel() {
    var chosen = form.querySelector("[name=category]:checked");
    var when = form.querySelector("[name=occurred_at]").value.replace("T", " ");
    return chosen.closest("label").querySelector("span").textContent + ", " + when;
  }

  // Runs before app.js's own submit handler (capture on the document), which leaves a
  // queued report alone: its copy in localStorage is for a report sent with a connection.
  document.addEventListener("submit", function (event) {
    if (event.target !== form) return;
    var clientId = form.querySelector("[name=client_id]");
    if (navigator.onLine) return;
    event.preventDefault();
    var fields = formValues(form);
    delete fields.csrfmiddlewaretoken;
    if (!fields.category || !(fields.place || (fields.lat && fields.lon))) {
      show(texts.incomplete);
      return;
    }
    var item = Object.assign({ fields: fields, label: chosenLabel(), queued_at: new Date().toISOString() }, owner, { client_id: fields.client_id });
    queue.put(item).then(function () {
      form.reset();
      clientId.value = newClientId();
      setTimeToNow(form);
      ["id_lon", "id_lat", "id_place"].forEach(function (id) { document.getElementById(id).value = ""; });
      document.getElementById("location-summary").textContent = texts.noPlace;
      return show(texts.queued);
    });
  }, true);

  var when = form.querySelector("[name=occurred_at]");
  if (!navigator.onLine && when.value === when.defaultValue) setTimeToNow(form);
  // A refused report opened in the form and now received leaves the queue: the receipt
  // page knows it by the client_id of the report app.js kept as sent.
  var sent = readStored(SENT_KEY);
  var received = document.querySelector(".messages .success") && sent
    ? queue.remove(sent.client_id) : Promise.resolve();
  sendButton.addEventListener("click", sendAll);
  window.addEventListener("online", sendAll);
  window.addEventListener("offline", function () { show(); });
  received.then(show).then(sendAll);
  setUpOfflinePlaceSearch(texts);
  registerServiceWorker(panel.dataset.worker, reportPath);
}

// The place search asks the server as the reporter types; without a connection it searches
// the places and areas kept from the last visit instead, with the same result buttons.
function setUpOfflinePlaceSearch(texts) {
  var input = document.getElementById("place-search");
  var results = document.getElementById("place-results");
  var choices = [];
  fetch(texts.places, { credentials: "same-origin" })
    .then(function (response) { return response.json(); })
    .then(function (data) { choices = data.results; })
    .catch(function () {});
  document.body.addEventListener("htmx:beforeRequest", function (event) {
    if (event.detail.elt !== input || navigator.onLine) return;
    event.preventDefault();
    var text = input.value.trim().toLowerCase();
    var found = text.length < 2 ? [] : choices.filter(function (c) {
      return c.name.toLowerCase().indexOf(text) !== -1;
    }).slice(0, 10);
    var ul = document.createElement("ul");
    ul.className = "search-results";
    found.forEach(function (c) {
      var button = document.createElement("button");
      button.type = "button";
      button.className = "link-button place-choice";
      button.dataset.lat = c.lat;
      button.dataset.lon = c.lon;
      button.dataset.label = c.name;
      if (c.kind === "place") button.dataset.place = c.id;
      button.textContent = c.name + " ";
      var where = document.createElement("span");
      where.className = "muted";
      where.textContent = "(" + (c.kind === "place" ? c.area : texts.area) + ")";
      button.appendChild(where);
      var li = document.createElement("li");
      li.appendChild(button);
      ul.appendChild(li);
    });
    var none = document.createElement("p");
    none.className = "muted";
    none.textContent = texts.noneFound;
    results.replaceChildren(found.length ? ul : text.length >= 2 ? none : "");
  });
}

function registerServiceWorker(url, scope) {
  if (!("serviceWorker" in navigator)) return;
  // A worker already in charge fetches a fresh copy of the form for the cache (a new worker
  // does so as it installs).
  if (navigator.serviceWorker.controller && navigator.onLine) {
    navigator.serviceWorker.controller.postMessage("refresh-form");
  }
  navigator.serviceWorker.register(url, { scope: scope }).catch(function () {});
}

document.addEventListener("DOMContentLoaded", setUpReportQueue);
