// The municipality directory filters its rows as you type; without JavaScript the search
// form asks the server (GET ?q=), which applies the same rule (dashboards/directory.py).
(function () {
  "use strict";
  var form = document.querySelector("[data-directory-search]");
  var input = document.getElementById("directory-q");
  var status = document.getElementById("directory-found");
  if (!form || !input || !status) { return; }

  function fold(text) {
    return text.normalize("NFKD").replace(/[\u0300-\u036f]/g, "").toLowerCase().trim();
  }

  var timer = null;
  function apply() {
    var wanted = fold(input.value);
    var numeric = /^[0-9]+$/.test(wanted);
    var shown = 0;
    document.querySelectorAll("[data-region]").forEach(function (region) {
      var visible = 0;
      region.querySelectorAll("tr[data-search]").forEach(function (row) {
        var hit = !wanted || (numeric ? row.dataset.code.indexOf(wanted) === 0
          : row.dataset.search.indexOf(wanted) !== -1);
        row.hidden = !hit;
        if (hit) { visible += 1; }
      });
      region.hidden = visible === 0;
      shown += visible;
    });
    status.textContent = status.dataset.template.replace("{n}", String(shown));
  }

  input.addEventListener("input", function () {
    window.clearTimeout(timer);
    // Announce the count once typing pauses, not on every key.
    timer = window.setTimeout(apply, 150);
  });
})();
