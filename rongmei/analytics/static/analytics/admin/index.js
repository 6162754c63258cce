/* 县融指数: the four blocks as a radar; the same numbers are in the table on the page. */
(function () {
  "use strict";
  function start() {
    var source = document.getElementById("analytics-index-data");
    var element = document.getElementById("chart-index");
    if (!source || !element || !window.echarts) { return; }
    var data = JSON.parse(source.textContent);
    var chart = window.echarts.init(element);
    chart.setOption({
      aria: { enabled: true },
      tooltip: {},
      radar: { indicator: data.labels.map(function (label) { return { name: label, max: 100 }; }) },
      series: [{ type: "radar", name: "分指数", data: [{ value: data.scores, name: "本县" }] }]
    });
    window.addEventListener("resize", function () { chart.resize(); });
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", start); }
  else { start(); }
})();
