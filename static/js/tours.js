// Plays the part of the guided tour that is on this page (#tour-steps: JSON data
// written by the server) with the vendored driver.js, records each step seen and,
// after the page's last step, goes on to the tour's next page.
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
    var lastHere = tour.steps.length - 1;
    var seen = Promise.resolve();
    var tourDriver = window.driver.js.driver({
      showProgress: true,
      steps: tour.steps.map(function (s, here) {
        var popover = {
          title: s.title,
          description: s.text,
          progressText: s.index + 1 + " / " + tour.total,
        };
        if (here === lastHere && tour.nextUrl) popover.nextBtnText = "Next page →";
        return { element: s.element, popover: popover };
      }),
      onHighlighted: function (element, step, options) {
        var index = tour.steps[options.state.activeIndex].index;
        document.body.setAttribute("data-tour-step", String(index));
        seen = record(tour.progressUrl, index, index === tour.total - 1);
      },
      onNextClick: function () {
        if (tourDriver.isLastStep() && tour.nextUrl) {
          // The next page asks where to resume: let the step seen land first.
          seen.finally(function () {
            window.location.assign(tour.nextUrl);
          });
          return;
        }
        tourDriver.moveNext();
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
