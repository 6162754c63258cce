/* 数据看板: draws the charts from the JSON the page carries (json_script). Every chart has
   its table right under it, so nothing is lost without script or for a screen reader. */
(function () {
  "use strict";

  function base(extra) {
    var option = {
      aria: { enabled: true },
      tooltip: { trigger: "axis" },
      legend: { top: 0 },
      grid: { containLabel: true, top: 40, left: 8, right: 16, bottom: 8 }
    };
    for (var key in extra) { option[key] = extra[key]; }
    return option;
  }

  function bars(labels, series, unit) {
    return base({
      xAxis: { type: "category", data: labels, axisLabel: { interval: 0, rotate: labels.length > 6 ? 30 : 0 } },
      yAxis: { type: "value", name: unit, minInterval: 1 },
      series: series.map(function (s) { return { name: s.name, type: "bar", data: s.data }; })
    });
  }

  function start() {
    var source = document.getElementById("analytics-dashboard-data");
    if (!source || !window.echarts) { return; }
    var data = JSON.parse(source.textContent);
    var charts = [];
    function draw(id, option) {
      var element = document.getElementById(id);
      if (!element) { return; }
      var chart = window.echarts.init(element);
      chart.setOption(option);
      charts.push(chart);
    }
    draw("chart-users", base({
      xAxis: { type: "category", data: data.days },
      yAxis: { type: "value", name: "台设备", minInterval: 1 },
      series: [
        { name: "日活", type: "line", smooth: true, data: data.dau },
        { name: "新增", type: "bar", data: data.new },
        { name: "安装到桌面", type: "bar", data: data.installs }
      ]
    }));
    draw("chart-retention", base({
      xAxis: { type: "category", data: data.cohorts.days },
      yAxis: { type: "value", name: "%", max: 100 },
      series: [
        { name: "次日留存", type: "line", data: data.cohorts.d1, connectNulls: false },
        { name: "7日留存", type: "line", data: data.cohorts.d7, connectNulls: false },
        { name: "30日留存", type: "line", data: data.cohorts.d30, connectNulls: false }
      ]
    }));
    draw("chart-codes", bars(data.codes.labels, [
      { name: "新增用户", data: data.codes.new }, { name: "活跃用户", data: data.codes.active }
    ], "台设备"));
    draw("chart-channels", bars(data.channels.labels, [{ name: "浏览量", data: data.channels.views }], "次"));
    var labels = data.stories.labels.slice().reverse();
    draw("chart-stories", base({
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
      xAxis: { type: "value", name: "次" },
      yAxis: { type: "category", data: labels },
      series: [{ name: "浏览量", type: "bar", data: data.stories.views.slice().reverse() }]
    }));
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
