/* Vouchers, progressive enhancement (every form works without this file):
   - the grab button counts down to the round's start by the server's clock;
   - the holder's QR and dynamic code refresh every minute;
   - the till can scan a QR with the camera where the browser has BarcodeDetector (also used
     by the mall's pickup page, /mall/verify/). */
(function () {
  "use strict";
  var grab = document.querySelector(".rm-grab");
  if (grab) {
    var skew = parseInt(grab.getAttribute("data-now"), 10) - Date.now();
    var starts = parseInt(grab.getAttribute("data-starts"), 10);
    var ends = parseInt(grab.getAttribute("data-ends"), 10);
    var button = grab.querySelector("button");
    var note = grab.querySelector(".rm-grab__countdown");
    var label = "立即抢券";
    var tick = function () {
      var now = Date.now() + skew;
      if (now < starts) {
        var s = Math.ceil((starts - now) / 1000);
        var h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), sec = s % 60;
        note.textContent = "距开抢还有 " + (h ? h + " 小时 " : "") + m + " 分 " + sec + " 秒";
        button.disabled = true;
        return;
      }
      if (now >= ends) { note.textContent = "本场已结束"; button.disabled = true; return; }
      if (button.disabled && !button.hasAttribute("data-final")) { button.disabled = false; button.textContent = label; note.textContent = ""; }
    };
    if (!button.disabled || Date.now() + skew < starts) { tick(); setInterval(tick, 500); }
    grab.addEventListener("submit", function () { button.disabled = true; button.setAttribute("data-final", "1"); button.textContent = "正在抢券…"; });
  }

  var qr = document.querySelector("[data-qr-url]");
  if (qr) {
    var refresh = function () {
      fetch(qr.getAttribute("data-qr-url"), { credentials: "same-origin", cache: "no-store" })
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (data) {
          if (!data) return;
          qr.innerHTML = data.svg;
          var dyn = document.querySelector(".rm-vqr__dynamic");
          if (dyn) dyn.textContent = data.dynamic_code;
          setTimeout(refresh, (data.refresh_in + 1) * 1000);
        })
        .catch(function () { setTimeout(refresh, 15000); });
    };
    setTimeout(refresh, (parseInt(qr.getAttribute("data-refresh"), 10) + 1) * 1000);
  }

  var scan = document.querySelector(".rm-scan");
  if (scan && "BarcodeDetector" in window && navigator.mediaDevices) {
    scan.hidden = false;
    scan.addEventListener("click", function () {
      var video = document.querySelector(".rm-scan__video");
      var input = document.getElementById("token");
      var detector = new window.BarcodeDetector({ formats: ["qr_code"] });
      navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" } }).then(function (stream) {
        video.srcObject = stream; video.hidden = false; video.play();
        var look = function () {
          detector.detect(video).then(function (found) {
            if (found.length) {
              input.value = found[0].rawValue;
              stream.getTracks().forEach(function (t) { t.stop(); });
              video.hidden = true;
              // The voucher till asks for the bill next; the mall's pickup page is done.
              var next = document.getElementById("bill_amount");
              if (next) { next.focus(); } else { input.form.submit(); }
            } else { requestAnimationFrame(look); }
          }).catch(function () { requestAnimationFrame(look); });
        };
        look();
      }).catch(function () { scan.textContent = "无法打开摄像头，请手动输入"; });
    });
  }
})();
