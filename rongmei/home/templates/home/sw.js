{% load static %}/* {{ site_name }} service worker: precache the shell, network-first for pages with an
   offline fallback, cache-first for static files (their URLs change when they change);
   breaking-news Web Push notifications (rongmei.push). */
const VERSION = "rongmei-{{ version }}";
const PRECACHE = {{ precache|safe }};
self.addEventListener("install", (event) => {
  event.waitUntil(caches.open(VERSION).then((cache) => cache.addAll(PRECACHE)).then(() => self.skipWaiting()));
});
self.addEventListener("activate", (event) => {
  event.waitUntil(caches.keys().then((keys) => Promise.all(keys.filter((k) => k !== VERSION).map((k) => caches.delete(k)))).then(() => self.clients.claim()));
});
self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin || url.pathname.startsWith("/admin/") || url.pathname.startsWith("/api/")) return;
  if (request.mode === "navigate") {
    event.respondWith(fetch(request).then((response) => {
      // Only pages that are the same for everyone (marked public by the page cache) are
      // kept for offline use: a signed-in resident's pages must not outlive their session
      // on a shared phone.
      if (response.ok && /\bpublic\b/.test(response.headers.get("Cache-Control") || "")) {
        const copy = response.clone();
        caches.open(VERSION).then((cache) => cache.put(request, copy));
      }
      return response;
    }).catch(() => caches.match(request).then((hit) => hit || caches.match("/offline/"))));
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
