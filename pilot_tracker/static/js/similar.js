// Similar pilots on the pilot form while its name and summary are typed: asks
// /pilots/similar (same origin, the session's cookie) for an HTML fragment and puts it into
// the form's aria-live region. Only comfort: without JavaScript any submit of the form lists
// the similar pilots, and the pilot page shows them after the first save.
(function () {
  "use strict";
  var box = document.querySelector("[data-similar-url]");
  var form = document.querySelector("form.pilot-form");
  if (!box || !form || !window.fetch || !window.URLSearchParams) {
    return;
  }
  var results = box.querySelector("#similar-results");
  var name = form.querySelector("#name");
  var summary = form.querySelector("#summary");
  var theme = form.querySelector("#theme");
  var WAIT_MS = 500;
  var timer = null;
  var controller = null;
  var last = "";

  function value(field) {
    return field ? field.value : "";
  }

  function lookup() {
    if ((value(name) + " " + value(summary)).trim().length < 4) {
      return;
    }
    var params = new URLSearchParams();
    params.set("name", value(name));
    params.set("summary", value(summary).slice(0, 2000));
    params.set("theme", value(theme));
    var exclude = box.getAttribute("data-exclude");
    if (exclude) {
      params.set("exclude", exclude);
    }
    var query = params.toString();
    if (query === last) {
      return;
    }
    last = query;
    if (controller) {
      controller.abort();
    }
    controller = window.AbortController ? new window.AbortController() : null;
    results.setAttribute("aria-busy", "true");
    window
      .fetch(box.getAttribute("data-similar-url") + "?" + query, {
        credentials: "same-origin",
        headers: { Accept: "text/html" },
        signal: controller ? controller.signal : undefined
      })
      .then(function (response) {
        if (!response.ok) {
          throw new Error("HTTP " + response.status);
        }
        return response.text();
      })
      .then(function (html) {
        // The fragment is the app's own template output, escaped on the server.
        results.innerHTML = html;
        results.setAttribute("aria-busy", "false");
      })
      .catch(function () {
        // Keep what was shown; a later keystroke tries again.
        results.setAttribute("aria-busy", "false");
        last = "";
      });
  }

  function schedule() {
    window.clearTimeout(timer);
    timer = window.setTimeout(lookup, WAIT_MS);
  }

  [name, summary].forEach(function (field) {
    if (field) {
      field.addEventListener("input", schedule);
    }
  });
  if (theme) {
    theme.addEventListener("change", schedule);
  }
})();
