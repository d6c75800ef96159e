// kvscan access review: sorting and filtering of the tables. No request leaves the page.
// Opening the file with #selftest appended runs the checks the browser test reads (sorting,
// filtering, chart sizes, that nothing injected ran) and writes them into <pre id="selftest">.
(function () {
  "use strict";
  var errors = [];
  window.addEventListener("error", function (event) {
    errors.push(String(event.message || event.type));
  });

  var collator = new Intl.Collator(undefined, { numeric: true, sensitivity: "base" });

  function cellText(row, index) {
    var cell = row.cells[index];
    if (!cell) { return ""; }
    var value = cell.getAttribute("data-sort");
    return value !== null ? value : cell.textContent.trim();
  }

  function compareCells(a, b, numeric) {
    if (numeric) {
      var x = parseFloat(a), y = parseFloat(b);
      if (isNaN(x) && isNaN(y)) { return 0; }
      if (isNaN(x)) { return 1; }
      if (isNaN(y)) { return -1; }
      return x - y;
    }
    return collator.compare(a, b);
  }

  function sortTable(table, index, direction) {
    var header = table.tHead.rows[0].cells[index];
    var numeric = header.getAttribute("data-type") === "number";
    var body = table.tBodies[0];
    var rows = Array.prototype.slice.call(body.rows);
    rows.sort(function (a, b) {
      var order = compareCells(cellText(a, index), cellText(b, index), numeric);
      return direction === "descending" ? -order : order;
    });
    rows.forEach(function (row) { body.appendChild(row); });
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (cell) { cell.removeAttribute("aria-sort"); });
    header.setAttribute("aria-sort", direction);
  }

  function filterTable(table, text) {
    var needle = text.trim().toLowerCase();
    var shown = 0;
    Array.prototype.forEach.call(table.tBodies[0].rows, function (row) {
      var match = needle === "" || row.textContent.toLowerCase().indexOf(needle) !== -1;
      row.hidden = !match;
      if (match) { shown += 1; }
    });
    var counter = document.querySelector('[data-count-for="' + table.id + '"]');
    if (counter) { counter.textContent = shown + " of " + table.tBodies[0].rows.length + " rows"; }
    return shown;
  }

  Array.prototype.forEach.call(document.querySelectorAll("table.sortable"), function (table) {
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (cell, index) {
      var button = cell.querySelector("button");
      if (!button) { return; }
      button.addEventListener("click", function () {
        var next = cell.getAttribute("aria-sort") === "ascending" ? "descending" : "ascending";
        sortTable(table, index, next);
      });
    });
  });

  Array.prototype.forEach.call(document.querySelectorAll("input[data-filter-for]"), function (input) {
    var table = document.getElementById(input.getAttribute("data-filter-for"));
    if (!table) { return; }
    input.addEventListener("input", function () { filterTable(table, input.value); });
  });

  function columnValues(table, index) {
    return Array.prototype.map.call(table.tBodies[0].rows, function (row) { return cellText(row, index); });
  }

  function ordered(values, direction) {
    for (var i = 1; i < values.length; i += 1) {
      var order = collator.compare(values[i - 1], values[i]);
      if (direction === "ascending" ? order > 0 : order < 0) { return false; }
    }
    return true;
  }

  function selftest() {
    var result = { errors: errors, sort: null, filter: null, charts: [], title: document.title, images: document.images.length,
                   scripts: document.scripts.length, injected: document.querySelectorAll("[onerror], [onload], iframe, object, embed").length };
    try {
      var table = document.getElementById("matrix-table");
      var index = Array.prototype.findIndex.call(table.tHead.rows[0].cells, function (c) { return c.getAttribute("data-key") === "principal"; });
      var button = table.tHead.rows[0].cells[index].querySelector("button");
      var before = columnValues(table, index);
      button.click();
      var ascending = columnValues(table, index);
      var ariaAscending = table.tHead.rows[0].cells[index].getAttribute("aria-sort");
      button.click();
      var descending = columnValues(table, index);
      result.sort = {
        column: "principal", rows: ascending.length,
        changedOrder: before.join("\u0000") !== ascending.join("\u0000"),
        ascending: ordered(ascending, "ascending") && ariaAscending === "ascending",
        descending: ordered(descending, "descending") && table.tHead.rows[0].cells[index].getAttribute("aria-sort") === "descending",
        first: ascending[0], last: ascending[ascending.length - 1]
      };
      var input = document.querySelector('input[data-filter-for="matrix-table"]');
      input.value = "kv-payments-prod";
      input.dispatchEvent(new Event("input"));
      var visible = Array.prototype.filter.call(table.tBodies[0].rows, function (row) { return !row.hidden; });
      result.filter = {
        text: input.value, shown: visible.length, total: table.tBodies[0].rows.length,
        allMatch: visible.every(function (row) { return row.textContent.toLowerCase().indexOf("kv-payments-prod") !== -1; })
      };
      input.value = "";
      input.dispatchEvent(new Event("input"));
      Array.prototype.forEach.call(document.querySelectorAll("svg.chart"), function (svg) {
        var box = svg.getBoundingClientRect();
        var bars = Array.prototype.filter.call(svg.querySelectorAll("rect"), function (rect) {
          var r = rect.getBoundingClientRect();
          return r.width > 0 && r.height > 0;
        }).length;
        result.charts.push({ id: svg.id, width: box.width, height: box.height, bars: bars });
      });
    } catch (error) {
      errors.push("selftest: " + error);
    }
    var pre = document.createElement("pre");
    pre.id = "selftest";
    pre.textContent = JSON.stringify(result);
    document.body.appendChild(pre);
  }

  if (window.location.hash === "#selftest") {
    if (document.readyState === "complete") { selftest(); } else { window.addEventListener("load", selftest); }
  }
})();
