// The teacher's QR screen: fetch a fresh QR image every window (~15 s), so a screenshot forwarded
// to someone elsewhere expires. The server signs each token; this only reloads the image.
(function () {
  "use strict";
  var box = document.querySelector("[data-testid=qr-screen]");
  if (!box) { return; }
  var img = box.querySelector("img");
  var src = box.getAttribute("data-src");
  var every = parseInt(box.getAttribute("data-refresh"), 10) || 15000;
  function refresh() { img.src = src + "?t=" + Date.now(); }
  window.setInterval(refresh, every);
})();
