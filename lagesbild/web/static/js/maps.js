// Maps with Leaflet (vendored). The base-map tile URL comes from the server's settings; when
// none is set (the default) or no tiles load, areas and points are drawn on a plain background.
"use strict";

function mapConfig() {
  var node = document.getElementById("map-config");
  return node ? JSON.parse(node.textContent) : {};
}

var MAX_ZOOM = 19;

function baseMap(element, config) {
  // The marker images' real (hashed) URLs from the server; imagePath "" stops Leaflet from
  // guessing a folder from leaflet.css, which fails once the file names carry a hash.
  if (config.marker) {
    L.Icon.Default.imagePath = "";
    L.Icon.Default.mergeOptions(config.marker);
  }
  // The map's own maxZoom: without a tile layer to give one, clustering refuses to start.
  var map = L.map(element, { preferCanvas: true, maxZoom: MAX_ZOOM });
  if (config.tiles) {
    L.tileLayer(config.tiles, { maxZoom: MAX_ZOOM, attribution: config.attribution || "" }).addTo(map);
  }
  return map;
}

var AREA_STYLE = { color: "#0b4f8a", weight: 2, fillOpacity: 0.06 };

function loadAreas(map, config, fit) {
  return fetch(config.areas_url, { credentials: "same-origin" })
    .then(function (r) { return r.json(); })
    .then(function (geojson) {
      var layer = L.geoJSON(geojson, {
        style: AREA_STYLE,
        onEachFeature: function (feature, l) { l.bindTooltip(feature.properties.name); },
      }).addTo(map);
      if (fit && layer.getBounds().isValid()) map.fitBounds(layer.getBounds());
      return layer;
    });
}

function setUpReportMap() {
  var element = document.getElementById("report-map");
  if (!element || !window.L) return;
  var config = mapConfig();
  var map = baseMap(element, config);
  var lon = document.getElementById("id_lon");
  var lat = document.getElementById("id_lat");
  var place = document.getElementById("id_place");
  var summary = document.getElementById("location-summary");
  var marker = null;

  function choose(latValue, lonValue, label, placeId) {
    lat.value = Number(latValue).toFixed(6);
    lon.value = Number(lonValue).toFixed(6);
    place.value = placeId || "";
    if (marker) marker.setLatLng([latValue, lonValue]);
    else marker = L.marker([latValue, lonValue]).addTo(map);
    summary.textContent = (label ? label + " – " : "") + lat.value + ", " + lon.value;
  }

  // A marker needs the map's view, which the areas set: place one only after them.
  var areasDrawn = loadAreas(map, config, !lat.value).then(function () {
    if (lat.value && lon.value) {
      choose(lat.value, lon.value, "", place.value);
      map.setView([lat.value, lon.value], 15);
    }
  });
  map.on("click", function (event) { choose(event.latlng.lat, event.latlng.lng, "", ""); });

  var button = document.getElementById("use-position");
  if (button) {
    if (!navigator.geolocation) button.hidden = true;
    button.addEventListener("click", function () {
      summary.textContent = "Hämtar position…";
      navigator.geolocation.getCurrentPosition(
        function (pos) {
          choose(pos.coords.latitude, pos.coords.longitude, "Min position", "");
          map.setView([pos.coords.latitude, pos.coords.longitude], 16);
        },
        function () { summary.textContent = "Positionen kunde inte hämtas. Tryck på kartan eller sök en plats."; },
        { enableHighAccuracy: true, timeout: 10000 }
      );
    });
  }
  document.addEventListener("click", function (event) {
    var choice = event.target.closest(".place-choice");
    if (!choice) return;
    choose(choice.dataset.lat, choice.dataset.lon, choice.dataset.label, choice.dataset.place);
    map.setView([choice.dataset.lat, choice.dataset.lon], 16);
  });
  document.getElementById("report-form").addEventListener("report:restored", function () {
    areasDrawn.then(function () {
      if (lat.value && lon.value) choose(lat.value, lon.value, "", place.value);
    });
  });
}

function setUpIncidentMap() {
  var element = document.getElementById("incident-map");
  if (!element || !window.L) return;
  var config = mapConfig();
  var map = baseMap(element, config);
  var point = [Number(element.dataset.lat), Number(element.dataset.lon)];
  loadAreas(map, config, false);
  L.circleMarker(point, { radius: 8, color: "#a11a1a", fillOpacity: 0.8 }).addTo(map);
  map.setView(point, 15);
}

function setUpIncidentsMap() {
  var element = document.getElementById("incidents-map");
  if (!element || !window.L) return;
  var config = mapConfig();
  var map = baseMap(element, config);
  var status = document.getElementById("map-status");
  var points = fetch(element.dataset.points, { credentials: "same-origin" })
    .then(function (r) { return r.json(); });
  // Clustering needs the map's view, which fitting the areas sets: add the points after them.
  Promise.all([loadAreas(map, config, true), points])
    .then(function (loaded) {
      var data = loaded[1];
      var cluster = L.markerClusterGroup ? L.markerClusterGroup({ chunkedLoading: true }) : L.layerGroup();
      data.points.forEach(function (p) {
        var marker = L.circleMarker([p[1], p[2]], { radius: 6, color: "#a11a1a", fillOpacity: 0.7 });
        var link = document.createElement("a");
        link.href = "/handelser/" + p[0] + "/";
        link.textContent = p[3] + " (" + p[4] + ")";
        marker.bindPopup(link);
        cluster.addLayer(marker);
      });
      map.addLayer(cluster);
      status.textContent = data.points.length + " händelser på kartan" + (data.truncated ? " (urvalet är begränsat; filtrera mer)" : "") + ".";
    })
    .catch(function () { status.textContent = "Händelserna kunde inte laddas."; });
  setUpPoliceEventLayer(map);
}

// --- The police's public notices: a layer of its own, off until asked for ------------------
// One ring per area the notices were placed in and one at the municipality's point for those
// known only at municipality level, with the count: never mixed into the incidents' points.
var POLICE_STYLE = { color: "#1d4ed8", weight: 3, fillColor: "#1d4ed8", fillOpacity: 0.15 };

function policeEventLayer(data) {
  var layer = L.layerGroup();
  data.groups.forEach(function (g) {
    var ring = L.circleMarker([g.lat, g.lon], Object.assign({ radius: 8 + Math.min(20, Math.sqrt(g.count) * 3) }, POLICE_STYLE));
    var link = document.createElement("a");
    link.href = g.url;
    link.textContent = g.count + " polisnotiser – " + g.label + (g.area === "kommun" ? " (kommunnivå)" : "");
    ring.bindPopup(link);
    ring.bindTooltip(String(g.count), { permanent: true, direction: "center", className: "police-count" });
    layer.addLayer(ring);
  });
  return layer;
}

function setUpPoliceEventLayer(map) {
  var box = document.getElementById("police-layer");
  var toggle = document.getElementById("police-layer-toggle");
  if (!box || !toggle) return;
  var status = document.getElementById("police-layer-status");
  var layer = null;
  toggle.addEventListener("change", function () {
    if (!toggle.checked) {
      if (layer) map.removeLayer(layer);
      status.textContent = "";
      return;
    }
    if (layer) { map.addLayer(layer); return; }
    status.textContent = "Laddar polisens notiser…";
    fetch(box.dataset.groups, { credentials: "same-origin" })
      .then(function (r) { return r.json(); })
      .then(function (data) {
        layer = policeEventLayer(data);
        if (toggle.checked) map.addLayer(layer);
        status.textContent = data.total + " polisnotiser i urvalet (räknas inte in i händelserna).";
      })
      .catch(function () { status.textContent = "Polisens notiser kunde inte laddas."; });
  });
}

document.addEventListener("DOMContentLoaded", function () {
  setUpReportMap();
  setUpIncidentMap();
  setUpIncidentsMap();
});
