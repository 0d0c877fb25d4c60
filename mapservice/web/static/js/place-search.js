// The map's place box: a town, a postal code, a park or a street address, read by the
// geocoder (GET data-url?q=…), and the map moves there; or it says that nothing was found.
// Its words come from the page (data-* of this script's tag), in the page's language.
// On the position page the box only moves the map: the person then places the marker.
(function (global) {
  "use strict";
  var script = document.currentScript;

  function build(map, said) {
    var control = L.control({position: "topleft"});
    control.onAdd = function () {
      var form = L.DomUtil.create("form", "leaflet-bar ms-place-search");
      form.setAttribute("role", "search");
      form.setAttribute("aria-label", said.label);
      form.style.cssText = "background:#fff;padding:3px;display:flex;flex-wrap:wrap;" +
        "gap:3px;align-items:center;max-width:min(16rem,62vw)";
      var label = L.DomUtil.create("label", "", form);
      label.htmlFor = "ms-place-q";
      label.textContent = said.label;
      // Said to screen readers, not drawn: the box's placeholder and button say it on screen.
      label.style.cssText = "position:absolute;width:1px;height:1px;overflow:hidden;" +
        "clip:rect(0 0 0 0);white-space:nowrap";
      var input = L.DomUtil.create("input", "", form);
      input.id = "ms-place-q";
      input.type = "search";
      input.name = "q";
      input.maxLength = 200;
      input.autocomplete = "off";
      input.placeholder = said.placeholder;
      input.title = said.label;
      input.style.cssText = "flex:1;min-width:0;width:9rem;font:inherit;padding:2px 4px";
      var button = L.DomUtil.create("button", "", form);
      button.type = "submit";
      button.textContent = said.go;
      var status = L.DomUtil.create("p", "ms-place-status", form);
      status.id = "ms-place-status";
      status.setAttribute("role", "status");
      status.setAttribute("aria-live", "polite");
      status.style.cssText = "flex-basis:100%;margin:0;font-size:.85em;display:none";
      input.setAttribute("aria-describedby", status.id);
      L.DomEvent.disableClickPropagation(form);
      L.DomEvent.disableScrollPropagation(form);

      var marker = null, asking = false;
      function say(text) {
        status.textContent = text;
        status.style.display = text ? "block" : "none";
        document.documentElement.dataset.placeStatus = text;
      }
      // The page says the place was found once the map has got there: a zoom is animated and
      // only starts on the next frame, so the map's centre is the old one until its moveend.
      function found(place) {
        var where = [place.lat, place.lon], root = document.documentElement;
        delete root.dataset.placeFound;
        map.once("moveend", function () { root.dataset.placeFound = place.label; });
        map.setView(where, place.zoom || 12);
        if (marker) map.removeLayer(marker);
        marker = L.circleMarker(where, {radius: 9, color: "#000", weight: 2, fill: false,
                                        interactive: false}).addTo(map);
        say(said.shown.replace("{place}", place.label) +
            (place.outside_region ? " " + said.outside : ""));
      }
      form.addEventListener("submit", function (event) {
        event.preventDefault();
        var q = input.value.trim();
        if (!q) { say(said.empty); input.focus(); return; }
        if (asking) return;  // one question at a time
        asking = true;
        button.disabled = true;
        say(said.looking);
        global.fetch(said.url + "?q=" + encodeURIComponent(q),
                     {credentials: "same-origin", headers: {Accept: "application/json"}})
          .then(function (r) {
            var json = (r.headers.get("Content-Type") || "").indexOf("json") >= 0;
            return json ? r.json() : {found: false, message: said.error};
          })
          .then(function (answer) {
            if (answer.found) found(answer);
            else say(answer.message || said.none);
          })
          .catch(function () { say(said.error); })
          .then(function () { asking = false; button.disabled = false; });
      });
      input.addEventListener("keydown", function (event) {
        if (event.key === "Escape") { input.value = ""; say(""); }
      });
      return form;
    };
    control.addTo(map);
    return control;
  }

  // The page's map: the one named by data-map (a map drawn by the page's own script, like the
  // position page's), else mapservice-map.js's.
  function start() {
    if (!global.L || !global.fetch || !script) return;
    var named = script.dataset.map, handle = global.mapservice;
    var map = named ? global[named] : handle && handle.map;
    if (!map || typeof map.setView !== "function") return;
    build(map, script.dataset);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})(window);
