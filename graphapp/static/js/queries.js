/* Saved queries, the console and drafts: sortable result tables.
 *
 * Click a column heading to sort by it (again to reverse). Cells sort by their data-sort
 * text: as numbers when both are numbers, else as text in the page's language. Nothing is
 * written as HTML: rows are only moved.
 */
(function () {
  "use strict";

  function key(td) {
    var raw = td ? td.getAttribute("data-sort") || "" : "";
    var n = raw.trim() === "" ? NaN : Number(raw);
    return { raw: raw, num: n };
  }

  function compare(a, b) {
    if (!isNaN(a.num) && !isNaN(b.num)) { return a.num - b.num; }
    return a.raw.localeCompare(b.raw, document.documentElement.lang || undefined, { numeric: true });
  }

  function sortable(table) {
    var body = table.tBodies[0];
    if (!body) { return; }
    var buttons = table.querySelectorAll("thead button.sort");
    buttons.forEach(function (button) {
      button.addEventListener("click", function () {
        var column = parseInt(button.getAttribute("data-column"), 10);
        var th = button.parentNode;
        var ascending = th.getAttribute("aria-sort") !== "ascending";
        table.querySelectorAll("thead th").forEach(function (h) { h.removeAttribute("aria-sort"); });
        th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
        var rows = Array.prototype.slice.call(body.rows).filter(function (r) { return r.cells.length > 1 || body.rows.length > 1; });
        rows.sort(function (r1, r2) {
          var c = compare(key(r1.cells[column]), key(r2.cells[column]));
          return ascending ? c : -c;
        });
        rows.forEach(function (r) { body.appendChild(r); });
        table.setAttribute("data-sorted", column + (ascending ? ":asc" : ":desc"));
      });
    });
    table.setAttribute("data-sortable", "ready");
  }

  function start() {
    document.querySelectorAll("table.sortable").forEach(sortable);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
