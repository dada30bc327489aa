/* The actor network: actors as nodes (coloured by class), relations and acts-against as edges (width by count). */
(function () {
  "use strict";
  var KG = window.KG;
  var KINDS = {"opposes": "#d62728", "acts-against": "#ff7f0e", "allied": "#2ca02c", "member": "#1f77b4",
               "leader": "#9467bd"};

  KG.networkView = function (element, options) {
    var state = window.kgNetwork = {ready: false};
    var status = options.status;
    KG.data("network", options.params).then(function (data) {
      var heaviest = data.edges.reduce(function (max, e) { return Math.max(max, e.weight); }, 1);
      var elements = data.nodes.map(function (n) {
        return {data: {id: n.id, label: n.label, cls: n["class"], colour: KG.colour(n["class"])}};
      }).concat(data.edges.map(function (e, i) {
        return {data: {id: "e" + i, source: e.source, target: e.target, kind: e.kind, weight: e.weight,
                       width: 1 + 9 * Math.log(1 + e.weight) / Math.log(1 + heaviest), colour: KINDS[e.kind] || "#777"}};
      }));
      var cy = cytoscape({
        container: element, elements: elements,
        style: [
          {selector: "node", style: {"label": "data(label)", "background-color": "data(colour)", "font-size": 11,
                                     "text-valign": "bottom", "text-margin-y": 3, "width": 18, "height": 18}},
          {selector: "edge", style: {"width": "data(width)", "line-color": "data(colour)", "curve-style": "bezier",
                                     "target-arrow-shape": "triangle", "target-arrow-color": "data(colour)",
                                     "opacity": 0.8, "label": "data(weight)", "font-size": 9, "color": "#555"}}
        ],
        layout: {name: data.nodes.length > 1 ? "cose" : "grid", animate: false, nodeDimensionsIncludeLabels: true}
      });
      cy.on("tap", "node", function (event) {
        var node = event.target;
        if (KG.inline) {
          options.detail.textContent = node.data("label") + " (" + node.data("cls") + "): " + node.id();
        } else {
          window.location.href = KG.entityHref(node.id());
        }
      });
      var kinds = {};
      var classes = {};
      data.edges.forEach(function (e) { kinds[e.kind] = 1; });
      data.nodes.forEach(function (n) { classes[n["class"]] = 1; });
      KG.legend(options.legend, Object.keys(kinds).sort().map(function (k) { return [k, KINDS[k] || "#777", "line"]; })
        .concat(Object.keys(classes).sort().map(function (c) { return [c, KG.colour(c)]; })));
      status.textContent = data.edges.length < data.total
        ? "Showing the " + data.edges.length + " heaviest of " + data.total + " edges, between " + data.nodes.length + " actors."
        : data.total + " edges between " + data.nodes.length + " actors.";
      state.cy = cy;
      state.data = data;
      state.ready = true;
    }).catch(function (error) { KG.fail(status, error); });
    return state;
  };
})();
