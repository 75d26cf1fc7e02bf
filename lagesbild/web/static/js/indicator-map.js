// The indicators as switchable layers of the picture map: one at a time (radio buttons in
// their own layer control), areas coloured by the indicator's latest value, the areas whose
// value deviates from their own history outlined in dashed red, and a legend with the unit
// and periods that links to the same figures as a table (the picture's Indikatorer section).
"use strict";

var INDICATOR_SHADES = ["#edf8e9", "#bae4b3", "#74c476", "#238b45"];  // also .swatch.i0-i3 in app.css

function indicatorShade(value, breaks) {
  var i = 0;
  while (i < breaks.length && value >= breaks[i]) i += 1;
  return INDICATOR_SHADES[Math.min(i, INDICATOR_SHADES.length - 1)];
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
        fillColor: indicatorShade(a.value, indicator.breaks),
      };
    },
    onEachFeature: function (f, layer) {
      var a = indicator.areas[String(f.properties.id)];
      layer.bindTooltip(f.properties.name + ": " + a.text + " (" + a.period + "), " + a.flag);
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
  var link = document.createElement("a");
  link.href = indicator.table;
  link.textContent = legend.dataset.tableText;
  legend.appendChild(link);
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
  L.control.layers(choices, null, { collapsed: false, position: "bottomleft" }).addTo(map);
  map.on("baselayerchange", function (event) {
    var indicator = byLayer[L.stamp(event.layer)];
    if (indicator) event.layer.bringToFront();
    showIndicatorLegend(legend, indicator);
  });
}
