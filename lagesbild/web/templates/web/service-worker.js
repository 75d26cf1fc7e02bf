// Lägesbild's service worker (served by web.views.service_worker, registered by
// static/js/report-queue.js for the reporting page only). It keeps what the reporting form
// needs in a cache, so the form opens and works without a connection: the page itself, its
// scripts and styles, the areas and the places. It never stores reports: those wait in the
// page's IndexedDB queue until they are sent.
"use strict";

const CONFIG = {{ config|safe }};
const CACHE = "lagesbild-report-" + CONFIG.version;

function cachePage(cache) {
  // A fresh copy of the form, fetched for the cache (never the page as shown after a report
  // was sent, which carries its receipt). A redirect means the session is gone: the login
  // page is not the form, so the copy already in the cache is kept.
  return fetch(CONFIG.report_url, { credentials: "same-origin" }).then(function (response) {
    if (response.ok && !response.redirected) return cache.put(CONFIG.report_url, response);
  });
}

self.addEventListener("install", function (event) {
  event.waitUntil(
    caches.open(CACHE).then(function (cache) {
      return cache.addAll(CONFIG.assets).then(function () { return cachePage(cache).catch(function () {}); });
    }).then(function () { return self.skipWaiting(); })
  );
});

self.addEventListener("activate", function (event) {
  event.waitUntil(
    caches.keys().then(function (names) {
      return Promise.all(names.filter(function (name) {
        return name.indexOf("lagesbild-report-") === 0 && name !== CACHE;
      }).map(function (name) { return caches.delete(name); }));
    }).then(function () { return self.clients.claim(); })
  );
});

// The page asks for a fresh copy of the form whenever it was opened with a connection.
self.addEventListener("message", function (event) {
  if (event.data === "refresh-form") {
    event.waitUntil(caches.open(CACHE).then(cachePage).catch(function () {}));
  }
});

function isCached(url) {
  return url.pathname.indexOf(CONFIG.static_prefix) === 0 || CONFIG.data_urls.indexOf(url.pathname) !== -1;
}

// Network first, so a reporter with a connection always sees today's form and categories;
// the cache answers only when the network does not. Hashed static files come from the
// browser's own HTTP cache anyway, so asking the network first costs nothing there.
self.addEventListener("fetch", function (event) {
  const request = event.request;
  const url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== self.location.origin) return;
  const isForm = request.mode === "navigate" && url.pathname === CONFIG.report_url;
  if (!isForm && !isCached(url)) return;
  event.respondWith(
    fetch(request).then(function (response) {
      if (!isForm && response.ok && !response.redirected) {
        const copy = response.clone();
        caches.open(CACHE).then(function (cache) { cache.put(url.pathname, copy); });
      }
      return response;
    }).catch(function () {
      return caches.match(isForm ? CONFIG.report_url : url.pathname).then(function (cached) {
        return cached || Response.error();
      });
    })
  );
});
