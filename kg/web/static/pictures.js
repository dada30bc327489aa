/* Shared by the map, network and timeline views: where their data comes from, links to evidence, colours.
   In the app the data comes from /api/<view>; in a file written by 'kg report' it is in the page (KG.inline). */
(function () {
  "use strict";
  var KG = window.KG = window.KG || {};

  KG.data = function (view, params) {
    if (KG.inline && KG.inline[view]) {
      return Promise.resolve(KG.inline[view]);
    }
    var query = new URLSearchParams(params || {}).toString();
    return fetch("/api/" + view + (query ? "?" + query : "")).then(function (response) {
      return response.json().then(function (body) {
        if (!response.ok) {
          throw new Error(body.error || response.statusText);
        }
        return body;
      });
    });
  };

  KG.escape = function (text) {
    return String(text === null || text === undefined ? "" : text).replace(/[&<>"']/g, function (c) {
      return {"&": "&amp;", "<": "&lt;", ">": "&gt;", "\"": "&quot;", "'": "&#39;"}[c];
    });
  };

  KG.articleHref = function (evidence) {
    return "/article/" + encodeURIComponent(evidence.article) + "#m-" + evidence.start + "-" + evidence.end;
  };

  // A report has no server to open the article in, so it quotes the sentence instead of linking to it.
  KG.evidenceHtml = function (evidence) {
    return (evidence || []).map(function (e) {
      var quote = "<q>" + KG.escape(e.text) + "</q>";
      return KG.inline ? quote : "<a class='kg-evidence' href='" + KG.escape(KG.articleHref(e)) + "'>" + quote + "</a>";
    }).join("<br>");
  };

  KG.entityHref = function (iri) {
    return "/entity?iri=" + encodeURIComponent(iri);
  };

  var PALETTE = ["#d62728", "#1f77b4", "#ff7f0e", "#2ca02c", "#9467bd", "#8c564b", "#e377c2", "#17becf",
                 "#bcbd22", "#7f7f7f", "#393b79", "#ad494a", "#637939", "#843c39"];
  // the event classes and actor classes kg knows get colours of their own, anything else one by its name
  var CLASSES = ["Attack", "Airstrike", "Clash", "Bombing", "Raid", "Arrest", "MilitaryOperation", "SearchOperation",
                 "RocketAttack", "Assassination", "Meeting", "ArmedGroup", "SecurityForce", "State", "Person",
                 "GovernmentBody", "PoliticalGroup", "InternationalOrganization", "MediaOrganization"];
  KG.colour = function (name) {
    if (CLASSES.indexOf(name) >= 0) {
      return PALETTE[CLASSES.indexOf(name) % PALETTE.length];
    }
    var hash = 0;
    for (var i = 0; i < name.length; i++) {
      hash = (hash * 31 + name.charCodeAt(i)) >>> 0;
    }
    return PALETTE[hash % PALETTE.length];
  };

  // entries: [name, colour] or [name, colour, "line"] (an edge kind rather than a class)
  KG.legend = function (element, entries) {
    element.innerHTML = entries.map(function (entry) {
      return "<span class='kg-key'><i class='" + (entry[2] === "line" ? "kg-line" : "") + "' style='background:" +
        entry[1] + "'></i>" + KG.escape(entry[0]) + "</span>";
    }).join("");
  };

  KG.fail = function (element, error) {
    element.textContent = "Could not load the data: " + (error && error.message ? error.message : String(error));
    if (window.console) { console.error(error); }
    element.classList.add("kg-error");
  };
})();

/* Start a view on its element #kg-<view>, whose data-options hold its parameters (and, in the app, the
   basemap's URLs and the tile URL); status, legend and detail lines are #kg-<view>-status and so on. */
window.KG.start = function (view) {
  "use strict";
  var element = document.getElementById("kg-" + view);
  var options = JSON.parse(element.getAttribute("data-options") || "{}");
  ["status", "legend", "detail"].forEach(function (part) {
    options[part] = document.getElementById("kg-" + view + "-" + part);
  });
  return window.KG[view + "View"](element, options);
};
