/* Sortable tables: every table with class "sortable" (saved queries, the console, drafts, the
 * path finder, the cross-case report, the detectors and the network analysis).
 *
 * Each column heading is a button (one the template wrote, or one made here around the
 * heading's text), so a keyboard sorts as a mouse does: Tab to a heading, Enter or Space.
 * Activate a heading to sort by its column, again to reverse; the heading's aria-sort says
 * which way. Cells sort by their data-sort text, else their own text: as numbers when both
 * are numbers, else as text in the page's language. Nothing is written as HTML: headings'
 * own nodes are moved into the buttons and rows are only reordered.
 */
(function () {
  "use strict";

  function key(cell) {
    var raw = cell ? (cell.getAttribute("data-sort") !== null ? cell.getAttribute("data-sort")
                                                             : cell.textContent.trim()) : "";
    var num = raw.trim() === "" ? NaN : Number(raw);
    return { raw: raw, num: num };
  }

  function compare(a, b) {
    if (!isNaN(a.num) && !isNaN(b.num)) { return a.num - b.num; }
    return a.raw.localeCompare(b.raw, document.documentElement.lang || undefined, { numeric: true });
  }

  function headingButton(th, column) {
    var button = th.querySelector("button.sort");
    if (!button) {
      button = document.createElement("button");
      button.type = "button";
      button.className = "link sort";
      while (th.firstChild) { button.appendChild(th.firstChild); }
      th.appendChild(button);
    }
    button.setAttribute("data-column", String(column));
    return button;
  }

  function sortBy(table, th, column) {
    var body = table.tBodies[0];
    var ascending = th.getAttribute("aria-sort") !== "ascending";
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (h) { h.removeAttribute("aria-sort"); });
    th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
    var rows = Array.prototype.slice.call(body.rows);
    rows.sort(function (r1, r2) {
      var c = compare(key(r1.cells[column]), key(r2.cells[column]));
      return ascending ? c : -c;
    });
    rows.forEach(function (r) { body.appendChild(r); });
    table.setAttribute("data-sorted", column + (ascending ? ":asc" : ":desc"));
  }

  function sortable(table) {
    if (!table.tHead || !table.tBodies[0] || table.getAttribute("data-sortable") === "ready") { return; }
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (th, column) {
      headingButton(th, column).addEventListener("click", function () { sortBy(table, th, column); });
    });
    table.setAttribute("data-sortable", "ready");
  }

  function start() {
    Array.prototype.forEach.call(document.querySelectorAll("table.sortable"), sortable);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
}());
