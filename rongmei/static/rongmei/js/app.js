/* Progressive enhancement only: every page works without this file. */
(function () {
  "use strict";
  // Install the service worker (PWA: offline page, cached shell).
  if ("serviceWorker" in navigator && location.protocol !== "file:") {
    window.addEventListener("load", function () {
      navigator.serviceWorker.register("/sw.js", { scope: "/" }).catch(function () {});
    });
  }
  // Forms that undo something ask first (data-confirm="…"); the CSP allows no inline handlers.
  document.querySelectorAll("form[data-confirm]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (!window.confirm(form.getAttribute("data-confirm"))) { event.preventDefault(); }
    });
  });
  // "返回" on error pages: back where the reader came from (the CSP runs no javascript: URL);
  // without a history the link's own href (the home page) is followed.
  document.querySelectorAll("a[data-history-back]").forEach(function (link) {
    link.addEventListener("click", function (event) {
      if (window.history.length > 1) { event.preventDefault(); window.history.back(); }
    });
  });
  // Resend-code countdown on the login page.
  document.querySelectorAll("[data-countdown]").forEach(function (button) {
    var left = parseInt(button.getAttribute("data-countdown"), 10) || 60;
    var label = button.textContent;
    button.disabled = true;
    var timer = setInterval(function () {
      left -= 1;
      button.textContent = left > 0 ? left + "秒后重新获取" : label;
      if (left <= 0) { button.disabled = false; clearInterval(timer); }
    }, 1000);
    button.textContent = left + "秒后重新获取";
  });
  // WeUI's uploader (templates/includes/uploader.html): the chosen files as thumbnails (a
  // name tile for a video), with a count and a warning past data-max.
  document.querySelectorAll("[data-uploader]").forEach(function (box) {
    var input = box.querySelector("input[type=file]"), list = box.querySelector(".weui-uploader__files");
    var count = box.querySelector(".rm-uploader__count"), noun = box.getAttribute("data-noun") || "图片";
    var max = parseInt(box.getAttribute("data-max"), 10) || 0;
    if (!input || !list || !window.URL || !URL.createObjectURL) return;
    box.classList.add("rm-uploader_js");  // the "+" tile instead of the phone's own control
    input.addEventListener("change", function () {
      list.querySelectorAll("img").forEach(function (img) { URL.revokeObjectURL(img.src); });
      list.textContent = "";
      var files = Array.prototype.slice.call(input.files || []);
      files.forEach(function (file, index) {
        var li = document.createElement("li");
        li.className = "weui-uploader__file" + (max && index >= max ? " is-over" : "");
        if (/^image\//.test(file.type)) {
          var img = document.createElement("img");
          img.alt = "第" + (index + 1) + "张" + noun; img.src = URL.createObjectURL(file);
          li.appendChild(img);
        } else {
          li.className += " rm-uploader__name"; li.textContent = file.name;
        }
        list.appendChild(li);
      });
      if (count) {
        count.textContent = files.length ? "（已选" + files.length + (noun === "视频" ? "段" : "张") +
          (max && files.length > max ? "，超过" + max + "张，请重新选择" : "") + "）" : "";
      }
    });
  });
  // A count with − and + beside it (cell_field.html kind="stepper"), kept within min and max;
  // the server checks the number again.
  document.querySelectorAll("[data-stepper]").forEach(function (stepper) {
    var input = stepper.querySelector("input"), buttons = stepper.querySelectorAll("[data-step]");
    if (!input) return;
    var min = parseInt(input.getAttribute("min"), 10), max = parseInt(input.getAttribute("max"), 10);
    function current() { var n = parseInt(input.value, 10); return isNaN(n) ? (isNaN(min) ? 0 : min) : n; }
    function refresh() {
      buttons.forEach(function (button) {
        var step = parseInt(button.getAttribute("data-step"), 10);
        var next = input.value === "" ? current() : current() + step;
        button.disabled = (!isNaN(min) && step < 0 && next < min) || (!isNaN(max) && step > 0 && next > max);
      });
    }
    buttons.forEach(function (button) {
      button.hidden = false;
      button.addEventListener("click", function () {
        // An empty box starts at the lowest allowed count.
        var next = input.value === "" ? current() : current() + parseInt(button.getAttribute("data-step"), 10);
        if (!isNaN(min)) next = Math.max(min, next);
        if (!isNaN(max)) next = Math.min(max, next);
        input.value = next;
        input.dispatchEvent(new Event("change", { bubbles: true }));
        refresh();
      });
    });
    input.addEventListener("input", refresh);
    stepper.classList.add("rm-stepper_js");
    refresh();
  });
  // A filter bar whose form is all pickers applies a choice at once (its 筛选 button is
  // for when this script does not run).
  document.querySelectorAll("form[data-autosubmit]").forEach(function (form) {
    if (form.querySelector("input:not([type=hidden])")) return;
    var go = form.querySelector(".rm-filterbar__go");
    if (go) go.hidden = true;
    form.addEventListener("change", function (event) {
      if (event.target.tagName === "SELECT") form.submit();
    });
  });
  // Banner carousel auto-advance (paused when the user prefers reduced motion).
  if (!window.matchMedia("(prefers-reduced-motion: reduce)").matches) {
    document.querySelectorAll(".rm-carousel").forEach(function (carousel) {
      var track = carousel.querySelector(".rm-carousel__track");
      var seconds = parseInt(carousel.getAttribute("data-interval"), 10) || 5;
      if (!track || track.children.length < 2) return;
      setInterval(function () {
        var next = track.scrollLeft + track.clientWidth;
        track.scrollTo({ left: next >= track.scrollWidth - 4 ? 0 : next, behavior: "smooth" });
      }, seconds * 1000);
    });
  }
})();
