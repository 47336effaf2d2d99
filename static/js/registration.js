// Patient search box in the header: type, arrow down into the matches, enter opens.
(function () {
  "use strict";

  function items(box) {
    return Array.prototype.slice.call(box.querySelectorAll("a.list-group-item"));
  }

  document.addEventListener("DOMContentLoaded", function () {
    var input = document.getElementById("header-patient-search");
    var box = document.getElementById("header-search-results");
    if (!input || !box) { return; }

    input.addEventListener("keydown", function (event) {
      var links = items(box);
      if (event.key === "ArrowDown" && links.length) {
        event.preventDefault();
        links[0].focus();
      } else if (event.key === "Escape") {
        box.innerHTML = "";
      }
    });

    box.addEventListener("keydown", function (event) {
      var links = items(box);
      var index = links.indexOf(document.activeElement);
      if (index < 0) { return; }
      if (event.key === "ArrowDown") {
        event.preventDefault();
        links[Math.min(index + 1, links.length - 1)].focus();
      } else if (event.key === "ArrowUp") {
        event.preventDefault();
        if (index === 0) { input.focus(); } else { links[index - 1].focus(); }
      } else if (event.key === "Escape") {
        box.innerHTML = "";
        input.focus();
      }
    });

    document.addEventListener("click", function (event) {
      if (!box.contains(event.target) && event.target !== input) { box.innerHTML = ""; }
    });
  });
})();
