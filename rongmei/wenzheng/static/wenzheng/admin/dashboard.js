/* 问政统计: rates per group as bars, case counts as a line (data from json_script). */
(function () {
  "use strict";
  var source = document.getElementById("wenzheng-dashboard-data");
  var el = document.getElementById("wenzheng-chart");
  if (!source || !el || !window.echarts) return;
  var data = JSON.parse(source.textContent);
  if (!data.labels.length) { el.hidden = true; return; }
  var series = Object.keys(data.series).map(function (name) {
    return {name: name, type: "bar", data: data.series[name]};
  });
  series.push({name: "问政数", type: "line", yAxisIndex: 1, data: data.cases});
  echarts.init(el).setOption({
    tooltip: {trigger: "axis"},
    legend: {top: 0},
    grid: {left: 48, right: 48, bottom: 80},
    xAxis: {type: "category", data: data.labels, axisLabel: {rotate: 30}},
    yAxis: [{type: "value", name: "%", max: 100}, {type: "value", name: "件"}],
    series: series
  });
})();
