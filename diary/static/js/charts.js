/* Headache diary charts: draws every <div class="chart" data-chart-url="..."> with plotly.js.

   The URL answers a plotly figure, {"data": [...], "layout": {...}} (diary/charts.py), whose
   layout.meta.summary is a plain-text account of the chart. This script
   - fetches every figure (same origin, with the session cookie) at once, and draws each with
     Plotly.newPlot(..., {responsive: true, displayModeBar: false}) when it comes near the screen;
   - puts the summary in a <p class="chart-summary"> under the drawing, which is exposed as one
     image (role="img") named by the title and described by the summary;
   - swaps the figure's ink and paper colours for the page's (--text, --surface, --line), so a
     chart follows the light or dark scheme;
   - on any failure shows a plain message instead (and logs nothing of the patient's data).
   The page loads vendor/plotly-basic.min.js before this file, and links vendor/plotly.css with
   id="plotly.js-style-global" class="no-inline-styles" so plotly.js adds no <style> element
   (the Content Security Policy allows no inline style). No inline script or style here either.

   Or, so that 1.2 MB of plotly.js never holds up a page on a slow phone, the page names the
   library on this script's tag instead: data-plotly-src and data-plotly-css. The library is
   then loaded (stylesheet first) only when a chart nears the screen. Either way the figures (a
   few KiB each) are fetched at once, so every summary is on the page for screen readers from
   the start, scrolled to or not.

   A chart with data-chart-size="WxH" (CSS px; the printed summary) is drawn at once, at that
   fixed size and in the figure's own light colours, so that it is on the paper however the
   page is printed: plotly draws SVG, and the PDF keeps it as vectors. */
(function () {
  "use strict";

  var CONFIG = { responsive: true, displayModeBar: false };
  var INK = "#16212b";    /* the figures' text and line colour (diary/charts.py TEXT) */
  var PAPER = "#ffffff";  /* the figures' background */
  var GRID = "#e3e8ed";   /* the figures' grid lines */
  var counter = 0;
  var script = document.currentScript;  /* this file's own tag, only while it first runs */
  var PLOTLY_SRC = script && script.getAttribute("data-plotly-src");
  var PLOTLY_CSS = script && script.getAttribute("data-plotly-css");
  var plotlyLoading = null;

  function message(status) {
    if (status === 401) return "Log in again to see this chart.";
    if (status === 404) return "This chart is not available.";
    if (status === 422) return "This chart cannot be drawn for the dates asked for.";
    if (status === 0) return "This chart could not be loaded. Check your connection and reload the page.";
    return "This chart could not be loaded. Please reload the page to try again.";
  }

  function showError(element, status) {
    element.classList.remove("chart-loading");
    element.classList.add("chart-failed");
    var text = document.createElement("p");
    text.className = "chart-error";
    text.setAttribute("role", "status");
    text.textContent = message(status);
    element.replaceChildren(text);
  }

  function pageColours(element) {
    var style = window.getComputedStyle(element);
    function read(name) { return style.getPropertyValue(name).trim(); }
    return { ink: read("--text"), paper: read("--surface"), grid: read("--line") };
  }

  /* Replace the figure's default colours with the page's, wherever they occur. */
  function recolour(node, swaps) {
    if (Array.isArray(node)) {
      for (var i = 0; i < node.length; i += 1) {
        if (typeof node[i] === "string") { if (swaps[node[i]]) node[i] = swaps[node[i]]; }
        else if (node[i] && typeof node[i] === "object") recolour(node[i], swaps);
      }
      return;
    }
    Object.keys(node).forEach(function (key) {
      var value = node[key];
      if (key === "meta") return;  /* words, not colours */
      if (typeof value === "string") { if (swaps[value]) node[key] = swaps[value]; }
      else if (value && typeof value === "object") recolour(value, swaps);
    });
  }

  function themed(figure, element) {
    var colours = pageColours(element);
    var swaps = {};
    if (colours.ink && colours.ink.toLowerCase() !== INK) swaps[INK] = colours.ink;
    if (colours.paper && colours.paper.toLowerCase() !== PAPER) swaps[PAPER] = colours.paper;
    if (colours.grid && colours.grid.toLowerCase() !== GRID) swaps[GRID] = colours.grid;
    if (Object.keys(swaps).length) {
      recolour(figure.data, swaps);
      recolour(figure.layout, swaps);
    }
    return figure;
  }

  /* On a phone the title starts at the chart's left edge rather than the plot's, so that the
     subtitle (range and days logged) fits beside the axis labels. */
  function fitted(layout, element) {
    if (element.clientWidth < 480 && layout.title && typeof layout.title === "object") {
      layout.title.xref = "container";
      layout.title.x = 0;
      layout.title.pad = { l: 10 };
    }
    return layout;
  }

  /* The calendar's markers are sized on the server for a wide enough plot. On a phone a week's
     column is narrower: shrink every marker by the same factor, so that a day's square stays at
     least 3 px short of a week's width and a session's frame (size + 4, drawn 2 px wide) does not
     cover the days beside it. The plot is the chart less its margins and the weekday labels. */
  var WEEKDAY_LABELS = 20;  /* one letter a weekday */

  function fittedCells(figure, element) {
    var cells = figure.layout.meta && figure.layout.meta.cells;
    var margin = figure.layout.margin || {};
    if (!cells || !cells.weeks || !cells.size) return figure;
    var plotWidth = element.clientWidth - (margin.l || 0) - (margin.r || 0) - WEEKDAY_LABELS;
    var fits = Math.max(3, Math.floor(plotWidth / cells.weeks - 3));
    if (fits >= cells.size) return figure;
    var scale = fits / cells.size;
    figure.data.forEach(function (trace) {
      if (trace.marker && typeof trace.marker.size === "number") {
        trace.marker.size = Math.max(2, Math.round(trace.marker.size * scale));
      }
    });
    return figure;
  }

  /* The fixed size a chart asks for, {width, height}, or null for a responsive chart. */
  function fixedSize(element) {
    var size = /^(\d+)x(\d+)$/.exec(element.getAttribute("data-chart-size") || "");
    return size ? { width: Number(size[1]), height: Number(size[2]) } : null;
  }

  function hasPlotly() {
    return Boolean(window.Plotly && typeof window.Plotly.newPlot === "function");
  }

  function loadElement(tag, attributes) {
    return new Promise(function (resolve, reject) {
      var node = document.createElement(tag);
      Object.keys(attributes).forEach(function (name) { node.setAttribute(name, attributes[name]); });
      node.addEventListener("load", resolve);
      node.addEventListener("error", function () { reject(new Error("not loaded: " + tag)); });
      document.head.appendChild(node);
    });
  }

  /* plotly.js, from the page or injected once: its stylesheet first, so that plotly.js finds
     #plotly.js-style-global and adds no <style> element (refused by the CSP). */
  function plotly() {
    if (hasPlotly()) return Promise.resolve(window.Plotly);
    if (!PLOTLY_SRC) return Promise.reject(new Error("no plotly.js on the page"));
    if (!plotlyLoading) {
      var style = document.getElementById("plotly.js-style-global") || !PLOTLY_CSS
        ? Promise.resolve()
        : loadElement("link", { rel: "stylesheet", id: "plotly.js-style-global",
                                "class": "no-inline-styles", href: PLOTLY_CSS });
      plotlyLoading = style
        .then(function () { return loadElement("script", { src: PLOTLY_SRC }); })
        .then(function () {
          if (!hasPlotly()) throw new Error("plotly.js did not start");
          return window.Plotly;
        });
      plotlyLoading.catch(function () { plotlyLoading = null; });  /* a later chart tries again */
    }
    return plotlyLoading;
  }

  function fail(element, error) {
    element.setAttribute("data-chart-state", "failed");
    element.removeAttribute("aria-busy");
    showError(element, error && typeof error.status === "number" ? error.status : 0);
  }

  /* Fetch the figure and put its summary on the page; the drawing waits for render(). */
  function prepare(element) {
    var url = element.getAttribute("data-chart-url");
    if (!url || element.getAttribute("data-chart-state")) return;
    element.setAttribute("data-chart-state", "loading");
    element.classList.add("chart-loading");
    element.setAttribute("aria-busy", "true");
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        if (!response.ok) {
          var error = new Error("HTTP " + response.status);
          error.status = response.status;
          throw error;
        }
        return response.json();
      })
      .then(function (figure) {
        if (!figure || !Array.isArray(figure.data) || !figure.layout) throw new Error("not a figure");
        var layout = figure.layout;
        var meta = layout.meta || {};
        var title = (layout.title && layout.title.text) || "Chart";
        counter += 1;
        var id = element.id || "chart-" + counter;
        var plot = document.createElement("div");
        plot.className = "chart-plot";
        plot.setAttribute("role", "img");
        plot.setAttribute("aria-label", title);
        var summary = document.createElement("p");
        summary.className = "chart-summary";
        summary.id = id + "-summary";
        summary.textContent = meta.summary || "";
        plot.setAttribute("aria-describedby", summary.id);
        element.replaceChildren(plot, summary);
        element.chartFigure = figure;
        element.chartPlot = plot;
        element.setAttribute("data-chart-state", "ready");
        if (element.chartWanted) render(element);
      })
      .catch(function (error) { fail(element, error); });
  }

  /* Draw a prepared chart (once), loading plotly.js first when the page has not. */
  function render(element) {
    element.chartWanted = true;
    if (element.getAttribute("data-chart-state") !== "ready") return;
    element.setAttribute("data-chart-state", "drawing");
    var figure = element.chartFigure;
    var size = fixedSize(element);
    plotly()
      .then(function (Plotly) {
        if (size) {  /* for paper: its own colours, its own size, the legend beside the plot */
          figure.layout.width = size.width;
          figure.layout.height = size.height;
          figure.layout.legend = Object.assign({}, figure.layout.legend, {
            orientation: "v", xref: "paper", x: 1.02, xanchor: "left",
            yref: "paper", y: 1, yanchor: "top" });
          /* Chromium prints a pattern fill as a picture: on paper, days not logged are the
             pattern's light grey alone, so the whole chart stays vector. */
          figure.data.forEach(function (trace) {
            if (trace.marker && trace.marker.pattern) delete trace.marker.pattern;
          });
          return Plotly.newPlot(element.chartPlot, figure.data, figure.layout,
                                { responsive: false, displayModeBar: false, staticPlot: true });
        }
        fittedCells(themed(figure, element), element);
        return Plotly.newPlot(element.chartPlot, figure.data, fitted(figure.layout, element), CONFIG);
      })
      .then(function () {
        element.classList.remove("chart-loading");
        element.removeAttribute("aria-busy");
        element.setAttribute("data-chart-state", "drawn");
      })
      .catch(function () {
        /* Keep the summary: it says what the drawing would have shown. */
        element.setAttribute("data-chart-state", "failed");
        element.classList.remove("chart-loading");
        element.classList.add("chart-failed");
        element.removeAttribute("aria-busy");
        var text = document.createElement("p");
        text.className = "chart-error";
        text.setAttribute("role", "status");
        text.textContent = "The drawing could not be loaded; its summary is below. Reload the page to try again.";
        element.insertBefore(text, element.firstChild);
      });
  }

  function start() {
    var charts = Array.prototype.slice.call(document.querySelectorAll(".chart[data-chart-url]"));
    if (!charts.length) return;
    if (!hasPlotly() && !PLOTLY_SRC) {
      charts.forEach(function (element) { showError(element, -1); });
      return;
    }
    charts.forEach(prepare);
    charts.filter(fixedSize).forEach(render);
    charts = charts.filter(function (element) { return !fixedSize(element); });
    if (!("IntersectionObserver" in window)) {
      charts.forEach(render);
      return;
    }
    var observer = new IntersectionObserver(function (entries) {
      entries.forEach(function (entry) {
        if (entry.isIntersecting) {
          observer.unobserve(entry.target);
          render(entry.target);
        }
      });
    }, { rootMargin: "200px 0px" });
    charts.forEach(function (element) { observer.observe(element); });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
