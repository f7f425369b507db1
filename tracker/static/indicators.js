// Indicator pages: the history chart (plotly, served locally) and the print button.
// The series are computed on the server and passed as JSON; the table next to the chart
// shows the same numbers, so the page works without this file.
(function () {
  "use strict";

  function drawChart(element) {
    const source = document.getElementById(element.dataset.chartSource);
    if (!source || !window.Plotly) return;
    const data = JSON.parse(source.textContent);
    const traces = data.traces.map((t) => ({
      type: "scatter",
      name: t.name,
      x: t.x,
      y: t.y,
      mode: t.mode,
      line: { dash: t.dash, color: t.color, width: t.kind === "values" ? 3 : 2 },
      marker: { color: t.color, size: t.kind === "baseline" ? 11 : 8 },
      hovertemplate: "%{x}: %{y}",
    }));
    const layout = {
      margin: { l: 60, r: 20, t: 20, b: 50 },
      xaxis: { title: { text: data.x_title }, dtick: 1, tickformat: "d" },
      yaxis: { title: { text: data.y_title }, autorange: data.reversed ? "reversed" : true },
      legend: { orientation: "h", y: -0.25 },
      font: { family: '"PingFang SC", "Microsoft YaHei", "Noto Sans CJK SC", "WenQuanYi Zen Hei", sans-serif' },
    };
    window.Plotly.newPlot(element, traces, layout, { displayModeBar: false, responsive: true });
    element.dataset.drawn = "1";
  }

  document.addEventListener("DOMContentLoaded", () => {
    document.querySelectorAll("[data-chart-source]").forEach(drawChart);
    document.querySelectorAll("[data-print]").forEach((button) => {
      button.addEventListener("click", () => window.print());
    });
  });
})();
