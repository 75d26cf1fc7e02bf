// The situation picture's map: areas shaded by the severity index, Gi* hot-spot cells,
// space-time clusters and the week's incidents, each a layer the user can switch.
"use strict";

var SHADES = ["#f2f0f7", "#cbc9e2", "#9e9ac8", "#6a51a3"];

function shadeFor(value, breaks) {
  if (value === null || value === undefined) return "#ffffff";
  var i = 0;
  while (i < breaks.length && value >= breaks[i]) i += 1;
  return SHADES[Math.min(i, SHADES.length - 1)];
}

function setUpPictureMap() {
  var element = document.getElementById("picture-map");
  if (!element || !window.L) return;
  var config = mapConfig();
  var map = baseMap(element, config);
  var breaks = (element.dataset.breaks || "").split(",").filter(function (b) { return b !== ""; }).map(Number);
  var unit = element.dataset.unit || "";
  fetch(element.dataset.layers, { credentials: "same-origin" })
    .then(function (r) { return r.json(); })
    .then(function (data) {
      var areas = L.geoJSON(data.areas, {
        style: function (f) {
          return { color: "#333", weight: 1.5, fillOpacity: 0.7, fillColor: shadeFor(f.properties.value, breaks) };
        },
        onEachFeature: function (f, layer) {
          var p = f.properties;
          layer.bindTooltip(p.name + (p.value !== null ? ": " + p.value.toLocaleString("sv-SE") + " " + unit : ""));
          var link = document.createElement("a");
          link.href = p.url;
          link.textContent = "Områdessida: " + p.name;
          layer.bindPopup(link);
        },
      }).addTo(map);
      var hot = L.layerGroup((data.hotspots.cells || []).map(function (c) {
        return L.rectangle(c.bounds, { color: "#a11a1a", weight: 1, fillOpacity: 0.35 })
          .bindTooltip("Gi* z = " + c.z.toLocaleString("sv-SE") + ", " + c.count + " händelser");
      })).addTo(map);
      var clusters = L.layerGroup((data.clusters || []).map(function (c) {
        return L.circle([c.lat, c.lon], { radius: c.radius, color: "#c75000", weight: 3, fill: false, dashArray: "6 4" })
          .bindPopup(c.text);
      })).addTo(map);
      var points = L.markerClusterGroup ? L.markerClusterGroup() : L.layerGroup();
      data.points.forEach(function (p) {
        var link = document.createElement("a");
        link.href = "/handelser/" + p[0] + "/";
        link.textContent = p[3] + " (" + p[4] + ")";
        points.addLayer(L.circleMarker([p[1], p[2]], { radius: 5, color: "#1b1f24", fillOpacity: 0.8 }).bindPopup(link));
      });
      points.addTo(map);
      L.control.layers(null, {
        "Områden (index)": areas, "Brännpunkter (Gi*)": hot, "Kluster i tid och rum": clusters, "Händelser": points,
      }, { collapsed: false }).addTo(map);
      if (areas.getBounds().isValid()) map.fitBounds(areas.getBounds());
      if (window.addIndicatorLayers) addIndicatorLayers(map, data);
    });
}

document.addEventListener("DOMContentLoaded", setUpPictureMap);
