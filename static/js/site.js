/* Every page: behaviour that used to sit in inline handlers, which the
   Content-Security-Policy (script-src 'self') no longer runs.
   - <select data-autosubmit>: submit its form when the choice changes;
   - <button data-print>: print the page. */
(function () {
  "use strict";
  document.querySelectorAll("select[data-autosubmit]").forEach(function (select) {
    select.addEventListener("change", function () { select.form.submit(); });
  });
  document.querySelectorAll("button[data-print]").forEach(function (button) {
    button.addEventListener("click", function () { window.print(); });
  });
})();
