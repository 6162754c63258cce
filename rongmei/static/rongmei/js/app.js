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
