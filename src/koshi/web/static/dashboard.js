// Draws the KPI dashboard's charts with Chart.js from the JSON data blocks beside them.
// The blocks are <script type="application/json">: data, never executed, so the CSP needs no inline script.
// Each chart's figures are also in the table under it; without JavaScript the tables remain.
(function () {
  "use strict";
  if (typeof window.Chart === "undefined") {
    return;
  }
  var lang = document.documentElement.lang || "en";
  var number = new Intl.NumberFormat(lang);
  var percent = new Intl.NumberFormat(lang, { maximumFractionDigits: 1 });
  // Colour is never the only cue: lines differ by point shape and official or target lines are dashed.
  var palette = ["#00536b", "#d4351c", "#1d70b8", "#f47738", "#4c2c92", "#85994b"];
  var points = ["circle", "rect", "triangle", "rectRot", "crossRot", "star"];

  function formatShare(value) {
    return percent.format(value) + "%";
  }

  function draw(canvas) {
    var block = document.getElementById(canvas.getAttribute("data-chart"));
    if (!block) {
      return;
    }
    var spec = JSON.parse(block.textContent);
    var hasShare = spec.datasets.some(function (d) { return d.axis === "share"; });
    var hasCount = spec.datasets.some(function (d) { return d.axis === "count"; });
    var datasets = spec.datasets.map(function (d, i) {
      var colour = palette[i % palette.length];
      var bar = d.kind === "bar";
      return {
        type: bar ? "bar" : "line",
        label: d.label,
        data: d.data,
        yAxisID: d.axis === "share" ? "share" : "count",
        backgroundColor: colour,
        borderColor: colour,
        borderWidth: bar ? 0 : 2,
        borderDash: d.dashed ? [6, 4] : [],
        pointStyle: points[i % points.length],
        pointRadius: bar ? 0 : 4,
        spanGaps: Boolean(d.dashed),
        clip: d.dashed ? false : undefined, // a 100% target stays visible on the top edge
        stack: d.stack,
        order: bar ? 2 : 1,
        axisKind: d.axis
      };
    });
    var scales = { x: { stacked: Boolean(spec.stacked) } };
    if (hasCount) {
      scales.count = {
        type: "linear",
        position: "left",
        stacked: Boolean(spec.stacked),
        ticks: { callback: function (v) { return number.format(v); } }
      };
    }
    if (hasShare) {
      scales.share = {
        type: "linear",
        position: hasCount ? "right" : "left",
        min: 0,
        max: spec.shareMax,
        grid: { drawOnChartArea: !hasCount },
        ticks: { callback: formatShare }
      };
    }
    new window.Chart(canvas, {
      data: { labels: spec.labels, datasets: datasets },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        interaction: { mode: "index", intersect: false },
        scales: scales,
        plugins: {
          legend: { labels: { usePointStyle: true } },
          tooltip: {
            callbacks: {
              label: function (ctx) {
                var v = ctx.parsed.y;
                if (v === null || v === undefined) {
                  return ctx.dataset.label + ": –";
                }
                var text = ctx.dataset.axisKind === "share" ? formatShare(v) : number.format(v);
                return ctx.dataset.label + ": " + text;
              }
            }
          }
        }
      }
    });
  }

  function start() {
    Array.prototype.forEach.call(document.querySelectorAll("canvas[data-chart]"), draw);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
