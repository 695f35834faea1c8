// The participant picker: the municipality search of the pilot form as a combobox (the
// WAI-ARIA Authoring Practices' "combobox with listbox popup", list autocomplete without
// automatic selection). Typing lists the matching municipalities; the arrow keys move in the
// list, Enter (or a click) adds the municipality to the participants table without a page
// load, Escape closes the list (and, closed, clears the field). The lead municipality is never
// chosen here. Without JavaScript the Search and Add buttons do the same with page loads.
(function () {
  "use strict";
  var box = document.querySelector("[data-picker]");
  var source = document.getElementById("municipality-options");
  var template = document.getElementById("participant-row");
  var table = document.querySelector("table.participants");
  if (!box || !source || !template || !table || !("content" in template)) {
    return;
  }
  var input = box.querySelector("input[name='municipality_q']");
  if (!input) {
    return;
  }
  var municipalities = [];
  try {
    municipalities = JSON.parse(source.textContent || "[]");
  } catch (e) {
    return;
  }
  var lang = document.documentElement.lang || "fi";
  var numbers = window.Intl ? new Intl.NumberFormat(lang === "en" ? "en-GB" : lang + "-FI") : null;
  var form = input.form;
  var status = box.querySelector(".picker-status");
  var hint = document.getElementById(input.id + "-hint");
  var tbody = table.tBodies[0];
  var MAX = 12;

  function text(name, values) {
    var out = box.getAttribute("data-" + name) || "";
    Object.keys(values || {}).forEach(function (key) {
      out = out.split("__" + key + "__").join(values[key]);
    });
    return out;
  }
  function nameOf(m) {
    return lang === "sv" ? m.sv : m.fi;
  }
  function population(m) {
    return numbers ? numbers.format(m.population) : String(m.population);
  }

  // The combobox and its listbox.
  var list = document.createElement("ul");
  list.id = input.id + "-listbox";
  list.className = "picker-list";
  list.setAttribute("role", "listbox");
  list.setAttribute("aria-label", box.getAttribute("data-list-label") || "");
  list.hidden = true;
  input.insertAdjacentElement("afterend", list);
  input.setAttribute("role", "combobox");
  input.setAttribute("aria-autocomplete", "list");
  input.setAttribute("aria-expanded", "false");
  input.setAttribute("aria-controls", list.id);
  input.setAttribute("autocomplete", "off");
  if (hint) {
    hint.textContent = box.getAttribute("data-hint") || hint.textContent;
  }
  var searchButton = box.querySelector("button[value='search']");
  if (searchButton) {
    searchButton.hidden = true;
  }

  var options = [];
  var active = -1;

  function participants() {
    var codes = {};
    form.querySelectorAll("input[name='participants']").forEach(function (box) {
      if (box.checked) {
        codes[box.value] = true;
      }
    });
    return codes;
  }

  // The same matches as the server's search (pilots/queries.search_municipalities): codes
  // when only digits are typed, else a part of the Finnish or Swedish name.
  function matches(query) {
    var q = query.trim().toLocaleLowerCase(lang);
    if (!q) {
      return [];
    }
    var tokens = q.replace(/,/g, " ").split(/\s+/).filter(Boolean);
    var codes = tokens.every(function (t) { return /^\d+$/.test(t); });
    var taken = participants();
    return municipalities.filter(function (m) {
      if (taken[m.code]) {
        return false;
      }
      if (codes) {
        return tokens.some(function (t) {
          return m.code === t.padStart(3, "0") || m.code.indexOf(t) === 0;
        });
      }
      return m.fi.toLocaleLowerCase(lang).indexOf(q) >= 0 ||
        m.sv.toLocaleLowerCase(lang).indexOf(q) >= 0;
    }).map(function (m, index) {
      // Names that begin with what was typed first, then the rest, each in register order.
      var starts = m.fi.toLocaleLowerCase(lang).indexOf(q) === 0 ||
        m.sv.toLocaleLowerCase(lang).indexOf(q) === 0;
      return { m: m, rank: (codes || starts ? 0 : 1), index: index };
    }).sort(function (a, b) {
      return a.rank - b.rank || a.index - b.index;
    }).map(function (item) {
      return item.m;
    }).slice(0, MAX);
  }

  function say(message) {
    if (status) {
      status.textContent = "";
      window.setTimeout(function () { status.textContent = message; }, 50);
    }
  }

  function close() {
    list.hidden = true;
    input.setAttribute("aria-expanded", "false");
    input.removeAttribute("aria-activedescendant");
    active = -1;
  }

  function show() {
    list.textContent = "";
    options.forEach(function (m, index) {
      var item = document.createElement("li");
      item.id = list.id + "-" + m.code;
      item.setAttribute("role", "option");
      item.setAttribute("aria-selected", index === active ? "true" : "false");
      item.className = index === active ? "active" : "";
      var other = lang === "sv" ? m.fi : m.sv;
      var strong = document.createElement("span");
      strong.className = "picker-name";
      strong.textContent = nameOf(m) + (other && other !== nameOf(m) ? " / " + other : "") +
        " (" + m.code + ")";
      var small = document.createElement("span");
      small.className = "muted small";
      small.textContent = m.region + ", " + text("residents", { COUNT: population(m) });
      item.appendChild(strong);
      item.appendChild(document.createTextNode(" "));
      item.appendChild(small);
      item.addEventListener("mousedown", function (event) {
        event.preventDefault(); // keep the focus in the field
      });
      item.addEventListener("click", function () {
        choose(m);
      });
      list.appendChild(item);
    });
    var open = options.length > 0;
    list.hidden = !open;
    input.setAttribute("aria-expanded", open ? "true" : "false");
    if (active >= 0 && options[active]) {
      var current = document.getElementById(list.id + "-" + options[active].code);
      input.setAttribute("aria-activedescendant", current.id);
      current.scrollIntoView({ block: "nearest" });
    } else {
      input.removeAttribute("aria-activedescendant");
    }
  }

  function update() {
    cancelClosing();
    options = matches(input.value);
    active = -1;
    show();
    if (input.value.trim()) {
      say(options.length ? text("matches", { COUNT: String(options.length) }) : text("no-match"));
    }
  }

  function addRow(m) {
    var row = template.content.firstElementChild.cloneNode(true);
    var name = nameOf(m);
    var include = row.querySelector("input[name='participants']");
    include.value = m.code;
    include.id = "participant-" + m.code;
    var label = row.querySelector("th label");
    label.htmlFor = include.id;
    label.textContent = name + " (" + m.code + ")";
    row.children[2].textContent = population(m);
    var lead = row.querySelector("input[name='lead_municipality']");
    lead.value = m.code;
    lead.id = "lead-" + m.code;
    var labels = row.querySelectorAll("label[data-text]");
    labels[0].htmlFor = lead.id;
    labels[0].textContent = labels[0].getAttribute("data-text").split("__NAME__").join(name);
    var share = row.querySelector("input.share-input");
    share.name = "share-" + m.code;
    share.id = "share-" + m.code;
    labels[1].htmlFor = share.id;
    labels[1].textContent = labels[1].getAttribute("data-text").split("__NAME__").join(name);
    var manual = form.querySelector("input[name='split_method']:checked");
    row.querySelector(".manual-col").hidden = !(manual && manual.value === "manual");
    tbody.appendChild(row);
    document.querySelectorAll(".participants-wrap, #participants-hint").forEach(function (el) {
      el.hidden = false;
    });
    var empty = document.querySelector(".no-participants");
    if (empty) {
      empty.hidden = true;
    }
    form.dispatchEvent(new CustomEvent("participants-changed"));
  }

  function choose(m) {
    if (participants()[m.code]) {
      say(text("already", { NAME: nameOf(m) }));
      return;
    }
    addRow(m);
    input.value = "";
    close();
    var count = Object.keys(participants()).length;
    say(text("added", { NAME: nameOf(m) }) + " " + text("count", { COUNT: String(count) }));
    input.focus();
  }

  input.addEventListener("input", update);
  input.addEventListener("keydown", function (event) {
    var open = !list.hidden;
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      if (!open) {
        options = matches(input.value);
      }
      if (!options.length) {
        return;
      }
      var step = event.key === "ArrowDown" ? 1 : -1;
      active = active < 0 ? (step > 0 ? 0 : options.length - 1) :
        (active + step + options.length) % options.length;
      show();
    } else if (event.key === "Enter") {
      // Never submit the form from the search field: Enter chooses, or does nothing.
      event.preventDefault();
      if (open && active >= 0) {
        choose(options[active]);
      } else if (open && options.length === 1) {
        choose(options[0]);
      }
    } else if (event.key === "Escape") {
      if (open) {
        event.preventDefault();
        close();
      } else if (input.value) {
        event.preventDefault();
        input.value = "";
      }
    } else if (event.key === "Tab") {
      close();
    }
  });
  // Leaving the field closes the list a moment later (so a click on an option still lands);
  // coming back or typing before that moment cancels the pending close.
  var closing = null;
  function cancelClosing() {
    if (closing !== null) {
      window.clearTimeout(closing);
      closing = null;
    }
  }
  input.addEventListener("focus", cancelClosing);
  input.addEventListener("blur", function () {
    cancelClosing();
    closing = window.setTimeout(function () {
      closing = null;
      close();
    }, 150);
  });
})();
