// On narrow screens the main menu folds behind the «Меню» button.
// Without this script the button stays hidden and the menu stays open, so nothing is lost.
(function () {
  "use strict";

  var toggle = document.querySelector("[data-nav-toggle]");
  if (!toggle) {
    return;
  }
  var nav = document.getElementById(toggle.getAttribute("aria-controls"));
  if (!nav) {
    return;
  }

  function setOpen(open) {
    toggle.setAttribute("aria-expanded", open ? "true" : "false");
    nav.classList.toggle("is-open", open);
  }

  document.documentElement.classList.add("has-nav-toggle");
  toggle.hidden = false;
  toggle.addEventListener("click", function () {
    setOpen(toggle.getAttribute("aria-expanded") !== "true");
  });
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && toggle.getAttribute("aria-expanded") === "true") {
      setOpen(false);
      toggle.focus();
    }
  });
})();
