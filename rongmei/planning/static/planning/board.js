// 指挥大屏: refresh the board every 30 s from its JSON (textContent only, never markup).
(function () {
  var box = document.getElementById("pl-board");
  function list(id, items, text) {
    var ul = document.getElementById(id); ul.textContent = "";
    (items.length ? items : [null]).forEach(function (item) {
      var li = document.createElement("li"); li.textContent = item ? text(item) : "无";
      if (item && item.overdue) { li.className = "pl-late"; }
      ul.appendChild(li);
    });
  }
  function refresh() {
    fetch(box.dataset.url, {credentials: "same-origin"}).then(function (r) { return r.ok ? r.json() : null; }).then(function (b) {
      if (!b) { return; }
      document.getElementById("pl-at").textContent = b.at;
      document.getElementById("pl-tips").textContent = b.tips_new;
      list("pl-topics", b.topics, function (t) { return t.title + "（" + t.status + "）"; });
      list("pl-events", b.events || [], function (e) { return e.starts + " " + e.title + (e.place ? " @" + e.place : "") + (e.coverages ? "（" + e.coverages + "）" : ""); });
      list("pl-states", b.assignments, function (s) { return s.label + "：" + s.count; });
      list("pl-onjob", b.on_job, function (a) { return a.who + "·" + a.duty + "：" + a.topic + (a.place ? " @" + a.place : "") + "（" + a.status + "，至" + a.until + "）"; });
      list("pl-review", b.in_review, function (s) { return s.title; });
      list("pl-published", b.published_today, function (s) { return s.title; });
      list("pl-live", b.live_rooms, function (r) { return r.title; });
    }).catch(function () {});
  }
  setInterval(refresh, 30000);
})();
