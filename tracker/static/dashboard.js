// Dashboard charts: the server computes every number (JSON in #dashboard-data); this file
// only draws them with the locally served plotly.js. A click on a bar or slice opens the
// list behind it, like the numbers in the tables.
(function () {
  "use strict";

  const FONT = {
    family: '"PingFang SC", "Microsoft YaHei", "Noto Sans CJK SC", "WenQuanYi Zen Hei", sans-serif',
    size: 13,
  };
  const CONFIG = { displayModeBar: false, responsive: true, locale: "zh-CN" };

  function layout(extra) {
    return Object.assign(
      {
        font: FONT,
        margin: { l: 10, r: 10, t: 10, b: 40 },
        paper_bgcolor: "rgba(0,0,0,0)",
        plot_bgcolor: "rgba(0,0,0,0)",
        legend: { orientation: "h", y: -0.15 },
      },
      extra || {}
    );
  }

  function heightFor(count) {
    return Math.max(220, 70 + count * 34);
  }

  function follow(element) {
    element.on("plotly_click", (event) => {
      const point = event.points && event.points[0];
      const url = point && (point.customdata || (point.data.customdata || [])[point.pointNumber]);
      if (url) window.location.assign(url);
    });
  }

  function lights(element, data) {
    const trace = {
      type: "pie",
      hole: 0.55,
      labels: data.labels,
      values: data.values,
      marker: { colors: data.colors },
      customdata: data.urls,
      // An empty slice would still print its 0 on the ring.
      text: data.values.map((value) => (value ? String(value) : "")),
      textinfo: "text",
      sort: false,
      direction: "clockwise",
      hovertemplate: "%{label}: %{value}<extra></extra>",
    };
    return Plotly.newPlot(element, [trace], layout({ height: 260, showlegend: true }), CONFIG);
  }

  // Horizontal bars keep long Chinese section titles readable on any screen.
  function progressBars(element, data, texts) {
    const labels = data.labels.map((label) => (label.length > 18 ? label.slice(0, 17) + "…" : label));
    const common = {
      type: "bar",
      orientation: "h",
      y: labels,
      customdata: data.urls,
      texttemplate: "%{x}",
      textposition: "auto",
      hovertext: data.labels,
    };
    const traces = [
      Object.assign({}, common, { name: texts.completion, x: data.completion, marker: { color: "#198754" },
        hovertemplate: "%{hovertext}<br>" + texts.completion + ": %{x}%<extra></extra>" }),
      Object.assign({}, common, { name: texts.progress, x: data.progress, marker: { color: "#0d6efd" },
        hovertemplate: "%{hovertext}<br>" + texts.progress + ": %{x}%<extra></extra>" }),
    ];
    return Plotly.newPlot(
      element,
      traces,
      layout({
        barmode: "group",
        height: heightFor(labels.length * 2),
        xaxis: { range: [0, 100], ticksuffix: "%" },
        yaxis: { automargin: true, autorange: "reversed" },
      }),
      CONFIG
    );
  }

  function departments(element, data, texts) {
    const common = { type: "bar", orientation: "h", y: data.labels, customdata: data.urls };
    const traces = [
      Object.assign({}, common, { name: texts.overdue, x: data.overdue, marker: { color: "#dc3545" } }),
      Object.assign({}, common, { name: texts.due_soon, x: data.due_soon, marker: { color: "#ffc107" } }),
    ];
    return Plotly.newPlot(
      element,
      traces,
      layout({
        barmode: "stack",
        height: heightFor(data.labels.length),
        xaxis: { rangemode: "tozero", dtick: 1 },
        yaxis: { automargin: true, autorange: "reversed" },
      }),
      CONFIG
    );
  }

  function reporting(element, data, texts) {
    const trace = {
      type: "bar", orientation: "h", name: texts.on_time, y: data.labels, x: data.on_time,
      marker: { color: "#0d6efd" }, texttemplate: "%{x}", textposition: "auto",
      hovertemplate: "%{y}: %{x}%<extra></extra>",
    };
    return Plotly.newPlot(
      element,
      [trace],
      layout({
        height: heightFor(data.labels.length),
        showlegend: false,
        xaxis: { range: [0, 100], ticksuffix: "%" },
        yaxis: { automargin: true, autorange: "reversed" },
      }),
      CONFIG
    );
  }

  // `schedule`: the 序时进度 lights, drawn like the calendar lights.
  const DRAW = { lights, schedule: lights, sections: progressBars, columns: progressBars, departments, reporting };

  document.addEventListener("DOMContentLoaded", () => {
    document.querySelectorAll("[data-print]").forEach((button) => {
      button.addEventListener("click", () => window.print());
    });
    const source = document.getElementById("dashboard-data");
    if (!source || typeof Plotly === "undefined") return;
    const charts = JSON.parse(source.textContent);
    document.querySelectorAll("[data-chart]").forEach((element) => {
      const name = element.dataset.chart;
      const data = charts[name];
      if (!data || !data.labels || !data.labels.length || !DRAW[name]) return;
      DRAW[name](element, data, charts.texts).then(() => follow(element));
    });
    // Charts follow the paper width when printed.
    window.addEventListener("beforeprint", () => {
      document.querySelectorAll("[data-chart]").forEach((element) => {
        if (element.data) Plotly.Plots.resize(element);
      });
    });
  });
})();
