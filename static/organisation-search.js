// Search-as-you-type for the organisation field. Without JavaScript the
// form still works: the server offers matching register entries to choose.
(function () {
  var input = document.getElementById("organisation");
  var list = document.getElementById("organisation-suggestions");
  var hidden = document.querySelector('input[type=hidden][name=organisation_id]');
  if (!input || !list || !hidden || !window.fetch) return;
  var hits = [];
  var timer = null;
  input.addEventListener("input", function () {
    var match = hits.find(function (h) { return h.name === input.value; });
    hidden.value = match ? match.id : "";
    clearTimeout(timer);
    if (input.value.trim().length < 2) return;
    timer = setTimeout(function () {
      fetch("/api/v1/organisations?q=" + encodeURIComponent(input.value.trim()))
        .then(function (r) { return r.ok ? r.json() : []; })
        .then(function (found) {
          hits = found;
          list.replaceChildren.apply(list, found.map(function (h) {
            var option = document.createElement("option");
            option.value = h.name;
            return option;
          }));
        })
        .catch(function () {});
    }, 200);
  });
})();
