/* The map: located events (clustered, coloured by class) and places on an offline basemap of country and
   admin-1 outlines (Natural Earth, drawn from the TopoJSON shipped in vendor/); tiles only when configured. */
(function () {
  "use strict";
  var KG = window.KG;
  var ADMIN1_ZOOM = 5;

  function topology(options, key) {
    if (KG.inline && KG.inline.basemap) {
      return Promise.resolve(KG.inline.basemap[key]);
    }
    return fetch(options.basemap[key]).then(function (response) { return response.json(); });
  }

  function basemap(map, options) {
    var renderer = L.canvas({padding: 0.5});
    return Promise.all([topology(options, "countries"), topology(options, "admin1")]).then(function (t) {
      var countries = L.geoJSON(topojson.feature(t[0], t[0].objects.countries), {
        renderer: renderer, interactive: false,
        style: {color: "#8a8f98", weight: 1, fillColor: "#f4f1ea", fillOpacity: options.tiles ? 0 : 1}
      }).addTo(map);
      var admin1 = L.geoJSON(topojson.feature(t[1], t[1].objects.admin1), {
        renderer: renderer, interactive: false, style: {color: "#b4b8bf", weight: 0.6, fill: false}
      });
      function byZoom() {
        if (map.getZoom() >= ADMIN1_ZOOM) { admin1.addTo(map); } else { admin1.remove(); }
      }
      map.on("zoomend", byZoom);
      byZoom();
      return {countries: countries, admin1: admin1};
    });
  }

  function icon(colour, count) {
    var size = count > 1 ? 24 : 14;
    return L.divIcon({className: "kg-dot", iconSize: [size, size],
                      html: "<span style='background:" + colour + "'>" + (count > 1 ? count : "") + "</span>"});
  }

  function line(name, value) {
    return value === null || value === undefined || value === "" || (Array.isArray(value) && !value.length) ? ""
      : "<br><b>" + name + ":</b> " + KG.escape(Array.isArray(value) ? value.join(", ") : value);
  }

  function eventPopup(e) {
    return "<div class='kg-popup'><b>" + KG.escape(e["class"]) + "</b> " + KG.escape(e.date || "undated") +
      line("Place", e.placeLabel) + line("Agents", e.agents) + line("Targets", e.targets) +
      line("Killed", e.killed) + line("Injured", e.injured) +
      line("Reports", e.reports + " (" + e.articles + (e.articles === 1 ? " article)" : " articles)")) +
      (e.evidence.length ? "<br>" + KG.evidenceHtml(e.evidence) : "") + "</div>";
  }

  function groupPopup(g) {
    return "<div class='kg-popup'><b>" + g.count + " × " + KG.escape(g["class"]) + "</b> at " + KG.escape(g.placeLabel) +
      "<br>" + KG.escape(g.first || "") + " – " + KG.escape(g.last || "") + "</div>";
  }

  function placePopup(p) {
    var name = KG.escape(p.label);
    return "<div class='kg-popup'><b>" + (KG.inline ? name : "<a href='" + KG.escape(KG.entityHref(p.iri)) + "'>" + name + "</a>") +
      "</b> (" + KG.escape(p["class"]) + ")" +
      (p.wikidata ? "<br><a href='" + KG.escape(p.wikidata) + "'>" + KG.escape(p.wikidata) + "</a>" : "") + "</div>";
  }

  function summary(data) {
    var n = data.mode === "events" ? data.events.length : data.groups.length;
    if (data.mode === "events") {
      return data.total + " located events, " + data.places.length + " places with coordinates.";
    }
    return data.total + " located events: more than " + data.limit + ", so one marker per place and class (" + n +
      ") with its count - narrow the dates or pick a place or actor to see single events.";
  }

  KG.mapView = function (element, options) {
    var map = L.map(element, {worldCopyJump: true, minZoom: 2, maxZoom: options.tiles ? 18 : 12}).setView([30, 30], 3);
    if (options.tiles) {
      L.tileLayer(options.tiles, {maxZoom: 18}).addTo(map);
    }
    var cluster = L.markerClusterGroup({
      iconCreateFunction: function (group) {
        var n = group.getAllChildMarkers().reduce(function (sum, m) { return sum + m.options.count; }, 0);
        var size = n < 10 ? "small" : n < 100 ? "medium" : "large";
        return L.divIcon({html: "<div><span>" + n + "</span></div>", className: "marker-cluster marker-cluster-" + size,
                          iconSize: [40, 40]});
      }
    });
    var places = L.layerGroup();
    var state = window.kgMap = {map: map, cluster: cluster, places: places, ready: false};
    var status = options.status;
    Promise.all([basemap(map, options), KG.data("map", options.params)]).then(function (parts) {
      var data = parts[1];
      var classes = {};
      state.basemap = parts[0];
      data.events.forEach(function (e) {
        classes[e["class"]] = 1;
        cluster.addLayer(L.marker([e.lat, e.lon], {icon: icon(KG.colour(e["class"]), 1), count: 1, title: e["class"]})
          .bindPopup(eventPopup(e)));
      });
      data.groups.forEach(function (g) {
        classes[g["class"]] = 1;
        cluster.addLayer(L.marker([g.lat, g.lon], {icon: icon(KG.colour(g["class"]), g.count), count: g.count,
                                                   title: g["class"]}).bindPopup(groupPopup(g)));
      });
      data.places.forEach(function (p) {
        L.circleMarker([p.lat, p.lon], {radius: 4, color: "#333", weight: 1, fillColor: "#fff", fillOpacity: 1})
          .bindTooltip(KG.escape(p.label)).bindPopup(placePopup(p)).addTo(places);
      });
      cluster.addTo(map);
      L.control.layers(null, {"Events": cluster, "Places": places, "Admin-1 outlines (zoom ≥ 5)": parts[0].admin1},
                       {collapsed: false}).addTo(map);
      if (cluster.getLayers().length) {
        map.fitBounds(cluster.getBounds().pad(0.3), {maxZoom: 7, animate: false});
      }
      KG.legend(options.legend, Object.keys(classes).sort().map(function (c) { return [c, KG.colour(c)]; }));
      status.textContent = summary(data);
      state.data = data;
      state.ready = true;
    }).catch(function (error) { KG.fail(status, error); });
    return state;
  };
})();
