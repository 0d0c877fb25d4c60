/* Presenter mode: the page holds every view as data (``window.mapservice.data.deck``) and
 * changes views without reloading. Previous / next by the on-screen buttons, a swipe, the
 * arrows (and a clicker's Page Up/Down), Home/End for the first or last, F or the button for
 * full screen, A (staff, served page only) to switch anonymising. The view's number stays in
 * the URL (the path on the served page, the hash in a downloaded file), so reload and Back
 * work. */
(function (global) {
  "use strict";
  var doc = global.document, body = doc.body, root = doc.documentElement;
  var ms = global.mapservice;
  if (!ms || !ms.data || !ms.data.deck) return;
  var views = ms.data.deck.views, current = 0;
  var base = body.dataset.base || "";

  function byId(id) { return doc.getElementById(id); }
  var title = byId("view-title"), counter = byId("counter"), navCounter = byId("counter-nav");
  var count = byId("count"), anonymised = byId("anonymised");
  var prev = byId("prev"), next = byId("next"), full = byId("fullscreen"), exit = byId("exit");

  function numberInUrl() {
    var hash = /^#(\d+)$/.exec(global.location.hash);
    if (hash) return parseInt(hash[1], 10);
    var path = base && new RegExp("/(\\d+)/?$").exec(global.location.pathname);
    return path ? parseInt(path[1], 10) : null;
  }

  function urlOf(number) {
    if (base) return base + "/" + number + global.location.search;
    return "#" + number;
  }

  function show(index, how) {
    index = Math.max(0, Math.min(views.length - 1, index));
    var view = views[index];
    current = index;
    // Framed first, then drawn: the clusters are made at the zoom they are seen at. A view
    // of chosen members (an event's table) frames their sites.
    var box = view.bounds;
    if (box) {
      ms.map.fitBounds([[box.south, box.west], [box.north, box.east]],
                       {padding: [40, 40], maxZoom: 13, animate: false});
    } else {
      ms.map.setView([view.lat, view.lon], view.zoom, {animate: false});
    }
    ms.show(view);
    var number = index + 1, total = views.length;
    if (view.title) {
      title.textContent = view.title;
      doc.title = view.title;
    }
    counter.textContent = number + " / " + total;
    if (navCounter) navCounter.textContent = number + " / " + total;
    count.textContent = view.count;
    anonymised.hidden = !view.anonymised;
    var focused = doc.activeElement;
    prev.disabled = index === 0;
    next.disabled = index === total - 1;
    // A button that goes dead under the keyboard hands the focus to the other one.
    if (focused === next && next.disabled && !prev.disabled) prev.focus();
    if (focused === prev && prev.disabled && !next.disabled) next.focus();
    if (how === "push") global.history.pushState({slide: number}, "", urlOf(number));
    else if (how === "replace") global.history.replaceState({slide: number}, "", urlOf(number));
    root.dataset.slide = String(number);
  }

  function step(by) { if (current + by >= 0 && current + by < views.length) show(current + by, "push"); }

  function toggleFullscreen() {
    if (doc.fullscreenElement) doc.exitFullscreen();
    else if (root.requestFullscreen) root.requestFullscreen().catch(function () {});
  }

  function fullscreenChanged() {
    var on = !!doc.fullscreenElement;
    full.setAttribute("aria-pressed", String(on));
    full.querySelector(".present-nav-text").textContent = on ? full.dataset.on : full.dataset.off;
    if (exit && exit.tagName === "BUTTON") exit.hidden = !on;
    global.setTimeout(function () { ms.map.invalidateSize(); }, 50);
  }

  prev.addEventListener("click", function () { step(-1); });
  next.addEventListener("click", function () { step(1); });
  full.addEventListener("click", toggleFullscreen);
  if (exit && exit.tagName === "BUTTON") {
    exit.addEventListener("click", function () {
      if (doc.fullscreenElement) doc.exitFullscreen();
    });
  }
  doc.addEventListener("fullscreenchange", fullscreenChanged);

  doc.addEventListener("keydown", function (event) {
    if (event.altKey || event.ctrlKey || event.metaKey) return;
    var target = event.target;
    if (target && /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName)) return;
    if (event.key === " " && target && /^(BUTTON|A)$/.test(target.tagName)) return;
    switch (event.key) {
      case "ArrowRight": case "PageDown": case " ": step(1); break;
      case "ArrowLeft": case "PageUp": step(-1); break;
      case "Home": if (current !== 0) show(0, "push"); break;
      case "End": if (current !== views.length - 1) show(views.length - 1, "push"); break;
      case "a": case "A":
        if (!body.dataset.toggle || !base) return;
        global.location.assign(base + "/" + (current + 1) +
                               new URL(body.dataset.toggle, global.location.href).search);
        break;
      case "f": case "F": toggleFullscreen(); break;
      default: return;
    }
    event.preventDefault();
  });

  // A swipe: one finger (or pen) moved quickly across more than it moved up or down. A slow
  // drag pans the map; a pinch (two fingers) zooms it.
  var touch = null;
  function start(x, y, id) { touch = {x: x, y: y, id: id, at: Date.now()}; }
  function end(x, y, id) {
    if (!touch || touch.id !== id) return;
    var dx = x - touch.x, dy = y - touch.y, quick = Date.now() - touch.at < 800;
    touch = null;
    if (!quick || Math.abs(dx) < 60 || Math.abs(dx) < 1.5 * Math.abs(dy)) return;
    step(dx < 0 ? 1 : -1);
  }
  if (global.PointerEvent) {
    var down = 0;
    doc.addEventListener("pointerdown", function (e) {
      if (e.pointerType === "mouse") return;
      down += 1;
      if (down === 1) start(e.clientX, e.clientY, e.pointerId); else touch = null;
    }, true);
    doc.addEventListener("pointerup", function (e) {
      if (e.pointerType === "mouse") return;
      down = Math.max(0, down - 1);
      end(e.clientX, e.clientY, e.pointerId);
    }, true);
    doc.addEventListener("pointercancel", function (e) {
      if (e.pointerType === "mouse") return;
      down = Math.max(0, down - 1);
      touch = null;
    }, true);
  } else {
    doc.addEventListener("touchstart", function (e) {
      if (e.touches.length === 1) start(e.touches[0].clientX, e.touches[0].clientY, 0);
      else touch = null;
    }, {capture: true, passive: true});
    doc.addEventListener("touchend", function (e) {
      var t = e.changedTouches[0];
      if (t) end(t.clientX, t.clientY, 0);
    }, {capture: true, passive: true});
  }

  global.addEventListener("popstate", function () {
    var number = numberInUrl();
    if (number) show(number - 1);
  });
  global.addEventListener("hashchange", function () {
    var number = numberInUrl();
    if (number && number - 1 !== current) show(number - 1);
  });

  // The legend strip folds and changes with the view: the map follows its new size.
  if (global.ResizeObserver) {
    new global.ResizeObserver(function () { ms.map.invalidateSize(); })
      .observe(ms.map.getContainer());
  }

  var first = numberInUrl() || ms.data.deck.start || 1;
  show(first - 1, "replace");
})(window);
