/* 音视频库: poll the status of assets still waiting or transcoding and move their progress
   bars; on the detail page, reload once the asset is ready (or failed) to show the player. */
(function () {
  "use strict";
  var ACTIVE = { pending: true, processing: true };
  var INTERVAL = 2000;
  var onDetail = /\/admin\/av\/\d+\/$/.test(window.location.pathname);

  function update(box, data) {
    var bar = box.querySelector("[data-av-progress]");
    var label = box.querySelector("[data-av-status-label]");
    box.setAttribute("data-av-status", data.status);
    if (bar) { bar.value = data.progress; bar.textContent = data.progress + "%"; }
    if (label) {
      label.textContent = data.status_display + (ACTIVE[data.status] ? " " + data.progress + "%" : "");
    }
  }

  function poll(box) {
    var url = box.getAttribute("data-av-status-url");
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (data) {
        if (!data) { return; }
        update(box, data);
        if (ACTIVE[data.status]) {
          window.setTimeout(function () { poll(box); }, INTERVAL);
        } else if (onDetail) {
          window.location.reload();
        }
      })
      .catch(function () { window.setTimeout(function () { poll(box); }, INTERVAL * 3); });
  }

  function start() {
    var boxes = document.querySelectorAll("[data-av-status-url]");
    for (var i = 0; i < boxes.length; i += 1) {
      if (ACTIVE[boxes[i].getAttribute("data-av-status")]) { poll(boxes[i]); }
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
}());
