// The what-if form: when an item is chosen, list its parameters (names and current values) in the
// row's parameter list, read from the item's parameters page (same origin; no inline script).
(function () {
  function fill(select, target) {
    var url = select.getAttribute("data-parameters-url");
    var list = document.getElementById(select.getAttribute("data-target"));
    if (!list) { return; }
    while (list.options.length > 1) { list.remove(1); }
    if (!select.value) { list.options[0].text = "先选择条目"; return; }
    list.options[0].text = "正在读取参数…";
    fetch(url.replace("__item__", encodeURIComponent(select.value)), {credentials: "same-origin"})
      .then(function (r) { return r.ok ? r.json() : {parameters: []}; })
      .then(function (data) {
        list.options[0].text = data.parameters.length ? "请选择参数" : "此条目没有可调整的参数";
        data.parameters.forEach(function (p) {
          var option = new Option(p.label + "（现为 " + p.current + "）", p.path);
          if (p.path === target) { option.selected = true; }
          list.add(option);
        });
      })
      .catch(function () { list.options[0].text = "参数读取失败，请提交表单后重新选择"; });
  }
  document.querySelectorAll("select.adj-item").forEach(function (select) {
    select.addEventListener("change", function () { fill(select, ""); });
  });
})();
