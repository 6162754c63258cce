/* 大屏: draws the charts, then every N seconds fetches ?format=json and redraws charts,
   figures and tables in place (no page reload, so the wall never flashes white). */
(function () {
  "use strict";
  var script = document.currentScript;
  var seconds = parseInt((script && script.getAttribute("data-refresh")) || "60", 10);
  var charts = {};
  var TEXT = "#e8f0ff";

  function chart(id, option) {
    var element = document.getElementById(id);
    if (!element || !window.echarts) { return; }
    if (!charts[id]) { charts[id] = window.echarts.init(element, null, { renderer: "canvas" }); }
    option.aria = { enabled: true };
    option.textStyle = { color: TEXT };
    charts[id].setOption(option, true);
  }

  function axis(extra) {
    var base = { axisLabel: { color: TEXT }, axisLine: { lineStyle: { color: "#5b7bb0" } },
                 splitLine: { lineStyle: { color: "#1f3a66" } } };
    for (var key in extra) { base[key] = extra[key]; }
    return base;
  }

  function rows(tableId, items, cells) {
    var body = document.querySelector("#" + tableId + " tbody");
    if (!body) { return; }
    body.textContent = "";
    items.forEach(function (item) {
      var tr = document.createElement("tr");
      cells(item).forEach(function (value, index) {
        var cell = document.createElement(index === 0 ? "th" : "td");
        if (index === 0) { cell.setAttribute("scope", "row"); }
        cell.textContent = value;
        tr.appendChild(cell);
      });
      body.appendChild(tr);
    });
  }

  function render(data) {
    document.getElementById("screen-updated").textContent = data.updated;
    var kpis = document.getElementById("screen-kpis");
    kpis.textContent = "";
    data.kpis.forEach(function (kpi) {
      var li = document.createElement("li");
      var num = document.createElement("span");
      num.className = "rm-screen__num";
      num.textContent = kpi.value;
      var label = document.createElement("span");
      label.className = "rm-screen__label";
      label.textContent = kpi.label;
      li.appendChild(num);
      li.appendChild(label);
      kpis.appendChild(li);
    });
    chart("screen-chart-dau", {
      tooltip: { trigger: "axis" }, legend: { textStyle: { color: TEXT } },
      grid: { containLabel: true, left: 8, right: 16, top: 36, bottom: 8 },
      xAxis: axis({ type: "category", data: data.days }),
      yAxis: axis({ type: "value", minInterval: 1 }),
      series: [{ name: "日活", type: "line", smooth: true, areaStyle: { opacity: 0.2 }, data: data.dau },
               { name: "新增", type: "bar", data: data.new }]
    });
    chart("screen-chart-index", {
      radar: { indicator: data.blocks.map(function (b) { return { name: b.label, max: 100 }; }),
               axisName: { color: TEXT } },
      series: [{ type: "radar", name: "分指数", data: [{ name: "本月", value: data.blocks.map(function (b) { return b.score; }) }] }]
    });
    chart("screen-chart-codes", {
      tooltip: { trigger: "axis" }, legend: { textStyle: { color: TEXT } },
      grid: { containLabel: true, left: 8, right: 16, top: 36, bottom: 8 },
      xAxis: axis({ type: "category", data: data.codes.map(function (c) { return c.label; }) }),
      yAxis: axis({ type: "value", minInterval: 1 }),
      series: [{ name: "新增", type: "bar", data: data.codes.map(function (c) { return c.new; }) },
               { name: "活跃", type: "bar", data: data.codes.map(function (c) { return c.active; }) }]
    });
    rows("screen-table-dau", data.series, function (r) { return [r.day, r.dau, r.new]; });
    rows("screen-table-index", data.blocks, function (b) { return [b.label, b.score]; });
    if (data.stories.length) {
      rows("screen-table-stories", data.stories, function (s) { return [s.title, s.views]; });
    }
    if (data.codes.length) {
      rows("screen-table-codes", data.codes, function (c) { return [c.label, c.new, c.active]; });
    }
  }

  function refresh() {
    fetch(window.location.pathname + "?format=json", { credentials: "same-origin",
                                                      headers: { "Accept": "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (data) { if (data) { render(data); } })
      .catch(function () { /* keep showing the last figures; try again next time */ });
  }

  function start() {
    var source = document.getElementById("screen-data");
    if (source) { render(JSON.parse(source.textContent)); }
    window.setInterval(refresh, Math.max(10, seconds) * 1000);
    window.addEventListener("resize", function () {
      for (var id in charts) { charts[id].resize(); }
    });
  }

  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", start); }
  else { start(); }
})();
