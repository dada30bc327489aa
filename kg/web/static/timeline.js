/* The timeline: dated events, policies and statements in three rows; a click shows the item and its evidence. */
(function () {
  "use strict";
  var KG = window.KG;
  var GROUPS = [{id: "event", content: "Events"}, {id: "policy", content: "Policies"}, {id: "statement", content: "Statements"}];

  KG.timelineView = function (element, options) {
    var state = window.kgTimeline = {ready: false};
    var status = options.status;
    KG.data("timeline", options.params).then(function (data) {
      var items = new vis.DataSet(data.items.map(function (item, i) {
        return {id: i, group: item.kind, start: item.date, className: "kg-tl-" + item.kind,
                content: KG.escape(item.label), title: KG.escape(item["class"] + " · " + item.date)};
      }));
      var timeline = new vis.Timeline(element, items, new vis.DataSet(GROUPS), {stack: true, maxHeight: 520, zoomMin: 864e5});
      timeline.fit({animation: false});
      timeline.on("select", function (props) {
        var item = data.items[props.items[0]];
        options.detail.innerHTML = item ? "<b>" + KG.escape(item["class"]) + "</b> " + KG.escape(item.date) + ": " +
          KG.escape(item.label) + "<br>" + KG.evidenceHtml(item.evidence) : "";
      });
      status.textContent = data.more
        ? "Showing the latest " + data.items.length + " items - pick a place, an actor or dates to see others."
        : data.items.length + " dated events, policies and statements.";
      state.timeline = timeline;
      state.data = data;
      state.ready = true;
    }).catch(function (error) { KG.fail(status, error); });
    return state;
  };
})();
