/* Every page: behaviour that used to sit in inline handlers, which the
   Content-Security-Policy (script-src 'self') no longer runs.
   - <select data-autosubmit>: submit its form when the choice changes;
   - <button data-print>: print the page. */
(function () {
  "use strict";
  document.querySelectorAll("select[data-autosubmit]").forEach(function (select) {
    select.addEventListener("change", function () { select.form.submit(); });
  });
  // <input type=file data-max-bytes data-too-large>: refuse a file over the cap at once,
  // instead of after uploading it (the server refuses it anyway).
  document.querySelectorAll("input[type=file][data-max-bytes]").forEach(function (input) {
    input.addEventListener("change", function () {
      var max = Number(input.dataset.maxBytes);
      var big = Array.prototype.filter.call(input.files, function (f) { return f.size > max; });
      input.setCustomValidity(big.length ? big.map(function (f) { return f.name; }).join("、") + "：" + input.dataset.tooLarge : "");
      if (big.length) { input.reportValidity(); }
    });
  });
  document.querySelectorAll("button[data-print]").forEach(function (button) {
    button.addEventListener("click", function () { window.print(); });
  });
})();
