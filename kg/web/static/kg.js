/* kg web app: what every view's script shares. Plain browser script, no bundler. */
(function () {
  "use strict";

  /* JSON data of a view: inlined in the page as <script type="application/json" id=inlineId>
     (kg report), else fetched from url. */
  function data(url, inlineId) {
    var inline = inlineId ? document.getElementById(inlineId) : null;
    if (inline) return Promise.resolve(JSON.parse(inline.textContent));
    return fetch(url, {headers: {Accept: "application/json"}}).then(function (response) {
      if (!response.ok) return response.text().then(function (text) { throw new Error(text.trim()); });
      return response.json();
    });
  }

  /* The app's page of a kg IRI (an entity or an article), null for other values. */
  function pageUrl(value) {
    if (typeof value !== "string" || !/^(https?:\/\/|urn:)/.test(value)) return null;
    if (/\/entity\/[^#?]+$/.test(value)) return "/entity?iri=" + encodeURIComponent(value);
    var article = /\/article\/([^\/#?]+)$/.exec(value);
    return article ? "/article/" + article[1] : null;
  }

  /* Tabulator columns for result columns; cells holding kg IRIs link to their pages. */
  function columns(names) {
    return names.map(function (name) {
      return {
        title: name, field: name, headerSort: true,
        formatter: function (cell) {
          var value = cell.getValue();
          if (value === null || value === undefined) return "";
          var text = Array.isArray(value) ? value.join("; ") : String(value);
          var link = pageUrl(text);
          var span = document.createElement(link ? "a" : "span");
          span.textContent = text;
          if (link) span.href = link;
          return span;
        }
      };
    });
  }

  window.kg = {data: data, pageUrl: pageUrl, columns: columns};
})();
