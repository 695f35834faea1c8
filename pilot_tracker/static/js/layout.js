// On a phone, fold the filter disclosures (<details data-fold-on-phone open>) so that the
// page's content comes first; a disclosure with an error in it stays open. Without
// JavaScript they stay open: nothing is hidden from anyone who cannot unfold it.
(function () {
  "use strict";
  if (!window.matchMedia || !window.matchMedia("(max-width: 40rem)").matches) {
    return;
  }
  var folds = document.querySelectorAll("details[data-fold-on-phone]");
  for (var i = 0; i < folds.length; i += 1) {
    if (!folds[i].querySelector(".has-error")) {
      folds[i].open = false;
    }
  }
})();
