/* What every page does on a small screen: the navigation folds behind a « Menu » button, and
 * each cell of a list table carries its column's name, so that the table reads as cards (see
 * app.css, « phone »). Loaded in <head>: the class below is set before the first paint. */
(function (global) {
  "use strict";
  var doc = global.document;
  doc.documentElement.classList.add("js");

  // A cell's column name, from the header row: a sortable header's arrow is left out.
  function labelCells(table) {
    var head = table.tHead && table.tHead.rows[table.tHead.rows.length - 1];
    if (!head) return;
    var names = [];
    Array.prototype.forEach.call(head.cells, function (th) {
      var name = th.textContent.replace(/[▲▼]/g, "").replace(/\s+/g, " ").trim();
      for (var i = 0; i < (th.colSpan || 1); i++) names.push(name);
    });
    if (names.length < 3) return;  // two columns fit a phone as they are
    Array.prototype.forEach.call(table.tBodies, function (body) {
      Array.prototype.forEach.call(body.rows, function (row) {
        var at = 0;
        Array.prototype.forEach.call(row.cells, function (cell) {
          var name = cell.colSpan > 1 ? "" : names[at];
          if (name && !cell.hasAttribute("data-label")) cell.setAttribute("data-label", name);
          at += cell.colSpan || 1;
        });
      });
    });
    table.classList.add("cards");
  }

  function menu() {
    var button = doc.getElementById("menu-toggle"), nav = doc.getElementById("nav-main");
    if (!button || !nav) return;
    button.addEventListener("click", function () {
      var open = button.getAttribute("aria-expanded") !== "true";
      button.setAttribute("aria-expanded", String(open));
      nav.classList.toggle("open", open);
    });
  }

  // A drawer open where there is room (the map's filters beside the map) starts closed on a
  // small screen, where it would push the map down; unless it holds an error to correct.
  function foldDrawers() {
    if (!global.matchMedia || !global.matchMedia("(max-width: 60rem)").matches) return;
    Array.prototype.forEach.call(doc.querySelectorAll("details[data-fold-narrow]"), function (d) {
      if (!d.querySelector("[aria-invalid=true]")) d.open = false;
    });
  }

  doc.addEventListener("DOMContentLoaded", function () {
    menu();
    foldDrawers();
    Array.prototype.forEach.call(doc.querySelectorAll("table.list"), labelCells);
  });
})(window);
