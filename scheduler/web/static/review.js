// Tinjauan: ticking "except this whole text" ticks (or unticks) each of its posts, and
// unticking one post unticks the whole-text box, so the page shows what will be left out.
// Without JavaScript the whole-text box carries every post id itself: the form means the
// same either way.
(function () {
  "use strict";
  document.addEventListener("change", function (event) {
    var box = event.target;
    if (!box.matches) {
      return;
    }
    var card = box.closest("[data-card]");
    if (!card) {
      return;
    }
    if (box.matches("input[data-except-card]")) {
      card.querySelectorAll("input[data-except-post]").forEach(function (post) {
        post.checked = box.checked;
      });
    } else if (box.matches("input[data-except-post]") && !box.checked) {
      var whole = card.querySelector("input[data-except-card]");
      if (whole) {
        whole.checked = false;
      }
    }
  });
})();
