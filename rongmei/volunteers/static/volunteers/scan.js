// Fill the check-in form's position before it is sent (only used for geofenced activities).
(function () {
  var form = document.querySelector("form[data-vx-locate]");
  if (!form || !navigator.geolocation) return;
  navigator.geolocation.getCurrentPosition(function (pos) {
    form.elements.latitude.value = pos.coords.latitude.toFixed(6);
    form.elements.longitude.value = pos.coords.longitude.toFixed(6);
  }, function () {}, { enableHighAccuracy: true, timeout: 10000, maximumAge: 30000 });
})();
