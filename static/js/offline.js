/* Transfo on a phone without network (issue: the ambassador's journal in the field).
 *
 * - registers the service worker and tells it who is logged in (their opaque offline key);
 * - shows the "offline" banner on a page the worker served from what it kept;
 * - logging out empties what this phone kept (pages and unsent entries), even offline;
 * - a new journal entry is kept on the phone (IndexedDB, static/js/journal-queue.js) with its
 *   photos made light, shown on its case's timeline as waiting, and sent once the network is back.
 * Without JavaScript, or in a browser without service workers, every form posts as before.
 */
(function () {
  "use strict";

  var meta = document.querySelector('meta[name="transfo-offline"]');
  if (!meta || !("serviceWorker" in navigator) || !window.indexedDB || !window.TransfoQueue) return;
  var queue = window.TransfoQueue;
  var reader = meta.content;  // "" for an anonymous visitor
  var LOGOUT_PENDING = "transfo.logout-pending";
  var SYNC_TAG = "transfo-journal";
  var MAX_SIDE = 2048;
  var PHOTO_BUDGET = 550 * 1024;
  var savedAt = document.body.getAttribute("data-offline-saved");

  function worker() {
    return navigator.serviceWorker.ready.then(function (registration) { return registration.active; });
  }

  function tellWorker(message) {
    return worker().then(function (active) {
      return new Promise(function (resolve) {
        var channel = new MessageChannel();
        channel.port1.onmessage = function () { resolve(); };
        active.postMessage(message, [channel.port2]);
        setTimeout(resolve, 2000);
      });
    });
  }

  // Everything this phone kept of the person: pages, the worker's memory of them, unsent entries.
  function forgetEverything() {
    var pages = window.caches ? caches.keys().then(function (names) {
      return Promise.all(names.filter(function (name) { return name.indexOf("transfo-pages-") === 0 || name === "transfo-meta"; }).map(function (name) { return caches.delete(name); }));
    }) : Promise.resolve();
    return Promise.all([pages, queue.clear()]);
  }

  /* --- Logging out, with or without network ---------------------------------------------- */

  var logoutForm = document.querySelector("form[data-logout]");

  if (localStorage.getItem(LOGOUT_PENDING)) {
    if (!reader) {
      localStorage.removeItem(LOGOUT_PENDING);  // the server has logged them out
    } else if (logoutForm && navigator.onLine) {
      // Logged out offline: the server is told now, before anything of theirs is kept again.
      fetch(logoutForm.action, { method: "POST", body: new FormData(logoutForm), credentials: "same-origin" })
        .then(forgetEverything)
        .then(function () { localStorage.removeItem(LOGOUT_PENDING); window.location.reload(); });
      return;
    }
  }

  if (logoutForm) {
    logoutForm.addEventListener("submit", function (event) {
      event.preventDefault();
      localStorage.setItem(LOGOUT_PENDING, "1");
      forgetEverything().then(function () { return tellWorker({ type: "clear" }); }).catch(function () {}).then(function () {
        if (navigator.onLine) {
          logoutForm.submit();
          return;
        }
        var main = document.getElementById("contenu");
        var notice = document.createElement("p");
        notice.className = "offline-notice";
        notice.setAttribute("role", "status");
        notice.textContent = logoutForm.getAttribute("data-offline-text");
        main.replaceChildren(notice);
        logoutForm.closest("nav").hidden = true;
      });
    });
  }

  /* --- The worker, and the banner of a page read offline ----------------------------------- */

  navigator.serviceWorker.register(meta.getAttribute("data-worker"), { scope: "/" }).then(function () {
    return tellWorker({ type: "reader", key: reader });
  }).then(function () {
    if (!navigator.serviceWorker.controller) return tellWorker({ type: "claim" });
  }).catch(function () {});

  if (savedAt) {
    var banner = document.getElementById("offline-banner");
    var time = document.createElement("time");
    var when = new Date(savedAt);
    time.setAttribute("datetime", savedAt);
    time.textContent = new Intl.DateTimeFormat(document.documentElement.lang || "fr", { dateStyle: "long", timeStyle: "short" }).format(when);
    banner.appendChild(time);
    banner.hidden = false;
  }

  /* --- Photos made light before they leave the phone ------------------------------------- */

  function encode(canvas, quality) {
    return new Promise(function (resolve) { canvas.toBlob(resolve, "image/jpeg", quality); }).then(function (blob) {
      return blob.size > PHOTO_BUDGET && quality > 0.45 ? encode(canvas, quality - 0.1) : blob;
    });
  }

  // At most MAX_SIDE pixels on the long side, upright (EXIF orientation applied), JPEG ~0.8.
  // The server still checks and re-encodes it: this only spares the phone's data and battery.
  function lighten(file) {
    var kept = { name: file.name, blob: file };
    if (!/^image\/(jpeg|png|webp)$/.test(file.type) || !window.createImageBitmap) return Promise.resolve(kept);
    return createImageBitmap(file, { imageOrientation: "from-image" }).then(function (bitmap) {
      var scale = Math.min(1, MAX_SIDE / Math.max(bitmap.width, bitmap.height));
      var canvas = document.createElement("canvas");
      canvas.width = Math.round(bitmap.width * scale);
      canvas.height = Math.round(bitmap.height * scale);
      var context = canvas.getContext("2d");
      context.fillStyle = "#fff";  // a transparent PNG becomes a JPEG on white
      context.fillRect(0, 0, canvas.width, canvas.height);
      context.imageSmoothingQuality = "high";
      context.drawImage(bitmap, 0, 0, canvas.width, canvas.height);
      bitmap.close();
      return encode(canvas, 0.8);
    }).then(function (blob) {
      return blob && blob.size < file.size ? { name: file.name.replace(/\.[^.]*$/, "") + ".jpg", blob: blob } : kept;
    }, function () { return kept; });
  }

  /* --- Writing an entry: kept on the phone, then sent ------------------------------------ */

  function freshToken() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    var bytes = crypto.getRandomValues(new Uint8Array(16));
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    var hex = Array.prototype.map.call(bytes, function (byte) { return (byte + 0x100).toString(16).slice(1); }).join("");
    return hex.slice(0, 8) + "-" + hex.slice(8, 12) + "-" + hex.slice(12, 16) + "-" + hex.slice(16, 20) + "-" + hex.slice(20);
  }

  function askForSync() {
    return navigator.serviceWorker.ready.then(function (registration) {
      if (registration.sync) return registration.sync.register(SYNC_TAG);
    }).catch(function () {});
  }

  var entryForm = document.querySelector("form[data-offline-case]");
  if (entryForm && reader) {
    var token = entryForm.querySelector('input[name="token"]');
    // Every form shown gets a token of its own, even one read from the phone's copy of the page.
    token.value = freshToken();
    if (savedAt) {
      var day = entryForm.querySelector('input[name="entry_date"]');
      var today = new Date();
      if (day) day.value = new Date(today.getTime() - today.getTimezoneOffset() * 60000).toISOString().slice(0, 10);
    }
    entryForm.addEventListener("submit", function (event) {
      event.preventDefault();
      var button = entryForm.querySelector('button[type="submit"]');
      button.disabled = true;
      var fields = [];
      new FormData(entryForm).forEach(function (value, name) {
        if (typeof value === "string" && name !== "csrfmiddlewaretoken") fields.push([name, value]);
      });
      var files = Array.prototype.slice.call(entryForm.querySelector('input[type="file"]').files);
      var caseUrl = entryForm.getAttribute("data-offline-case");
      Promise.all(files.map(lighten)).then(function (photos) {
        return queue.put({
          token: token.value,
          owner: reader,
          action: entryForm.getAttribute("action") || window.location.pathname,
          caseUrl: caseUrl,
          fields: fields,
          photos: photos,
          createdAt: new Date().toISOString(),
          status: "pending",
          message: ""
        });
      }).then(function () {
        if (!navigator.onLine) return askForSync();
        return queue.flush(reader).then(function (report) {
          if (report.sent) sessionStorage.setItem("transfo.sent", "1");
        });
      }).then(function () {
        window.location.assign(caseUrl + "#journal-title");
      }, function () {
        // The phone could not keep it (no room, private mode): the form posts as it always did.
        button.disabled = false;
        entryForm.submit();
      });
    });
  }

  /* --- The case page: entries waiting on this phone -------------------------------------- */

  var waiting = document.getElementById("offline-queue");

  function photoList(entry) {
    var list = document.createElement("ul");
    list.className = "attachments";
    entry.photos.forEach(function (photo) {
      var item = document.createElement("li");
      if (/^image\//.test(photo.blob.type)) {
        item.className = "attachments__photo";
        var image = document.createElement("img");
        image.src = URL.createObjectURL(photo.blob);
        image.alt = photo.name;
        image.width = 160;
        image.height = 120;
        item.appendChild(image);
      } else {
        item.className = "attachments__file";
        item.textContent = photo.name;
      }
      list.appendChild(item);
    });
    return list;
  }

  function showWaiting() {
    if (!waiting) return Promise.resolve();
    var caseUrl = waiting.getAttribute("data-case");
    return queue.all(reader).then(function (entries) {
      entries = entries.filter(function (entry) { return entry.caseUrl === caseUrl; });
      var list = waiting.querySelector("ol");
      list.replaceChildren();
      entries.forEach(function (entry) {
        var refused = entry.status === "refused";
        var item = document.createElement("li");
        item.className = "timeline__item timeline__item--entry";
        var card = document.createElement("article");
        card.className = "card journal-entry journal-entry--" + (refused ? "refused" : "pending");
        var title = document.createElement("h3");
        title.className = "card__title";
        title.textContent = waiting.getAttribute(refused ? "data-refused" : "data-pending");
        card.appendChild(title);
        if (refused && entry.message) {
          var message = document.createElement("p");
          message.className = "journal-entry__message";
          message.textContent = entry.message;
          card.appendChild(message);
        }
        entry.fields.forEach(function (pair) {
          if (["done", "learnt", "next_steps", "blockers"].indexOf(pair[0]) === -1 || !pair[1]) return;
          var text = document.createElement("p");
          text.className = "journal-text";
          text.textContent = pair[1];
          card.appendChild(text);
        });
        if (entry.photos.length) card.appendChild(photoList(entry));
        if (refused) {
          var remove = document.createElement("button");
          remove.type = "button";
          remove.textContent = waiting.getAttribute("data-remove");
          remove.addEventListener("click", function () { queue.remove(entry.token).then(showWaiting); });
          card.appendChild(remove);
        }
        item.appendChild(card);
        list.appendChild(item);
      });
      waiting.hidden = entries.length === 0;
    });
  }

  // The network often comes back in steps: the "online" event fires while the first requests still
  // fail (a weak signal, a captive portal). So an unsent entry is tried again while the page is open
  // and online, later and later, and at once when the network or the page comes back.
  var RETRY_SECONDS = [2, 5, 10, 30, 60];
  var retries = 0;
  var retryTimer = null;

  function retryLater() {
    clearTimeout(retryTimer);
    var delay = RETRY_SECONDS[Math.min(retries, RETRY_SECONDS.length - 1)];
    retries += 1;
    retryTimer = setTimeout(sendWaiting, delay * 1000);
  }

  function sendWaiting() {
    clearTimeout(retryTimer);
    if (!reader || !navigator.onLine) return Promise.resolve();
    return queue.flush(reader).then(function (report) {
      if (report.sent && waiting) {
        sessionStorage.setItem("transfo.sent", "1");
        window.location.reload();  // the server's own copy of what was sent
        return;
      }
      if (report.left) retryLater(); else retries = 0;
      return showWaiting();
    });
  }

  function sendNow() {
    retries = 0;
    sendWaiting();
  }

  if (sessionStorage.getItem("transfo.sent") && waiting) {
    sessionStorage.removeItem("transfo.sent");
    var sent = document.getElementById("offline-sent");
    if (sent) sent.hidden = false;
  }

  if (reader) {
    showWaiting().then(sendWaiting);
    window.addEventListener("online", sendNow);
    document.addEventListener("visibilitychange", function () { if (document.visibilityState === "visible") sendNow(); });
    navigator.serviceWorker.addEventListener("message", function (event) {
      if (event.data && event.data.type === "flush") sendNow();
    });
  }
})();
