// The lesson player: opens a stream on the server (one active per person: another device pauses
// this one), then sends a heartbeat every few seconds with the video's position and whether the
// page is visible. The server alone decides what is credited; this shows its answer.
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
  var busy = false;
  var outcomes = [];

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
    post(root.getAttribute("data-heartbeat-url"), {
      stream: stream,
      position: video.currentTime,
      visible: document.visibilityState === "visible"
    }).then(function (answer) {
      busy = false;
      if (answer.detail) { show(answer.detail, false); return; }
      outcomes.push(answer.outcome);
      root.setAttribute("data-outcomes", outcomes.join(" "));
      credited.textContent = answer.lesson_credited;
      credited.setAttribute("data-seconds", String(Math.floor(answer.lesson_credited_ms / 1000)));
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

  post(root.getAttribute("data-stream-url"), {device: device()}).then(function (answer) {
    if (answer.detail) { show(answer.detail, false); return; }
    stream = answer.stream;
    root.setAttribute("data-stream", String(stream));
    beat();
    window.setInterval(beat, interval);
  }, function () { show("无法开始计时，请刷新页面", false); });

  video.addEventListener("ended", beat);
  video.addEventListener("pause", beat);
  document.addEventListener("visibilitychange", beat);
})();
