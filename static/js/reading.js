// The unit page: layout modes, twin highlighting, footnotes in place, glossary tooltips.
(function () {
  "use strict";
  var STORAGE_KEY = "reading-mode";
  var reading = document.getElementById("reading");
  if (!reading) return;

  function setMode(mode, remember) {
    reading.className = reading.className.replace(/\bmode-\w+/, "mode-" + mode);
    reading.dataset.mode = mode;
    document.querySelectorAll(".mode-button").forEach(function (button) {
      button.setAttribute("aria-pressed", button.dataset.mode === mode ? "true" : "false");
    });
    if (remember) {
      try { localStorage.setItem(STORAGE_KEY, mode); } catch (e) { /* private mode */ }
    }
  }

  document.querySelectorAll(".mode-button").forEach(function (button) {
    button.addEventListener("click", function (event) {
      event.preventDefault();
      setMode(button.dataset.mode, true);
      var url = new URL(window.location.href);
      url.searchParams.set("mode", button.dataset.mode);
      history.replaceState(null, "", url);
    });
    button.addEventListener("keydown", function (event) {
      if (event.key === " ") { event.preventDefault(); button.click(); }
    });
  });
  if (!new URLSearchParams(window.location.search).has("mode")) {
    var saved = null;
    try { saved = localStorage.getItem(STORAGE_KEY); } catch (e) { saved = null; }
    if (saved && document.querySelector('.mode-button[data-mode="' + saved + '"]')) setMode(saved, false);
  }

  // Permalinks: scroll to and highlight the paragraph, also when the hash changes in-page.
  function highlightTarget() {
    document.querySelectorAll(".passage-row.is-target").forEach(function (row) { row.classList.remove("is-target"); });
    if (!window.location.hash.startsWith("#p-")) return;
    var row = document.getElementById(window.location.hash.slice(1));
    if (row) { row.classList.add("is-target"); }
  }
  window.addEventListener("hashchange", highlightTarget);
  highlightTarget();

  // Footnotes open in place, under the paragraph, in each column's language.
  reading.addEventListener("click", function (event) {
    var marker = event.target.closest("a[data-footnote]");
    if (!marker) return;
    event.preventDefault();
    var row = marker.closest(".passage-row");
    var key = marker.dataset.footnote;
    var id = "fn-inline-" + row.dataset.key + "-" + key;
    var open = document.getElementById(id);
    var expanded = !open;
    if (open) {
      open.remove();
    } else {
      var source = document.getElementById("fn-" + key);
      if (!source) return;
      var panel = document.createElement("aside");
      panel.id = id;
      panel.className = "footnote-inline";
      panel.setAttribute("aria-label", marker.closest("[lang]").lang === "en" ? "Note " + key : "註 " + key);
      source.querySelectorAll(".footnote-body").forEach(function (body) { panel.appendChild(body.cloneNode(true)); });
      row.appendChild(panel);
    }
    row.querySelectorAll('a[data-footnote="' + key + '"]').forEach(function (link) {
      link.setAttribute("aria-expanded", expanded ? "true" : "false");
      if (expanded) link.setAttribute("aria-controls", id); else link.removeAttribute("aria-controls");
    });
  });

  // Glossary terms: a tooltip on hover, focus or tap, with both languages and the definition.
  var tooltip = document.getElementById("term-tooltip");
  var current = null;
  function showTerm(link) {
    var entry = document.getElementById("term-" + link.dataset.term);
    if (!entry || !tooltip) return;
    tooltip.innerHTML = "";
    var title = document.createElement("p");
    title.innerHTML = entry.querySelector("dt").innerHTML;
    title.style.fontWeight = "700";
    tooltip.appendChild(title);
    entry.querySelectorAll("dd > p:not(.occurrences)").forEach(function (p) { tooltip.appendChild(p.cloneNode(true)); });
    tooltip.hidden = false;
    var rect = link.getBoundingClientRect();
    tooltip.style.left = Math.max(8, Math.min(window.scrollX + rect.left, window.scrollX + document.documentElement.clientWidth - tooltip.offsetWidth - 8)) + "px";
    tooltip.style.top = (window.scrollY + rect.bottom + 6) + "px";
    link.setAttribute("aria-describedby", "term-tooltip");
    current = link;
  }
  function hideTerm() {
    if (!tooltip) return;
    tooltip.hidden = true;
    if (current) current.removeAttribute("aria-describedby");
    current = null;
  }
  reading.addEventListener("mouseover", function (event) {
    var link = event.target.closest("a.term");
    if (link) showTerm(link);
  });
  reading.addEventListener("mouseout", function (event) {
    if (event.target.closest("a.term") && current !== document.activeElement) hideTerm();
  });
  reading.addEventListener("focusin", function (event) {
    var link = event.target.closest("a.term");
    if (link) showTerm(link); else hideTerm();
    var row = event.target.closest(".passage-row");
    document.querySelectorAll(".passage-row.is-twin").forEach(function (r) { if (r !== row) r.classList.remove("is-twin"); });
    if (row) row.classList.add("is-twin");
  });
  reading.addEventListener("focusout", function (event) {
    if (event.target.closest("a.term")) hideTerm();
  });
  reading.addEventListener("click", function (event) {
    var link = event.target.closest("a.term");
    if (!link) return;
    event.preventDefault();  // a tap shows the definition instead of jumping away
    if (current === link && !tooltip.hidden) hideTerm(); else showTerm(link);
  });
  document.addEventListener("keydown", function (event) { if (event.key === "Escape") hideTerm(); });
})();
