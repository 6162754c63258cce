{% load static %}/* {{ site_name }} service worker: precache the shell, network-first for pages with an
   offline fallback, cache-first for static files (their URLs change when they change);
   breaking-news Web Push notifications (rongmei.push). */
const VERSION = "rongmei-{{ version }}";
const PRECACHE = {{ precache|safe }};
self.addEventListener("install", (event) => {
  event.waitUntil(caches.open(VERSION).then((cache) => cache.addAll(PRECACHE)).then(() => self.skipWaiting()));
});
// Pages kept for offline reading, and for whom they were made (X-Rongmei-Viewer, set by
// rongmei.core.freshness: "anon-std", "anon-elder" or "person").
const PAGES = VERSION + "-pages";
const VIEWER_KEY = "/__rongmei_viewer__";
self.addEventListener("activate", (event) => {
  event.waitUntil(caches.keys().then((keys) => Promise.all(keys.filter((k) => k !== VERSION && k !== PAGES).map((k) => caches.delete(k)))).then(() => self.clients.claim()));
});
// Only pages that are the same for everyone (marked public by the page cache) are kept, and
// only for the viewer they were made for: the first page made for someone else (after
// logging in or out, or switching 长辈模式) empties the offline copies, so a signed-in
// phone is never shown a visitor's copy and an elder-mode phone never a normal one.
async function keepForOffline(request, response) {
  const viewer = response.headers.get("X-Rongmei-Viewer") || "";
  let pages = await caches.open(PAGES);
  const last = await pages.match(VIEWER_KEY);
  if (!last || (await last.text()) !== viewer) {
    await caches.delete(PAGES);
    pages = await caches.open(PAGES);
    await pages.put(VIEWER_KEY, new Response(viewer));
  }
  if (response.ok && /\bpublic\b/.test(response.headers.get("Cache-Control") || "")) {
    await pages.put(request, response);
  }
}
self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin || url.pathname.startsWith("/admin/") || url.pathname.startsWith("/api/")) return;
  if (request.mode === "navigate") {
    // Network first, always: the server decides what this person sees. The kept copy is
    // only for when there is no network at all.
    event.respondWith(fetch(request).then((response) => {
      event.waitUntil(keepForOffline(request, response.clone()));
      return response;
    }).catch(() => caches.open(PAGES).then((pages) => pages.match(request)).then((hit) => hit || caches.match("/offline/"))));
    return;
  }
  if (url.pathname.startsWith("/static/")) {
    event.respondWith(caches.match(request).then((hit) => hit || fetch(request).then((response) => {
      const copy = response.clone();
      caches.open(VERSION).then((cache) => cache.put(request, copy));
      return response;
    })));
  }
});

// Web Push (rongmei.push): the payload is {title, body, url, icon, tag} (push/sender.py).
const PUSH_ICON = "{% static 'rongmei/img/icon-192.png' %}";
self.addEventListener("push", (event) => {
  let data = {};
  try {
    data = event.data ? event.data.json() : {};
  } catch (error) {
    data = { body: event.data ? event.data.text() : "" };
  }
  event.waitUntil(self.registration.showNotification(data.title || "{{ site_name|escapejs }}", {
    body: data.body || "",
    icon: data.icon || PUSH_ICON,
    badge: PUSH_ICON,
    tag: data.tag || undefined,
    lang: "zh-CN",
    data: { url: data.url || "/" },
  }));
});
self.addEventListener("notificationclick", (event) => {
  event.notification.close();
  const target = new URL((event.notification.data && event.notification.data.url) || "/", self.location.origin);
  if (target.origin !== self.location.origin) return;  // a push only ever opens our own site
  event.waitUntil(self.clients.matchAll({ type: "window", includeUncontrolled: true }).then((windows) => {
    const open = windows.find((client) => client.url === target.href && "focus" in client);
    return open ? open.focus() : self.clients.openWindow(target.href);
  }));
});
