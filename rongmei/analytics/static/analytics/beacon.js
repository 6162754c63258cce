/* 数据: the first-party beacon. No third-party SDK, no cookies: an anonymous device id
   (issued and signed by the server once, kept in localStorage), the 渠道码 the device
   first arrived with (?ch=), and a few events, sent in one small POST when the page is
   hidden or a few seconds after something happened.
   Events: app_open (once per browser session), page_view (channel from ?channel= or
   data-channel, story from the 互动 bar's data-page), read_time and watch_time (seconds the
   page was visible / media played), share, search, install (PWA), push_open (?from=push). */
(function () {
  "use strict";
  var script = document.currentScript;
  var ENDPOINT = (script && script.getAttribute("data-endpoint")) || "/analytics/collect";
  var queue = [];
  var timer = null;

  function store(kind) {
    try { return window[kind]; } catch (e) { return null; }
  }
  var local = store("localStorage");
  var session = store("sessionStorage");

  // The device id is issued and signed by the server (POST /analytics/device) the first
  // time, then kept: an id made up in the browser is refused, so figures cannot be inflated.
  var DEVICE_URL = (script && script.getAttribute("data-device-endpoint")) || "/analytics/device";
  var SIGNED = /^[A-Za-z0-9_-]{8,43}\.[A-Za-z0-9_-]{16}$/;
  var device = local && local.getItem("rm_aid");
  if (device && !SIGNED.test(device)) { device = null; }
  var waiting = [];

  function withDevice(then) {
    if (device) { then(); return; }
    waiting.push(then);
    if (waiting.length > 1 || !window.fetch) { return; }
    fetch(DEVICE_URL, { method: "POST", credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (answer) {
        var ready = waiting.splice(0, waiting.length);
        if (answer && SIGNED.test(answer.device || "")) {
          device = answer.device;
          if (local) { local.setItem("rm_aid", device); }
          ready.forEach(function (fn) { fn(); });
        }
      })
      .catch(function () { waiting.length = 0; });
  }
  withDevice(function () {});  // ask at once, so the first events need not wait
  var params = new URLSearchParams(window.location.search);
  var arrived = params.get("ch");
  if (arrived && /^[A-Za-z0-9_-]{2,32}$/.test(arrived) && local && !local.getItem("rm_ach")) {
    local.setItem("rm_ach", arrived);  // first touch wins: a later code never re-attributes
  }
  var code = (local && local.getItem("rm_ach")) || "";

  var engage = document.querySelector("[data-engage][data-page]");
  var marked = document.querySelector("[data-analytics-page]");
  var pageId = parseInt((marked && marked.getAttribute("data-analytics-page")) ||
                        (engage && engage.getAttribute("data-page")) || "", 10) || null;
  var channelEl = document.querySelector("[data-channel]");
  var channel = params.get("channel") || (channelEl && channelEl.getAttribute("data-channel")) || "";
  if (!/^[A-Za-z0-9_-]{1,40}$/.test(channel)) { channel = ""; }

  function send() {
    timer = null;
    if (!queue.length) { return; }
    if (!device) { withDevice(send); return; }
    var body = JSON.stringify({ device: device, events: queue.splice(0, 20) });
    var sent = false;
    if (navigator.sendBeacon) {
      try { sent = navigator.sendBeacon(ENDPOINT, new Blob([body], { type: "application/json" })); }
      catch (e) { sent = false; }
    }
    if (!sent && window.fetch) {
      fetch(ENDPOINT, { method: "POST", body: body, keepalive: true, credentials: "same-origin",
                        headers: { "Content-Type": "application/json" } }).catch(function () {});
    }
    if (queue.length) { send(); }
  }

  function track(name, extra) {
    var event = { name: name };
    if (channel) { event.channel = channel; }
    if (pageId) { event.page = pageId; }
    if (code) { event.code = code; }
    if (extra) { for (var key in extra) { event[key] = extra[key]; } }
    queue.push(event);
    if (!timer) { timer = window.setTimeout(send, 3000); }
  }

  if (session && !session.getItem("rm_open")) {
    session.setItem("rm_open", "1");
    track("app_open");
  }
  track("page_view");
  if (params.get("from") === "push") { track("push_open"); }
  if (document.querySelector("form[role=search]") && params.get("q")) { track("search"); }

  // Seconds the page was visible, and seconds media played.
  var visibleSince = document.visibilityState === "visible" ? Date.now() : null;
  var visibleMs = 0;
  var watchedMs = 0;
  var playingSince = null;
  document.addEventListener("play", function () { playingSince = Date.now(); }, true);
  document.addEventListener("pause", function () {
    if (playingSince) { watchedMs += Date.now() - playingSince; playingSince = null; }
  }, true);

  function flushTimes() {
    if (visibleSince) { visibleMs += Date.now() - visibleSince; visibleSince = null; }
    if (playingSince) { watchedMs += Date.now() - playingSince; playingSince = Date.now(); }
    if (pageId && visibleMs >= 1000) {
      track("read_time", { value: Math.round(visibleMs / 1000) });
      visibleMs = 0;
    }
    if (watchedMs >= 1000) {
      track("watch_time", { value: Math.round(watchedMs / 1000) });
      watchedMs = 0;
    }
    send();
  }
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "hidden") { flushTimes(); }
    else { visibleSince = Date.now(); }
  });
  window.addEventListener("pagehide", flushTimes);

  document.addEventListener("click", function (event) {
    var target = event.target.closest && event.target.closest("[data-engage-share]");
    if (target) { track("share"); }
  });
  window.addEventListener("appinstalled", function () { track("install"); send(); });
})();
