/* 我的 → 设置 → 突发新闻提醒: subscribe this browser to breaking-news Web Push, or stop.
   Permission is asked only when the resident taps the switch. */
(function () {
  "use strict";
  var root = document.querySelector("[data-push-switch]");
  if (!root) { return; }
  var toggle = root.querySelector("input[type=checkbox]");
  var status = root.querySelector("[data-push-status]");
  var subscriptionsUrl = root.getAttribute("data-subscriptions-url");
  var MESSAGES = {
    unsupported: "您的浏览器暂不支持消息推送。可使用手机自带浏览器、Chrome、Edge、Firefox 打开本站；" +
      "iPhone 需 iOS 16.4 以上，并先把本站“添加到主屏幕”后从主屏幕打开。在微信中请点右上角“…”选择在浏览器打开。",
    denied: "您已禁止本站发送通知。如需开启，请在浏览器的网站设置中允许“通知”，然后再打开此开关。",
    dismissed: "您没有允许通知，突发新闻提醒未开启。",
    serviceFailed: "无法连接浏览器的推送服务，请稍后再试或换用其他浏览器。",
    on: "已开启：有重大突发新闻时会通知您。",
    off: "已关闭突发新闻提醒。",
    working: "正在处理，请稍候…",
    failed: "操作没有成功，请检查网络后重试。"
  };

  function say(text) { status.textContent = text; }
  function fail(message) { var error = new Error(message); error.userMessage = message; return error; }

  var supported = "serviceWorker" in navigator && "PushManager" in window &&
    "Notification" in window && window.isSecureContext !== false;
  if (!supported) { say(MESSAGES.unsupported); return; }

  function registration() {
    return navigator.serviceWorker.register("/sw.js", { scope: "/" })
      .then(function () { return navigator.serviceWorker.ready; });
  }

  function api(method, url, body) {
    return fetch(url, {
      method: method, credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": root.getAttribute("data-csrf") || "" },
      body: body === undefined ? undefined : JSON.stringify(body)
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (data) {
        if (!response.ok) { throw fail(data.message || MESSAGES.failed); }
        return data;
      });
    });
  }

  function keyBytes(base64url) {
    var padded = (base64url + "===".slice((base64url.length + 3) % 4)).replace(/-/g, "+").replace(/_/g, "/");
    var raw = window.atob(padded);
    var bytes = new Uint8Array(raw.length);
    for (var i = 0; i < raw.length; i += 1) { bytes[i] = raw.charCodeAt(i); }
    return bytes;
  }

  function askPermission() {
    // Older Safari takes a callback instead of returning a promise.
    return new Promise(function (resolve) {
      var result = Notification.requestPermission(resolve);
      if (result && result.then) { result.then(resolve); }
    });
  }

  function sameKey(subscription, key) {
    var used = subscription.options && subscription.options.applicationServerKey;
    if (!used) { return true; }  // the browser does not say: assume the current key
    var a = new Uint8Array(used);
    if (a.length !== key.length) { return false; }
    for (var i = 0; i < a.length; i += 1) { if (a[i] !== key[i]) { return false; } }
    return true;
  }

  function turnOn() {
    var reg, key;
    return askPermission().then(function (permission) {
      if (permission === "denied") { throw fail(MESSAGES.denied); }
      if (permission !== "granted") { throw fail(MESSAGES.dismissed); }
      return Promise.all([registration(), fetch(root.getAttribute("data-key-url"), { credentials: "same-origin" })
        .then(function (response) {
          return response.json().then(function (data) {
            if (!response.ok || !data.public_key) { throw fail(data.message || MESSAGES.failed); }
            return data;
          });
        })]);
    }).then(function (found) {
      reg = found[0];
      key = keyBytes(found[1].public_key);
      return reg.pushManager.getSubscription();
    }).then(function (existing) {
      // A subscription made for an earlier server key would be refused by the push
      // service: replace it.
      if (existing && sameKey(existing, key)) { return existing; }
      return (existing ? existing.unsubscribe() : Promise.resolve()).then(function () {
        return reg.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: key });
      }).catch(function () { throw fail(MESSAGES.serviceFailed); });
    }).then(function (subscription) {
      return api("POST", subscriptionsUrl, subscription.toJSON()).catch(function (error) {
        subscription.unsubscribe();  // the server refused it: do not leave a silent subscription
        throw error;
      });
    });
  }

  function turnOff() {
    return registration().then(function (reg) { return reg.pushManager.getSubscription(); })
      .then(function (subscription) {
        if (!subscription) { return null; }
        var endpoint = subscription.endpoint;
        return subscription.unsubscribe().then(function () {
          return api("DELETE", subscriptionsUrl, { endpoint: endpoint });
        });
      });
  }

  toggle.addEventListener("change", function () {
    var wanted = toggle.checked;
    toggle.disabled = true;
    say(MESSAGES.working);
    (wanted ? turnOn() : turnOff()).then(function () {
      toggle.checked = wanted;
      say(wanted ? MESSAGES.on : MESSAGES.off);
    }).catch(function (error) {
      toggle.checked = !wanted;
      say(error.userMessage || MESSAGES.failed);
    }).then(function () { toggle.disabled = false; });
  });

  // Show the browser's current state.
  if (Notification.permission === "denied") {
    toggle.disabled = false;
    say(MESSAGES.denied);
    return;
  }
  registration().then(function (reg) { return reg.pushManager.getSubscription(); })
    .then(function (subscription) {
      toggle.checked = Boolean(subscription) && Notification.permission === "granted";
      if (toggle.checked) { say(MESSAGES.on); }
    })
    .catch(function () {})
    .then(function () { toggle.disabled = false; });
}());
