// 扫码签到: a live camera frame (getUserMedia, never a file picker) and, when the venue has a
// point, the phone's position, posted to this same address. The server decides and says why.
(function () {
  "use strict";
  var root = document.querySelector("[data-testid=checkin]");
  if (!root) { return; }
  var video = root.querySelector("video");
  var canvas = root.querySelector("canvas");
  var button = root.querySelector("[data-testid=checkin-go]");
  var result = root.querySelector("[data-testid=checkin-result]");
  var csrf = root.querySelector("input[name=csrfmiddlewaretoken]").value;
  var wantsPosition = root.getAttribute("data-position") === "1";
  var position = null;

  function say(text, ok) {
    result.textContent = text;
    result.className = "notice " + (ok ? "notice-ok" : "notice-warn");
  }

  if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
    say("此浏览器无法使用摄像头，请换用手机自带浏览器打开", false);
    return;
  }
  navigator.mediaDevices.getUserMedia({ video: { facingMode: "user" }, audio: false })
    .then(function (stream) { video.srcObject = stream; button.disabled = false; })
    .catch(function () { say("无法打开摄像头，请允许浏览器使用摄像头后重试", false); });

  if (wantsPosition && navigator.geolocation) {
    navigator.geolocation.getCurrentPosition(
      function (p) { position = p.coords; },
      function () { say("无法获取位置，请允许浏览器获取位置后重试", false); },
      { enableHighAccuracy: true, timeout: 10000 }
    );
  }

  button.addEventListener("click", function () {
    var w = video.videoWidth || 640, h = video.videoHeight || 480;
    canvas.width = w; canvas.height = h;
    canvas.getContext("2d").drawImage(video, 0, 0, w, h);
    var body = new URLSearchParams();
    body.set("image", canvas.toDataURL("image/jpeg", 0.9));
    if (position) { body.set("lat", String(position.latitude)); body.set("lng", String(position.longitude)); }
    button.disabled = true;
    say("正在核验…", true);
    fetch(window.location.pathname, {
      method: "POST",
      credentials: "same-origin",
      headers: { "X-CSRFToken": csrf, "Content-Type": "application/x-www-form-urlencoded" },
      body: body.toString()
    }).then(function (r) { return r.json(); })
      .then(function (answer) { say(answer.message, answer.ok); if (!answer.ok) { button.disabled = false; } })
      .catch(function () { say("网络异常，请重试", false); button.disabled = false; });
  });
})();
