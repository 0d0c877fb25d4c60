/* The region map's sites grouped on the server (mapservice/views/site_clusters.py): at every
 * move or zoom the map asks for the groups and single sites of what it shows, and a single
 * site's popup when it opens. mapservice-map.js calls ``MapServiceClusters.draw`` from its
 * ``drawSites`` when the page's data has ``clusters``. Every string is set as text.
 *
 * A site is named by its index in the view, which a change of the registry may give to
 * another site: every answer carries the view's ``version``, markers of another version are
 * all redrawn, and a popup is asked for with the version its marker was drawn from (409 if
 * the view changed since: the clusters are then asked for again and the popup says why). */
(function (global) {
  "use strict";

  var COLOUR = /^#[0-9a-fA-F]{3,8}$/;

  function el(tag, text, cls) {
    var node = document.createElement(tag);
    if (text !== undefined && text !== null && text !== "") node.textContent = String(text);
    if (cls) node.className = cls;
    return node;
  }

  function withQuery(url, params) {
    var pairs = Object.keys(params).map(function (k) {
      return encodeURIComponent(k) + "=" + encodeURIComponent(params[k]);
    });
    return url + (url.indexOf("?") >= 0 ? "&" : "?") + pairs.join("&");
  }

  function getJSON(url) {
    return global.fetch(url, {credentials: "same-origin", headers: {Accept: "application/json"}})
      .then(function (r) {
        if (r.ok) return r.json();
        return r.json().catch(function () { return {}; }).then(function (problem) {
          var e = new Error(problem.message || "HTTP " + r.status);
          e.status = r.status;
          throw e;
        });
      });
  }

  function clamp(v, low, high) { return Math.max(low, Math.min(high, v)); }

  function draw(opts, colours, h) {
    var map = opts.map, layers = opts.layers, info = opts.data.clusters;
    var labels = opts.labels, groups = opts.data.groups || [], target = layers.sites;
    var radius = opts.presenter ? 10 : 7;
    var asked = 0, shownKeys = {}, properties = {}, version = info.version;

    function colourOf(column) {
      var g = groups[column];
      return g && COLOUR.test(g.colour) ? g.colour : "#777777";
    }

    // A site's popup data, asked once per version and kept.
    function siteProps(index) {
      if (!properties[index]) {
        var url = withQuery(info.site, {i: index, v: version});
        properties[index] = getJSON(url).catch(function (e) {
          delete properties[index];
          throw e;
        });
      }
      return properties[index];
    }

    // Leaflet calls a popup's content function at every update: the box is made once.
    function lazyPopup(indices) {
      var box = null;
      return function (layer) {
        if (box) return box;
        box = el("div", "…", "ms-popup-list");
        Promise.all(indices.map(siteProps)).then(function (all) {
          box.textContent = "";
          all.forEach(function (p) { box.appendChild(h.sitePopup(p, labels)); });
          var popup = layer.getPopup();
          if (popup) popup.update();
          document.documentElement.dataset.popupLoaded = String(indices[0]);
        }).catch(function (e) {
          var failed = box;
          box = null;  // asked again at the next opening
          if (e.status !== 409) {
            failed.textContent = "—";
            return;
          }
          // The view changed since this marker was drawn: draw it again, and say why.
          var at = layer.getLatLng();
          layer.closePopup();
          reload();
          L.popup({maxWidth: 320}).setLatLng(at)
            .setContent(el("p", e.message, "ms-popup-stale")).openOn(map);
          document.documentElement.dataset.popupStale = String(indices[0]);
        });
        return box;
      };
    }

    function clusterMarker(c) {
      var n = c[2], size = n < 10 ? 38 : n < 100 ? 46 : n < 1000 ? 54 : 62, shares = [];
      for (var k = 0; k + 1 < c[4].length; k += 2) shares.push([colourOf(c[4][k]), c[4][k + 1]]);
      shares.sort(function (a, b) {
        var x = a[0] in h.order ? h.order[a[0]] : 99, y = b[0] in h.order ? h.order[b[0]] : 99;
        return x - y;
      });
      var marker = L.marker([c[1], c[0]], {
        icon: L.divIcon({html: h.ringSvg(size, shares, n), className: "ms-cluster",
                         iconSize: L.point(size, size)}),
        title: String(n)
      });
      marker.clusterCount = n;
      if (c[3] >= 0) {  // zoom in to where it splits
        marker.on("click", function () {
          map.setView(marker.getLatLng(), Math.max(c[3], map.getZoom() + 1));
        });
      } else {  // sites at one shown position: list them
        marker.bindPopup(lazyPopup(c[5] || []), {maxWidth: 380, maxHeight: 360});
      }
      return marker;
    }

    function siteMarker(s) {
      var marker = L.circleMarker([s[1], s[0]], {
        radius: radius, color: "#1a1a1a", weight: 1.5, fillColor: colours[s[3]] || "#777777",
        fillOpacity: 0.9
      });
      marker.siteIndex = s[2];
      marker.bindPopup(lazyPopup([s[2]]), {maxWidth: 380});
      marker.bindTooltip(h.textTooltip(s[4]), {direction: "top"});
      var rings = [];
      if (s[5] & 1 && layers.offers) {
        rings.push([layers.offers, L.circleMarker(marker.getLatLng(), {
          radius: radius + 5, color: "#D55E00", weight: 3, fill: false, interactive: false})]);
      }
      if (s[5] & 2 && layers.needs) {
        rings.push([layers.needs, L.circleMarker(marker.getLatLng(), {
          radius: radius + 9, color: "#0072B2", weight: 3, dashArray: "4 4", fill: false,
          interactive: false})]);
      }
      marker.rings = rings;
      return marker;
    }

    // Markers that stay in view stay on the map (an open popup with them); others go; all go
    // when the view's version changed (their indices may be other sites' now).
    function render(answer) {
      var next = {}, singles = [];
      if (answer.version !== version) {
        version = answer.version;
        properties = {};
        Object.keys(shownKeys).forEach(function (key) {
          var m = shownKeys[key];
          target.removeLayer(m);
          (m.rings || []).forEach(function (r) { r[0].removeLayer(r[1]); });
        });
        shownKeys = {};
      }
      answer.clusters.forEach(function (c) {
        var key = "c" + answer.zoom + ":" + c[0] + ":" + c[1] + ":" + c[2];
        next[key] = shownKeys[key] || clusterMarker(c);
      });
      answer.sites.forEach(function (s) {
        var key = "s" + s[2];
        next[key] = shownKeys[key] || siteMarker(s);
        singles.push(next[key]);
      });
      Object.keys(shownKeys).forEach(function (key) {
        if (next[key]) return;
        var m = shownKeys[key];
        target.removeLayer(m);
        (m.rings || []).forEach(function (r) { r[0].removeLayer(r[1]); });
      });
      Object.keys(next).forEach(function (key) {
        if (shownKeys[key]) return;
        var m = next[key];
        target.addLayer(m);
        (m.rings || []).forEach(function (r) { r[0].addLayer(r[1]); });
      });
      shownKeys = next;
      if (opts.handle) opts.handle.markers = singles;
      markDrawn(answer);
    }

    function markDrawn(answer) {
      global.requestAnimationFrame(function () {
        var root = document.documentElement.dataset;
        root.sitesClustered = "server";
        root.sitesTotal = String(answer.total);
        root.sitesZoom = String(answer.zoom);
        root.sitesDrawn = String(answer.shown);
        root.sitesDrawnAt = String(global.performance.now());
        if (opts.handle) opts.handle.declutter();
      });
    }

    // One question: the clusters of ``bounds`` (padded by a quarter) at ``zoom``.
    function ask(bounds, zoom) {
      var box = bounds.pad(0.25);
      var bbox = [clamp(box.getWest(), -180, 180), clamp(box.getSouth(), -90, 90),
                  clamp(box.getEast(), -180, 180), clamp(box.getNorth(), -90, 90)];
      var url = withQuery(info.url, {
        zoom: zoom, bbox: bbox.map(function (v) { return v.toFixed(5); }).join(",")
      });
      return {id: ++asked, zoom: zoom, box: box, answer: getJSON(url)};
    }

    var pending = null, drawn = null, lastAnswer = null;

    // A zoom is asked for as it starts: the answer comes during the zoom's animation.
    map.on("zoomanim", function (e) {
      var pixels = map.getPixelBounds(e.center, e.zoom);
      pending = ask(L.latLngBounds(map.unproject(pixels.getBottomLeft(), e.zoom),
                                   map.unproject(pixels.getTopRight(), e.zoom)), e.zoom);
    });

    function load() {
      var zoom = map.getZoom(), bounds = map.getBounds();
      if (drawn && drawn.zoom === zoom && drawn.box.contains(bounds)) {
        markDrawn(lastAnswer);  // a small move: what is drawn covers it already
        return;
      }
      var question = pending && pending.zoom === zoom && pending.box.contains(bounds)
        ? pending : ask(bounds, zoom);
      pending = null;
      question.answer.then(function (answer) {
        if (question.id !== asked) return;  // a later move's answer wins
        drawn = question;
        lastAnswer = answer;
        render(answer);
      }).catch(function () {
        document.documentElement.dataset.sitesError = "1";
      });
    }

    // Ask for the clusters of what is shown again, whatever is drawn already.
    function reload() {
      drawn = null;
      pending = null;
      load();
    }

    map.on("moveend", load);
    global.setTimeout(function () { if (!asked) load(); }, 0);
    return [];
  }

  global.MapServiceClusters = {draw: draw};
})(window);
