/* Keeps the address bar in step with the map (centre, zoom, shown layers), so a view can be
 * bookmarked or shared as it is; and fills the "save this view" form with the same values. */
(function () {
  "use strict";
  var ms = window.mapservice;
  if (!ms || !window.history || !window.URL) return;
  var map = ms.map, layers = ms.layers;

  function shownLayers() {
    return Object.keys(layers).filter(function (key) { return map.hasLayer(layers[key]); });
  }

  function update() {
    var url = new URL(window.location.href);
    var centre = map.getCenter();
    url.searchParams.set("lat", centre.lat.toFixed(5));
    url.searchParams.set("lon", centre.lng.toFixed(5));
    url.searchParams.set("zoom", String(map.getZoom()));
    url.searchParams.set("layers", shownLayers().join(","));
    window.history.replaceState(null, "", url.pathname + url.search + url.hash);
    var form = document.getElementById("save-view");
    if (form) {
      form.elements.lat.value = centre.lat.toFixed(5);
      form.elements.lon.value = centre.lng.toFixed(5);
      form.elements.zoom.value = String(map.getZoom());
      form.elements.layers.value = shownLayers().join(",");
    }
  }

  var pending = null;
  function later() {
    if (pending) window.clearTimeout(pending);
    pending = window.setTimeout(update, 150);
  }
  map.on("moveend overlayadd overlayremove", later);
  if (document.getElementById("save-view")) update();
})();
