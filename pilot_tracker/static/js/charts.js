/* Draws the dashboards' charts with the app's own plotly.js bundle.
 *
 * Each chart is a <div data-figure="ID"> next to <script type="application/json" id="ID">
 * holding the figure ({data, layout}) made on the server. No inline script runs (the CSP
 * allows only same-origin files); without JavaScript CSS hides the div (`scripting: none`)
 * and the chart's description and table remain.
 *
 * Fast on a phone: the div's height is reserved (by the server's figure height, then by the
 * fitted one as soon as this file runs), so nothing moves when a chart appears; plotly.js is
 * fetched only when the first chart comes near the screen, and the charts are drawn as they
 * come into view (IntersectionObserver), one per animation frame.
 *
 * The server's figure says what to draw; this file fits it to the width it gets, at draw time
 * and again when that width changes (a phone turned sideways, a window resized):
 * - long category labels wrap at word boundaries (tick texts only: the data and the hover
 *   texts keep the full names), and the chart grows taller for the lines it needs; on a
 *   narrow screen, where many would wrap, each goes on a line of its own above its bar;
 * - vertical bars whose labels cannot fit under them turn into horizontal bars, and subplots
 *   side by side are stacked on narrow screens, each under its own caption;
 * - legends go above the plot in a band of their own, their long names wrapped;
 * - fewer ticks on narrow axes, so that dates and amounts stay level and apart.
 * The chart's title is the HTML heading above it; Plotly draws none. */
(function () {
  "use strict";

  var CONFIG = { responsive: false, displayModeBar: false, displaylogo: false };
  var NARROW = 560; // container widths (CSS px) below this get the phone layout
  var LINE = 1.3; // line height of wrapped labels, in font sizes
  var measure = document.createElement("canvas").getContext("2d");

  function extend(target, source) {
    Object.keys(source || {}).forEach(function (key) {
      target[key] = source[key];
    });
    return target;
  }

  function textWidth(text, font) {
    measure.font = font.size + "px " + font.family;
    return measure.measureText(String(text)).width;
  }

  /* `text` broken at spaces into lines no wider than `width` (a single longer word stays
   * whole): {text with <br>, lines, widest line in px, widest word in px}. */
  function wrap(text, width, font) {
    // A trailing code such as "#12" or "(418)" stays on the line of the word before it.
    var words = String(text)
      .replace(/ (?=(#\d+|\(\d+\))$)/, "\u00a0")
      .split(/[ \t\n]+/)
      .filter(Boolean);
    var lines = [];
    var current = "";
    var widestWord = 0;
    words.forEach(function (word) {
      widestWord = Math.max(widestWord, textWidth(word, font));
      var longer = current ? current + " " + word : word;
      if (!current || textWidth(longer, font) <= width) {
        current = longer;
      } else {
        lines.push(current);
        current = word;
      }
    });
    if (current || !lines.length) {
      lines.push(current);
    }
    var widest = 0;
    lines.forEach(function (line) {
      widest = Math.max(widest, textWidth(line, font));
    });
    return {
      text: lines.join("<br>").replace(/\u00a0/g, " "),
      lines: lines.length,
      widest: widest,
      widestWord: widestWord,
    };
  }

  function wrapAll(labels, width, font) {
    var wrapped = labels.map(function (label) {
      return wrap(label, width, font);
    });
    return {
      texts: wrapped.map(function (w) {
        return w.text;
      }),
      lines: Math.max.apply(
        null,
        wrapped.map(function (w) {
          return w.lines;
        }).concat([1])
      ),
      widest: Math.max.apply(
        null,
        wrapped.map(function (w) {
          return w.widest;
        }).concat([0])
      ),
      widestWord: Math.max.apply(
        null,
        wrapped.map(function (w) {
          return w.widestWord;
        }).concat([0])
      ),
      broken: wrapped.filter(function (w) {
        return w.lines > 1;
      }).length,
    };
  }

  function axisKey(id) {
    return id.charAt(0) + "axis" + id.slice(1);
  }

  function isIsoDate(value) {
    return typeof value === "string" && /^\d{4}-\d{2}-\d{2}/.test(value);
  }

  /* The subplots of a figure: one {x, y, traces} per pair of axes its traces use. */
  function subplots(data) {
    var found = {};
    var order = [];
    data.forEach(function (trace) {
      var x = trace.xaxis || "x";
      var y = trace.yaxis || "y";
      var id = x + y;
      if (!found[id]) {
        found[id] = { x: x, y: y, traces: [] };
        order.push(found[id]);
      }
      found[id].traces.push(trace);
    });
    return order;
  }

  /* The categories of an axis in drawing order, or null when it is not a category axis. */
  function categoriesOf(axis, traces, letter) {
    if (axis.type && axis.type !== "category") {
      return null;
    }
    if (axis.categoryorder === "array" && axis.categoryarray) {
      return axis.categoryarray.slice();
    }
    var seen = {};
    var values = [];
    traces.forEach(function (trace) {
      (trace[letter] || []).forEach(function (value) {
        if (value === null || value === undefined || seen.hasOwnProperty(value)) {
          return;
        }
        seen[value] = true;
        values.push(value);
      });
    });
    var textual = values.some(function (value) {
      return typeof value === "string" && isNaN(Number(value)) && !isIsoDate(value);
    });
    return axis.type === "category" || textual ? values : null;
  }

  function swapXY(template) {
    return typeof template === "string"
      ? template.replace(/%\{([xy])([^}]*)\}/g, function (match, letter, rest) {
          return "%{" + (letter === "x" ? "y" : "x") + rest + "}";
        })
      : template;
  }

  /* Vertical bars into horizontal ones: the categories go to the y axis, top to bottom. */
  function flip(layout, plot) {
    plot.traces.forEach(function (trace) {
      var x = trace.x;
      trace.x = trace.y;
      trace.y = x;
      trace.orientation = "h";
      trace.hovertemplate = swapXY(trace.hovertemplate);
    });
    var xKey = axisKey(plot.x);
    var yKey = axisKey(plot.y);
    var oldX = layout[xKey] || {};
    var oldY = layout[yKey] || {};
    var newY = extend({}, oldX);
    var newX = extend({}, oldY);
    // Placement stays with the axis letter; the rest moves with the content.
    ["domain", "anchor"].forEach(function (key) {
      delete newY[key];
      delete newX[key];
      if (key in oldX) newX[key] = oldX[key];
      if (key in oldY) newY[key] = oldY[key];
    });
    newY.type = "category";
    newY.autorange = "reversed";
    delete newY.tickangle;
    layout[xKey] = newX;
    layout[yKey] = newY;
  }

  function legendShown(data, layout) {
    if (layout.showlegend === false) {
      return false;
    }
    return layout.showlegend === true || data.length > 1;
  }

  /* The legend above the plot in a band of its own (so it never sits on axis labels, and it
   * is read before the plot), names wrapped to the width; returns the band's height. */
  function placeLegend(data, layout, width, font) {
    if (!legendShown(data, layout)) {
      return 0;
    }
    var room = Math.max(80, width - 60);
    var rows = 0;
    var used = room;
    data.forEach(function (trace) {
      if (trace.showlegend === false || !trace.name) {
        return;
      }
      var wrapped = wrap(trace.name, room, font);
      trace.name = wrapped.text;
      var item = wrapped.widest + 50;
      if (wrapped.lines > 1 || used + item > room) {
        rows += wrapped.lines;
        used = wrapped.lines > 1 ? room : item;
      } else {
        used += item;
      }
    });
    layout.legend = extend(layout.legend || {}, {
      orientation: "h",
      xref: "container",
      yref: "container",
      x: 0,
      xanchor: "left",
      y: 1,
      yanchor: "top",
      traceorder: "normal",
    });
    var captions = (layout.annotations || []).some(function (note) {
      return note.yref === "paper" && note.y >= 1;
    });
    if (!captions) {
      // The legend's band replaces the room the server left above the plot.
      layout.margin = extend(extend({}, layout.margin), { t: 12 });
    }
    return rows * font.size * LINE + 12;
  }

  /* Each category's label on a line of its own above its bar, across the plot's width (for
   * long names on a narrow screen, where labels beside the bars would leave the bars no room
   * or take three lines); returns the plot height the rows need. */
  function labelsAbove(layout, plot, categories, width, font) {
    var lineHeight = font.size * LINE;
    var wrapped = categories.map(function (label) {
      return wrap(label, width - 24, font);
    });
    var lines = Math.max.apply(
      null,
      wrapped.map(function (w) {
        return w.lines;
      })
    );
    var bar = 14;
    var row = lines * lineHeight + bar + 14;
    plot.traces.forEach(function (trace) {
      if (trace.type === "bar") {
        trace.width = bar / row; // in category bands
      } else if (trace.line && trace.line.width) {
        trace.line = extend(extend({}, trace.line), { width: Math.min(trace.line.width, bar) });
      }
    });
    var yAxis = layout[axisKey(plot.y)];
    // Label and bar together sit in the middle of their band: the bars move down by half a
    // label's height (the range is in bands, top to bottom).
    var shift = (lines * lineHeight + 1) / 2 / row;
    extend(yAxis, {
      showticklabels: false,
      ticks: "",
      autorange: false,
      range: [categories.length - 0.5 - shift, -0.5 - shift],
    });
    delete yAxis.title;
    var notes = wrapped.map(function (w, index) {
      return {
        text: w.text,
        xref: plot.x + " domain",
        x: 0,
        xanchor: "left",
        yref: plot.y,
        y: index,
        yanchor: "bottom",
        yshift: bar / 2 + 1,
        align: "left",
        showarrow: false,
        font: { size: font.size, color: "#444" },
      };
    });
    layout.annotations = (layout.annotations || []).concat(notes);
    return categories.length * row;
  }

  function adapt(figure, width) {
    var data = figure.data || [];
    var layout = figure.layout || {};
    var narrow = width < NARROW;
    var baseFont = layout.font || {};
    var font = { family: baseFont.family || "sans-serif", size: baseFont.size || 13 };
    if (narrow) {
      font.size = Math.min(font.size, 12);
      layout.font = extend(extend({}, baseFont), { size: font.size });
      layout.margin = extend(extend({}, layout.margin), { l: 4, r: 12 });
    }
    layout.width = width;
    layout.autosize = false;
    var lineHeight = font.size * LINE;
    var legendHeight = placeLegend(data, layout, width, font);
    var plots = subplots(data);
    var stack = narrow && sideBySide(layout, plots);
    var plotWidth = width - (narrow ? 60 : 80); // less the value axis' ticks and title
    var labelWidth = Math.max(90, width * (narrow ? 0.42 : 0.3));
    var heights = []; // the plot height each subplot needs, or 0 to keep the server's

    plots.forEach(function (plot) {
      var xAxis = (layout[axisKey(plot.x)] = layout[axisKey(plot.x)] || {});
      var xCategories = categoriesOf(xAxis, plot.traces, "x");
      if (xCategories && xCategories.length) {
        var share = stack || !xAxis.domain ? 1 : xAxis.domain[1] - xAxis.domain[0];
        var band = (plotWidth * share) / xCategories.length - 8;
        var under = wrapAll(xCategories, band, font);
        var allBars = plot.traces.every(function (t) {
          return t.type === "bar" && t.orientation !== "h";
        });
        if (!allBars || (under.widestWord <= band && under.lines <= 3)) {
          extend(xAxis, {
            tickmode: "array",
            tickvals: xCategories,
            ticktext: under.texts,
            tickangle: 0,
          });
          heights.push(0);
          return;
        }
        flip(layout, plot);
      }
      var across = plotWidth; // the width the x axis gets
      var yAxis = (layout[axisKey(plot.y)] = layout[axisKey(plot.y)] || {});
      var yCategories = categoriesOf(yAxis, plot.traces, "y");
      if (yCategories && yCategories.length) {
        var beside = wrapAll(yCategories, labelWidth, font);
        var bars = plot.traces.filter(function (t) {
          return t.type === "bar";
        }).length;
        var grouped = layout.barmode === "group" ? bars : 1;
        // Labels above the bars when beside them many would take two lines or one three.
        var crowded = beside.lines > 2 || beside.broken * 4 > yCategories.length;
        if (narrow && crowded && grouped === 1) {
          heights.push(labelsAbove(layout, plot, yCategories, width, font));
          across = width - 24;
        } else {
          extend(yAxis, { tickmode: "array", tickvals: yCategories, ticktext: beside.texts });
          var row = Math.max(beside.lines * lineHeight + 8, grouped * 12 + 8, 22);
          heights.push(yCategories.length * row);
          across = width - beside.widest - 40;
        }
      } else {
        heights.push(0);
      }
      var xNow = layout[axisKey(plot.x)];
      var dates =
        xNow.type === "date" ||
        plot.traces.some(function (t) {
          return (t.x || []).some(isIsoDate);
        });
      if (narrow) {
        xNow.nticks = Math.max(dates ? 3 : 4, Math.floor(across / (dates ? 60 : 45)));
      }
      if (!dates && xNow.tickmode === "array" && xNow.ticktext) {
        thinTicks(xNow, across, font);
      }
      if (dates) {
        // A date at the plot's left edge would sit on the value axis' "0" in the corner.
        xNow.ticklabelstandoff = 6;
      }
    });

    if (!stack && sideBySide(layout, plots)) {
      fitCaptions(layout, plots, width, font);
    }
    if (stack) {
      stackSubplots(layout, plots, heights, font, legendHeight);
    } else if (heights[0]) {
      // Plot area plus the x axis' ticks and title, the legend and the margins.
      var needed = heights[0] + 90 + legendHeight + ((layout.margin || {}).t || 20);
      layout.height = Math.max(layout.height || 0, Math.ceil(needed));
    } else if (legendHeight) {
      layout.height = (layout.height || 340) + Math.max(0, legendHeight - 30);
    }
    return { data: data, layout: layout };
  }

  /* The server's own ticks on a value axis (amounts as the language shortens them), every
   * second or third of them when all would not fit the axis' width side by side. */
  function thinTicks(axis, across, font) {
    var widest = Math.max.apply(
      null,
      axis.ticktext.map(function (text) {
        return textWidth(text, font);
      })
    );
    var fit = Math.max(2, Math.floor(across / (widest + 16)));
    var every = Math.ceil(axis.tickvals.length / fit);
    if (every > 1) {
      var keep = function (value, index) {
        return index % every === 0;
      };
      axis.tickvals = axis.tickvals.filter(keep);
      axis.ticktext = axis.ticktext.filter(keep);
    }
  }

  /* True when the figure has several subplots side by side (each its own x axis and slice
   * of the width), as opposed to one plot or axes laid over each other. */
  function sideBySide(layout, plots) {
    var xs = {};
    return (
      plots.length > 1 &&
      plots.every(function (plot) {
        var axis = layout[axisKey(plot.x)];
        var distinct = !xs[plot.x];
        xs[plot.x] = true;
        return distinct && axis && axis.domain && axis.domain[1] - axis.domain[0] < 1;
      })
    );
  }

  /* A caption's text wrapped to `width`, each of its lines (<br>) apart; returns its height. */
  function wrapCaption(note, width, font) {
    var size = (note.font || {}).size || font.size;
    var captionFont = { family: font.family, size: size };
    var parts = String(note.text)
      .split("<br>")
      .map(function (part) {
        return wrap(part, width, captionFont);
      });
    note.text = parts
      .map(function (w) {
        return w.text;
      })
      .join("<br>");
    var lines = parts.reduce(function (n, w) {
      return n + w.lines;
    }, 0);
    return lines * size * LINE;
  }

  /* Side by side, each subplot's caption wrapped to the subplot's width, with room above. */
  function fitCaptions(layout, plots, width, font) {
    var high = 0;
    (layout.annotations || []).forEach(function (note) {
      if (note.xref !== "paper" || note.yref !== "paper" || note.y < 1) {
        return;
      }
      plots.forEach(function (plot) {
        var domain = layout[axisKey(plot.x)].domain || [0, 1];
        if (note.x >= domain[0] && note.x <= domain[1]) {
          var room = (domain[1] - domain[0]) * width;
          high = Math.max(high, wrapCaption(note, room, font));
        }
      });
    });
    if (high) {
      var margin = (layout.margin = extend({}, layout.margin));
      margin.t = Math.max(margin.t || 0, Math.ceil(high + 12));
    }
  }

  /* Subplots side by side on a wide screen, one above the other on a narrow one: each keeps
   * its caption (a paper annotation above it) and its own axes. */
  function stackSubplots(layout, plots, heights, font, legendHeight) {
    var lineHeight = font.size * LINE;
    var ordered = plots.slice().sort(function (a, b) {
      var da = (layout[axisKey(a.x)].domain || [0])[0];
      var db = (layout[axisKey(b.x)].domain || [0])[0];
      return da - db;
    });
    var captions = (layout.annotations || []).filter(function (note) {
      return note.xref === "paper" && note.yref === "paper" && note.y >= 1;
    });
    var oldDomains = ordered.map(function (plot) {
      return (layout[axisKey(plot.x)].domain || [0, 1]).slice();
    });
    var slices = ordered.map(function (plot) {
      return heights[plots.indexOf(plot)] || 200;
    });
    // Captions wrapped to the full width.
    var captionHeight = lineHeight;
    captions.forEach(function (note) {
      captionHeight = Math.max(captionHeight, wrapCaption(note, (layout.width || 360) - 24, font));
    });
    // The upper plot's ticks and axis title, then the next caption.
    var gap = lineHeight + captionHeight + 50;
    var total = slices.reduce(function (a, b) {
      return a + b;
    }, 0) + gap * (ordered.length - 1);
    var top = 1;
    ordered.forEach(function (plot, index) {
      var bottom = top - slices[index] / total;
      var old = oldDomains[index];
      layout[axisKey(plot.x)].domain = [0, 1];
      layout[axisKey(plot.y)].domain = [Math.max(0, bottom), top];
      captions = captions.filter(function (note) {
        if (note.x < old[0] || note.x > old[1]) {
          return true;
        }
        extend(note, { x: 0, xanchor: "left", y: top, yanchor: "bottom" });
        return false;
      });
      top = bottom - gap / total;
    });
    var margin = (layout.margin = extend({}, layout.margin));
    margin.t = Math.max(margin.t || 0, Math.ceil(captionHeight + 12));
    layout.height = Math.ceil(total + margin.t + 2 * lineHeight + 40 + legendHeight);
  }

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

  function hideSvg(el) {
    // The SVG repeats what the description and table say: keep it out of the reading
    // order; the container's role="img" and its label speak for it.
    Array.prototype.forEach.call(el.querySelectorAll("svg"), function (svg) {
      svg.setAttribute("aria-hidden", "true");
      svg.setAttribute("focusable", "false");
    });
  }

  /* The figure fitted to the container's width now, and the container sized to it, so the
   * page keeps its layout when the chart is drawn later (CSS reserved the server's height
   * before this ran). Kept on the element until the width changes. */
  function fit(el, knownWidth) {
    var width = knownWidth === undefined ? Math.floor(el.clientWidth) : knownWidth;
    if (el._fitted && el._fitted.width === width) {
      return el._fitted;
    }
    var figure = readFigure(el);
    if (!figure) {
      return null;
    }
    // Without a width yet (a container not laid out), the server's layout as it is.
    var fitted = width ? adapt(figure, width) : figure;
    el._fitted = { width: width, data: fitted.data, layout: fitted.layout };
    if (fitted.layout && fitted.layout.height) {
      el.style.height = fitted.layout.height + "px";
    }
    return el._fitted;
  }

  /* Draw (or redraw at a new width) one chart; resolves when Plotly has drawn it. */
  function render(el) {
    var fitted = fit(el);
    if (!fitted || !window.Plotly) {
      return Promise.resolve();
    }
    if (el._drawnWidth === fitted.width) {
      return Promise.resolve();
    }
    var draw = el._drawnWidth === undefined ? window.Plotly.newPlot : window.Plotly.react;
    el._drawnWidth = fitted.width;
    return draw(el, fitted.data, fitted.layout, CONFIG).then(function () {
      hideSvg(el);
    });
  }

  function useLocale() {
    // The page's language for dates on the axes (month names, tick formats), from CLDR.
    var source = document.getElementById("chart-locale");
    if (!source) {
      return;
    }
    try {
      var locale = JSON.parse(source.textContent);
      CONFIG.locale = locale.name;
      CONFIG.locales = {};
      CONFIG.locales[locale.name] = { dictionary: {}, format: locale.format };
    } catch (error) {
      // Without it the axes fall back to Plotly's English; the tables say it all anyway.
    }
  }

  /* plotly.js (1.2 MB) is fetched when the first chart comes near the screen, not with the
   * page: a page read at its top never pays for it. Its URL is on this script's tag. */
  var plotlySrc = (document.currentScript || {}).getAttribute
    ? document.currentScript.getAttribute("data-plotly")
    : null;
  var plotlyState = window.Plotly ? "ready" : "idle"; // idle, loading, ready, failed
  var queue = [];
  var drawing = false;

  function loadPlotly() {
    if (plotlyState !== "idle") {
      return;
    }
    if (!plotlySrc) {
      plotlyState = "failed";
      giveUp();
      return;
    }
    plotlyState = "loading";
    var script = document.createElement("script");
    script.src = plotlySrc;
    script.onload = function () {
      plotlyState = window.Plotly ? "ready" : "failed";
      if (plotlyState === "failed") {
        giveUp();
      }
      pump();
    };
    script.onerror = function () {
      plotlyState = "failed";
      giveUp();
    };
    document.head.appendChild(script);
  }

  /* Without plotly.js the reserved boxes go: the descriptions and tables say it all. */
  function giveUp() {
    queue = [];
    Array.prototype.forEach.call(document.querySelectorAll("[data-figure]"), function (el) {
      if (el._drawnWidth === undefined) {
        el.hidden = true;
      }
    });
  }

  function enqueue(el) {
    if (queue.indexOf(el) < 0) {
      queue.push(el);
    }
    if (plotlyState === "ready") {
      pump();
    } else {
      loadPlotly();
    }
  }

  /* One chart per animation frame, each after the one before it has been drawn: the page
   * stays responsive between charts instead of freezing while all of them draw. */
  function pump() {
    if (drawing || plotlyState !== "ready" || !queue.length) {
      return;
    }
    drawing = true;
    window.requestAnimationFrame(function () {
      var el = queue.shift();
      render(el).then(done, done);
    });
  }

  function done() {
    drawing = false;
    pump();
  }

  function start() {
    useLocale();
    var plots = Array.prototype.slice.call(document.querySelectorAll("[data-figure]"));
    plots.forEach(function (el) {
      el.hidden = false;
    });
    if (window.IntersectionObserver) {
      // The observer's first report, made after the browser's own layout, gives every
      // chart's width without forcing a layout here: each chart's height is fitted to it
      // at once. A chart is queued when it comes within 100 px of the viewport: a page read
      // at its top does not fetch plotly.js (1.2 MB, a second of a phone's time to start).
      var seen = new window.IntersectionObserver(
        function (entries) {
          entries.forEach(function (entry) {
            if (!entry.target._fitted) {
              fit(entry.target, Math.floor(entry.boundingClientRect.width));
            }
          });
          entries.forEach(function (entry) {
            if (entry.isIntersecting) {
              seen.unobserve(entry.target);
              entry.target._inView = true;
              enqueue(entry.target);
            }
          });
        },
        { rootMargin: "100px 0px" }
      );
      plots.forEach(function (el) {
        seen.observe(el);
      });
    } else {
      plots.forEach(function (el) {
        el._inView = true;
        enqueue(el);
      });
    }
    if (!window.ResizeObserver) {
      return;
    }
    var pending = null;
    var resized = new window.ResizeObserver(function () {
      window.clearTimeout(pending);
      pending = window.setTimeout(function () {
        var shown = plots.filter(function (el) {
          return !el.hidden;
        });
        var now = shown.map(function (el) {
          return Math.floor(el.clientWidth);
        });
        shown.forEach(function (el, index) {
          fit(el, now[index]); // the reserved height follows the width
          if (el._drawnWidth !== undefined && el._drawnWidth !== el._fitted.width) {
            enqueue(el);
          }
        });
      }, 150);
    });
    plots.forEach(function (el) {
      resized.observe(el);
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
