// Many lines on one map (a material's candidate flows): drawn faint and thin, so the sites
// and the places they join read first; a site's own lines come forward while the pointer is on
// it or its popup is open (by mouse, touch or keyboard), and a line comes forward under the
// pointer. Nothing is removed: every line keeps its colour, dash, tooltip and popup.
(function (global) {
  "use strict";
  var FAINT_OPACITY = 0.22, FAINT_SCALE = 0.55, NEAR_DEG = 1e-5;

  function ends(feature) {
    var g = feature && feature.geometry;
    if (!g) return [];
    var parts = g.type === "MultiLineString" ? g.coordinates : [g.coordinates];
    var first = parts[0], last = parts[parts.length - 1];
    if (!first || !last || !first.length || !last.length) return [];
    return [first[0], last[last.length - 1]];
  }

  function start() {
    var handle = global.mapservice;
    if (!handle || !handle.map || !handle.layers || !handle.layers.lines || !global.L) return;
    var map = handle.map;
    var byProps = new Map();
    ((handle.data && handle.data.lines && handle.data.lines.features) || []).forEach(
      function (f) { byProps.set(f.properties, ends(f)); });
    var entries = [];  // {layer, style, ends}
    function collect(layer) {
      if (layer.eachLayer && !layer.feature) { layer.eachLayer(collect); return; }
      if (!layer.feature || !layer.setStyle) return;
      var p = layer.feature.properties, own = p.leg || p;
      var style = Object.assign({}, layer.options);
      entries.push({layer: layer, style: style, ends: byProps.get(own) || ends(layer.feature)});
    }
    handle.layers.lines.eachLayer(collect);
    if (!entries.length) return;

    function faint(entry) {
      entry.layer.setStyle({opacity: FAINT_OPACITY,
                            weight: Math.max(1.5, (entry.style.weight || 3) * FAINT_SCALE)});
    }
    function strong(entry) {
      entry.layer.setStyle({opacity: 0.95, weight: (entry.style.weight || 3) + 1});
      if (entry.layer.bringToFront) entry.layer.bringToFront();
    }
    var focused = [];
    function reset() {
      focused.forEach(faint);
      focused = [];
      document.documentElement.dataset.linesFocused = "0";
    }
    function focus(list) {
      reset();
      focused = list;
      focused.forEach(strong);
      document.documentElement.dataset.linesFocused = String(list.length);
    }
    function touching(latlng) {
      return entries.filter(function (e) {
        return e.ends.some(function (end) {
          return Math.abs(end[0] - latlng.lng) < NEAR_DEG &&
            Math.abs(end[1] - latlng.lat) < NEAR_DEG;
        });
      });
    }
    var pinned = false;
    entries.forEach(function (entry) {
      faint(entry);
      entry.layer.on("mouseover", function () { if (!pinned) focus([entry]); });
      entry.layer.on("mouseout", function () { if (!pinned) reset(); });
    });
    (handle.markers || []).forEach(function (m) {
      if (!m.getLatLng) return;
      m.on("mouseover", function () { if (!pinned) focus(touching(m.getLatLng())); });
      m.on("mouseout", function () { if (!pinned) reset(); });
    });
    map.on("popupopen", function (e) {
      var source = e.popup && e.popup._source;
      if (!source || !source.getLatLng) return;  // a line's own popup: it is already in front
      pinned = true;
      focus(touching(source.getLatLng()));
    });
    map.on("popupclose", function () { pinned = false; reset(); });
    document.documentElement.dataset.linesFaint = String(entries.length);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})(window);
