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

  // Opened from a quiz question's feedback (quiz.js adds ?from=…&question=N): a way back to
  // that question, as the student left it. Only a path on this site is followed.
  (function () {
    var params = new URLSearchParams(window.location.search);
    var back = params.get("from") || "";
    var number = params.get("question") || "";
    if (!/^\/(?![\/\\])/.test(back) || !/^\d{1,4}$/.test(number)) return;
    var bar = document.createElement("p");
    bar.className = "back-to-question";
    var link = document.createElement("a");
    link.href = back;
    link.textContent = (reading.dataset.backLabel || "{number}").replace("{number}", number);
    var arrow = document.createElement("span");
    arrow.setAttribute("aria-hidden", "true");
    arrow.textContent = "← ";
    link.prepend(arrow);
    bar.appendChild(link);
    reading.before(bar);
    document.body.classList.add("has-back-to-question");
  })();

  // A citation leads to its entry in the unit's references, highlighted (CSS :target), with
  // a link back to the paragraph that cited it.
  reading.addEventListener("click", function (event) {
    var cite = event.target.closest("a.cite");
    if (!cite) return;
    var row = cite.closest(".passage-row");
    var entry = document.getElementById(cite.hash.slice(1));
    if (!row || !entry) return;
    var back = entry.querySelector(".cited-from");
    if (!back) {
      back = document.createElement("a");
      back.className = "cited-from";
      back.textContent = reading.dataset.citedFromLabel || "↩";
      entry.appendChild(document.createTextNode(" "));
      entry.appendChild(back);
    }
    back.href = "#" + row.id;
  });

  // Footnotes open in place, under the paragraph, in each column's language. The markers
  // are <button>s (Enter and Space press them); the twin markers of the paragraph's other
  // column say the same aria-expanded and aria-controls. Esc in the note closes it and
  // returns to its marker.
  function footnoteMarkers(row, key) {
    return row.querySelectorAll('button[data-footnote="' + key + '"]');
  }
  function closeFootnote(panel) {
    var row = panel.closest(".passage-row");
    footnoteMarkers(row, panel.dataset.footnote).forEach(function (marker) {
      marker.setAttribute("aria-expanded", "false");
      marker.removeAttribute("aria-controls");
    });
    panel.remove();
  }
  reading.addEventListener("click", function (event) {
    var marker = event.target.closest("button[data-footnote]");
    if (!marker) return;
    var row = marker.closest(".passage-row");
    var key = marker.dataset.footnote;
    var id = "fn-inline-" + row.dataset.key + "-" + key;
    var open = document.getElementById(id);
    if (open) {
      closeFootnote(open);
      return;
    }
    var source = document.getElementById("fn-" + key);
    if (!source) return;
    var panel = document.createElement("aside");
    panel.id = id;
    panel.className = "footnote-inline";
    panel.dataset.footnote = key;
    panel.tabIndex = -1;
    panel.setAttribute("aria-label", marker.getAttribute("aria-label") || key);
    source.querySelectorAll(".footnote-body").forEach(function (body) { panel.appendChild(body.cloneNode(true)); });
    row.appendChild(panel);
    footnoteMarkers(row, key).forEach(function (each) {
      each.setAttribute("aria-expanded", "true");
      each.setAttribute("aria-controls", id);
    });
  });
  reading.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") return;
    var panel = event.target.closest && event.target.closest(".footnote-inline");
    var marker = event.target.closest && event.target.closest("button[data-footnote]");
    if (!panel && marker && marker.getAttribute("aria-expanded") === "true") {
      panel = document.getElementById(marker.getAttribute("aria-controls"));
    }
    if (!panel) return;
    var row = panel.closest(".passage-row");
    var back = marker || row.querySelector('button[data-footnote="' + panel.dataset.footnote + '"]');
    closeFootnote(panel);
    if (back) back.focus();
  });

  // Glossary terms: a card with both languages and the definition. A mouse shows it on
  // hover, the keyboard on focus; a tap shows it and a second tap on the term (a tap
  // elsewhere, or Esc) closes it. On touch the browser also fires mouseover, focus and click
  // for one tap, so whether the card was open is read when the finger comes down.
  var tooltip = document.getElementById("term-tooltip");
  // Where word cards are on (words.js), a tap or click on a term in the Chinese column opens
  // its word card (the definition first) instead; hover and keyboard focus still show this one.
  var wordCards = Boolean(document.getElementById("word-card"));
  function termLink(target) {
    return (target.closest && target.closest("#reading a.term")) || null;
  }
  function glossaryLink(target) {
    var link = termLink(target);
    return link && !(wordCards && link.closest(".col-zh-hant")) ? link : null;
  }
  var current = null;
  var openBeforeTap = false;
  var lastInput = "mouse";  // mouse, touch, pen or keyboard
  var MARGIN = 8;

  function place(link) {
    var root = document.documentElement;
    var viewWidth = root.clientWidth, viewHeight = window.innerHeight;
    tooltip.style.maxWidth = Math.min(384, viewWidth - 2 * MARGIN) + "px";
    var rect = link.getBoundingClientRect();
    var left = Math.max(MARGIN, Math.min(rect.left, viewWidth - tooltip.offsetWidth - MARGIN));
    var height = tooltip.offsetHeight;
    var top = rect.bottom + 6;
    if (top + height > viewHeight - MARGIN && rect.top - 6 - height >= MARGIN) {
      top = rect.top - 6 - height;  // no room below: above the term
    } else if (top + height > viewHeight - MARGIN) {
      top = Math.max(MARGIN, viewHeight - MARGIN - height);
    }
    tooltip.style.left = (window.scrollX + left) + "px";
    tooltip.style.top = (window.scrollY + top) + "px";
  }
  function showTerm(link) {
    var entry = document.getElementById("term-" + link.dataset.term);
    if (!entry || !tooltip) return;
    if (current === link && !tooltip.hidden) return;
    tooltip.innerHTML = "";
    var title = document.createElement("p");
    title.className = "term-tooltip-title";
    title.innerHTML = entry.querySelector("dt").innerHTML;
    tooltip.appendChild(title);
    entry.querySelectorAll("dd > p:not(.occurrences)").forEach(function (p) { tooltip.appendChild(p.cloneNode(true)); });
    tooltip.hidden = false;
    place(link);
    if (current && current !== link) current.removeAttribute("aria-describedby");
    link.setAttribute("aria-describedby", "term-tooltip");
    link.setAttribute("aria-expanded", "true");
    current = link;
  }
  function hideTerm() {
    if (!tooltip) return;
    tooltip.hidden = true;
    if (current) {
      current.removeAttribute("aria-describedby");
      current.setAttribute("aria-expanded", "false");
    }
    current = null;
  }
  document.addEventListener("pointerdown", function (event) {
    lastInput = event.pointerType || "mouse";
    var link = glossaryLink(event.target);
    openBeforeTap = Boolean(link && current === link && tooltip && !tooltip.hidden);
    if (!link && !(event.target.closest && event.target.closest("#term-tooltip"))) hideTerm();
  }, true);
  reading.addEventListener("pointerover", function (event) {
    if (event.pointerType !== "mouse") return;
    var link = termLink(event.target);
    if (link) showTerm(link);
  });
  reading.addEventListener("pointerout", function (event) {
    if (event.pointerType !== "mouse") return;
    var link = termLink(event.target);
    if (link && link === current && link !== document.activeElement) hideTerm();
  });
  reading.addEventListener("focusin", function (event) {
    var touched = lastInput === "touch" || lastInput === "pen";
    var link = touched ? glossaryLink(event.target) : termLink(event.target);
    if (link) showTerm(link); else hideTerm();
    var row = event.target.closest(".passage-row");
    document.querySelectorAll(".passage-row.is-twin").forEach(function (r) { if (r !== row) r.classList.remove("is-twin"); });
    if (row) row.classList.add("is-twin");
  });
  reading.addEventListener("focusout", function (event) {
    var link = termLink(event.target);
    if (link && link === current && lastInput !== "touch" && lastInput !== "pen") hideTerm();
  });
  reading.addEventListener("click", function (event) {
    var link = glossaryLink(event.target);
    if (!link) return;
    event.preventDefault();  // a tap shows the definition instead of jumping away
    var pointer = event.detail === 0 ? "keyboard" : lastInput;
    if (pointer === "mouse") { showTerm(link); return; }
    var wasOpen = pointer === "keyboard" ? (current === link && !tooltip.hidden) : openBeforeTap;
    if (wasOpen) hideTerm(); else showTerm(link);
    openBeforeTap = false;
  });
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape") hideTerm();
    if (event.key === "Tab") lastInput = "keyboard";
  });
  window.addEventListener("resize", function () { if (current) place(current); });
  document.addEventListener("word-card:open", hideTerm);

  // Word cards (an include of another app names its script on #word-card): fetched on the
  // first tap in the Chinese column, which it then answers; a page nobody taps never loads it.
  var wordCard = document.getElementById("word-card");
  if (wordCard && wordCard.dataset.script) {
    reading.addEventListener("click", function first(event) {
      if (!event.target.closest(".col-zh-hant")) return;
      if (event.target.closest("a.term")) event.preventDefault();
      reading.removeEventListener("click", first);
      var script = document.createElement("script");
      script.src = wordCard.dataset.script;
      script.onload = function () { if (window.wordCardClick) window.wordCardClick(event); };
      document.head.appendChild(script);
    });
  }
})();
