/* The SPARQL editor: CodeMirror with SPARQL mode; answers from /query shown in a Tabulator table. */
(function () {
  "use strict";
  var editor = CodeMirror.fromTextArea(document.getElementById("editor"), {
    mode: "sparql", lineNumbers: true, viewportMargin: Infinity
  });
  window.kgEditor = editor;
  var status = document.getElementById("status");
  var results = document.getElementById("results");
  var table = null;

  function show(answer) {
    if (table) { table.destroy(); table = null; }
    results.replaceChildren();
    if (answer.boolean !== undefined) {
      results.textContent = "ASK: " + answer.boolean;
      status.textContent = "";
      return;
    }
    var names = answer.head.vars;
    var rows = answer.results.bindings.map(function (binding) {
      var row = {};
      names.forEach(function (name) { row[name] = binding[name] ? binding[name].value : null; });
      return row;
    });
    status.textContent = rows.length + " rows";
    table = new Tabulator(results, {
      layout: "fitDataTable", data: rows, columns: kg.columns(names),
      pagination: true, paginationSize: 50, placeholder: "No rows"
    });
  }

  function run() {
    status.textContent = "running…";
    results.dataset.state = "loading";
    var body = new URLSearchParams({query: editor.getValue()});
    fetch("/query", {method: "POST", body: body, headers: {Accept: "application/sparql-results+json"}})
      .then(function (response) {
        if (!response.ok) return response.text().then(function (text) { throw new Error(text.trim()); });
        var type = response.headers.get("Content-Type") || "";
        if (type.indexOf("json") < 0) {
          return response.text().then(function (text) {
            results.replaceChildren();
            var pre = document.createElement("pre");
            pre.textContent = text;
            results.appendChild(pre);
            status.textContent = "";
          });
        }
        return response.json().then(show);
      })
      .then(function () { results.dataset.state = "ready"; })
      .catch(function (error) {
        results.dataset.state = "error";
        status.textContent = error.message;
      });
  }

  document.getElementById("run").addEventListener("click", run);
  editor.setOption("extraKeys", {"Ctrl-Enter": run, "Cmd-Enter": run});
})();
