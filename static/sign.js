// Jurisdiction suggestions for the sign form. Without JavaScript the field is free text.
(function () {
  "use strict";
  var input = document.getElementById("jurisdiction");
  var state = document.getElementById("state");
  var list = document.getElementById("jurisdiction-suggestions");
  if (!input || !state || !list) { return; }
  input.setAttribute("list", list.id);
  var timer = null;
  function suggest() {
    var q = input.value.trim();
    if (q.length < 2 || !state.value) { return; }
    var url = "/api/v1/divisions?state=" + encodeURIComponent(state.value) + "&q=" + encodeURIComponent(q);
    fetch(url).then(function (r) { return r.ok ? r.json() : { items: [] }; }).then(function (data) {
      list.textContent = "";
      data.items.forEach(function (item) {
        var option = document.createElement("option");
        option.value = item.name;
        list.appendChild(option);
      });
    }).catch(function () { /* suggestions are optional */ });
  }
  input.addEventListener("input", function () { clearTimeout(timer); timer = setTimeout(suggest, 200); });
})();
