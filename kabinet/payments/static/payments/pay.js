// The pay page: totals and commission as the payer types; per-service correction with reset.
// Without JavaScript the form still works: the server checks everything; «Сбросить» (a plain
// button, so that Enter in a sum field presses «Оплатить») appears only with this script.
(function () {
  "use strict";
  var form = document.querySelector("[data-pay-form]");
  if (!form) return;
  var percent = parseFloat(form.getAttribute("data-commission") || "0");

  function parse(text) {
    var value = parseFloat(String(text).replace(/[\s\u00a0]/g, "").replace(",", "."));
    return isNaN(value) ? null : value;
  }
  function show(value) {
    return value.toLocaleString("ru-RU", { minimumFractionDigits: 2, maximumFractionDigits: 2 });
  }
  function plain(value) {
    return value.toFixed(2).replace(".", ",");
  }
  function recount() {
    var total = 0;
    var ok = true;
    form.querySelectorAll("[data-amount]").forEach(function (input) {
      var value = parse(input.value === "" ? "0" : input.value);
      if (value === null) ok = false; else total += value;
    });
    var commission = Math.round(total * percent) / 100;
    var totalNode = form.querySelector("[data-total]");
    var commissionNode = form.querySelector("[data-commission-sum]");
    var chargedNode = form.querySelector("[data-charged]");
    if (totalNode) totalNode.textContent = ok ? show(total) : "—";
    if (commissionNode) commissionNode.textContent = ok ? show(commission) : "—";
    if (chargedNode) chargedNode.textContent = ok ? show(total + commission) : "—";
  }
  form.querySelectorAll("[data-pay-row]").forEach(function (row) {
    var amount = row.querySelector("[data-account-amount]");
    var services = row.querySelectorAll("[data-service]");
    services.forEach(function (input) {
      input.addEventListener("input", function () {
        var sum = 0;
        services.forEach(function (other) { sum += parse(other.value || "0") || 0; });
        amount.value = plain(sum);
        recount();
      });
    });
    var reset = row.querySelector("[data-reset]");
    if (reset) {
      reset.hidden = false;
      reset.addEventListener("click", function (event) {
        event.preventDefault();
        row.querySelectorAll("[data-initial]").forEach(function (input) {
          input.value = plain(parseFloat(input.getAttribute("data-initial")));
        });
        recount();
      });
    }
  });
  form.addEventListener("input", function (event) {
    if (event.target.hasAttribute("data-amount")) recount();
  });
})();
