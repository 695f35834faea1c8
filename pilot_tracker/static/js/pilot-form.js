// Progressive enhancement of the pilot form; everything also works without it.
// 1. Choosing a theme proposes its track (the server does the same for an empty track).
// 2. With the manual split, the sum of the percentages is shown as they are typed.
// 3. The fields of one split method (the manual shares, the equal part of hybrid) show only
//    while that method is chosen; the server renders them so for the method it was sent.
(function () {
  "use strict";
  var form = document.querySelector("form.pilot-form");
  if (!form) {
    return;
  }
  var tracks = {};
  try {
    tracks = JSON.parse(form.getAttribute("data-theme-tracks") || "{}");
  } catch (e) {
    tracks = {};
  }
  var theme = form.querySelector("#theme");
  var track = form.querySelector("#track");
  if (theme && track) {
    theme.addEventListener("change", function () {
      var proposed = tracks[theme.value];
      // Leave an explicit choice alone only when the theme proposes nothing.
      if (proposed) {
        track.value = proposed;
      }
    });
  }

  var sumLine = form.querySelector(".manual-sum");
  function method() {
    var checked = form.querySelector("input[name='split_method']:checked");
    return checked ? checked.value : "";
  }
  function isManual() {
    return method() === "manual";
  }
  function showMethodFields() {
    var chosen = method();
    form.querySelectorAll("[data-method]").forEach(function (el) {
      el.hidden = el.getAttribute("data-method") !== chosen;
    });
    form.querySelectorAll(".manual-col").forEach(function (el) {
      el.hidden = chosen !== "manual";
    });
  }
  function showSum() {
    var inputs = form.querySelectorAll("input.share-input");
    if (!sumLine) {
      return;
    }
    if (!isManual() || inputs.length === 0) {
      sumLine.hidden = true;
      return;
    }
    var hundredths = 0;
    var valid = true;
    inputs.forEach(function (input) {
      var text = input.value.trim().replace(",", ".");
      if (!/^\d{1,3}(\.\d{1,2})?$/.test(text)) {
        valid = false;
        return;
      }
      var parts = text.split(".");
      hundredths += parseInt(parts[0], 10) * 100 + parseInt(((parts[1] || "") + "00").slice(0, 2), 10);
    });
    sumLine.hidden = false;
    var label = sumLine.getAttribute("data-label") || "Sum";
    if (!valid) {
      sumLine.textContent = label + ": –";
      return;
    }
    var whole = Math.floor(hundredths / 100);
    var frac = String(hundredths % 100).padStart(2, "0");
    var sep = (document.documentElement.lang === "en") ? "." : ",";
    sumLine.textContent = label + ": " + whole + sep + frac + " %" + (hundredths === 10000 ? " ✓" : "");
  }
  form.addEventListener("input", function (event) {
    if (event.target.matches && event.target.matches("input.share-input")) {
      showSum();
    }
  });
  form.addEventListener("participants-changed", showSum);
  form.querySelectorAll("input[name='split_method']").forEach(function (radio) {
    radio.addEventListener("change", function () {
      showMethodFields();
      showSum();
    });
  });
  showSum();
})();
