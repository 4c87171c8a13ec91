// Draw every server-built Plotly figure on the page. The figure JSON sits in a <script type="application/json">
// beside its container, so no inline script is needed (our Content-Security-Policy forbids them).
(function () {
  "use strict";
  function draw() {
    if (!window.Plotly) { return; }
    document.querySelectorAll("[data-chart]").forEach(function (el) {
      var source = document.getElementById(el.dataset.chart);
      if (!source) { return; }
      var figure = JSON.parse(source.textContent);
      window.Plotly.newPlot(el, figure.data, figure.layout, figure.config).then(function () {
        el.dataset.drawn = "true";
      });
    });
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", draw); } else { draw(); }
})();
