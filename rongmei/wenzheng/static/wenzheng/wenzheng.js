/* 问政 submit form: similar cases while typing, category fields, geolocation on request, and
   the photo's GPS position offered as a suggestion (never used unless the resident taps it).
   The form works without any of this. */
(function () {
  "use strict";
  var form = document.querySelector("[data-testid=submit-form]");
  if (!form) return;

  // Category-specific fields: show only the chosen category's fieldset.
  var category = form.querySelector("#category");
  function showExtra() {
    form.querySelectorAll(".rm-wz-extra").forEach(function (fs) {
      var on = fs.getAttribute("data-category") === category.value;
      fs.hidden = !on;
      fs.querySelectorAll("input,select").forEach(function (el) { el.disabled = !on; });
    });
  }
  if (category) { category.addEventListener("change", showExtra); showExtra(); }

  // Similar cases.
  var title = form.querySelector("#title");
  var box = document.querySelector("#similar");
  var timer = null;
  function render(items) {
    box.textContent = "";
    if (!items.length) { box.hidden = true; return; }
    var p = document.createElement("p");
    p.textContent = "已有相似的问政，可以点进去选择“我也遇到”或“关注”，不必重复提交：";
    var ul = document.createElement("ul");
    items.forEach(function (c) {
      var li = document.createElement("li"), a = document.createElement("a");
      a.href = "/wenzheng/cases/" + c.id + "/";
      a.textContent = c.title + "（" + c.status_label + "，" + c.same_count + "人也遇到）";
      li.appendChild(a); ul.appendChild(li);
    });
    box.appendChild(p); box.appendChild(ul); box.hidden = false;
  }
  if (title && box && window.fetch) {
    title.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(function () {
        var q = title.value.trim();
        if (q.length < 4) { render([]); return; }
        fetch("/api/v1/wenzheng/similar?q=" + encodeURIComponent(q), {credentials: "same-origin"})
          .then(function (r) { return r.ok ? r.json() : []; }).then(render)
          .catch(function () { render([]); });
      }, 400);
    });
  }

  // Location on request.
  var lat = form.querySelector("#latitude"), lng = form.querySelector("#longitude");
  var status = document.querySelector("#locate-status");
  function setPosition(a, b, text) {
    lat.value = a.toFixed(6); lng.value = b.toFixed(6); status.textContent = text;
  }
  var locate = document.querySelector("#locate");
  if (locate && navigator.geolocation) {
    locate.hidden = false;
    locate.addEventListener("click", function () {
      status.textContent = "正在定位…";
      navigator.geolocation.getCurrentPosition(function (pos) {
        setPosition(pos.coords.latitude, pos.coords.longitude, "已使用当前位置");
      }, function () { status.textContent = "无法获取位置，请填写地址"; },
      {enableHighAccuracy: true, timeout: 10000});
    });
  }

  // Photo GPS: read the EXIF GPS block of the first JPEG in the browser and offer it.
  function gpsFromJpeg(buf) {
    var v = new DataView(buf);
    if (v.getUint16(0) !== 0xFFD8) return null;
    var off = 2;
    while (off + 4 < v.byteLength) {
      var marker = v.getUint16(off), size = v.getUint16(off + 2);
      if (marker === 0xFFE1 && v.getUint32(off + 4) === 0x45786966) {
        var t = off + 10, le = v.getUint16(t) === 0x4949;
        var u16 = function (o) { return v.getUint16(t + o, le); };
        var u32 = function (o) { return v.getUint32(t + o, le); };
        var ifd = u32(4), n = u16(ifd), gps = null;
        for (var i = 0; i < n; i++) { if (u16(ifd + 2 + i * 12) === 0x8825) gps = u32(ifd + 2 + i * 12 + 8); }
        if (gps === null) return null;
        var tags = {}, m = u16(gps);
        for (var j = 0; j < m; j++) {
          var e = gps + 2 + j * 12, tag = u16(e), type = u16(e + 2), ptr = u32(e + 8);
          if (type === 2) tags[tag] = String.fromCharCode(v.getUint8(t + e + 8));
          if (type === 5) {
            var dms = [0, 1, 2].map(function (k) { return u32(ptr + k * 8) / (u32(ptr + k * 8 + 4) || 1); });
            tags[tag] = dms[0] + dms[1] / 60 + dms[2] / 3600;
          }
        }
        if (tags[2] === undefined || tags[4] === undefined) return null;
        return {lat: tags[2] * (tags[1] === "S" ? -1 : 1), lng: tags[4] * (tags[3] === "W" ? -1 : 1)};
      }
      off += 2 + size;
    }
    return null;
  }
  var photos = form.querySelector("#photos"), hint = document.querySelector("#photo-gps");
  if (photos && hint && window.FileReader && window.DataView) {
    photos.addEventListener("change", function () {
      hint.hidden = true; hint.textContent = "";
      var file = photos.files && photos.files[0];
      if (!file || file.type !== "image/jpeg") return;
      var reader = new FileReader();
      reader.onload = function () {
        var gps = null;
        try { gps = gpsFromJpeg(reader.result); } catch (err) { gps = null; }
        if (!gps || !isFinite(gps.lat) || !isFinite(gps.lng)) return;
        var btn = document.createElement("button");
        btn.type = "button"; btn.className = "weui-btn weui-btn_mini weui-btn_default";
        btn.textContent = "使用照片的拍摄位置";
        btn.addEventListener("click", function () { setPosition(gps.lat, gps.lng, "已使用照片的拍摄位置"); hint.hidden = true; });
        hint.textContent = "照片带有拍摄位置，是否用作问题地点？（上传时照片中的位置信息会被清除）";
        hint.appendChild(document.createTextNode(" ")); hint.appendChild(btn); hint.hidden = false;
      };
      reader.readAsArrayBuffer(file.slice(0, 131072));
    });
  }
})();
