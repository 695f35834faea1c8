/* Draws the dashboards' charts with the app's own plotly.js bundle.
 *
 * Each chart is a <div data-figure="ID" hidden> next to <script type="application/json"
 * id="ID"> holding the figure ({data, layout}) made on the server. No inline script runs
 * (the CSP allows only same-origin files); without JavaScript the div stays hidden and the
 * chart's description and table remain. */
(function () {
  "use strict";

  var CONFIG = { responsive: true, displayModeBar: false, displaylogo: false };

  function readFigure(el) {
    var source = document.getElementById(el.getAttribute("data-figure"));
    if (!source) {
      return null;
    }
    try {
      return JSON.parse(source.textContent);
    } catch (error) {
      return null;
    }
  }

  function draw(el) {
    var figure = readFigure(el);
    if (!figure || !window.Plotly) {
      return;
    }
    el.hidden = false;
    window.Plotly.newPlot(el, figure.data || [], figure.layout || {}, CONFIG).then(function () {
      // The SVG repeats what the description and table say: keep it out of the reading
      // order; the container's role="img" and its label speak for it.
      Array.prototype.forEach.call(el.querySelectorAll("svg"), function (svg) {
        svg.setAttribute("aria-hidden", "true");
        svg.setAttribute("focusable", "false");
      });
    });
  }

  function drawAll() {
    Array.prototype.forEach.call(document.querySelectorAll("[data-figure]"), draw);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", drawAll);
  } else {
    drawAll();
  }
})();
