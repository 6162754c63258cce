/* 直播间: the player (native HLS, else hls.js), the comment channel (SSE, else polling),
 * 弹幕, comments, likes batched per 1.5 s, heartbeats, 预约. The page works without it:
 * the comments already published and the replay are in the HTML. */
(function () {
  "use strict";
  var root = document.getElementById("live-room");
  if (!root) return;
  var $ = function (id) { return document.getElementById(id); };
  var api = root.dataset.api, roomId = root.dataset.room;
  var seen = {}, signedIn = false, pendingLikes = 0, polling = null, lastHeartbeat = 0;
  var DANMAKU_MAX = 12;

  function device() {
    var key = "rm_live_did", id = null;
    try { id = localStorage.getItem(key); } catch (e) { /* private mode */ }
    if (!id) {
      var bytes = new Uint8Array(12);
      (window.crypto || window.msCrypto).getRandomValues(bytes);
      id = Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
      try { localStorage.setItem(key, id); } catch (e) { /* ignore */ }
    }
    return id;
  }
  var did = device();

  function csrf() {
    var m = document.cookie.match(/(?:^|; )csrftoken=([^;]+)/);
    return m ? decodeURIComponent(m[1]) : "";
  }
  function send(method, url, body) {
    return fetch(url, {
      method: method, credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf() },
      body: body ? JSON.stringify(body) : undefined
    }).then(function (r) {
      return r.json().catch(function () { return {}; }).then(function (data) {
        if (!r.ok) { var err = new Error(data.message || "网络异常，请稍后再试"); err.data = data; throw err; }
        return data;
      });
    });
  }
  function text(el, value) { if (el) el.textContent = value; }
  function showError(message) {
    var el = $("live-error");
    if (!el) return;
    el.textContent = message; el.hidden = !message;
  }

  /* --- the player ------------------------------------------------------------------ */
  var video = $("live-video"), status = $("live-status"), hls = null, retry = null;
  function offline(on) {
    if (!status) return;
    status.hidden = !on;
    if (on) status.textContent = "主播暂时离开，马上回来";
  }
  function attach() {
    var src = root.dataset.hls;
    if (!video || !src) return;
    if (video.canPlayType("application/vnd.apple.mpegurl")) {
      video.src = src;
      video.addEventListener("error", function () { offline(true); later(); });
      video.addEventListener("playing", function () { offline(false); });
      return;
    }
    if (!window.Hls) {
      var s = document.createElement("script");
      s.src = root.dataset.hlsjs; s.onload = attach;
      document.head.appendChild(s);
      return;
    }
    if (!window.Hls.isSupported()) { offline(true); return; }
    if (hls) hls.destroy();
    hls = new window.Hls({ liveSyncDurationCount: 3, manifestLoadingMaxRetry: 2 });
    hls.on(window.Hls.Events.MANIFEST_PARSED, function () { offline(false); video.play().catch(function () {}); });
    hls.on(window.Hls.Events.ERROR, function (event, data) {
      if (data.fatal) { offline(true); later(); }
    });
    hls.loadSource(src);
    hls.attachMedia(video);
  }
  function later() {  /* auto-resume: try the stream again every 5 s */
    if (retry) return;
    retry = setTimeout(function () { retry = null; attach(); }, 5000);
  }

  /* --- what arrives on the channel ---------------------------------------------------- */
  var list = $("live-comments"), danmaku = $("live-danmaku");
  function addComment(m, fly) {
    if (!list || !m.cid || list.querySelector('[data-cid="' + m.cid + '"]')) return;
    var empty = $("live-no-comments");
    if (empty) empty.remove();
    var li = document.createElement("li"), b = document.createElement("b");
    li.dataset.cid = m.cid; b.textContent = m.author;
    li.appendChild(b); li.appendChild(document.createTextNode("：" + m.body));
    list.insertBefore(li, list.firstChild);
    while (list.children.length > 200) list.removeChild(list.lastChild);
    var mine = $("live-mine"), own = mine && mine.querySelector('[data-cid="' + m.cid + '"]');
    if (own) own.remove();
    if (fly && danmaku && danmaku.children.length < DANMAKU_MAX) {
      var span = document.createElement("span");
      span.textContent = m.body;
      span.style.top = (Math.random() * 80) + "%";
      span.addEventListener("animationend", function () { span.remove(); });
      danmaku.appendChild(span);
    }
  }
  function figures(viewers, likes) {
    if (typeof viewers === "number") text($("live-viewers"), viewers);
    if (typeof likes === "number") {  /* likes only grow: a cached poll never lowers them */
      var el = $("live-likes");
      if (el && likes > (parseInt(el.textContent, 10) || 0)) el.textContent = likes;
    }
  }
  function priority(m) {
    if (m.kind === "retract") {
      var gone = document.querySelectorAll('[data-cid="' + m.cid + '"]');
      Array.prototype.forEach.call(gone, function (el) { el.remove(); });
    } else if (m.kind === "notice") {
      var n = $("live-notice");
      if (n) { n.textContent = (m.pinned ? "【置顶】" : "【公告】") + m.body; n.hidden = false; }
    } else if (m.kind === "product") {
      product(m);
    } else if (m.kind === "draw") {
      draw(m);
    } else if (m.kind === "state") {
      if (typeof m.online === "boolean") offline(!m.online);
      if (m.label) text($("live-badge"), m.label);
      if (m.state && m.state !== root.dataset.state) {
        root.dataset.state = m.state;
        if (m.state === "live" && !root.dataset.hls) location.reload();
        if (m.state === "ended") { offline(false); text(status, "直播已结束"); if (status) status.hidden = false; }
      }
      if (typeof m.comments_closed === "boolean") {
        var form = $("live-form");
        if (form && signedIn) form.hidden = m.comments_closed;
        showError(m.comments_closed ? "本直播间已关闭评论" : "");
      }
    } else if (m.kind === "post") {
      if (root.dataset.kind === "blog") location.reload();
    } else if (m.kind === "quiz") {
      quiz(m);
    }
  }
  var quizQueue = null;  /* messages that arrived while the card's script was loading */
  function quiz(m) {  /* 直播答题 (活动): its card script comes with the first question */
    var box = $("live-quiz");
    if (!box || !m.script || m.script.charAt(0) !== "/") return;
    var show = function (msg) {
      window.RongmeiLiveQuiz.show(box, msg, {
        signedIn: function () { return signedIn; },
        login: "/login/?next=" + encodeURIComponent(location.pathname)
      });
    };
    if (window.RongmeiLiveQuiz) { show(m); return; }
    if (quizQueue) { quizQueue.push(m); return; }
    quizQueue = [m];
    if (m.style && m.style.charAt(0) === "/") {
      var link = document.createElement("link");
      link.rel = "stylesheet"; link.href = m.style;
      document.head.appendChild(link);
    }
    var s = document.createElement("script");
    s.src = m.script;
    s.onload = function () { var queued = quizQueue; quizQueue = null; queued.forEach(show); };
    document.head.appendChild(s);
  }
  function product(m) {
    var box = $("live-goods"), ul = $("live-goods-list");
    if (!ul) return;
    if (m.removed) {
      var old = ul.querySelector('[data-product="' + m.removed + '"]');
      if (old) old.remove();
      return;
    }
    var p = m.product, li = ul.querySelector('[data-product="' + p.id + '"]');
    Array.prototype.forEach.call(ul.children, function (el) { el.classList.remove("is-presenting"); });
    if (!li) {
      li = document.createElement("li"); li.dataset.product = p.id;
      var a = document.createElement("a"), span = document.createElement("span"), b = document.createElement("b");
      a.href = p.url; span.textContent = p.title; b.textContent = "去看看";
      a.appendChild(span);
      if (p.price) { var em = document.createElement("em"); em.textContent = p.price; a.appendChild(em); }
      a.appendChild(b); li.appendChild(a);
    }
    li.classList.add("is-presenting");
    ul.insertBefore(li, ul.firstChild);
    box.hidden = false;
  }
  function draw(m) {
    var box = $("live-draw");
    if (!box) return;
    box.textContent = "";
    var h = document.createElement("h2"), p = document.createElement("p");
    h.className = "rm-section__title";
    if (m.status === "drawn") {
      h.textContent = "开奖啦：" + m.prize;
      p.textContent = "中奖观众：" + (m.winners || []).map(function (w) { return w.name + "（" + w.phone + "）"; }).join("、");
      var proof = document.createElement("p");
      proof.className = "rm-hint";
      proof.textContent = "共" + m.entries_count + "人参与；种子 " + m.seed + "，可凭参与名单摘要 " + m.entries_digest + " 复核";
      box.appendChild(h); box.appendChild(p); box.appendChild(proof);
    } else {
      h.textContent = "抽奖：" + m.prize + " × " + m.winners_count;
      p.textContent = (m.rule || "") + "。承诺值 " + m.commitment;
      box.appendChild(h); box.appendChild(p);
    }
    box.hidden = false;
  }
  function handle(m, fly) {
    if (m.id) { if (seen[m.id]) return; seen[m.id] = 1; }
    if (m.kind === "comment") addComment(m, fly); else priority(m);
  }
  function frame(f) {
    (f.p || []).forEach(function (m) { handle(m, false); });
    (f.m || []).forEach(function (m) { handle(m, true); });
    figures(f.v, f.l);
  }

  /* --- the channel: SSE, else polling ------------------------------------------------------ */
  function poll() {
    fetch(root.dataset.poll, { credentials: "omit" }).then(function (r) { return r.json(); }).then(function (d) {
      (d.priority || []).slice().reverse().forEach(function (m) {
        /* a message read back later: its t is when it was sent, the server's now is d.t */
        if (m.kind === "quiz" && typeof d.t === "number") m.server_time = d.t;
        handle(m, false);
      });
      (d.messages || []).slice().reverse().forEach(function (m) { handle(m, true); });
      figures(d.viewers, d.likes);
      if (typeof d.online === "boolean" && root.dataset.state === "live") offline(!d.online);
    }).catch(function () {});
  }
  function startPolling() {
    if (polling) return;
    poll();
    polling = setInterval(poll, 2000);
  }
  function connect() {
    var url = root.dataset.stream;
    if (!url || !window.EventSource) { startPolling(); return; }
    /* The stream carries what is sent from now on; one read of the recent list (cached
       for everyone) brings what is already on screen for the others: the question of a
       直播答题 in progress, a draw, the product being presented. */
    poll();
    var opened = false, failures = 0;
    var source = new EventSource(url + "?d=" + encodeURIComponent(did));
    source.onopen = function () { opened = true; failures = 0; };
    source.onmessage = function (e) { try { frame(JSON.parse(e.data)); } catch (err) { /* ignore */ } };
    source.onerror = function () {
      failures += 1;
      if (!opened || failures > 3) { source.close(); startPolling(); }
    };
  }
  function heartbeat() {  /* polling viewers are counted by this; signed-in ones earn points */
    if (root.dataset.state !== "live") return;
    if (!polling && !signedIn) return;
    lastHeartbeat = Date.now();
    send("POST", api + "/heartbeat", { device: did }).then(function (d) { figures(d.viewers, d.likes); }).catch(function () {});
  }

  /* --- the resident's own actions ------------------------------------------------------------ */
  function me() {
    fetch(api + "/me", { credentials: "same-origin" }).then(function (r) { return r.json(); }).then(function (d) {
      signedIn = !!d.signed_in;
      var form = $("live-form"), login = $("live-login"), remind = $("live-remind");
      if (form) form.hidden = !signedIn;
      if (login) login.hidden = signedIn;
      if (remind) { remind.hidden = false; remind.textContent = d.booked ? "已预约" : "预约"; remind.dataset.on = d.booked ? "1" : ""; }
      (d.pending || []).forEach(mine);
      if (signedIn) heartbeat();
    }).catch(function () {});
  }
  function mine(c) {
    var ul = $("live-mine");
    if (!ul || ul.querySelector('[data-cid="' + c.id + '"]')) return;
    var li = document.createElement("li");
    li.className = "is-pending"; li.dataset.cid = c.id;
    li.textContent = "我：" + c.body + "（审核中，仅自己可见）";
    ul.insertBefore(li, ul.firstChild);
  }
  var form = $("live-form");
  if (form) {
    form.addEventListener("submit", function (e) {
      e.preventDefault();
      var input = $("live-body"), body = input.value.trim();
      if (!body) { showError("请填写评论内容"); return; }
      send("POST", api + "/comments", { body: body }).then(function (c) {
        input.value = ""; showError("");
        if (c.status === "pending") mine(c); else addComment({ cid: c.id, author: c.author, body: c.body }, true);
      }).catch(function (err) { showError(err.message); });
    });
  }
  var like = $("live-like");
  if (like) {
    like.addEventListener("click", function () {
      pendingLikes += 1;
      var el = $("live-likes");
      if (el) el.textContent = (parseInt(el.textContent, 10) || 0) + 1;
    });
    setInterval(function () {
      if (!pendingLikes) return;
      var count = Math.min(pendingLikes, 50);
      pendingLikes -= count;
      send("POST", api + "/likes", { count: count, device: did }).then(function (d) { figures(undefined, d.likes); })
        .catch(function () {});
    }, 1500);
  }
  var remind = $("live-remind");
  if (remind) {
    remind.addEventListener("click", function () {
      if (!signedIn) { location.href = "/login/?next=" + encodeURIComponent(location.pathname); return; }
      var on = !remind.dataset.on;
      send(on ? "PUT" : "DELETE", api + "/reminder").then(function (d) {
        remind.dataset.on = d.booked ? "1" : ""; remind.textContent = d.booked ? "已预约" : "预约";
      }).catch(function (err) { showError(err.message); });
    });
  }

  me();
  if (root.dataset.state === "live" || root.dataset.state === "scheduled") {
    attach();
    connect();
    setInterval(function () { if (Date.now() - lastHeartbeat >= 19000) heartbeat(); }, 5000);
  }
})();
