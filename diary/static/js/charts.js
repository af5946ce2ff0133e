/* Headache diary charts: draws every <div class="chart" data-chart-url="..."> with plotly.js.

   The URL answers a plotly figure, {"data": [...], "layout": {...}} (diary/charts.py), whose
   layout.meta.summary is a plain-text account of the chart. This script
   - fetches the figure (same origin, with the session cookie) when the chart comes near the
     screen, and draws it with Plotly.newPlot(..., {responsive: true, displayModeBar: false});
   - puts the summary in a <p class="chart-summary"> under the drawing, which is exposed as one
     image (role="img") named by the title and described by the summary;
   - swaps the figure's ink and paper colours for the page's (--text, --surface, --line), so a
     chart follows the light or dark scheme;
   - on any failure shows a plain message instead (and logs nothing of the patient's data).
   The page loads vendor/plotly-basic.min.js before this file, and links vendor/plotly.css with
   id="plotly.js-style-global" class="no-inline-styles" so plotly.js adds no <style> element
   (the Content Security Policy allows no inline style). No inline script or style here either. */
(function () {
  "use strict";

  var CONFIG = { responsive: true, displayModeBar: false };
  var INK = "#16212b";    /* the figures' text and line colour (diary/charts.py TEXT) */
  var PAPER = "#ffffff";  /* the figures' background */
  var GRID = "#e3e8ed";   /* the figures' grid lines */
  var counter = 0;

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

  function draw(element) {
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
        return window.Plotly.newPlot(plot, figure.data, themed(figure, element).layout, CONFIG)
          .then(function () {
            element.classList.remove("chart-loading");
            element.setAttribute("data-chart-state", "drawn");
          });
      })
      .catch(function (error) {
        element.setAttribute("data-chart-state", "failed");
        showError(element, error && typeof error.status === "number" ? error.status : 0);
      })
      .then(function () { element.removeAttribute("aria-busy"); });
  }

  function start() {
    var charts = Array.prototype.slice.call(document.querySelectorAll(".chart[data-chart-url]"));
    if (!charts.length) return;
    if (!window.Plotly || typeof window.Plotly.newPlot !== "function") {
      charts.forEach(function (element) { showError(element, -1); });
      return;
    }
    if (!("IntersectionObserver" in window)) {
      charts.forEach(draw);
      return;
    }
    var observer = new IntersectionObserver(function (entries) {
      entries.forEach(function (entry) {
        if (entry.isIntersecting) {
          observer.unobserve(entry.target);
          draw(entry.target);
        }
      });
    }, { rootMargin: "300px 0px" });
    charts.forEach(function (element) { observer.observe(element); });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
