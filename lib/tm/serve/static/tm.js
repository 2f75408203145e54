// tm serve's dashboard charts. Each <figure class="chart" data-chart="ID"> gets a dygraph of the
// JSON in <script type="application/json" id="ID"> (written by the server, which escapes it).
// Served as /static/tm.js after /static/dygraph.min.js; pages carry no inline script, and the
// legend is built with DOM calls (textContent), so no name from an API is ever parsed as HTML.
"use strict";
(function () {
  var palette = ["#0969da", "#cf222e", "#1a7f37", "#9a6700", "#8250df", "#bf3989", "#1b7c83",
                 "#953800", "#57606a"];

  function trim(text) {
    return text.indexOf("e") >= 0 || text.indexOf(".") < 0 ? text : text.replace(/\.?0+$/, "");
  }
  // 4 significant digits with k/M/B/T, as tm's tables write numbers (1.235M).
  function people(v) {
    if (v === null || v === undefined || !isFinite(v)) return "—";
    var a = Math.abs(v);
    if (a < 999.95) return a !== 0 && a < 1e-4 ? v.toExponential(2) : trim(v.toPrecision(4));
    var suffixes = ["k", "M", "B", "T"], s = v;
    for (var i = 0; i < suffixes.length; i++) {
      s /= 1000;
      if (Math.abs(s) < 999.95) return trim(s.toPrecision(4)) + suffixes[i];
    }
    return v.toExponential(3);
  }
  function formatter(unit) {
    if (unit === "usd") return function (v) { return v < 0 ? "−$" + people(-v) : "$" + people(v); };
    if (unit === "percent") return function (v) { return people(v) + "\u202f%"; };
    if (unit === "ratio") return function (v) { return people(v * 100) + "\u202f%"; };
    return people;
  }
  function dateText(ms) {
    return new Date(ms).toISOString().slice(0, 16).replace("T", " ") + " UTC";
  }

  // Writes "DATE  ■ label: value …" into `el`.
  function legendWriter(el, labels, colors, fmt) {
    return function (when, values) {
      el.textContent = "";
      var head = document.createElement("span");
      head.className = "item";
      head.textContent = when;
      el.appendChild(head);
      for (var i = 0; i < values.length; i++) {
        var item = document.createElement("span");
        item.className = "item";
        var swatch = document.createElement("span");
        swatch.className = "swatch";
        swatch.style.backgroundColor = colors[i % colors.length];
        item.appendChild(swatch);
        item.appendChild(document.createTextNode(labels[i + 1] + ": " + fmt(values[i])));
        el.appendChild(item);
      }
    };
  }

  // Candles from four series (open, close, high, low) drawn at once; green when it closed up.
  function candlePlotter(e) {
    if (e.seriesIndex !== 0) return;
    var sets = e.allSeriesPoints, area = e.plotArea, ctx = e.drawingContext;
    var n = sets[0].length;
    var width = Math.max(1, Math.min(12, 0.6 * area.w / Math.max(n, 1)));
    for (var p = 0; p < n; p++) {
      var open = sets[0][p], close = sets[1][p], high = sets[2][p], low = sets[3][p];
      if ([open, close, high, low].some(function (q) { return q === undefined || isNaN(q.y); })) continue;
      var x = area.x + open.x * area.w;
      var up = close.yval >= open.yval;
      ctx.strokeStyle = up ? "#1a7f37" : "#cf222e";
      ctx.fillStyle = up ? "#1a7f37" : "#cf222e";
      ctx.lineWidth = 1;
      ctx.beginPath();
      ctx.moveTo(x, area.y + high.y * area.h);
      ctx.lineTo(x, area.y + low.y * area.h);
      ctx.stroke();
      var top = area.y + Math.min(open.y, close.y) * area.h;
      var height = Math.max(1, Math.abs(open.y - close.y) * area.h);
      ctx.fillRect(x - width / 2, top, width, height);
    }
  }

  function draw(figure) {
    var data = JSON.parse(document.getElementById(figure.getAttribute("data-chart")).textContent);
    var plot = figure.querySelector(".plot");
    var legendEl = figure.querySelector(".legend");
    if (data.rows.length === 0) {
      plot.textContent = "No points in this window.";
      plot.className += " empty";
      figure.setAttribute("data-ready", "empty");
      return;
    }
    var rows = data.rows.map(function (r) {
      var row = r.slice();
      row[0] = new Date(r[0]);
      return row;
    });
    var fmt = formatter(data.unit);
    var series = data.labels.length - 1;
    var candle = data.type === "candle";
    var colors = candle ? ["#1a7f37", "#cf222e", "#57606a", "#57606a"] : palette;
    var write = legendWriter(legendEl, data.labels, colors, fmt);
    var latest = [];
    for (var i = 1; i <= series; i++) {
      var v = null;
      for (var r = data.rows.length - 1; r >= 0 && v === null; r--) v = data.rows[r][i];
      latest.push(v);
    }
    var index = {};
    data.labels.forEach(function (l, i) { index[l] = i - 1; });
    var latestText = candle ? "latest day" : "latest";
    var options = {
      labels: data.labels,
      colors: data.labels.slice(1).map(function (l, i) { return colors[i % colors.length]; }),
      legend: "never",
      labelsUTC: true,
      connectSeparatedPoints: true,
      drawGapEdgePoints: true,
      pointSize: 2,
      showRangeSelector: true,
      rangeSelectorHeight: 28,
      strokeWidth: 1.5,
      gridLineColor: "#e6e9ed",
      axisLineColor: "#d8dee4",
      axes: { y: { axisLabelFormatter: fmt, valueFormatter: fmt, axisLabelWidth: 70 } },
      highlightCallback: function (event, x, points) {
        var values = [];
        for (var i = 0; i < series; i++) values.push(null);
        points.forEach(function (p) { values[index[p.name]] = p.yval; });
        write(dateText(x), values);
      },
      unhighlightCallback: function () { write(latestText, latest); },
      drawCallback: function (g, initial) {
        if (initial) figure.setAttribute("data-ready", "1");
      }
    };
    if (candle) options.plotter = candlePlotter;
    new Dygraph(plot, rows, options);
    write(latestText, latest);
  }

  // dygraphs' own legend measures itself with an inline style attribute, which the page's
  // Content-Security-Policy refuses; this file writes the legend instead.
  Dygraph.PLUGINS = Dygraph.PLUGINS.filter(function (p) { return p !== Dygraph.Plugins.Legend; });

  document.querySelectorAll("figure.chart[data-chart]").forEach(function (figure) {
    try {
      draw(figure);
    } catch (e) {
      figure.setAttribute("data-ready", "error");
      throw e;
    }
  });
})();
