/* 消费券数据看板: draws the charts from the JSON the page carries (json_script).
   The same numbers are in the tables under each chart, so nothing is lost without it. */
(function () {
  "use strict";

  var COUNTS = [
    { key: "claimed", name: "已领取" },
    { key: "redeemed", name: "已核销" },
    { key: "expired", name: "已过期" }
  ];

  function yuan(fen) {
    return Math.round(fen) / 100;
  }

  function countBars(block) {
    return COUNTS.map(function (item) {
      return { name: item.name, type: "bar", data: block[item.key] };
    });
  }

  function countChart(block) {
    var many = block.labels.length > 6;
    return {
      aria: { enabled: true },
      tooltip: { trigger: "axis" },
      legend: { top: 0 },
      grid: { containLabel: true, top: 56, left: 8, right: 8, bottom: 8 },
      xAxis: { type: "category", data: block.labels, axisLabel: { interval: 0, rotate: many ? 30 : 0 } },
      yAxis: { type: "value", name: "张", minInterval: 1 },
      series: countBars(block)
    };
  }

  function merchantChart(block) {
    // Largest at the top of a horizontal bar chart.
    var labels = block.labels.slice().reverse();
    return {
      aria: { enabled: true },
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
      legend: { top: 0 },
      grid: { containLabel: true, top: 40, left: 8, right: 24, bottom: 8 },
      xAxis: { type: "value", name: "元" },
      yAxis: { type: "category", data: labels },
      series: [
        { name: "补贴金额", type: "bar", data: block.subsidy.map(yuan).reverse() },
        { name: "带动消费", type: "bar", data: block.spending.map(yuan).reverse() }
      ]
    };
  }

  function start() {
    var source = document.getElementById("voucher-dashboard-data");
    if (!source || !window.echarts) {
      return;
    }
    var data = JSON.parse(source.textContent);
    var charts = [];
    function draw(id, option) {
      var element = document.getElementById(id);
      if (!element) {
        return;
      }
      var chart = window.echarts.init(element);
      chart.setOption(option);
      charts.push(chart);
    }
    draw("chart-slices", countChart(data.slices));
    draw("chart-categories", countChart(data.categories));
    draw("chart-merchants", merchantChart(data.merchants));
    window.addEventListener("resize", function () {
      charts.forEach(function (chart) { chart.resize(); });
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
