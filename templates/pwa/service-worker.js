/* Transfo's service worker (served by transfo.pwa at /sw.js, scope: the whole site).
 *
 * - Static files: kept at installation, read from the cache first.
 * - Pages: always asked of the network first; if it does not answer within a few seconds, or not
 *   at all, the copy kept on the phone is shown, marked with the day it was saved (the page's
 *   script shows the banner). Only pages the server marks as the reader's own work are kept
 *   (common/offline.py), each person's in a cache of their own, and only the cache of the person
 *   last seen logged in is ever read. Nothing else is kept: no answer to a post, nothing of either
 *   admin, of the login pages, nor of anyone else.
 * - Journal entries written offline are sent when the network is back (Background Sync), by an
 *   open page if there is one, else from here (static/js/journal-queue.js).
 */
"use strict";

var VERSION = "{{ version }}";
var STATIC_CACHE = "transfo-static-" + VERSION;
var PAGES_PREFIX = "transfo-pages-";
var META_CACHE = "transfo-meta";
var CURRENT = "/__transfo/current-reader";
var ASSETS = {{ assets|safe }};
var OFFLINE_HEADER = "X-Transfo-Offline";
var SAVED_HEADER = "X-Transfo-Saved";
var HTML_TIMEOUT = 3000;
var NEVER = /^\/(en\/)?(django-admin|cms|accounts|documents|api)\//;
var SYNC_TAG = "transfo-journal";

importScripts({{ queue_script|safe }});

self.addEventListener("install", function (event) {
  event.waitUntil(caches.open(STATIC_CACHE).then(function (cache) { return cache.addAll(ASSETS); }).then(function () { return self.skipWaiting(); }));
});

self.addEventListener("activate", function (event) {
  event.waitUntil(
    caches.keys().then(function (names) {
      return Promise.all(names.filter(function (name) { return name.indexOf("transfo-static-") === 0 && name !== STATIC_CACHE; }).map(function (name) { return caches.delete(name); }));
    }).then(function () { return self.clients.claim(); })
  );
});

function currentReader() {
  return caches.open(META_CACHE).then(function (cache) { return cache.match(CURRENT); }).then(function (kept) { return kept ? kept.text() : ""; });
}

// The person now logged in on this phone: from them on, only their cache is read, and a
// different person's is dropped.
function setReader(key) {
  return currentReader().then(function (known) {
    if (known === key) return;
    return caches.open(META_CACHE).then(function (cache) { return cache.put(CURRENT, new Response(key)); }).then(function () {
      return caches.keys().then(function (names) {
        return Promise.all(names.filter(function (name) {
          // A visitor logged out keeps nothing new; someone logged in keeps only their own.
          return key !== "" && name.indexOf(PAGES_PREFIX) === 0 && name !== PAGES_PREFIX + key;
        }).map(function (name) { return caches.delete(name); }));
      });
    });
  });
}

function clearAll() {
  return caches.keys().then(function (names) {
    return Promise.all(names.filter(function (name) { return name !== STATIC_CACHE; }).map(function (name) { return caches.delete(name); }));
  }).then(function () { return self.TransfoQueue.clear(); });
}

self.addEventListener("message", function (event) {
  var data = event.data || {};
  var done = Promise.resolve();
  if (data.type === "reader") done = setReader(data.key || "");
  if (data.type === "clear") done = clearAll();
  // A page loaded while no worker was active (after a logout's Clear-Site-Data) asks to be taken in.
  if (data.type === "claim") done = self.clients.claim();
  event.waitUntil(done.then(function () { if (event.ports[0]) event.ports[0].postMessage("done"); }));
});

function keep(request, response, key) {
  return setReader(key).then(function () {
    return response.blob().then(function (body) {
      var headers = new Headers(response.headers);
      headers.set(SAVED_HEADER, new Date().toISOString());
      headers.delete("Content-Length");
      return caches.open(PAGES_PREFIX + key).then(function (cache) {
        return cache.put(request.url, new Response(body, { status: response.status, statusText: response.statusText, headers: headers }));
      });
    });
  });
}

// The kept copy of a page, for the person last seen logged in, marked with the day it was saved.
function keptPage(url) {
  return currentReader().then(function (key) {
    if (!key) return null;
    return caches.has(PAGES_PREFIX + key).then(function (exists) {
      if (!exists) return null;
      return caches.open(PAGES_PREFIX + key).then(function (cache) { return cache.match(url); }).then(function (kept) {
        if (!kept) return null;
        var saved = kept.headers.get(SAVED_HEADER) || "";
        return kept.text().then(function (html) {
          html = html.replace("<body", "<body data-offline-saved=\"" + saved.replace(/[^0-9TZ:.\-]/g, "") + "\"");
          return new Response(html, { status: 200, headers: kept.headers });
        });
      });
    });
  });
}

function page(event) {
  var request = event.request;
  var network = fetch(request).then(function (response) {
    var key = response.headers.get(OFFLINE_HEADER);
    if (key && response.status === 200 && response.type === "basic") {
      event.waitUntil(keep(request, response.clone(), key));
    }
    return response;
  });
  var timeout = new Promise(function (resolve) { setTimeout(resolve, HTML_TIMEOUT, null); });
  return Promise.race([network, timeout]).catch(function () { return null; }).then(function (first) {
    if (first) return first;
    return keptPage(request.url).then(function (kept) { return kept || network; });
  });
}

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET") return;  // posts go to the network, and their answers are never kept
  var url = new URL(request.url);
  if (url.origin !== self.location.origin || NEVER.test(url.pathname) || url.pathname === "/sw.js") return;
  if (ASSETS.indexOf(url.pathname) !== -1) {
    event.respondWith(caches.match(request.url).then(function (kept) { return kept || fetch(request); }));
    return;
  }
  if (request.mode === "navigate") event.respondWith(page(event));
});

// Background Sync: an open page sends (it knows who is logged in); without one, the worker does.
self.addEventListener("sync", function (event) {
  if (event.tag !== SYNC_TAG) return;
  event.waitUntil(self.clients.matchAll({ type: "window" }).then(function (windows) {
    if (windows.length) {
      windows.forEach(function (client) { client.postMessage({ type: "flush" }); });
      return;
    }
    return currentReader().then(function (key) { return self.TransfoQueue.flush(key); });
  }));
});
