// Charts: the server's figure JSON sits in a <script type="application/json"> beside its container (our
// Content-Security-Policy forbids inline scripts). A chart with a server-drawn picture (reports/svg.py) shows that at
// once and loads plotly.js only when someone explores it; any other chart loads it when it scrolls into view. So a
// phone opening the dashboard parses no 1.3 MB of JavaScript before it can be read (issue 29, item 12).
(function () {
  "use strict";
  var script = document.currentScript;
  var source = script && script.dataset.plotly;
  var loading = null;
  function plotly() {
    if (window.Plotly) { return Promise.resolve(window.Plotly); }
    if (!loading) {
      loading = new Promise(function (resolve, reject) {
        var tag = document.createElement("script");
        tag.src = source; tag.async = true;
        tag.onload = function () { resolve(window.Plotly); };
        tag.onerror = reject;
        document.head.appendChild(tag);
      });
    }
    return loading;
  }
  // On a phone a level axis labelled "1 Minimum" … "5 Innovator" leaves no room: the labels turn on their side and are
  // cut off. There the ticks show the numbers, as the level key at the top of the page does.
  function shortLevelTicks(layout) {
    ["xaxis", "yaxis"].forEach(function (name) {
      var axis = layout[name];
      if (!axis || !axis.ticktext || !axis.ticktext.every(function (t) { return /^\d \S/.test(t); })) { return; }
      axis.ticktext = axis.ticktext.map(function (t) { return t.split(" ")[0]; });
      axis.tickangle = 0;
      axis.title = {text: "Level (" + axis.ticktext[0] + " to " + axis.ticktext[axis.ticktext.length - 1] + ")"};
    });
  }
  function draw(el) {
    if (el.dataset.drawn || el.dataset.drawing) { return Promise.resolve(); }
    var json = document.getElementById(el.dataset.chart);
    if (!json) { return Promise.resolve(); }
    el.dataset.drawing = "true";
    return plotly().then(function (Plotly) {
      var figure = JSON.parse(json.textContent);
      if (el.clientWidth < 560) { shortLevelTicks(figure.layout); }
      return Plotly.newPlot(el, figure.data, figure.layout, figure.config);
    }).then(function () { el.dataset.drawn = "true"; });
  }
  function start() {
    var lazy = Array.prototype.filter.call(document.querySelectorAll("[data-chart]"), function (el) { return !el.hasAttribute("data-on-demand"); });
    if ("IntersectionObserver" in window) {
      var observer = new IntersectionObserver(function (entries) {
        entries.forEach(function (entry) { if (entry.isIntersecting) { observer.unobserve(entry.target); draw(entry.target); } });
      }, {rootMargin: "200px"});
      lazy.forEach(function (el) { observer.observe(el); });
    } else {
      lazy.forEach(draw);
    }
    document.addEventListener("click", function (event) {
      var button = event.target.closest ? event.target.closest("[data-explore]") : null;
      if (!button) { return; }
      var id = button.dataset.explore;
      var el = document.querySelector("[data-chart='" + id + "']");
      var picture = document.getElementById(id + "-static");
      el.hidden = false;
      button.disabled = true; button.textContent = "Loading the interactive chart…";
      draw(el).then(function () {
        if (picture) { picture.hidden = true; }
        button.remove();
        el.setAttribute("tabindex", "-1");  // the button that had the focus is gone: the chart that replaced the picture takes it
        el.focus();
      });
    });
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", start); } else { start(); }
})();
