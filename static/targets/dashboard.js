/* Dashboards: draw every Plotly figure embedded with json_script, and submit the as-of
   form when its date changes. No build step, no framework. */
(function () {
  "use strict";
  var config = { responsive: true, displaylogo: false, displayModeBar: false };

  function draw(el) {
    var source = document.getElementById(el.dataset.chart);
    if (!source || !window.Plotly) { return; }
    var fig = JSON.parse(source.textContent);
    window.Plotly.newPlot(el, fig.data, fig.layout, config);
  }

  document.querySelectorAll("[data-chart]").forEach(draw);

  document.querySelectorAll("form[data-autosubmit] input[type=date]").forEach(function (input) {
    input.addEventListener("change", function () {
      if (input.value) { input.form.submit(); }
    });
  });
})();
