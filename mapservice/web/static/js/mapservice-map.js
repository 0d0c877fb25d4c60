/* Draws a map view from plain data: sites (clustered), parks, synergy lines, a legend, and the
 * bundled regional base layer when tiles cannot load. Every string from the data is set as
 * text (textContent or a text node), never parsed as HTML. */
(function (global) {
  "use strict";

  function el(tag, text, cls) {
    var node = document.createElement(tag);
    if (text !== undefined && text !== null && text !== "") node.textContent = String(text);
    if (cls) node.className = cls;
    return node;
  }

  function flowList(title, rows, labels) {
    var box = el("div", null, "ms-flows");
    box.appendChild(el("h4", title));
    var list = el("ul");
    rows.forEach(function (row) {
      var item = el("li");
      item.appendChild(el("b", row[0]));
      if (row[3]) {
        item.appendChild(document.createTextNode(" "));
        item.appendChild(el("span", labels.to_classify, "ms-badge"));
      }
      if (row[1]) item.appendChild(document.createTextNode(" : " + row[1]));
      if (row[2]) item.appendChild(document.createTextNode(" — " + row[2]));
      list.appendChild(item);
    });
    box.appendChild(list);
    return box;
  }

  function sitePopup(p, labels) {
    var box = el("div", null, "ms-popup");
    box.appendChild(el("h3", p.n));
    if (p.s) box.appendChild(el("p", p.s));
    if (p.w) box.appendChild(el("p", p.w));
    if (p.p) box.appendChild(el("p", labels.park + " : " + p.p));
    if (p.a) box.appendChild(el("p", labels.anonymous, "ms-note"));
    if (p.o && p.o.length) box.appendChild(flowList(labels.offers, p.o, labels));
    if (p.b && p.b.length) box.appendChild(flowList(labels.needs, p.b, labels));
    if (p.u) {
      var link = el("a", labels.open_site);
      link.href = p.u;
      box.appendChild(el("p")).appendChild(link);
    }
    return box;
  }

  function rowsPopup(p) {
    var box = el("div", null, "ms-popup");
    if (p.t) box.appendChild(el("h3", p.t));
    if (p.r && p.r.length) {
      var table = el("table");
      p.r.forEach(function (row) {
        var tr = el("tr");
        tr.appendChild(el("th", row[0])).setAttribute("scope", "row");
        tr.appendChild(el("td", row[1]));
        table.appendChild(tr);
      });
      box.appendChild(table);
    }
    if (p.y && p.y.length) {
      if (p.yl) box.appendChild(el("h4", p.yl));
      var why = el("ul", null, "ms-reasons");
      p.y.forEach(function (reason) { why.appendChild(el("li", reason)); });
      box.appendChild(why);
    }
    if (p.u) {
      var link = el("a", p.ul || p.u);
      link.href = p.u;
      box.appendChild(el("p")).appendChild(link);
    }
    return box;
  }

  function textTooltip(text) {
    return function () { return el("span", text); };
  }

  function clusterIcon(cluster) {
    var n = cluster.getChildCount();
    var size = n < 10 ? 34 : n < 100 ? 42 : n < 1000 ? 50 : 58;
    return L.divIcon({
      html: "<span style=\"line-height:" + (size - 6) + "px\">" + n + "</span>",
      className: "ms-cluster",
      iconSize: L.point(size, size)
    });
  }

  function drawSites(opts, colours) {
    var data = opts.data, labels = opts.labels, layers = opts.layers;
    var features = (data.sites && data.sites.features) || [];
    var markers = [], offers = [], needs = [];
    var radius = opts.presenter ? 10 : 7;
    features.forEach(function (f) {
      var c = f.geometry.coordinates, p = f.properties;
      var at = L.latLng(c[1], c[0]);
      var marker = L.circleMarker(at, {
        radius: p.focus ? radius + 5 : radius, color: p.focus ? "#000" : "#1a1a1a",
        weight: p.focus ? 4 : 1.5, fillColor: colours[p.g] || "#777777", fillOpacity: 0.9
      });
      marker.feature = f;
      marker.bindPopup(function () { return sitePopup(p, labels); }, {maxWidth: 380});
      marker.bindTooltip(textTooltip(p.n), {permanent: !!p.focus, direction: "top"});
      markers.push(marker);
      if (p.o && p.o.length && layers.offers) {
        offers.push(L.circleMarker(at, {radius: radius + 5, color: "#D55E00", weight: 3,
                                        fill: false, interactive: false}));
      }
      if (p.b && p.b.length && layers.needs) {
        needs.push(L.circleMarker(at, {radius: radius + 9, color: "#0072B2", weight: 3,
                                       dashArray: "4 4", fill: false, interactive: false}));
      }
    });
    offers.forEach(function (m) { layers.offers.addLayer(m); });
    needs.forEach(function (m) { layers.needs.addLayer(m); });
    var target = layers.sites;
    function done() {
      global.requestAnimationFrame(function () {
        document.documentElement.dataset.sitesDrawn = String(markers.length);
        document.documentElement.dataset.sitesDrawnAt = String(global.performance.now());
      });
    }
    if (target.addLayers && target.options && target.options.chunkedLoading &&
        markers.length) {
      // Chunked loading adds markers over several frames, keeping the page responsive; the
      // markers are drawn once the last chunk is in.
      target.options.chunkProgress = function (processed, total) {
        if (processed === total) done();
      };
      target.addLayers(markers);
    } else if (target.addLayers) {
      target.addLayers(markers);
      done();
    } else {
      markers.forEach(function (m) { target.addLayer(m); });
      done();
    }
    return markers;
  }

  function drawParks(opts) {
    var layer = opts.layers.parks;
    if (!layer || !opts.data.parks) return;
    L.geoJSON(opts.data.parks, {
      // A town point standing in for an unlocated park: a grey dotted ring, no fill.
      style: function (f) {
        if (f.properties.town) {
          return {color: "#666666", weight: 2, fillOpacity: 0, dashArray: "2 6"};
        }
        return {color: "#0b3d5c", weight: 2, fillOpacity: 0.08,
                dashArray: f.properties.approx ? "6 4" : null};
      },
      pointToLayer: function (f, at) {
        return L.circleMarker(at, {radius: 5, color: "#0b3d5c", weight: 2, fillOpacity: 0});
      },
      onEachFeature: function (f, l) {
        var q = f.properties.q;
        l.bindTooltip(textTooltip(q ? f.properties.n + " — " + q : f.properties.n), {sticky: true});
      }
    }).addTo(layer);
  }

  // A line drawn along its road route is a MultiLineString whose parts listed in ``ax`` are
  // access legs (site to road, road to site): they are drawn apart, dashed ``ad``.
  function splitAccess(lines) {
    var out = [];
    (lines.features || []).forEach(function (f) {
      var p = f.properties, g = f.geometry;
      if (!p.ax || !g || g.type !== "MultiLineString") { out.push(f); return; }
      var road = [], legs = [];
      g.coordinates.forEach(function (part, i) {
        (p.ax.indexOf(i) >= 0 ? legs : road).push(part);
      });
      var legGeometry = {type: "MultiLineString", coordinates: legs};
      if (!road.length) {  // neighbours: the whole line is an access leg
        out.push({type: "Feature", properties: Object.assign({}, p, {d: p.ad}),
                  geometry: legGeometry});
        return;
      }
      out.push({type: "Feature", properties: p,
                geometry: {type: "MultiLineString", coordinates: road}});
      if (legs.length) {
        out.push({type: "Feature", properties: {leg: p}, geometry: legGeometry});
      }
    });
    return {type: "FeatureCollection", features: out};
  }

  function drawLines(opts) {
    var layer = opts.layers.lines;
    if (!layer || !opts.data.lines) return [];
    var drawn = [];
    L.geoJSON(splitAccess(opts.data.lines), {
      style: function (f) {
        var p = f.properties;
        if (p.leg) {
          return {color: p.leg.c || "#0072B2", weight: Math.max(2, (p.leg.w || 3) - 1),
                  dashArray: p.leg.ad, lineCap: "round", opacity: 0.9};
        }
        return {color: p.c || "#0072B2", weight: p.w || 3, dashArray: p.d || null,
                opacity: 0.9};
      },
      onEachFeature: function (f, l) {
        var p = f.properties.leg || f.properties;
        l.bindPopup(function () { return rowsPopup(p); }, {maxWidth: 360});
        if (p.t) l.bindTooltip(textTooltip(p.t), {sticky: true});
        if (!f.properties.leg) drawn.push(l);
      }
    }).addTo(layer);
    document.documentElement.dataset.linesDrawn = String(drawn.length);
    return drawn;
  }

  function addLegend(opts) {
    var data = opts.data, labels = opts.labels;
    var legend = L.control({position: "bottomright"});
    legend.onAdd = function () {
      var box = el("section", null, "ms-legend leaflet-bar");
      box.setAttribute("aria-label", labels.legend);
      box.appendChild(el("h2", labels.legend));
      var list = el("ul");
      (data.groups || []).forEach(function (g) {
        var item = el("li");
        var swatch = el("span", null, "ms-swatch");
        swatch.style.background = g.colour;
        item.appendChild(swatch);
        item.appendChild(document.createTextNode(g.label));
        list.appendChild(item);
      });
      box.appendChild(list);
      [["offers", "#D55E00", ""], ["needs", "#0072B2", "3 2"]].forEach(function (ring) {
        if (!opts.layers[ring[0]]) return;
        var item = el("p", null, "ms-line-key");
        var swatch = el("span", null, "ms-ring");
        swatch.style.borderColor = ring[1];
        if (ring[2]) swatch.style.borderStyle = "dashed";
        item.appendChild(swatch);
        item.appendChild(document.createTextNode(" " + labels[ring[0]]));
        box.appendChild(item);
      });
      var keys = (data.lineLegend || []).slice();
      var routed = ((data.lines || {}).features || []).filter(function (f) {
        return f.properties.ax;
      })[0];
      if (routed && keys.length && labels.access) {  // lines along roads: their access legs
        keys.push({label: labels.access, c: "#333333", w: 2, d: routed.properties.ad});
      }
      keys.forEach(function (entry) {
        var item = el("p", null, "ms-line-key");
        var svg = document.createElementNS("http://www.w3.org/2000/svg", "svg");
        svg.setAttribute("width", "34"); svg.setAttribute("height", "10");
        svg.setAttribute("aria-hidden", "true");
        var path = document.createElementNS("http://www.w3.org/2000/svg", "line");
        path.setAttribute("x1", "0"); path.setAttribute("y1", "5");
        path.setAttribute("x2", "34"); path.setAttribute("y2", "5");
        path.setAttribute("stroke", entry.c); path.setAttribute("stroke-width", entry.w || 3);
        if (entry.d) path.setAttribute("stroke-dasharray", entry.d);
        svg.appendChild(path);
        item.appendChild(svg);
        item.appendChild(document.createTextNode(" " + entry.label));
        box.appendChild(item);
      });
      L.DomEvent.disableClickPropagation(box);
      return box;
    };
    legend.addTo(opts.map);
  }

  function loadJSON(inline, url, callback) {
    if (inline) { callback(inline); return; }
    if (!url || !global.fetch) return;
    global.fetch(url).then(function (r) { return r.json(); }).then(callback)
      .catch(function () {});
  }

  function basemapStyle(f) {
    var layer = f.properties.layer;
    if (layer === "water") return {color: "#5b8db8", weight: 1, fillColor: "#a9cbe6",
                                   fillOpacity: 1};
    if (layer === "river") return {color: "#7fb0d8", weight: 3};
    if (layer === "road") return {color: "#8c8c8c", weight: 1.5};
    return {color: "#555", weight: 1};
  }

  function offlineBase(opts) {
    var map = opts.map;
    if (!map.getPane("ms-base")) {
      map.createPane("ms-base");
      map.getPane("ms-base").style.zIndex = 250;
    }
    var group = L.layerGroup();
    loadJSON(opts.basemap, opts.basemapUrl, function (data) {
      L.geoJSON(data, {
        pane: "ms-base", style: basemapStyle, interactive: false,
        pointToLayer: function (f, at) {
          var m = L.circleMarker(at, {pane: "ms-base", radius: 3, color: "#333", weight: 1,
                                      fillColor: "#fff", fillOpacity: 1});
          m.bindTooltip(textTooltip(f.properties.name),
                        {permanent: (f.properties.population || 0) > 14000, direction: "right",
                         className: "ms-place"});
          return m;
        }
      }).addTo(group);
      document.documentElement.dataset.basemapDrawn = "1";
    });
    return group;
  }

  function watchTiles(opts) {
    var map = opts.map, tiles = opts.tiles;
    var base = offlineBase(opts);
    var control = opts.control;
    if (control) control.addBaseLayer(base, opts.labels.offline_base);
    var loaded = 0, failed = 0, switched = false;
    function fallback() {
      if (switched || loaded > 0) return;
      switched = true;
      if (tiles && map.hasLayer(tiles)) map.removeLayer(tiles);
      base.addTo(map);
      document.documentElement.dataset.basemap = "offline";
      var note = el("p", opts.labels.offline_note, "ms-offline-note");
      note.setAttribute("role", "status");
      map.getContainer().appendChild(note);
    }
    if (!tiles) { fallback(); return; }
    tiles.on("tileload", function () { loaded += 1; });
    tiles.on("tileerror", function () { failed += 1; if (failed >= 2) fallback(); });
    if (global.navigator && global.navigator.onLine === false) fallback();
    global.setTimeout(fallback, opts.tileTimeoutMs || 5000);
  }

  function watchRoads(opts) {
    var layer = opts.layers.roads;
    if (!layer) return;
    var loaded = false;
    layer.on("add", function () {
      if (loaded) return;
      loaded = true;
      loadJSON(opts.roads, opts.roadsUrl, function (data) {
        L.geoJSON(data, {style: {color: "#444", weight: 2, opacity: 0.7}, interactive: false})
          .addTo(layer);
      });
    });
  }

  function fit(opts, markers, lines) {
    var view = opts.view || {};
    if (view.lat !== undefined && view.lat !== null) {
      opts.map.setView([view.lat, view.lon], view.zoom || opts.map.getZoom());
      return;
    }
    if (!opts.fit) return;
    opts.map.invalidateSize();
    var bounds = L.latLngBounds([]);
    markers.forEach(function (m) { bounds.extend(m.getLatLng()); });
    lines.forEach(function (l) { bounds.extend(l.getBounds()); });
    if (!bounds.isValid()) return;
    opts.map.fitBounds(bounds, {padding: [30, 30], maxZoom: 14});
    global.addEventListener("load", function () {
      opts.map.invalidateSize();
      opts.map.fitBounds(bounds, {padding: [30, 30], maxZoom: 14});
    });
  }

  function draw(opts) {
    var colours = {};
    (opts.data.groups || []).forEach(function (g) { colours[g.code] = g.colour; });
    drawParks(opts);
    var lines = drawLines(opts);
    var markers = drawSites(opts, colours);
    addLegend(opts);
    watchTiles(opts);
    watchRoads(opts);
    fit(opts, markers, lines);
    global.mapservice = {map: opts.map, layers: opts.layers, markers: markers, lines: lines};
    return global.mapservice;
  }

  // A map that draws nothing else (a park outline to replace) gets the same offline base.
  function offline(opts) { watchTiles(opts); }

  global.MapService = {draw: draw, clusterIcon: clusterIcon, offline: offline};
})(window);
