// Plays the guided tour whose steps the page carries in #tour-steps (JSON data,
// written by the server), with the vendored driver.js; records each step seen.
(function () {
  "use strict";
  function csrfToken() {
    try {
      return JSON.parse(document.body.getAttribute("hx-headers"))["X-CSRFToken"];
    } catch (e) {
      return "";
    }
  }
  function record(url, step, done) {
    var body = new URLSearchParams({ step: String(step), done: done ? "1" : "0" });
    return fetch(url, {
      method: "POST",
      body: body,
      credentials: "same-origin",
      headers: { "X-CSRFToken": csrfToken() },
    });
  }
  function start() {
    var block = document.getElementById("tour-steps");
    if (!block || !window.driver || !window.driver.js) return;
    var tour = JSON.parse(block.textContent);
    var last = tour.steps.length - 1;
    var tourDriver = window.driver.js.driver({
      showProgress: true,
      steps: tour.steps.map(function (s) {
        return { element: s.element, popover: { title: s.title, description: s.text } };
      }),
      onHighlighted: function (element, step, options) {
        var index = options.state.activeIndex;
        document.body.setAttribute("data-tour-step", String(index));
        record(tour.progressUrl, index, index === last);
      },
    });
    window.clinicTour = tourDriver;
    tourDriver.drive(tour.startAt);
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
