/* 直播答题: one card showing the pushed question, the server's countdown, the viewer's answer,
 * the revealed key and the final ranking. Used by the quiz's own page (which polls the
 * state) and by the live room (which hands over the messages of its channel).
 * The server keeps the clock: remaining time is closes_at minus the server's time, corrected
 * by the offset between the server's clock and this phone's. */
(function () {
  "use strict";
  if (window.RongmeiLiveQuiz) return;

  function csrf() {
    var m = document.cookie.match(/(?:^|; )csrftoken=([^;]+)/);
    return m ? decodeURIComponent(m[1]) : "";
  }
  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  var cards = [];  /* one state per box */
  function card(box) {
    for (var i = 0; i < cards.length; i++) if (cards[i].box === box) return cards[i];
    var c = { box: box, item: null, picked: [], sent: false, offset: 0, timer: null, message: null };
    cards.push(c);
    return c;
  }

  function remaining(c) {
    var q = c.message && c.message.question;
    if (!q) return 0;
    return Math.max(0, Math.ceil(q.closes_at - (Date.now() + c.offset) / 1000));
  }

  function submit(c, opts) {
    var q = c.message.question;
    if (!c.picked.length) { c.error = "请先选择选项"; render(c, opts); return; }
    c.busy = true; c.error = "";
    fetch(c.message.answer_url, {
      method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf() },
      body: JSON.stringify({ item_id: q.item, choice: c.picked })
    }).then(function (r) {
      return r.json().catch(function () { return {}; }).then(function (d) {
        c.busy = false;
        if (r.ok) { c.sent = true; c.picked = d.choice || c.picked; }
        else if (d.code === "already_answered") { c.sent = true; }
        else if (r.status === 401) { c.error = "请先登录再作答"; }
        else { c.error = d.message || "提交失败，请稍后再试"; }
        render(c, opts);
      });
    }).catch(function () { c.busy = false; c.error = "网络异常，请稍后再试"; render(c, opts); });
  }

  function render(c, opts) {
    var m = c.message, box = c.box;
    c.clock = null;
    box.textContent = "";
    box.hidden = false;
    var title = el("h2", "rm-section__title", "直播答题" + (m.title ? "：" + m.title : ""));
    box.appendChild(title);
    if (m.phase === "finished" || m.status === "finished") {
      box.appendChild(el("p", "ax-live__note", "本场答题已结束，感谢参与！"));
      if (opts.ownPage) return;  /* the page's own 排行榜 shows the ranking */
      var ol = el("ol", "ax-board");
      (m.leaderboard || []).forEach(function (r) {
        ol.appendChild(el("li", "", r.name + " · 答对" + r.correct + "题 · " + r.seconds + "秒"));
      });
      if (!ol.children.length) ol.appendChild(el("li", "rm-hint", "本场没有人作答"));
      box.appendChild(ol);
      if (m.page_url && !opts.ownPage) { var a = el("a", "", "查看完整排行"); a.href = m.page_url; box.appendChild(a); }
      return;
    }
    var q = m.question;
    if (!q) { box.appendChild(el("p", "rm-empty", "答题还没开始，请等待主持人推送题目")); return; }
    var result = m.result, left = remaining(c), open = !result && left > 0;
    box.appendChild(el("p", "ax-live__meta", "第" + q.position + "题 · " + q.kind_label));
    box.appendChild(el("p", "ax-live__text", q.text));
    var list = el("ol", "ax-live__options");
    q.options.forEach(function (option, index) {
      var li = el("li"), b = el("button", "ax-live__option", String.fromCharCode(65 + index) + ". " + option);
      b.type = "button";
      var mine = c.picked.indexOf(index) >= 0;
      b.setAttribute("aria-pressed", mine ? "true" : "false");
      if (result) {
        if (result.answer.indexOf(index) >= 0) b.classList.add("is-right");
        else if (mine) b.classList.add("is-wrong");
        b.appendChild(el("span", "ax-live__count", (result.counts[index] || 0) + "人"));
      }
      b.disabled = !open || c.sent || c.busy || !opts.signedIn();
      b.addEventListener("click", function () {
        if (q.kind === "multiple") {
          var at = c.picked.indexOf(index);
          if (at >= 0) c.picked.splice(at, 1); else c.picked.push(index);
          render(c, opts);
        } else {
          c.picked = [index];
          submit(c, opts);
        }
      });
      li.appendChild(b); list.appendChild(li);
    });
    box.appendChild(list);
    if (open && q.kind === "multiple" && !c.sent && opts.signedIn()) {
      var send = el("button", "weui-btn weui-btn_primary weui-btn_mini", "提交答案");
      send.type = "button"; send.disabled = c.busy;
      send.addEventListener("click", function () { submit(c, opts); });
      box.appendChild(send);
    }
    var note;
    if (result) {
      var right = c.sent && c.picked.slice().sort().join() === result.answer.slice().sort().join();
      note = c.sent ? (right ? "回答正确！" : "回答错误。") : "本题你没有作答。";
      note += "共" + result.answered + "人作答，" + result.right + "人答对。";
      box.appendChild(el("p", "ax-live__note", note));
      if (result.explanation) box.appendChild(el("p", "rm-hint", "解析：" + result.explanation));
    } else if (open) {
      var clock = el("p", "ax-live__clock", "剩余 " + left + " 秒");
      clock.setAttribute("role", "timer");
      box.appendChild(clock);
      c.clock = clock;
      if (!opts.signedIn()) {
        var login = el("a", "", "登录后作答"); login.href = opts.login || "/login/?next=" + encodeURIComponent(location.pathname);
        box.appendChild(login);
      } else if (c.sent) box.appendChild(el("p", "ax-live__note", "已提交，等待公布答案"));
    } else {
      box.appendChild(el("p", "ax-live__note", (c.sent ? "已提交。" : "") + "作答时间已结束，等待公布答案"));
    }
    if (c.error) { var e = el("p", "rm-error", c.error); e.setAttribute("role", "alert"); box.appendChild(e); }
  }

  /* A message from the live channel or a polled state: {phase|status, question, result, …}. */
  function show(box, m, opts) {
    opts = opts || {};
    if (!opts.signedIn) opts.signedIn = function () { return true; };
    var c = card(box);
    var serverNow = typeof m.server_time === "number" ? m.server_time : m.t;
    if (typeof serverNow === "number") c.offset = serverNow * 1000 - Date.now();
    var item = m.question ? m.question.item : null;
    if (item !== c.item) {
      c.item = item; c.picked = []; c.sent = false; c.error = "";
    }
    if (m.mine && m.mine.length) { c.picked = m.mine.slice(); c.sent = true; }
    c.message = m;
    render(c, opts);
    if (c.timer) clearInterval(c.timer);
    /* Each second only the countdown changes: the options are never rebuilt under a
       finger about to tap them. When the window closes the card is drawn once more. */
    c.timer = setInterval(function () {
      var left = remaining(c);
      if (c.clock) c.clock.textContent = "剩余 " + left + " 秒";
      if (left <= 0) { clearInterval(c.timer); c.timer = null; render(c, opts); }
    }, 1000);
  }
  window.RongmeiLiveQuiz = { show: show };

  /* The quiz's own page: poll the state every 2 s. */
  var page = document.getElementById("ax-live-quiz");
  if (!page) return;
  var opts = { ownPage: true, login: page.dataset.login, signedIn: function () { return !!page.dataset.signedIn; } };
  var last = "";
  function poll() {
    fetch(page.dataset.stateUrl, { credentials: "same-origin" }).then(function (r) { return r.json(); }).then(function (s) {
      var key = [s.status, s.question && s.question.item, !!s.result, (s.mine || []).join()].join("/");
      if (key !== last || !document.querySelector("#ax-live-quiz .ax-live__option")) {
        last = key;
        show(page, s, opts);
      }
      var ranks = document.getElementById("ax-live-ranks");
      if (ranks && s.leaderboard && s.leaderboard.length) {
        var empty = document.getElementById("ax-live-ranks-empty");
        if (empty) empty.remove();
        ranks.textContent = "";
        s.leaderboard.forEach(function (r) { ranks.appendChild(el("li", "", r.name + " · 答对" + r.correct + "题 · " + r.seconds + "秒")); });
      }
      if (s.status === "finished") clearInterval(polling);
    }).catch(function () { /* the next poll tries again */ });
  }
  var polling = setInterval(poll, 2000);
  poll();
})();
