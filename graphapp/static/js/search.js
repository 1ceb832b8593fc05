/* The search box: suggestions as you type (GET /api/v1/search), an ARIA combobox driven by
 * the keyboard (↑ ↓ to choose, Enter to open, Esc to close), and ↑ ↓ between the results
 * below. Every label is set with textContent: names are data, never markup.
 */
(function () {
  "use strict";

  var form = document.getElementById("search-form");
  var input = document.getElementById("search-q");
  var list = document.getElementById("search-suggestions");
  if (!form || !input || !list) { return; }
  var base = form.dataset.entityBase, api = form.dataset.api;
  var items = [], active = -1, timer = null, asked = "";

  function close() {
    list.hidden = true;
    input.setAttribute("aria-expanded", "false");
    input.removeAttribute("aria-activedescendant");
    active = -1;
  }

  function highlight(i) {
    var options = list.querySelectorAll("[role=option]");
    if (!options.length) { return; }
    active = (i + options.length) % options.length;
    options.forEach(function (o, j) { o.setAttribute("aria-selected", j === active ? "true" : "false"); });
    input.setAttribute("aria-activedescendant", options[active].id);
    options[active].scrollIntoView({ block: "nearest" });
  }

  function open(results) {
    items = results;
    list.textContent = "";
    var lastKind = "";
    results.forEach(function (r, i) {
      if (r.kind !== lastKind) {
        var head = document.createElement("li");
        head.className = "suggest-kind";
        head.setAttribute("role", "presentation");
        head.textContent = r.kind;
        list.appendChild(head);
        lastKind = r.kind;
      }
      var li = document.createElement("li");
      li.id = "suggestion-" + i;
      li.setAttribute("role", "option");
      li.setAttribute("aria-selected", "false");
      li.dataset.index = String(i);
      var label = document.createElement("span");
      label.className = "suggest-label";
      label.textContent = r.label;
      var cases = document.createElement("span");
      cases.className = "cases";
      cases.textContent = r.cases.join(", ");
      li.appendChild(label);
      li.appendChild(document.createTextNode(" "));
      li.appendChild(cases);
      li.addEventListener("mousedown", function (ev) { ev.preventDefault(); go(i); });
      list.appendChild(li);
    });
    if (!results.length) {
      var none = document.createElement("li");
      none.className = "suggest-none";
      none.textContent = "Nothing in your cases matches.";
      list.appendChild(none);
    }
    list.hidden = false;
    input.setAttribute("aria-expanded", "true");
    active = -1;
  }

  function go(i) {
    if (items[i]) { window.location.href = base + encodeURIComponent(items[i].id); }
  }

  function ask() {
    var q = input.value.trim();
    if (q.length < 2) { close(); return; }
    if (q === asked) { return; }
    asked = q;
    fetch(api + "?limit=12&q=" + encodeURIComponent(q),
          { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { return r.ok ? r.json() : { results: [] }; })
      .then(function (body) { if (input.value.trim() === q) { open(body.results || []); } })
      .catch(function () { close(); });
  }

  input.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(ask, 250);
  });
  var links = Array.prototype.slice.call(document.querySelectorAll("#results a"));
  input.addEventListener("keydown", function (ev) {
    if (ev.key === "ArrowDown" && list.hidden && links.length && input.value.trim() === form.dataset.q) {
      ev.preventDefault();
      links[0].focus();
      return;
    }
    if (ev.key === "ArrowDown" || ev.key === "ArrowUp") {
      if (list.hidden) { asked = ""; ask(); return; }
      ev.preventDefault();
      highlight(active + (ev.key === "ArrowDown" ? 1 : -1));
    } else if (ev.key === "Enter" && !list.hidden && active >= 0) {
      ev.preventDefault();
      go(active);
    } else if (ev.key === "Escape" && !list.hidden) {
      ev.preventDefault();  // close the list, keep what was typed
      close();
    }
  });
  input.addEventListener("blur", function () { setTimeout(close, 150); });

  /* ↑ ↓ move between the result links below the box. */
  links.forEach(function (a, i) {
    a.addEventListener("keydown", function (ev) {
      if (ev.key === "ArrowDown" && links[i + 1]) { ev.preventDefault(); links[i + 1].focus(); }
      if (ev.key === "ArrowUp") { ev.preventDefault(); (links[i - 1] || input).focus(); }
    });
  });
})();
