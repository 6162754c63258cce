/* 互动栏: counts, likes, favourites, shares, comments and the read beacon.
   The bar's HTML is the same for every visitor (pages come from a shared cache); everything
   personal comes from /api/v1/engage/pages/{id}/state. Plain ES5 for cheap phones. */
(function () {
  "use strict";
  var API = "/api/v1/engage/";
  var DEVICE_KEY = "rm_did";

  function cookie(name) {
    var match = document.cookie.match(new RegExp("(?:^|; )" + name + "=([^;]*)"));
    return match ? decodeURIComponent(match[1]) : "";
  }

  function deviceId() {
    var id = "";
    try { id = window.localStorage.getItem(DEVICE_KEY) || ""; } catch (e) { id = ""; }
    if (!id) { id = cookie(DEVICE_KEY); }
    if (!/^[A-Za-z0-9_-]{8,64}$/.test(id)) {
      id = "";
      var chars = "abcdefghijklmnopqrstuvwxyz0123456789";
      var bytes = new Uint8Array(24);
      (window.crypto || window.msCrypto).getRandomValues(bytes);
      for (var i = 0; i < bytes.length; i++) { id += chars.charAt(bytes[i] % chars.length); }
    }
    try { window.localStorage.setItem(DEVICE_KEY, id); } catch (e) { /* private mode */ }
    document.cookie = DEVICE_KEY + "=" + id + "; path=/; max-age=63072000; SameSite=Lax";
    return id;
  }

  function call(method, path, body) {
    var headers = { "Accept": "application/json" };
    var token = cookie("csrftoken");
    if (token) { headers["X-CSRFToken"] = token; }
    if (body !== undefined) { headers["Content-Type"] = "application/json"; }
    return fetch(API + path, {
      method: method, headers: headers, credentials: "same-origin", keepalive: method === "POST",
      body: body === undefined ? undefined : JSON.stringify(body)
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (data) {
        if (!response.ok) {
          var error = new Error(data.message || "网络不太好，请稍后再试");
          error.status = response.status; error.code = data.code;
          throw error;
        }
        return data;
      });
    });
  }

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (text !== undefined) { node.textContent = text; }
    return node;
  }

  function when(iso) {
    var d = new Date(iso);
    function two(n) { return n < 10 ? "0" + n : "" + n; }
    return (d.getMonth() + 1) + "月" + d.getDate() + "日 " + two(d.getHours()) + ":" + two(d.getMinutes());
  }

  function commentItem(comment, pending) {
    var li = el("li", "rm-engage__item");
    li.setAttribute("data-comment", comment.id);
    var meta = el("p", "rm-engage__meta");
    meta.appendChild(el("span", "rm-engage__author", comment.author));
    meta.appendChild(document.createTextNode(" "));
    var time = el("time", "", when(comment.created_at));
    time.setAttribute("datetime", comment.created_at);
    meta.appendChild(time);
    if (pending) { meta.appendChild(document.createTextNode(" ")); meta.appendChild(el("span", "rm-engage__badge", "审核中")); }
    li.appendChild(meta);
    li.appendChild(el("p", "rm-engage__body", comment.body));
    (comment.replies || []).forEach(function (reply) {
      var box = el("div", "rm-engage__reply");
      box.appendChild(el("span", "rm-engage__official", "官方回复"));
      box.appendChild(document.createTextNode(" " + reply.body));
      li.appendChild(box);
    });
    if (!pending) {
      var report = el("button", "rm-engage__link", "举报");
      report.type = "button";
      report.setAttribute("data-engage-report", comment.id);
      li.appendChild(report);
    }
    return li;
  }

  function setup(root) {
    var pageId = root.getAttribute("data-page");
    var base = "pages/" + pageId + "/";
    var toast = root.querySelector("[data-engage-toast]");
    var state = { signed_in: false };
    var toastTimer = null;

    function say(text) {
      if (!toast) { return; }
      toast.textContent = text;
      toast.hidden = false;
      clearTimeout(toastTimer);
      toastTimer = setTimeout(function () { toast.hidden = true; }, 3000);
    }
    function setCount(name, value) {
      var nodes = root.querySelectorAll('[data-count="' + name + '"]');
      for (var i = 0; i < nodes.length; i++) { nodes[i].textContent = value; }
    }
    function setPressed(button, on) {
      button.setAttribute("aria-pressed", on ? "true" : "false");
      var label = button.querySelector("[data-label]");
      if (label) { label.textContent = button.getAttribute(on ? "data-on-label" : "data-off-label"); }
    }
    function needLogin() {
      say("请先登录");
      setTimeout(function () { window.location.href = root.getAttribute("data-login"); }, 800);
    }

    var form = root.querySelector("[data-engage-form]");
    var loginHint = root.querySelector("[data-engage-login]");
    var mine = root.querySelector("[data-engage-mine]");
    var list = root.querySelector("[data-engage-list]");

    function tidyEmpty() {
      // "还没有评论" is for the shared list: not while the reader's own comment shows above.
      var empty = root.querySelector("[data-engage-empty]");
      if (empty && mine) { empty.hidden = mine.children.length > 0; }
    }

    function applyState(data) {
      state = data;
      Object.keys(data.counts).forEach(function (name) { setCount(name, data.counts[name]); });
      var toggles = root.querySelectorAll("[data-engage-toggle]");
      for (var i = 0; i < toggles.length; i++) {
        var kind = toggles[i].getAttribute("data-engage-toggle");
        setPressed(toggles[i], kind === "like" ? data.liked : data.favourited);
      }
      if (form) { form.hidden = !(data.signed_in && data.comments_open); }
      if (loginHint) { loginHint.hidden = data.signed_in || !data.comments_open; }
      if (mine) {
        mine.innerHTML = "";
        data.pending.forEach(function (c) { mine.appendChild(commentItem(c, true)); });
        tidyEmpty();
      }
    }

    call("GET", base + "state").then(function (data) {
      applyState(data);
      return call("POST", base + "read", { device: deviceId() });
    }).catch(function () { /* counts stay as rendered */ });

    root.addEventListener("click", function (event) {
      var toggle = event.target.closest("[data-engage-toggle]");
      if (toggle) {
        var kind = toggle.getAttribute("data-engage-toggle");
        if (!state.signed_in) { needLogin(); return; }
        var on = toggle.getAttribute("aria-pressed") !== "true";
        toggle.disabled = true;
        call(on ? "PUT" : "DELETE", base + kind).then(function (data) {
          setPressed(toggle, data.on);
          setCount(kind === "like" ? "likes" : "favourites", data.count);
          if (kind === "favourite") { say(data.on ? "已收藏" : "已取消收藏"); }
        }).catch(function (error) {
          if (error.status === 401) { needLogin(); } else { say(error.message); }
        }).then(function () { toggle.disabled = false; });
        return;
      }
      if (event.target.closest("[data-engage-share]")) { share(); return; }
      var more = event.target.closest("[data-engage-more]");
      if (more) {
        event.preventDefault();
        call("GET", base + "comments?cursor=" + encodeURIComponent(more.getAttribute("data-cursor"))).then(function (data) {
          data.items.forEach(function (c) { list.appendChild(commentItem(c, false)); });
          if (data.next_cursor) { more.setAttribute("data-cursor", data.next_cursor); } else { more.remove(); }
        }).catch(function (error) { say(error.message); });
        return;
      }
      var report = event.target.closest("[data-engage-report]");
      if (report) {
        if (!state.signed_in) { needLogin(); return; }
        var reportForm = root.querySelector("[data-engage-report-form]");
        reportForm.setAttribute("data-comment", report.getAttribute("data-engage-report"));
        report.closest("li").appendChild(reportForm);
        reportForm.hidden = false;
        reportForm.querySelector("select").focus();
        return;
      }
      if (event.target.closest("[data-engage-report-cancel]")) {
        root.querySelector("[data-engage-report-form]").hidden = true;
      }
    });

    function countShare(channel) {
      call("POST", base + "share", { channel: channel }).then(function (data) {
        setCount("shares", data.shares);
      }).catch(function () { /* the share happened anyway */ });
    }
    function share() {
      var url = window.location.href.split("#")[0];
      if (navigator.share) {
        navigator.share({ title: document.title, url: url }).then(function () {
          countShare("system");
        }).catch(function () { /* cancelled */ });
        return;
      }
      var done = function () { say("链接已复制，粘贴到微信发给好友吧"); countShare("copy_link"); };
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(url).then(done, function () { fallbackCopy(url, done); });
      } else { fallbackCopy(url, done); }
    }
    function fallbackCopy(text, done) {
      var area = el("textarea");
      area.value = text;
      area.setAttribute("readonly", "");
      area.style.position = "fixed"; area.style.opacity = "0";
      document.body.appendChild(area);
      area.select();
      var ok = false;
      try { ok = document.execCommand("copy"); } catch (e) { ok = false; }
      document.body.removeChild(area);
      if (ok) { done(); } else { say("请长按地址栏复制链接分享"); }
    }

    if (form) {
      var error = form.querySelector("[data-engage-error]");
      form.addEventListener("submit", function (event) {
        event.preventDefault();
        var field = form.querySelector("textarea");
        var body = field.value.replace(/^\s+|\s+$/g, "");
        error.hidden = true;
        field.removeAttribute("aria-invalid");
        if (!body) { error.textContent = "请填写评论内容"; error.hidden = false; field.setAttribute("aria-invalid", "true"); field.focus(); return; }
        var button = form.querySelector("button[type=submit]");
        button.disabled = true;
        call("POST", base + "comments", { body: body }).then(function (comment) {
          field.value = "";
          mine.insertBefore(commentItem(comment, true), mine.firstChild);
          tidyEmpty();
          say("评论已提交，审核通过后公开");
        }).catch(function (failure) {
          if (failure.status === 401) { needLogin(); return; }
          error.textContent = failure.message; error.hidden = false;
          field.setAttribute("aria-invalid", "true");
        }).then(function () { button.disabled = false; });
      });
    }

    var reportForm = root.querySelector("[data-engage-report-form]");
    if (reportForm) {
      reportForm.addEventListener("submit", function (event) {
        event.preventDefault();
        var id = reportForm.getAttribute("data-comment");
        call("POST", "comments/" + id + "/report", {
          category: reportForm.querySelector("select").value,
          text: reportForm.querySelector("input").value
        }).then(function () { say("举报已提交，感谢您的监督"); }).catch(function (failure) {
          if (failure.status === 401) { needLogin(); } else { say(failure.message); }
        }).then(function () { reportForm.hidden = true; });
      });
    }

    // Video: pay "watch_video" once the video has played most of its length.
    var videos = document.querySelectorAll("video");
    for (var v = 0; v < videos.length; v++) {
      (function (video) {
        var sent = false;
        video.addEventListener("timeupdate", function () {
          if (sent || !state.signed_in || !video.duration || !isFinite(video.duration)) { return; }
          if (video.currentTime / video.duration >= 0.8) {
            sent = true;
            call("POST", base + "watched").catch(function () { sent = false; });
          }
        });
      })(videos[v]);
    }
  }

  function start() {
    var roots = document.querySelectorAll("[data-engage]");
    for (var i = 0; i < roots.length; i++) { setup(roots[i]); }
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", start); } else { start(); }
})();
