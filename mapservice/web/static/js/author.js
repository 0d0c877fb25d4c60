/* "Votre nom" is typed once, remembered in this browser, and sent with every move form. */
(function () {
  "use strict";
  var input = document.querySelector("[data-remember=author]");
  if (!input) return;
  try { input.value = window.localStorage.getItem("mapservice.author") || ""; } catch (e) {}
  function copy() {
    document.querySelectorAll("input.author").forEach(function (f) { f.value = input.value; });
    try { window.localStorage.setItem("mapservice.author", input.value); } catch (e) {}
  }
  input.addEventListener("input", copy);
  copy();
  document.querySelectorAll("form.move").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      copy();
      if (!input.value.trim()) {
        event.preventDefault();
        input.setAttribute("aria-invalid", "true");
        input.focus();
      }
    });
  });
})();
