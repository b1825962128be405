// After a failed submit the page opens with an error summary: move focus there, so a screen
// reader reads what went wrong and a keyboard user is one Tab away from the links to the fields.
// A page opened at a #fragment scrolls there after this script, so focus is set again on load.
(function () {
  "use strict";
  var summary = document.querySelector("[data-error-summary]");
  if (!summary) {
    return;
  }
  summary.focus();
  window.addEventListener("load", function () {
    if (!summary.contains(document.activeElement)) {
      summary.focus();
    }
  });
})();
