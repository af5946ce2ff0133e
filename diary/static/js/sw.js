/* Headache diary service worker (served at /sw.js by diary/web/pwa.py, which puts
   self.DIARY_SW = {version, precache, offlinePage, shellPage, offlineScripts} before this).

   - Keeps the data-free app shell in a versioned cache: styles, scripts, icons, the offline page,
     the day editor's empty shell and the red-flag advice pages. Pages behind a login are never cached: they go to the
     network, and without one the shell (Today, a day) or the offline page stands in.
   - A save (or a clear) sent as a page while the network fails is sent back to the page it came
     from with #offline-save; offline.js kept it in the outbox before sending it, and that page,
     which does not answer the save, makes it wait there to be synced.
   - Background Sync ('sync' event) sends the outbox when the connection returns, with the
     outbox's own scripts (offlineScripts: day.js, outbox.js, sync.js; docs/offline.md).
   - A new version deletes the old caches when it activates and tells the open pages. */
"use strict";

const SETTINGS = self.DIARY_SW || {
  version: "dev", precache: [], offlinePage: "/offline", shellPage: "/offline/day", offlineScripts: [],
};
const STATIC_CACHE = `diary-static-${SETTINGS.version}`;
const DAY_PAGE = /^\/(today|days\/\d{4}-\d{2}-\d{2})$/;
const DAY_SAVE = /^\/days\/(\d{4}-\d{2}-\d{2})(\/quick|\/delete)?$/;
// The red-flag advice pages (kept: they open offline) and their "Add this to today's diary".
const ADVICE_PAGE = /^\/red-flags(\/[a-z0-9_]+)?$/;
const ADVICE_ADD = /^\/red-flags\/([a-z0-9_]+)\/add$/;

if (SETTINGS.offlineScripts.length) importScripts(...SETTINGS.offlineScripts);

self.addEventListener("install", (event) => {
  event.waitUntil((async () => {
    const cache = await caches.open(STATIC_CACHE);
    // Without cookies: what is kept can hold nobody's data. Versioned static files may come from
    // the HTTP cache (the page has just loaded most of them); the pages are fetched afresh.
    await cache.addAll(SETTINGS.precache.map((url) => new Request(url, {
      credentials: "omit", cache: url.startsWith("/static/") ? "default" : "reload",
    })));
    await self.skipWaiting();
  })());
});

self.addEventListener("activate", (event) => {
  event.waitUntil((async () => {
    const old = (await caches.keys()).filter((name) => name.startsWith("diary-") && name !== STATIC_CACHE);
    await Promise.all(old.map((name) => caches.delete(name)));
    await self.clients.claim();
    if (old.length) {
      for (const client of await self.clients.matchAll({ type: "window" })) {
        client.postMessage({ type: "diary-updated", version: SETTINGS.version });
      }
    }
  })());
});

async function kept(url) {
  const cache = await caches.open(STATIC_CACHE);
  return (await cache.match(url, { ignoreVary: true })) || new Response("No connection.", {
    status: 503, headers: { "Content-Type": "text/plain; charset=utf-8" },
  });
}

async function page(request) {
  const url = new URL(request.url);
  try {
    return await fetch(request);
  } catch {
    if (request.method === "POST") {
      const save = DAY_SAVE.exec(url.pathname);
      if (save) {
        // Back to the page the save came from, where offline.js queues what it kept of it.
        let back = `/days/${save[1]}`;
        try {
          const from = new URL(request.referrer);
          if (from.origin === url.origin && DAY_PAGE.test(from.pathname)) back = from.pathname;
        } catch { /* no referrer */ }
        return Response.redirect(`${back}#offline-save`, 303);
      }
      // Back to the advice page, where offline.js queues the sign for today.
      const add = ADVICE_ADD.exec(url.pathname);
      if (add) return Response.redirect(`/red-flags/${add[1]}#offline-save`, 303);
      return kept(SETTINGS.offlinePage);
    }
    if (ADVICE_PAGE.test(url.pathname)) return kept(url.pathname);
    return kept(DAY_PAGE.test(url.pathname) ? SETTINGS.shellPage : SETTINGS.offlinePage);
  }
}

async function staticFile(request) {
  const hit = await caches.match(request, { ignoreVary: true });
  if (hit) return hit;
  const response = await fetch(request);
  if (response.ok && response.type === "basic") {
    const cache = await caches.open(STATIC_CACHE);
    await cache.put(request, response.clone());
  }
  return response;
}

async function networkFirst(request) {
  try {
    return await fetch(request);
  } catch {
    return kept(new URL(request.url).pathname);
  }
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (request.mode === "navigate") {
    event.respondWith(page(request));
  } else if (request.method === "GET" && url.pathname.startsWith("/static/")) {
    event.respondWith(staticFile(request));
  } else if (request.method === "GET" && url.pathname === "/manifest.webmanifest") {
    event.respondWith(networkFirst(request));
  }
  // Everything else (the API above all) goes to the network untouched.
});

self.addEventListener("sync", (event) => {
  if (event.tag !== "diary-outbox" || !self.DiaryOffline) return;
  event.waitUntil(self.DiaryOffline.syncAll({ force: true }).then((result) => {
    // A rejected promise asks the browser to try again later.
    if (result && result.retryLater) throw new Error("The diary is not reachable yet.");
  }));
});

// Reminders (docs/reminders.md): a push carries {title, body, url} (no health data), encrypted
// by the server (RFC 8291); the notification opens, or focuses, that page of the diary.
self.addEventListener("push", (event) => {
  let message = {};
  try {
    message = event.data ? event.data.json() : {};
  } catch { /* not JSON: the default words below */ }
  // Only a page of this site: a path, never another origin ("//host" and "/\host" are ones).
  const url = typeof message.url === "string" && /^\/(?![/\\])/.test(message.url) ? message.url : "/today";
  event.waitUntil(self.registration.showNotification(message.title || "Time for your headache diary", {
    body: message.body || "", tag: "diary-reminder", icon: SETTINGS.notificationIcon, data: { url },
  }));
});

self.addEventListener("notificationclick", (event) => {
  event.notification.close();
  const url = new URL((event.notification.data && event.notification.data.url) || "/today", self.location.origin);
  event.waitUntil((async () => {
    const windows = await self.clients.matchAll({ type: "window", includeUncontrolled: true });
    const open = windows.find((client) => new URL(client.url).pathname === url.pathname)
      || windows.find((client) => new URL(client.url).origin === url.origin);
    if (open) {
      if (new URL(open.url).pathname !== url.pathname && "navigate" in open) await open.navigate(url.href);
      return open.focus();
    }
    return self.clients.openWindow(url.href);
  })());
});
