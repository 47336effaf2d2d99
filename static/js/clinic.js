// ClinicOps page behaviour. No inline scripts anywhere: the CSP forbids them.
(function () {
  "use strict";

  function csrfToken() {
    var match = document.cookie.match(/(?:^|; )csrftoken=([^;]+)/);
    return match ? decodeURIComponent(match[1]) : "";
  }

  // Idle warning: shortly before the server ends an idle session, offer to stay.
  function setUpIdleWarning() {
    var body = document.body;
    var idle = parseInt(body.dataset.idleSeconds || "0", 10);
    if (!idle || !window.bootstrap) { return; }
    var warnBefore = parseInt(body.dataset.idleWarningSeconds || "120", 10);
    var dialogEl = document.getElementById("idle-warning");
    var dialog = new window.bootstrap.Modal(dialogEl, { backdrop: "static", keyboard: false });
    var countdownEl = document.getElementById("idle-countdown");
    var lastActivity = Date.now();
    var shown = false;

    function reset() { lastActivity = Date.now(); if (shown) { dialog.hide(); shown = false; } }

    document.body.addEventListener("htmx:afterRequest", reset);
    document.getElementById("idle-stay").addEventListener("click", function () {
      fetch(body.dataset.keepaliveUrl, {
        method: "POST", credentials: "same-origin", headers: { "X-CSRFToken": csrfToken() }
      }).then(function (response) {
        if (response.ok) { reset(); } else { window.location.reload(); }
      });
    });

    window.setInterval(function () {
      var left = idle - Math.floor((Date.now() - lastActivity) / 1000);
      if (left <= 0) { window.location.reload(); return; }
      if (left <= warnBefore) {
        var minutes = Math.floor(left / 60), seconds = left % 60;
        countdownEl.textContent = minutes + ":" + (seconds < 10 ? "0" : "") + seconds;
        if (!shown) { dialog.show(); shown = true; }
      }
    }, 1000);
  }

  // Buttons and links marked data-confirm ask before they act.
  function setUpConfirmations() {
    document.body.addEventListener("click", function (event) {
      var target = event.target.closest("[data-confirm]");
      if (target && !window.confirm(target.dataset.confirm)) { event.preventDefault(); }
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    setUpIdleWarning();
    setUpConfirmations();
  });
})();
