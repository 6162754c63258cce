/* The console's date and time pickers without inline script.
 *
 * Wagtail renders each date/time widget with an inline <script>initDateChooser(…)</script>;
 * Rongmei's own console screens run under a CSP without 'unsafe-inline', so the widget
 * templates (rongmei/core/templates/wagtailadmin/widgets/) leave a marker instead and this file
 * starts the picker for each marker, also for forms added to the page later (modals,
 * inline panels). Only Wagtail's three picker functions can be named.
 */
(function () {
  "use strict";
  var ALLOWED = ["initDateChooser", "initTimeChooser", "initDateTimeChooser"];

  function start(marker) {
    var name = marker.getAttribute("data-rm-chooser");
    if (marker.getAttribute("data-rm-started") || ALLOWED.indexOf(name) < 0 ||
        typeof window[name] !== "function") { return; }
    marker.setAttribute("data-rm-started", "1");
    var config = {};
    try { config = JSON.parse(marker.getAttribute("data-rm-config") || "{}"); } catch (e) { }
    window[name](marker.getAttribute("data-rm-for"), config);
  }

  function scan(root) {
    if (root.matches && root.matches("[data-rm-chooser]")) { start(root); }
    if (root.querySelectorAll) { root.querySelectorAll("[data-rm-chooser]").forEach(start); }
  }

  function ready() {
    scan(document);
    new MutationObserver(function (records) {
      records.forEach(function (record) {
        record.addedNodes.forEach(function (node) { if (node.nodeType === 1) { scan(node); } });
      });
    }).observe(document.body, { childList: true, subtree: true });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", ready);
  } else {
    ready();
  }
})();
