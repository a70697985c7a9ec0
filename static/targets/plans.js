/* Plan forms: picking a quarter fills the start and end dates; the quarter picker shows
   only for a quarter's plan. */
(function () {
  "use strict";
  var kind = document.querySelector("select[name=kind]");
  var quarter = document.querySelector("select[data-quarter-picker]");
  var start = document.querySelector("input[name=start]");
  var end = document.querySelector("input[name=end]");
  if (!kind || !quarter || !start || !end) { return; }
  var pad = function (n) { return (n < 10 ? "0" : "") + n; };
  function fill() {
    if (kind.value !== "quarter" || !quarter.value) { return; }
    var parts = quarter.value.split("-");
    var year = parseInt(parts[0], 10), q = parseInt(parts[1], 10);
    var last = new Date(Date.UTC(year, 3 * q, 0)).getUTCDate();
    start.value = year + "-" + pad(3 * q - 2) + "-01";
    end.value = year + "-" + pad(3 * q) + "-" + pad(last);
  }
  function show() {
    quarter.closest("label").hidden = kind.value !== "quarter";
    fill();
  }
  kind.addEventListener("change", show);
  quarter.addEventListener("change", fill);
  show();
})();
