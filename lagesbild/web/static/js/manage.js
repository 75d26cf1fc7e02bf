// Maps on the coordinator's administration pages. Uses mapConfig, baseMap and loadAreas from
// maps.js (loaded first). The forms work without this script: coordinates can be typed and
// GeoJSON pasted or uploaded.
"use strict";

// Degrees typed with a decimal comma, as Swedish users often do, or a point.
function degrees(input) {
  var value = Number(String(input.value).trim().replace(",", "."));
  return input.value.trim() !== "" && isFinite(value) ? value : null;
}

function setUpPlaceMap() {
  var element = document.getElementById("place-map");
  if (!element || !window.L) return;
  var config = mapConfig();
  var map = baseMap(element, config);
  var lon = document.getElementById("id_lon");
  var lat = document.getElementById("id_lat");
  var status = document.getElementById("place-map-status");
  var marker = null;

  function show(latValue, lonValue) {
    if (marker) marker.setLatLng([latValue, lonValue]);
    else marker = L.marker([latValue, lonValue], { keyboard: false }).addTo(map);
    status.textContent = "Vald position: " + latValue.toFixed(6) + ", " + lonValue.toFixed(6);
  }

  function showTyped(zoom) {
    var latValue = degrees(lat);
    var lonValue = degrees(lon);
    if (latValue === null || lonValue === null) return false;
    show(latValue, lonValue);
    if (zoom) map.setView([latValue, lonValue], 15);
    return true;
  }

  var typed = degrees(lat) !== null && degrees(lon) !== null;
  loadAreas(map, config, !typed).then(function () { showTyped(true); });
  map.on("click", function (event) {
    lat.value = event.latlng.lat.toFixed(6);
    lon.value = event.latlng.lng.toFixed(6);
    show(event.latlng.lat, event.latlng.lng);
  });
  [lat, lon].forEach(function (input) {
    input.addEventListener("change", function () { showTyped(true); });
  });
}

var CURRENT_STYLE = { color: "#c75000", weight: 4, fillOpacity: 0.1 };
var PREVIEW_STYLE = { color: "#1b1f24", weight: 3, dashArray: "6 6", fillOpacity: 0.05 };

function setUpAreaMap() {
  var element = document.getElementById("area-map");
  if (!element || !window.L) return;
  var config = mapConfig();
  var map = baseMap(element, config);
  var status = document.getElementById("area-map-status");
  var text = document.getElementById("id_geometry_text");
  var current = document.getElementById("area-geometry");
  var preview = null;

  loadAreas(map, config, !current).then(function () {
    if (!current) return;
    var layer = L.geoJSON(JSON.parse(current.textContent), { style: CURRENT_STYLE }).addTo(map);
    map.fitBounds(layer.getBounds());
  });

  function showPasted() {
    if (preview) map.removeLayer(preview);
    preview = null;
    if (!text.value.trim()) return;
    try {
      preview = L.geoJSON(JSON.parse(text.value), { style: PREVIEW_STYLE }).addTo(map);
      map.fitBounds(preview.getBounds());
      status.textContent = "Den inklistrade gränsen visas streckad. Servern kontrollerar den när du sparar.";
    } catch (e) {
      status.textContent = "Texten kan inte visas på kartan: den är inte giltig GeoJSON.";
    }
  }
  if (text) {
    text.addEventListener("change", showPasted);
    showPasted();
  }
}

// The import preview: the file's areas coloured by their check (red: error, orange: repaired).
var IMPORT_STYLES = {
  ok: { color: "#0b4f8a", weight: 2, fillOpacity: 0.08 },
  repaired: { color: "#c75000", weight: 3, fillOpacity: 0.15 },
  error: { color: "#b00020", weight: 3, fillOpacity: 0.3 },
};

function setUpImportMap() {
  var element = document.getElementById("import-map");
  var data = document.getElementById("import-preview");
  if (!element || !data || !window.L) return;
  var map = baseMap(element, mapConfig());
  var layer = L.geoJSON(JSON.parse(data.textContent), {
    style: function (feature) { return IMPORT_STYLES[feature.properties.status] || IMPORT_STYLES.ok; },
    onEachFeature: function (feature, l) {
      l.bindTooltip(feature.properties.code + " " + feature.properties.name);
    },
  }).addTo(map);
  if (layer.getBounds().isValid()) map.fitBounds(layer.getBounds());
}

document.addEventListener("DOMContentLoaded", function () {
  setUpPlaceMap();
  setUpAreaMap();
  setUpImportMap();
});
