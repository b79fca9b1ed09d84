// The exam page. The server keeps the time: this page shows the remaining seconds it was given,
// counts them down and asks the server again every 30 s (and when they run out, when the server
// submits the paper). Each answer is sent as it is given with a rising sequence number; until the
// server acknowledges it, it is kept in localStorage and sent again, so a dropped connection or a
// reload loses nothing. Tab switches, copy/paste and leaving full screen are reported as evidence.
(function () {
  "use strict";
  var root = document.querySelector("[data-testid=exam]");
  if (!root) { return; }
  var csrf = root.querySelector("input[name=csrfmiddlewaretoken]").value;
  var status = root.getAttribute("data-status");
  var notice = root.querySelector("[data-testid=notice]");
  var stateUrl = root.getAttribute("data-state-url");
  var lastSeq = parseInt(root.getAttribute("data-max-seq"), 10) || 0;
  var storeKey = "jineng-exam:" + stateUrl;

  function request(url, body) {
    var options = {
      method: body === undefined ? "GET" : "POST",
      credentials: "same-origin",
      headers: {"Content-Type": "application/json", "X-CSRFToken": csrf}
    };
    if (body !== undefined) { options.body = JSON.stringify(body); }
    return fetch(url, options).then(function (r) {
      return r.json().then(function (data) { data.httpStatus = r.status; return data; });
    });
  }

  function show(text, ok) {
    notice.textContent = text;
    notice.hidden = false;
    notice.className = ok ? "notice notice-ok" : "notice notice-warn";
  }

  function clock(seconds) {
    var s = Math.max(0, Math.floor(seconds));
    var h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), r = s % 60;
    function two(n) { return (n < 10 ? "0" : "") + n; }
    return two(h) + ":" + two(m) + ":" + two(r);
  }

  function reloadWhen(predicate, every) {
    window.setInterval(function () {
      request(stateUrl).then(function (state) {
        if (predicate(state)) { window.location.reload(); }
      }).catch(function () { /* offline: try again */ });
    }, every);
  }

  if (status === "none") {
    reloadWhen(function (s) { return s.status !== "none"; }, 5000);
    return;
  }
  if (status === "submitted") {
    try { window.localStorage.removeItem(storeKey); } catch (e) { /* private mode */ }
    return;
  }

  if (status === "admitted") {
    var startsIn = root.querySelector("[data-testid=starts-in]");
    var startAt = Date.now() + (parseInt(root.getAttribute("data-starts-in"), 10) || 0) * 1000;
    window.setInterval(function () { startsIn.textContent = clock((startAt - Date.now()) / 1000); }, 500);
    root.querySelector("[data-testid=start]").addEventListener("click", function () {
      request(root.getAttribute("data-start-url"), {}).then(function (answer) {
        if (answer.detail) { show(answer.detail, false); return; }
        window.location.reload();
      }).catch(function () { show("网络连接中断，请稍后再试", false); });
    });
    return;
  }

  // --- started -------------------------------------------------------------------------------
  var timer = root.querySelector("[data-testid=timer]");
  var saveState = root.querySelector("[data-testid=save-state]");
  var endAt = Date.now() + (parseInt(root.getAttribute("data-remaining"), 10) || 0) * 1000;
  var finished = false;
  var pending = {};
  var inFlight = {};
  try { pending = JSON.parse(window.localStorage.getItem(storeKey) || "{}") || {}; } catch (e) { pending = {}; }

  function persist() {
    try { window.localStorage.setItem(storeKey, JSON.stringify(pending)); } catch (e) { /* private mode */ }
  }

  function nextSeq() { lastSeq = Math.max(Date.now(), lastSeq + 1); return lastSeq; }

  function question(entry) { return root.querySelector(".q[data-entry='" + entry + "']"); }

  function collect(li) {
    var kind = li.getAttribute("data-kind");
    var inputs = Array.prototype.slice.call(li.querySelectorAll("input, textarea"));
    if (kind === "single") {
      var picked = inputs.filter(function (i) { return i.checked; })[0];
      return picked ? parseInt(picked.value, 10) : null;
    }
    if (kind === "multiple") {
      return inputs.filter(function (i) { return i.checked; }).map(function (i) { return parseInt(i.value, 10); });
    }
    if (kind === "true_false") {
      var tf = inputs.filter(function (i) { return i.checked; })[0];
      return tf ? tf.value === "true" : null;
    }
    if (kind === "fill_in") { return inputs.map(function (i) { return i.value; }); }
    return inputs[0].value;
  }

  function mark(entry, text) {
    var li = question(entry);
    if (li) { li.querySelector("[data-testid=saved]").textContent = text; }
  }

  function refreshSaveState() {
    var waiting = Object.keys(pending).length;
    saveState.textContent = waiting ? "有" + waiting + "题待保存" : "作答已全部保存";
    root.setAttribute("data-pending", String(waiting));
  }

  function finish() {
    if (finished) { return; }
    finished = true;
    timer.textContent = clock(0);
    show("考试时间到，正在自动交卷……", false);
    reloadWhen(function (s) { return s.status === "submitted"; }, 2000);
  }

  function flush() {
    Object.keys(pending).forEach(function (entry) {
      if (inFlight[entry] || finished) { return; }
      var item = pending[entry];
      inFlight[entry] = true;
      request(root.getAttribute("data-answer-url"), {entry: parseInt(entry, 10), response: item.response, seq: item.seq})
        .then(function (answer) {
          inFlight[entry] = false;
          if (answer.httpStatus === 409) { finish(); return; }
          if (answer.detail) { show(answer.detail, false); delete pending[entry]; persist(); refreshSaveState(); return; }
          if (pending[entry] && pending[entry].seq <= answer.stored_seq) { delete pending[entry]; persist(); }
          if (typeof answer.remaining_seconds === "number") { endAt = Date.now() + answer.remaining_seconds * 1000; }
          mark(entry, "已保存");
          refreshSaveState();
        })
        .catch(function () {
          inFlight[entry] = false;
          show("网络连接中断，作答已暂存在本机，恢复后自动保存", false);
          refreshSaveState();
        });
    });
  }

  var given = {};  // entry → the last response given (JSON), so an unchanged one is not sent again
  function save(li) {
    var entry = li.getAttribute("data-entry");
    var response = collect(li);
    var text = JSON.stringify(response);
    if (given[entry] === text) { return; }
    given[entry] = text;
    pending[entry] = {response: response, seq: nextSeq()};
    persist();
    mark(entry, "保存中……");
    refreshSaveState();
    flush();
  }

  // answers kept on this device that the server had not acknowledged: show and send them again
  Object.keys(pending).forEach(function (entry) {
    var li = question(entry);
    if (!li) { delete pending[entry]; return; }
    lastSeq = Math.max(lastSeq, pending[entry].seq);
  });
  persist();
  refreshSaveState();
  flush();

  var typing = {};
  Array.prototype.forEach.call(root.querySelectorAll(".q"), function (li) {
    var entry = li.getAttribute("data-entry");
    given[entry] = JSON.stringify(pending[entry] ? pending[entry].response : collect(li));
    li.addEventListener("change", function () { save(li); });
    li.addEventListener("input", function (event) {
      if (event.target.type === "radio" || event.target.type === "checkbox") { return; }
      var entry = li.getAttribute("data-entry");
      window.clearTimeout(typing[entry]);
      typing[entry] = window.setTimeout(function () { save(li); }, 800);
    });
  });

  window.setInterval(function () {
    var left = (endAt - Date.now()) / 1000;
    timer.textContent = clock(left);
    root.setAttribute("data-remaining-shown", String(Math.max(0, Math.floor(left))));
    if (left <= 0) { finish(); }
  }, 500);
  window.setInterval(flush, 3000);
  window.setInterval(function () {
    if (finished) { return; }
    request(stateUrl).then(function (state) {
      if (state.status === "submitted") { window.location.reload(); return; }
      endAt = Date.now() + state.remaining_seconds * 1000;
    }).catch(function () { /* offline: the local count goes on */ });
  }, 30000);

  function evidence(kind) {
    if (finished) { return; }
    request(root.getAttribute("data-event-url"), {kind: kind}).catch(function () { /* best effort */ });
  }
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "hidden") { evidence("tab_hidden"); }
  });
  document.addEventListener("copy", function () { evidence("copy"); });
  document.addEventListener("paste", function () { evidence("paste"); });
  document.addEventListener("fullscreenchange", function () {
    if (!document.fullscreenElement) { evidence("fullscreen_exit"); }
  });
  root.addEventListener("click", function () {
    if (!document.fullscreenElement && document.documentElement.requestFullscreen) {
      document.documentElement.requestFullscreen().catch(function () { /* not allowed here */ });
    }
  }, {once: true});

  root.querySelector("[data-testid=submit]").addEventListener("click", function () {
    if (Object.keys(pending).length) { show("还有作答正在保存，请稍候再交卷", false); flush(); return; }
    if (!window.confirm("确定交卷吗？交卷后不能再修改。")) { return; }
    request(root.getAttribute("data-submit-url"), {}).then(function (answer) {
      if (answer.detail) { show(answer.detail, false); return; }
      window.location.reload();
    }).catch(function () { show("网络连接中断，请稍后再交卷", false); });
  });
}());
