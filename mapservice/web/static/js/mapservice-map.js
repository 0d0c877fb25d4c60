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

  // Where each sector colour comes in the legend: a cluster's ring follows the same order.
  var ORDER = {};
  var COLOUR = /^#[0-9a-fA-F]{3,8}$/;

  // A ring of the sector colours of the sites a cluster holds, each arc as long as its share,
  // around a white disc with the count: the sector mix reads without opening the cluster.
  function ringSvg(size, shares, count) {
    var width = Math.round(size * 0.2), r = (size - width) / 2, c = size / 2;
    var round = 2 * Math.PI * r, total = 0, at = 0, arcs = "";
    shares.forEach(function (s) { total += s[1]; });
    shares.forEach(function (s) {
      var length = round * s[1] / total;
      arcs += "<circle cx=\"" + c + "\" cy=\"" + c + "\" r=\"" + r + "\" fill=\"none\" stroke=\"" +
        s[0] + "\" stroke-width=\"" + width + "\" stroke-dasharray=\"" + length + " " +
        (round - length) + "\" stroke-dashoffset=\"" + (-at) + "\"/>";
      at += length;
    });
    return "<svg width=\"" + size + "\" height=\"" + size + "\" viewBox=\"0 0 " + size + " " +
      size + "\"" + (count ? " role=\"img\" aria-label=\"" + count + "\"" : " aria-hidden=\"true\"") +
      "><g transform=\"rotate(-90 " + c + " " + c + ")\">" + arcs +
      "</g><circle cx=\"" + c + "\" cy=\"" + c + "\" r=\"" + (r - width / 2 + 0.5) +
      "\" fill=\"#fff\" stroke=\"#0b3d5c\" stroke-width=\"1\"/>" +
      (count ? "<text x=\"" + c + "\" y=\"" + c + "\" text-anchor=\"middle\" " +
       "dominant-baseline=\"central\">" + count + "</text>" : "") + "</svg>";
  }

  function clusterIcon(cluster) {
    var n = cluster.getChildCount();
    var size = n < 10 ? 38 : n < 100 ? 46 : n < 1000 ? 54 : 62;
    var counts = {};
    cluster.getAllChildMarkers().forEach(function (m) {
      var colour = (m.options && m.options.fillColor) || "#777777";
      if (!COLOUR.test(colour)) colour = "#777777";
      counts[colour] = (counts[colour] || 0) + 1;
    });
    var shares = Object.keys(counts).map(function (k) { return [k, counts[k]]; });
    shares.sort(function (a, b) {
      var x = a[0] in ORDER ? ORDER[a[0]] : 99, y = b[0] in ORDER ? ORDER[b[0]] : 99;
      return x - y;
    });
    return L.divIcon({
      html: ringSvg(size, shares, Number(n)),
      className: "ms-cluster",
      iconSize: L.point(size, size)
    });
  }

  function drawSites(opts, colours) {
    if (opts.data.clusters && global.MapServiceClusters) {  // grouped on the server
      return global.MapServiceClusters.draw(opts, colours, {
        sitePopup: sitePopup, ringSvg: ringSvg, textTooltip: textTooltip, order: ORDER
      });
    }
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
        if (opts.handle) opts.handle.declutter();
      });
    }
    if (target.addLayers && target.options && target.options.chunkedLoading &&
        markers.length && opts.map.hasLayer(target)) {
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

  function lineKey(entry) {
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
    return item;
  }

  // What the map shows now, and only that: sector colours, the rings of the offers and needs
  // layers, a cluster's sector ring, the park outlines, and the synergy lines' styles.
  function fillLegend(box, opts, data) {
    var labels = opts.labels, map = opts.map, layers = opts.layers;
    function on(name) { return layers[name] && map.hasLayer(layers[name]); }
    var list = el("ul");
    (opts.data.groups || []).forEach(function (g) {
      var item = el("li");
      var swatch = el("span", null, "ms-swatch");
      swatch.style.background = g.colour;
      item.appendChild(swatch);
      item.appendChild(document.createTextNode(g.label));
      list.appendChild(item);
    });
    box.appendChild(list);
    if (on("sites") && (layers.sites.refreshClusters || opts.data.clusters) &&
        labels.cluster_mix) {
      var cluster = el("p", null, "ms-line-key ms-cluster-key");
      var sample = (opts.data.groups || []).slice(0, 4).map(function (g) { return [g.colour, 1]; });
      if (sample.length) {
        var ring = el("span", null, "ms-cluster-sample");
        ring.innerHTML = ringSvg(22, sample.filter(function (s) { return COLOUR.test(s[0]); }));
        cluster.appendChild(ring);
      }
      cluster.appendChild(document.createTextNode(" " + labels.cluster_mix));
      box.appendChild(cluster);
    }
    [["offers", "#D55E00", ""], ["needs", "#0072B2", "3 2"]].forEach(function (ring) {
      if (!on(ring[0])) return;
      var item = el("p", null, "ms-line-key");
      var swatch = el("span", null, "ms-ring");
      swatch.style.borderColor = ring[1];
      if (ring[2]) swatch.style.borderStyle = "dashed";
      item.appendChild(swatch);
      item.appendChild(document.createTextNode(" " + labels[ring[0]]));
      box.appendChild(item);
    });
    if (on("parks") && labels.park_outline) {
      box.appendChild(lineKey({label: labels.park_outline, c: "#0b3d5c", w: 2}));
      box.appendChild(lineKey({label: labels.park_approx, c: "#0b3d5c", w: 2, d: "6 4"}));
    }
    if (layers.lines && !on("lines")) return;
    var keys = (data.lineLegend || opts.data.lineLegend || []).slice();
    var routed = ((data.lines || {}).features || []).filter(function (f) {
      return f.properties.ax;
    })[0];
    if (routed && keys.length && labels.access) {  // lines along roads: their access legs
      keys.push({label: labels.access, c: "#333333", w: 2, d: routed.properties.ad});
    }
    keys.forEach(function (entry) { box.appendChild(lineKey(entry)); });
  }

  var legendCount = 0;

  // The legend folds to its title (a button) on a small screen, where it would hide the map.
  function addLegend(opts) {
    var labels = opts.labels;
    var legend = L.control({position: "bottomright"});
    var body = el("div", null, "ms-legend-body");
    legendCount += 1;
    body.id = "ms-legend-" + legendCount;
    legend.refresh = function (data) {
      while (body.firstChild) body.removeChild(body.firstChild);
      fillLegend(body, opts, data || opts.data);
    };
    legend.onAdd = function () {
      var box = el("section", null, "ms-legend leaflet-bar");
      box.setAttribute("aria-label", labels.legend);
      var title = box.appendChild(el("h2"));
      var open = global.innerWidth >= 600 && opts.map.getSize().x >= 600;
      var button = title.appendChild(el("button", labels.legend, "ms-legend-toggle"));
      button.type = "button";
      button.setAttribute("aria-expanded", String(open));
      button.setAttribute("aria-controls", body.id);
      body.hidden = !open;
      button.addEventListener("click", function () {
        body.hidden = !body.hidden;
        button.setAttribute("aria-expanded", String(!body.hidden));
      });
      box.appendChild(body);
      legend.refresh();
      L.DomEvent.disableClickPropagation(box);
      L.DomEvent.disableScrollPropagation(box);
      return box;
    };
    // A page may give the legend a place of its own, off the map (presenter mode: a strip
    // under it, so the legend hides nothing the room should see).
    var slot = opts.legendSlot && document.getElementById(opts.legendSlot);
    if (slot) {
      slot.appendChild(legend.onAdd(opts.map));
    } else {
      legend.addTo(opts.map);
      body.tabIndex = 0;  // it may scroll (see app.css): the keyboard must reach it too
    }
    return legend;
  }

  function overlaps(a, b) {
    return a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;
  }

  // Where a town's name may go, in order: right of its dot, left, above, below, a little
  // higher or lower on either side, then clear of a cluster standing on the dot.
  var PLACES = [["right", [0, 0]], ["left", [0, 0]], ["top", [0, 0]], ["bottom", [0, 0]],
                ["right", [0, -22]], ["right", [0, 22]], ["left", [0, -22]], ["left", [0, 22]],
                ["right", [34, 0]], ["left", [-34, 0]], ["top", [0, -34]], ["bottom", [0, 34]]];

  // Town names of the offline base go where no cluster or site marker is (:data:`PLACES`); a
  // name with no free place is hidden until the map moves.
  function declutter(handle) {
    var map = handle.map, places = handle.places || [];
    if (!places.length) return;
    var frame = map.getContainer().getBoundingClientRect();
    var obstacles = [];
    map.getContainer().querySelectorAll(".ms-cluster").forEach(function (icon) {
      var box = icon.getBoundingClientRect();  // and a gap, so no name reads as « 19Alma »
      obstacles.push({left: box.left - 4, right: box.right + 4, top: box.top - 2,
                      bottom: box.bottom + 2});
    });
    (handle.markers || []).forEach(function (m) {
      if (!map.hasLayer(m)) return;  // clustered, or on a layer that is not shown
      var p = map.latLngToContainerPoint(m.getLatLng()), r = m.getRadius() + 2;
      obstacles.push({left: frame.left + p.x - r, right: frame.left + p.x + r,
                      top: frame.top + p.y - r, bottom: frame.top + p.y + r});
    });
    var hidden = 0;
    places.forEach(function (m) {
      var tip = m.getTooltip(), node = tip && tip.getElement();
      if (!node || !map.hasLayer(m)) return;
      var free = PLACES.some(function (place) {
        tip.options.direction = place[0];
        tip.options.offset = place[1];
        tip.update();
        var box = node.getBoundingClientRect();
        return !obstacles.some(function (o) { return overlaps(box, o); });
      });
      if (!free) {
        tip.options.direction = "right";
        tip.options.offset = [0, 0];
        tip.update();
        hidden += 1;
      }
      node.style.visibility = free ? "" : "hidden";
      node.classList.toggle("ms-place-hidden", !free);
    });
    document.documentElement.dataset.placesHidden = String(hidden);
    document.documentElement.dataset.decluttered = String(global.performance.now());
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
    var map = opts.map, handle = opts.handle || {};
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
          var permanent = (f.properties.population || 0) > 14000;
          m.bindTooltip(textTooltip(f.properties.name),
                        {permanent: permanent, direction: "right", className: "ms-place"});
          if (permanent && handle.places) handle.places.push(m);
          return m;
        }
      }).addTo(group);
      document.documentElement.dataset.basemapDrawn = "1";
      if (handle.declutter) handle.declutter();
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
      map.getPane("ms-base").style.zIndex = 250;
      base.addTo(map);
      document.documentElement.dataset.basemap = "offline";
      // The base holds the lake, rivers, towns and main roads: closer in, a map would show
      // none of them (a site to place at street level), so it steps back to where they show.
      if (opts.offlineMaxZoom && map.getZoom() > opts.offlineMaxZoom) {
        map.setZoom(opts.offlineMaxZoom, {animate: false});
      }
      if (opts.presenter) return;  // the room sees the map, not a note about its base layer
      // A control of the bottom-left corner, stacked above the scale: Leaflet keeps the
      // controls of a corner apart, so the note covers neither the legend nor the scale.
      var notice = L.control({position: "bottomleft"});
      notice.onAdd = function () {
        var note = el("p", opts.labels.offline_note, "ms-offline-note leaflet-control");
        note.setAttribute("role", "status");
        L.DomEvent.disableClickPropagation(note);
        return note;
      };
      notice.addTo(map);
    }
    if (!tiles) { fallback(); return; }
    if (opts.presenter) {
      // Under the tiles while they load: a room whose tile server hangs sees the region, not
      // a grey map, until the fallback; tiles that do load cover it, and it goes.
      map.getPane("ms-base").style.zIndex = 150;
      base.addTo(map);
      tiles.once("load", function () {
        if (switched) return;
        map.removeLayer(base);
        map.getPane("ms-base").style.zIndex = 250;
      });
    }
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
    if (!opts.fit) {
      showDefault(opts.map);
      return;
    }
    opts.map.invalidateSize();
    var bounds = L.latLngBounds([]);
    markers.forEach(function (m) { bounds.extend(m.getLatLng()); });
    var box = opts.data.clusters && opts.data.clusters.bounds;  // [west, south, east, north]
    if (box) bounds.extend([[box[1], box[0]], [box[3], box[2]]]);
    lines.forEach(function (l) { bounds.extend(l.getBounds()); });
    if (!bounds.isValid()) return;
    opts.map.fitBounds(bounds, clearOfControls(opts.map));
    global.addEventListener("load", function () {
      opts.map.invalidateSize();
      opts.map.fitBounds(bounds, clearOfControls(opts.map));
    });
  }

  // Fit options that keep what is drawn out from under the controls: a side of the map whose
  // controls stand over much of its height (the layer list and an open legend, on the right)
  // is left to them; a corner's small control (zoom, scale) only gets the usual margin.
  function clearOfControls(map) {
    var frame = map.getContainer().getBoundingClientRect(), size = map.getSize();
    var pad = {left: 30, right: 30, top: 30, bottom: 30};
    ["left", "right"].forEach(function (side) {
      var tall = 0, wide = 0;
      map.getContainer().querySelectorAll(".leaflet-" + side + " > .leaflet-control")
        .forEach(function (control) {
          var box = control.getBoundingClientRect();
          tall += box.height;
          wide = Math.max(wide, side === "right" ? frame.right - box.left : box.right - frame.left);
        });
      // never more than half the map: on a narrow map the controls are folded anyway
      if (tall > 0.4 * size.y) pad[side] = Math.min(wide + 12, size.x / 2);
    });
    return {paddingTopLeft: [pad.left, pad.top], paddingBottomRight: [pad.right, pad.bottom],
            maxZoom: 14};
  }

  // The region's default view, made for a map about 1,000 px wide, shown in the part of the
  // map no control stands over: one zoom level out when that part is narrower (a phone, or a
  // screen where the layer list and the legend take the right side), centred in it.
  function showDefault(map) {
    var fit = clearOfControls(map), left = fit.paddingTopLeft[0], right = fit.paddingBottomRight[0];
    if (map.getSize().x - left - right < 700) {
      map.setZoom(map.getZoom() - 1, {animate: false});
    }
    if (right !== left) map.panBy([(right - left) / 2, 0], {animate: false});
  }

  // On a small map the layer list folds to its button (Leaflet's collapsed control) and the
  // legend to its title, so that the map is what the screen shows.
  function foldLayerControl(map, control) {
    if (!control || control.options.collapsed || map.getSize().x >= 600) return;
    control.options.collapsed = true;
    control.remove();
    control.addTo(map);
  }

  function drawData(opts, colours) {
    drawParks(opts);
    var lines = drawLines(opts);
    var markers = drawSites(opts, colours);
    return {markers: markers, lines: lines};
  }

  function subset(data, pick) {
    var out = Object.assign({}, data);
    ["sites", "parks", "lines"].forEach(function (name) {
      var all = (data[name] && data[name].features) || [];
      out[name] = {type: "FeatureCollection", features: (pick[name] || []).map(function (i) {
        return all[i];
      }).filter(Boolean)};
    });
    return out;
  }

  // Draws ``opts.data``; a presentation's data (``deck``) is drawn one view at a time by the
  // handle's ``show``, without reloading the page.
  function draw(opts) {
    var colours = {};
    (opts.data.groups || []).forEach(function (g, i) {
      colours[g.code] = g.colour;
      ORDER[g.colour] = i;
    });
    var map = opts.map, pending = false;
    var handle = {map: map, layers: opts.layers, markers: [], lines: [], data: opts.data,
                  places: []};
    handle.declutter = function () {
      if (pending) return;
      pending = true;
      global.requestAnimationFrame(function () { pending = false; declutter(handle); });
    };
    handle.show = function (pick) {
      Object.keys(opts.layers).forEach(function (name) {
        var layer = opts.layers[name], wanted = !pick.layers || pick.layers.indexOf(name) >= 0;
        if (wanted && !map.hasLayer(layer)) layer.addTo(map);
        if (!wanted && map.hasLayer(layer)) map.removeLayer(layer);
      });
      ["sites", "offers", "needs", "parks", "lines"].forEach(function (name) {
        if (opts.layers[name]) opts.layers[name].clearLayers();
      });
      // All at once: a view's sites are few, and a chunk still running when the next view
      // comes would add the sites of the view before.
      if (opts.layers.sites && opts.layers.sites.options) {
        opts.layers.sites.options.chunkedLoading = false;
      }
      var shown = Object.assign({}, opts, {data: subset(opts.data, pick)});
      var drawn = drawData(shown, colours);
      handle.markers = drawn.markers;
      handle.lines = drawn.lines;
      handle.shown = shown.data;
      if (handle.legend) handle.legend.refresh(shown.data);
      handle.declutter();
      return drawn;
    };
    opts.handle = handle;
    global.mapservice = handle;
    if (!opts.data.deck) {
      var drawn = drawData(opts, colours);
      handle.markers = drawn.markers;
      handle.lines = drawn.lines;
    }
    foldLayerControl(map, opts.control);
    handle.legend = addLegend(opts);
    map.on("overlayadd overlayremove", function () {
      handle.legend.refresh(handle.shown || opts.data);
    });
    map.on("zoomend moveend overlayadd overlayremove", handle.declutter);
    if (opts.layers.sites && opts.layers.sites.on) {
      opts.layers.sites.on("animationend", handle.declutter);
    }
    watchTiles(opts);
    watchRoads(opts);
    if (!opts.data.deck) fit(opts, handle.markers, handle.lines);
    return handle;
  }

  // A map that draws nothing else (a park outline to replace) gets the same offline base.
  function offline(opts) { watchTiles(opts); }

  global.MapService = {draw: draw, clusterIcon: clusterIcon, offline: offline};
})(window);
