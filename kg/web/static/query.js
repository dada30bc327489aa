/* A saved query: parameter suggestions, its rows a page at a time in a Tabulator table, downloads. */
(function () {
  "use strict";
  var form = document.getElementById("query-form");
  var holder = document.getElementById("rows");
  var status = document.getElementById("status");
  var base = holder.dataset.url;

  function given() {
    var params = new URLSearchParams();
    new FormData(form).forEach(function (value, name) { if (value) params.append(name, value); });
    return params;
  }

  function downloads() {
    ["csv", "json"].forEach(function (format) {
      var params = given();
      params.set("format", format);
      document.getElementById("download-" + format).href = base + "?" + params.toString();
    });
  }

  form.querySelectorAll("input[data-suggest]").forEach(function (input) {
    var list = document.getElementById(input.getAttribute("list"));
    var asked = null;
    input.addEventListener("input", function () {
      var prefix = input.value;
      if (prefix === asked) return;
      asked = prefix;
      kg.data(input.dataset.suggest + "?q=" + encodeURIComponent(prefix)).then(function (values) {
        if (asked !== prefix) return;
        list.replaceChildren.apply(list, values.map(function (value) {
          var option = document.createElement("option");
          option.value = value;
          return option;
        }));
      }).catch(function () {});
    });
  });

  var table = null;
  function load() {
    downloads();
    var url = base + "?" + given().toString();
    if (table) table.destroy();
    holder.dataset.state = "loading";
    status.textContent = "running the query…";
    table = new Tabulator(holder, {
      layout: "fitDataTable", pagination: true, paginationMode: "remote", paginationSize: 50,
      paginationSizeSelector: [20, 50, 100, 500], paginationCounter: "rows",
      placeholder: "No rows", ajaxURL: url,
      ajaxRequestFunc: function (ajaxUrl, config, params) {
        var sep = ajaxUrl.indexOf("?") < 0 ? "?" : "&";
        return kg.data(ajaxUrl + sep + "page=" + params.page + "&size=" + params.size, "query-data");
      },
      ajaxResponse: function (ajaxUrl, params, response) {
        if (!table.getColumns().length) table.setColumns(kg.columns(response.columns));
        return response;
      }
    });
    table.on("dataProcessed", function () {
      holder.dataset.state = "ready";
      status.textContent = "";
    });
    table.on("dataLoadError", function (error) {
      holder.dataset.state = "error";
      status.textContent = String(error.message || error);
    });
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    history.replaceState(null, "", form.action + "?" + given().toString());
    load();
  });
  load();
})();
