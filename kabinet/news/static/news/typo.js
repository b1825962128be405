// «Заметили ошибку в тексте? Выделите её мышкой и нажмите Ctrl+Enter» (seed 001).
// Ctrl+Enter (⌘+Enter on a Mac) opens the report dialog with the selected text filled in;
// the dialog is an ordinary form posted to the server, so nothing here is needed to send it.
(function () {
  "use strict";

  var dialog = document.getElementById("typo-dialog");
  if (!dialog || typeof dialog.showModal !== "function") {
    return;
  }
  var fragment = dialog.querySelector("textarea[name=fragment]");
  var comment = dialog.querySelector("textarea[name=comment]");
  var page = dialog.querySelector("input[name=page_url]");

  document.addEventListener("keydown", function (event) {
    if (event.key !== "Enter" || !(event.ctrlKey || event.metaKey) || dialog.open) {
      return;
    }
    var selected = String(window.getSelection ? window.getSelection() : "").trim();
    if (!selected) {
      return;
    }
    event.preventDefault();
    fragment.value = selected.slice(0, 1000);
    comment.value = "";
    page.value = window.location.pathname + window.location.search;
    dialog.showModal();
    comment.focus();
  });

  dialog.querySelector("[data-typo-close]").addEventListener("click", function () {
    dialog.close();
  });
})();
