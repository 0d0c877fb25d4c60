/* Presenter mode's keys: arrows (and a clicker's Page Up/Down) step through the saved views,
 * Home/End jump to the first or last, F toggles full screen, A toggles anonymising. */
(function () {
  "use strict";
  var body = document.body;
  function go(name) {
    var url = body.dataset[name];
    if (url) window.location.assign(url);
  }
  document.addEventListener("keydown", function (event) {
    if (event.altKey || event.ctrlKey || event.metaKey) return;
    var target = event.target;
    if (target && /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName)) return;
    switch (event.key) {
      case "ArrowRight": case "PageDown": case " ": go("next"); break;
      case "ArrowLeft": case "PageUp": go("prev"); break;
      case "Home": go("first"); break;
      case "End": go("last"); break;
      case "a": case "A": go("toggle"); break;
      case "f": case "F":
        if (document.fullscreenElement) document.exitFullscreen();
        else if (document.documentElement.requestFullscreen) {
          document.documentElement.requestFullscreen().catch(function () {});
        }
        break;
      default: return;
    }
    event.preventDefault();
  });
})();
