// Week entry grid: Enter moves down a column (Shift+Enter up), like a spreadsheet;
// Tab moves right by itself. Changed cells are marked; leaving with unsaved changes
// asks first. The ⟲ link opens a cell's history in a dialog.
(function () {
  "use strict";
  var form = document.getElementById("week-form");
  if (!form) return;
  var inputs = Array.prototype.slice.call(form.querySelectorAll("input.cell-input"));
  var dirty = false;

  function byColumn() {
    // Column-major order: all of Monday top to bottom, then Tuesday…
    return inputs.slice().sort(function (a, b) {
      var ca = +a.dataset.col, cb = +b.dataset.col;
      return ca !== cb ? ca - cb : inputs.indexOf(a) - inputs.indexOf(b);
    });
  }
  var order = byColumn();

  inputs.forEach(function (input) {
    input.dataset.initial = input.value;
    input.addEventListener("keydown", function (event) {
      if (event.key !== "Enter") return;
      event.preventDefault();
      var i = order.indexOf(input) + (event.shiftKey ? -1 : 1);
      if (i >= 0 && i < order.length) {
        order[i].focus();
        order[i].select();
      }
    });
    input.addEventListener("input", function () {
      input.classList.toggle("changed", input.value !== input.dataset.initial);
      dirty = true;
    });
  });

  // A milestone's done-day pick: marked and guarded like a cell.
  var picks = Array.prototype.slice.call(form.querySelectorAll(".milestone-pick select"));
  picks.forEach(function (select) {
    select.dataset.initial = select.value;
    select.addEventListener("change", function () {
      select.classList.toggle("changed", select.value !== select.dataset.initial);
      dirty = true;
    });
  });
  inputs = inputs.concat(picks);  // for the leave-page check below (navigation uses ``order``)

  form.addEventListener("submit", function () { dirty = false; });
  window.addEventListener("beforeunload", function (event) {
    if (dirty && inputs.some(function (i) { return i.value !== i.dataset.initial; })) {
      event.preventDefault();
      event.returnValue = "";
    }
  });

  var dialog = document.getElementById("history-dialog");
  var body = document.getElementById("history-body");
  if (dialog && typeof dialog.showModal === "function") {
    document.addEventListener("click", function (event) {
      var link = event.target.closest("a.hist");
      if (!link) return;
      event.preventDefault();
      fetch(link.href + "?partial=1", { credentials: "same-origin" })
        .then(function (r) { return r.ok ? r.text() : Promise.reject(r.status); })
        .then(function (html) { body.innerHTML = html; dialog.showModal(); })
        .catch(function () { window.location.href = link.href; });
    });
  }

  var firstError = form.querySelector(".has-error input.cell-input, .has-conflict input.cell-input");
  if (firstError) firstError.focus();
})();
