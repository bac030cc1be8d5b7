/* Draws the plotly.js charts of a page. Each chart is an element with
   data-chart="<id>", where <id> is a <script type="application/json"> holding
   {"data": [...], "layout": {...}} built on the server. Fonts, margins and the
   height grow with the page's root font size, so large-text mode (20 px instead
   of 16 px) enlarges the charts too. Without JavaScript the data tables beside
   the charts show the same figures. */
(function () {
  "use strict";

  function scale() {
    var size = parseFloat(window.getComputedStyle(document.documentElement).fontSize);
    return size > 0 ? size / 16 : 1;
  }

  function scaledLayout(layout, factor) {
    var copy = JSON.parse(JSON.stringify(layout));
    var font = copy.font || {};
    font.size = Math.round((font.size || 14) * factor);
    copy.font = font;
    if (copy.title && copy.title.font) {
      copy.title.font.size = Math.round((copy.title.font.size || 16) * factor);
    }
    if (copy.height) {
      copy.height = Math.round(copy.height * factor);
    }
    if (copy.margin) {
      ["l", "r", "t", "b"].forEach(function (side) {
        if (copy.margin[side]) {
          copy.margin[side] = Math.round(copy.margin[side] * factor);
        }
      });
    }
    return copy;
  }

  // Plotly's own responsive mode lets a chart's element collapse to its CSS height when
  // the window resizes, so the page sets the width itself and keeps the layout's height.
  function fitWidth(element, layout) {
    layout.width = Math.max(element.clientWidth, 200);
    return layout;
  }

  function draw() {
    if (typeof window.Plotly === "undefined") {
      return;
    }
    var factor = scale();
    var charts = [];
    document.querySelectorAll("[data-chart]").forEach(function (element) {
      var source = document.getElementById(element.getAttribute("data-chart"));
      if (!source) {
        return;
      }
      var figure = JSON.parse(source.textContent);
      element.textContent = "";
      element.classList.add("chart-drawn");
      window.Plotly.newPlot(element, figure.data, fitWidth(element, scaledLayout(figure.layout, factor)), {
        displayModeBar: false,
        responsive: false,
        scrollZoom: false
      });
      charts.push(element);
    });

    var timer = null;
    window.addEventListener("resize", function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(function () {
        charts.forEach(function (element) {
          window.Plotly.relayout(element, {width: Math.max(element.clientWidth, 200)});
        });
      }, 150);
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();
