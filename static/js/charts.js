// Draw every server-built Plotly figure on the page. The figure JSON sits in a <script type="application/json">
// beside its container, so no inline script is needed (our Content-Security-Policy forbids them).
(function () {
  "use strict";
  // On a phone a level axis labelled "1 Minimum" … "5 Innovator" leaves no room: the labels turn on their side and are
  // cut off. There the ticks show the numbers, as the level key at the top of the page does.
  function shortLevelTicks(layout) {
    ["xaxis", "yaxis"].forEach(function (name) {
      var axis = layout[name];
      if (!axis || !axis.ticktext || !axis.ticktext.every(function (t) { return /^\d \S/.test(t); })) { return; }
      var names = axis.ticktext;
      axis.ticktext = names.map(function (t) { return t.split(" ")[0]; });
      axis.tickangle = 0;
      axis.title = {text: "Level (" + axis.ticktext[0] + " to " + axis.ticktext[axis.ticktext.length - 1] + ")"};
    });
  }
  function draw() {
    if (!window.Plotly) { return; }
    document.querySelectorAll("[data-chart]").forEach(function (el) {
      var source = document.getElementById(el.dataset.chart);
      if (!source) { return; }
      var figure = JSON.parse(source.textContent);
      if (el.clientWidth < 560) { shortLevelTicks(figure.layout); }
      window.Plotly.newPlot(el, figure.data, figure.layout, figure.config).then(function () {
        el.dataset.drawn = "true";
      });
    });
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", draw); } else { draw(); }
})();
