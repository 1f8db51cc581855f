// Tulis: a live preview of the text and of a chosen image, and "semua kabupaten/kota"
// ticking every regency. The length counters come from the server through htmx
// (hx-post="/tulis/hitung" on the textarea); without JavaScript the "Periksa" button
// shows the same counts.
(function () {
  "use strict";

  function ready(fn) {
    if (document.readyState !== "loading") { fn(); } else { document.addEventListener("DOMContentLoaded", fn); }
  }

  ready(function () {
    var text = document.getElementById("teks");
    var shown = document.getElementById("pratinjau-teks");
    if (text && shown) {
      text.addEventListener("input", function () { shown.textContent = text.value; });
    }

    var file = document.getElementById("berkas");
    var image = document.getElementById("pratinjau-gambar");
    if (file && image) {
      file.addEventListener("change", function () {
        var chosen = file.files && file.files[0];
        if (!chosen || !/^image\/(jpeg|png)$/.test(chosen.type)) { return; }
        var reader = new FileReader();  // a data: URL (the CSP allows data: images)
        reader.addEventListener("load", function () {
          image.src = reader.result;
          image.hidden = false;
        });
        reader.readAsDataURL(chosen);
      });
    }

    var all = document.getElementById("semua-kabkota");
    if (all) {
      var regencies = document.querySelectorAll("#pilihan-wilayah input[data-regency]");
      all.addEventListener("change", function () {
        regencies.forEach(function (box) { box.checked = all.checked; });
      });
    }
  });
})();
