// The glossary's filter box, as the reader types. The same form works without JavaScript as
// a GET (the server filters on the same fields: headwords, definitions, literal meanings).
(function () {
  "use strict";
  var form = document.querySelector(".glossary-filter");
  var input = document.getElementById("glossary-q");
  var count = document.getElementById("glossary-count");
  if (!form || !input) return;

  function text(entry) {
    var parts = [];
    entry.querySelectorAll("dt, dd > p:not(.occurrences)").forEach(function (p) { parts.push(p.textContent); });
    return parts.join(" ").toLowerCase();
  }
  var entries = Array.prototype.map.call(document.querySelectorAll(".glossary .term-entry"), function (entry) {
    return { element: entry, text: text(entry) };
  });

  function apply() {
    var needle = input.value.trim().toLowerCase();
    var shown = 0;
    entries.forEach(function (entry) {
      var match = !needle || entry.text.indexOf(needle) !== -1;
      entry.element.hidden = !match;
      if (match) shown += 1;
    });
    if (count) count.textContent = needle ? (form.dataset.countLabel || "{count}").replace("{count}", String(shown)) : "";
    var url = new URL(window.location.href);
    if (needle) url.searchParams.set("q", input.value.trim()); else url.searchParams.delete("q");
    history.replaceState(null, "", url);
  }
  // A list filtered by the server holds only its matches: the whole list comes with a reload.
  var filteredByServer = new URLSearchParams(window.location.search).has("q");
  input.addEventListener("input", function () { if (!filteredByServer) apply(); });
  form.addEventListener("submit", function (event) {
    if (filteredByServer) return;
    event.preventDefault();
    apply();
  });
})();
