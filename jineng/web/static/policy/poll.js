// While a simulation runs, reload its page every two seconds (nothing else is fetched).
(function () {
  var el = document.querySelector("[data-running='true']");
  if (el) { window.setTimeout(function () { window.location.reload(); }, 2000); }
})();
