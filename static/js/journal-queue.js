/* The journal entries written on this phone and not yet sent: kept in IndexedDB, sent once.
 *
 * Shared by the pages (static/js/offline.js) and the service worker (Background Sync), so it uses
 * nothing but fetch, IndexedDB and strings. Each entry keeps the submission token its form was
 * given: however many times it is sent (a page and the worker at once, a connection cut after the
 * server saved it), the server saves it once. An entry belongs to the person who wrote it (their
 * opaque offline key, common/offline.py) and is sent only while that person is the one logged in.
 */
(function (scope) {
  "use strict";

  var DATABASE = "transfo-journal";
  var STORE = "entries";
  var OFFLINE_HEADER = "X-Transfo-Offline";

  function open() {
    return new Promise(function (resolve, reject) {
      var request = indexedDB.open(DATABASE, 1);
      request.onupgradeneeded = function () {
        request.result.createObjectStore(STORE, { keyPath: "token" });
      };
      request.onsuccess = function () { resolve(request.result); };
      request.onerror = function () { reject(request.error); };
    });
  }

  function run(mode, work) {
    return open().then(function (db) {
      return new Promise(function (resolve, reject) {
        var transaction = db.transaction(STORE, mode);
        var result = work(transaction.objectStore(STORE));
        transaction.oncomplete = function () { db.close(); resolve(result && "result" in result ? result.result : undefined); };
        transaction.onerror = function () { db.close(); reject(transaction.error); };
      });
    });
  }

  function all(owner) {
    return run("readonly", function (store) { return store.getAll(); }).then(function (entries) {
      return (entries || []).filter(function (entry) { return entry.owner === owner; });
    });
  }

  function put(entry) { return run("readwrite", function (store) { store.put(entry); }); }
  function remove(token) { return run("readwrite", function (store) { store.delete(token); }); }

  function clear() {
    return new Promise(function (resolve) {
      var request = indexedDB.deleteDatabase(DATABASE);
      request.onsuccess = request.onerror = request.onblocked = function () { resolve(); };
    });
  }

  var ENTITIES = { amp: "&", lt: "<", gt: ">", quot: "\"", apos: "'", nbsp: " " };

  function plainText(html) {
    return html
      .replace(/<[^>]*>/g, " ")
      .replace(/&(#x?[0-9a-f]+|[a-z]+);/gi, function (whole, name) {
        if (name[0] === "#") {
          var code = name[1] === "x" || name[1] === "X" ? parseInt(name.slice(2), 16) : parseInt(name.slice(1), 10);
          return String.fromCodePoint(code);
        }
        return ENTITIES[name.toLowerCase()] || whole;
      })
      .replace(/\s+/g, " ")
      .trim();
  }

  // What the server said when it refused an entry: the form's errors, or the refusal page's words.
  function serverMessage(html) {
    var errors = /<div class="form-errors"[^>]*>([\s\S]*?)<\/div>/.exec(html);
    if (errors) return plainText(errors[1]);
    var refusal = /<h1[^>]*>([\s\S]*?)<\/h1>\s*<p>([\s\S]*?)<\/p>/.exec(html);
    if (refusal) return plainText(refusal[1]) + " : " + plainText(refusal[2]);
    return "";
  }

  function path(url) { return new URL(url, scope.location.href).pathname; }
  function atLogin(response) { return /\/accounts\/login\//.test(path(response.url)); }

  function refuse(entry, response) {
    return response.text().then(function (html) {
      entry.status = "refused";
      entry.message = serverMessage(html) || String(response.status);
      return put(entry).then(function () { return "refused"; });
    });
  }

  // Send one entry: a fresh form first (for its CSRF token, and to know who is logged in), then the post.
  function send(entry) {
    return fetch(entry.action, { credentials: "same-origin", cache: "no-store" }).then(function (form) {
      if (atLogin(form)) return "wait";  // logged out meanwhile: it waits for its author
      if (form.status === 403 || form.status === 404) return refuse(entry, form);
      if (!form.ok) return "wait";
      if (form.headers.get(OFFLINE_HEADER) !== entry.owner) return "wait";  // someone else's session
      return form.text().then(function (html) {
        var csrf = /name="csrfmiddlewaretoken" value="([^"]+)"/.exec(html);
        var body = new FormData();
        entry.fields.forEach(function (pair) { body.append(pair[0], pair[1]); });
        body.set("csrfmiddlewaretoken", csrf ? csrf[1] : "");
        body.set("token", entry.token);
        entry.photos.forEach(function (photo) { body.append("files", photo.blob, photo.name); });
        return fetch(entry.action, { method: "POST", body: body, credentials: "same-origin" });
      }).then(function (answer) {
        if (typeof answer === "string") return answer;
        if (atLogin(answer)) return "wait";
        if (answer.ok && answer.redirected) return remove(entry.token).then(function () { return "sent"; });
        if (answer.status === 400 || answer.status === 403 || answer.status === 404) return refuse(entry, answer);
        return "wait";  // the server failed: try again later
      });
    });
  }

  // Send every pending entry of ``owner``, one after the other; one sender at a time on this phone.
  function flush(owner) {
    if (!owner) return Promise.resolve({ sent: 0, refused: 0, left: 0 });
    var work = function () {
      return all(owner).then(function (entries) {
        var pending = entries.filter(function (entry) { return entry.status !== "refused"; });
        // ``left``: entries still to send after this try (the network failed, or the server did).
        var report = { sent: 0, refused: 0, left: pending.length };
        var settle = function () { report.left = pending.length - report.sent - report.refused; return report; };
        return pending.reduce(function (previous, entry) {
          return previous.then(function (stop) {
            if (stop) return true;
            return send(entry).then(function (outcome) {
              if (outcome === "sent") report.sent += 1;
              if (outcome === "refused") report.refused += 1;
              return outcome === "wait";
            });
          });
        }, Promise.resolve(false)).then(settle, settle);
      });
    };
    if (scope.navigator && scope.navigator.locks) return scope.navigator.locks.request(DATABASE, work);
    return work();
  }

  scope.TransfoQueue = { all: all, put: put, remove: remove, clear: clear, flush: flush, serverMessage: serverMessage };
})(self);
