// Tables with class "sortable": each header with data-sort becomes a button that sorts the rows
// (numbers by data-value, text in the page's language), and says so with aria-sort. Without
// JavaScript the table stays as the server ordered it.
(function () {
  "use strict";
  var collator = new Intl.Collator(document.documentElement.lang || undefined, {numeric: true});

  function cellValue(row, index, kind) {
    var cell = row.cells[index];
    if (kind === "number") { return parseFloat(cell.getAttribute("data-value") || cell.textContent) || 0; }
    return cell.textContent.trim();
  }

  function sortBy(table, header, index) {
    var kind = header.getAttribute("data-sort");
    var current = header.getAttribute("aria-sort");
    var order = current === "descending" ? "ascending" :
      current === "ascending" ? "descending" : (kind === "number" ? "descending" : "ascending");
    var body = table.tBodies[0];
    var rows = Array.prototype.slice.call(body.rows);
    rows.sort(function (a, b) {
      var x = cellValue(a, index, kind), y = cellValue(b, index, kind);
      var result = kind === "number" ? x - y : collator.compare(x, y);
      return order === "ascending" ? result : -result;
    });
    rows.forEach(function (row) { body.appendChild(row); });
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (th) { th.removeAttribute("aria-sort"); });
    header.setAttribute("aria-sort", order);
  }

  Array.prototype.forEach.call(document.querySelectorAll("table.sortable"), function (table) {
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (header, index) {
      if (!header.hasAttribute("data-sort")) { return; }
      var button = document.createElement("button");
      button.type = "button";
      button.className = "sort-button";
      while (header.firstChild) { button.appendChild(header.firstChild); }
      header.appendChild(button);
      button.addEventListener("click", function () { sortBy(table, header, index); });
    });
  });
}());
