// The lesson player: opens a stream on the server (one active per person: another device pauses
// this one), then sends a heartbeat every few seconds with the video's position and whether the
// page is visible. The server alone decides what is credited; this shows its answer.
// When the answer says a real-name check waits, the video pauses and the camera panel opens: a
// frame of the live camera (getUserMedia, never a file) is posted to the check's address, the
// Chinese result is shown, the camera is stopped and the video plays on.
// Heartbeats carry the stream's signed token (no session needed: the server's lean endpoint);
// an answer may bring a renewed token, and an expired one makes the player reopen its stream.
(function () {
  "use strict";
  var root = document.querySelector("[data-testid=player]");
  if (!root) { return; }
  var video = root.querySelector("video");
  var credited = document.querySelector("[data-testid=credited]");
  var notice = document.querySelector("[data-testid=notice]");
  var csrf = root.querySelector("input[name=csrfmiddlewaretoken]").value;
  var interval = parseInt(root.getAttribute("data-interval"), 10) || 5000;
  var stream = null;
  var token = null;
  var reopening = false;
  var busy = false;
  var outcomes = [];
  var panel = document.querySelector("[data-testid=check-panel]");
  var camera = panel.querySelector("[data-testid=check-camera]");
  var capture = panel.querySelector("[data-testid=check-capture]");
  var result = panel.querySelector("[data-testid=check-result]");
  var checking = null;  // the id of the check the panel answers
  var media = null;  // the camera's MediaStream while the panel is open
  var answered = {};  // checks already answered (a heartbeat in flight may still name one)

  function device() {
    var key = "jineng-learning-device";
    var id = null;
    try { id = window.localStorage.getItem(key); } catch (e) { id = null; }
    if (!id) {
      id = "web-" + Math.random().toString(36).slice(2, 12) + Date.now().toString(36);
      try { window.localStorage.setItem(key, id); } catch (e) { /* private mode */ }
    }
    return id;
  }

  function post(url, body) {
    return fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: {"Content-Type": "application/json", "X-CSRFToken": csrf},
      body: JSON.stringify(body)
    }).then(function (r) { return r.json(); });
  }

  function show(text, quiet) {
    notice.textContent = text;
    notice.hidden = false;
    notice.className = quiet ? "notice notice-ok" : "notice notice-warn";
  }

  function beat() {
    if (stream === null || busy) { return; }
    busy = true;
    post(root.getAttribute("data-stream-heartbeat-url"), {
      token: token,
      position_seconds: video.currentTime,
      visible: document.visibilityState === "visible"
    }).then(function (answer) {
      busy = false;
      if (answer.detail) {
        show(answer.detail, false);
        if (answer.field === "token" && !reopening) { reopening = true; open(); }
        return;
      }
      if (answer.token) { token = answer.token; }
      outcomes.push(answer.outcome);
      root.setAttribute("data-outcomes", outcomes.join(" "));
      credited.textContent = answer.lesson_credited;
      credited.setAttribute("data-seconds", String(Math.floor(answer.lesson_credited_ms / 1000)));
      if (answer.check) { openCheck(answer.check); return; }
      if (answer.credited_ms > 0 || answer.outcome === "started") {
        show(answer.label, true);
      } else if (answer.outcome !== "not_playing") {
        show(answer.label, false);
      }
      if (answer.completed) { show("本课时已完成", true); }
    }, function () {
      busy = false;
      show("网络连接中断，本段暂未计时", false);
    });
  }

  function say(text, ok) {
    result.textContent = text;
    result.hidden = false;
    result.className = ok ? "notice notice-ok" : "notice notice-warn";
  }

  function stopCamera() {
    if (media) { media.getTracks().forEach(function (t) { t.stop(); }); }
    media = null;
    camera.srcObject = null;
  }

  function openCheck(id) {
    if (checking === id || answered[id]) { return; }
    checking = id;
    video.pause();
    panel.hidden = false;
    root.setAttribute("data-check", String(id));
    result.hidden = true;
    capture.disabled = true;
    show("请先完成人脸核验，核验前不计时", false);
    if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
      say("当前浏览器无法使用摄像头，请换用手机浏览器完成核验", false);
      return;
    }
    navigator.mediaDevices.getUserMedia({video: {facingMode: "user"}, audio: false})
      .then(function (s) {
        media = s;
        camera.srcObject = s;
        var ready = function () { capture.disabled = false; };
        if (camera.readyState >= 2) { ready(); } else { camera.addEventListener("loadeddata", ready, {once: true}); }
        camera.play().catch(function () { /* autoplay muted: plays once data arrives */ });
      }, function () {
        say("无法打开摄像头：请允许本网站使用摄像头后点击“拍照核验”重试", false);
        capture.disabled = false;
        checking = null;
      });
  }

  capture.addEventListener("click", function () {
    if (!media) { if (checking === null) { openCheck(parseInt(root.getAttribute("data-check"), 10)); } return; }
    var canvas = document.createElement("canvas");
    canvas.width = camera.videoWidth || 640;
    canvas.height = camera.videoHeight || 480;
    canvas.getContext("2d").drawImage(camera, 0, 0, canvas.width, canvas.height);
    capture.disabled = true;
    say("正在核验，请稍候……", true);
    canvas.toBlob(function (blob) {
      var form = new FormData();
      form.append("image", blob, "capture.jpg");
      var url = root.getAttribute("data-check-url").replace("/0/", "/" + checking + "/");
      fetch(url, {
        method: "POST",
        credentials: "same-origin",
        headers: {"X-CSRFToken": csrf},
        body: form
      }).then(function (r) { return r.json(); }).then(function (answer) {
        stopCamera();
        if (answer.check) { answered[answer.check] = true; }
        root.setAttribute("data-check-status", answer.status || "error");
        say(answer.message || answer.detail || "核验失败，请重试", answer.passed === true);
        show(answer.message || answer.detail || "核验失败", answer.passed === true);
        checking = null;
        panel.hidden = true;
        video.play().catch(function () { show("请点击视频继续学习", true); });
      }, function () {
        capture.disabled = false;
        say("网络连接中断，请重新拍照核验", false);
      });
    }, "image/jpeg", 0.9);
  });

  var ticking = false;
  function open() {
    post(root.getAttribute("data-stream-url"), {device: device()}).then(function (answer) {
      reopening = false;
      if (answer.detail) { show(answer.detail, false); return; }
      stream = answer.stream;
      token = answer.token;
      root.setAttribute("data-stream", String(stream));
      beat();
      if (!ticking) { ticking = true; window.setInterval(beat, interval); }
    }, function () { reopening = false; show("无法开始计时，请刷新页面", false); });
  }
  open();

  video.addEventListener("ended", beat);
  video.addEventListener("pause", beat);
  document.addEventListener("visibilitychange", beat);
})();
