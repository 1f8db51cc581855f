// Siar's own behaviour on top of htmx. No inline scripts (the CSP forbids them): pages
// mark elements with data-* attributes and this file wires them up.
(function () {
  "use strict";

  // htmx does not swap error answers by default; show Siar's error message instead.
  document.addEventListener("htmx:beforeSwap", function (event) {
    var status = event.detail.xhr.status;
    if (status >= 400 && status < 600) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });

  // <form data-confirm="..."> asks before submitting.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var question = form.getAttribute && form.getAttribute("data-confirm");
    if (question && !window.confirm(question)) {
      event.preventDefault();
    }
  }, true);
})();
