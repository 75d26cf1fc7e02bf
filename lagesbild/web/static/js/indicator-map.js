// The indicators as switchable layers of the picture map: one at a time (radio buttons in
// their own, labelled layer control, so the keyboard's arrow keys switch them), areas
// coloured by the indicator's latest value in the class the server gave them, the areas whose
// value deviates from their own history outlined in dashed red, and a legend with the unit
// and periods, every area's value and class in words (never colour alone) and a link to the
// same figures as a table (the picture's Indikatorer section).
"use strict";

var INDICATOR_SHADES = ["#edf8e9", "#bae4b3", "#74c476", "#238b45"];  // also .swatch.i0-i3 in app.css

function indicatorAreaText(a) {
  return a.name + ": " + a.text + " (" + a.period + "), " + a.class_text + ", " + a.flag;
}

function indicatorLayer(areas, indicator) {
  return L.geoJSON(areas, {
    filter: function (f) { return indicator.areas[String(f.properties.id)] !== undefined; },
    style: function (f) {
      var a = indicator.areas[String(f.properties.id)];
      return {
        color: a.deviates ? "#a11a1a" : "#333",
        weight: a.deviates ? 4 : 1.5,
        dashArray: a.deviates ? "8 5" : null,
        fillOpacity: 0.75,
        fillColor: INDICATOR_SHADES[a.class],
      };
    },
    onEachFeature: function (f, layer) {
      layer.bindTooltip(indicatorAreaText(indicator.areas[String(f.properties.id)]));
    },
  });
}

function showIndicatorLegend(legend, indicator) {
  legend.textContent = "";
  legend.hidden = !indicator;
  if (!indicator) return;
  var title = document.createElement("p");
  var strong = document.createElement("strong");
  strong.textContent = indicator.title;
  title.appendChild(strong);
  title.appendChild(document.createTextNode(" " + indicator.periods));
  legend.appendChild(title);
  var scale = document.createElement("ul");
  scale.className = "legend-scale";
  indicator.classes.forEach(function (label, i) {
    var item = document.createElement("li");
    var swatch = document.createElement("span");
    swatch.className = "swatch i" + i;
    item.appendChild(swatch);
    item.appendChild(document.createTextNode(" " + label));
    scale.appendChild(item);
  });
  var deviating = document.createElement("li");
  var mark = document.createElement("span");
  mark.className = "swatch deviating";
  deviating.appendChild(mark);
  deviating.appendChild(document.createTextNode(" " + indicator.deviating));
  scale.appendChild(deviating);
  legend.appendChild(scale);
  legend.appendChild(indicatorAreaList(legend, indicator));
  var link = document.createElement("a");
  link.href = indicator.table;
  link.textContent = legend.dataset.tableText;
  legend.appendChild(link);
}

function indicatorAreaList(legend, indicator) {
  var areas = Object.keys(indicator.areas).map(function (id) { return indicator.areas[id]; });
  areas.sort(function (a, b) { return a.name.localeCompare(b.name, "sv"); });
  var details = document.createElement("details");
  var summary = document.createElement("summary");
  summary.textContent = legend.dataset.areasText + " (" + areas.length + ")";
  details.appendChild(summary);
  var list = document.createElement("ul");
  areas.forEach(function (a) {
    var item = document.createElement("li");
    item.textContent = indicatorAreaText(a);
    list.appendChild(item);
  });
  details.appendChild(list);
  return details;
}

function addIndicatorLayers(map, data) {
  var legend = document.getElementById("indicator-legend");
  if (!legend || !data.indicators || !data.indicators.length) return;
  var none = L.layerGroup().addTo(map);
  var choices = {};
  var byLayer = {};
  choices[legend.dataset.noneText] = none;
  data.indicators.forEach(function (indicator) {
    var layer = indicatorLayer(data.areas, indicator);
    choices[legend.dataset.layerText + " " + indicator.name] = layer;
    byLayer[L.stamp(layer)] = indicator;
  });
  var control = L.control.layers(choices, null, { collapsed: false, position: "bottomleft" }).addTo(map);
  var group = control.getContainer().querySelector(".leaflet-control-layers-base");
  group.setAttribute("role", "radiogroup");
  group.setAttribute("aria-label", legend.dataset.groupText);
  map.on("baselayerchange", function (event) {
    var indicator = byLayer[L.stamp(event.layer)];
    if (indicator) event.layer.bringToFront();
    showIndicatorLegend(legend, indicator);
  });
}
