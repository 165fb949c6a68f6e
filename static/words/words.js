// Word cards: a tap (or click) on any word of the Chinese column opens its card. Fetched on
// the first such tap (reading.js), so a page nobody taps does not carry it. No markup per word: the page knows where the tap fell (which passage, how many Han characters before it)
// and the server, which stored each passage's words when the course was loaded, answers with
// the card of the word there. With readings on, each word is already one <ruby>: its card is
// asked for by the word itself. A glossary term in the Chinese column opens its word card (the
// course's definition first). Second tap on the same word, a tap elsewhere, or Esc closes.
(function () {
  "use strict";
  var card = document.getElementById("word-card");
  var reading = document.getElementById("reading");
  if (!card || !reading || !window.htmx) return;
  if (card.dataset.style && !document.querySelector('link[href="' + card.dataset.style + '"]')) {
    var style = document.createElement("link");
    style.rel = "stylesheet";
    style.href = card.dataset.style;
    document.head.appendChild(style);
  }
  var content = document.getElementById("word-card-content");
  var closeButton = card.querySelector(".word-card-close");
  var HAN = /[\u3400-\u9fff\uf900-\ufaff]/;
  var MARGIN = 8;
  var openUrl = null, openWord = null, anchor = null, opener = null;

  function withVersion(url, key) {
    return url + (url.indexOf("?") < 0 ? "?" : "&") + "passage=" + encodeURIComponent(key) + "&v=" + card.dataset.version;
  }
  function wordUrl(word, key) {
    return withVersion(card.dataset.wordUrl.replace(/-\/$/, encodeURIComponent(word) + "/"), key);
  }
  function atUrl(key, position) {
    var url = card.dataset.atUrl.replace(/key\/0\/$/, encodeURIComponent(key) + "/" + position + "/");
    return url + "?v=" + card.dataset.version;
  }

  function caretAt(x, y) {
    if (document.caretPositionFromPoint) {
      var position = document.caretPositionFromPoint(x, y);
      return position && { node: position.offsetNode, offset: position.offset };
    }
    if (document.caretRangeFromPoint) {
      var range = document.caretRangeFromPoint(x, y);
      return range && { node: range.startContainer, offset: range.startOffset };
    }
    return null;
  }
  // The character under the point: a caret falls between two characters, so the one whose box
  // holds the point.
  function charAt(x, y) {
    var caret = caretAt(x, y);
    if (!caret || caret.node.nodeType !== Node.TEXT_NODE) return null;
    var text = caret.node.data;
    for (var k = caret.offset; k >= caret.offset - 1; k--) {
      if (k < 0 || k >= text.length) continue;
      var range = document.createRange();
      range.setStart(caret.node, k);
      range.setEnd(caret.node, k + 1);
      var rect = range.getBoundingClientRect();
      if (x >= rect.left - 1 && x <= rect.right + 1 && y >= rect.top - 1 && y <= rect.bottom + 1) {
        return { node: caret.node, offset: k, rect: rect };
      }
    }
    return null;
  }
  // Han characters of the column's text before (node, offset), readings (<rt>) left out.
  function hanBefore(column, node, offset) {
    var walker = document.createTreeWalker(column, NodeFilter.SHOW_TEXT, {
      acceptNode: function (n) {
        return n.parentNode.closest("rt") ? NodeFilter.FILTER_REJECT : NodeFilter.FILTER_ACCEPT;
      }
    });
    var count = 0, current;
    while ((current = walker.nextNode())) {
      var text = current === node ? current.data.slice(0, offset) : current.data;
      for (var i = 0; i < text.length; i++) if (HAN.test(text[i])) count++;
      if (current === node) return count;
    }
    return -1;
  }
  function baseText(element) {
    var copy = element.cloneNode(true);
    copy.querySelectorAll("rt, rp").forEach(function (rt) { rt.remove(); });
    return copy.textContent.trim();
  }

  function place() {
    if (!anchor) return;
    var root = document.documentElement;
    var viewWidth = root.clientWidth, viewHeight = window.innerHeight;
    card.style.maxWidth = Math.min(384, viewWidth - 2 * MARGIN) + "px";
    var left = Math.max(MARGIN, Math.min(anchor.left, viewWidth - card.offsetWidth - MARGIN));
    var height = card.offsetHeight;
    var top = anchor.bottom + 6;
    if (top + height > viewHeight - MARGIN && anchor.top - 6 - height >= MARGIN) {
      top = anchor.top - 6 - height;
    } else if (top + height > viewHeight - MARGIN) {
      top = Math.max(MARGIN, viewHeight - MARGIN - height);
    }
    card.style.left = (window.scrollX + left) + "px";
    card.style.top = (window.scrollY + top) + "px";
  }
  function open(url, rect, byKeyboard, source, key) {
    if (openUrl === url && !card.hidden) { close(); return; }
    // A second tap on the same word may fall on another of its characters (another URL):
    // whether it is the open word is known when the answer names it.
    var wasOpen = !card.hidden ? openWord : null;
    openUrl = url;
    anchor = rect;
    opener = source || null;
    function show() {
      document.dispatchEvent(new CustomEvent("word-card:open"));  // the glossary card gives way
      card.hidden = false;
      place();
      if (byKeyboard) closeButton.focus();
    }
    htmx.ajax("GET", url, { target: content, swap: "innerHTML" }).then(function () {
      if (openUrl !== url) return;
      var body = content.querySelector("[data-headword]");
      var word = body ? key + " " + body.dataset.headword : null;
      if (word && word === wasOpen) { close(); return; }
      openWord = word;
      show();  // the card, or (an error status) app.js's failure message in its place
    }, function () {
      // No connection: app.js has written the failure message into the card; show it where
      // the reader tapped, not in the page's message region a screen away.
      if (openUrl !== url) return;
      openWord = null;
      show();
    });
  }
  function close() {
    if (card.hidden && !openUrl) return;
    var wasFocused = card.contains(document.activeElement);
    card.hidden = true;
    openUrl = null;
    openWord = null;
    if (wasFocused && opener) opener.focus();
  }

  function onClick(event) {
    var column = event.target.closest(".col-zh-hant");
    if (!column) return;
    var row = column.closest(".passage-row");
    var key = row && row.dataset.key;
    if (!key || event.target.closest(".provenance")) return;
    var term = event.target.closest("a.term");
    if (!term && event.target.closest("a, button, sup, summary")) return;  // notes, citations
    var selection = window.getSelection && String(window.getSelection());
    if (selection && !term) return;  // selecting text is not asking for a word
    var byKeyboard = event.detail === 0;
    if (term) {
      event.preventDefault();
      open(wordUrl(baseText(term), key), term.getBoundingClientRect(), byKeyboard, term, key);
      return;
    }
    var ruby = event.target.closest("ruby");
    if (ruby) {
      open(wordUrl(baseText(ruby), key), ruby.getBoundingClientRect(), false, null, key);
      return;
    }
    var text = column.querySelector("p");
    var found = charAt(event.clientX, event.clientY);
    if (!found || !text.contains(found.node) || !HAN.test(found.node.data[found.offset])) {
      close();
      return;
    }
    open(atUrl(key, hanBefore(text, found.node, found.offset) + 1), found.rect, false, null, key);
  }
  reading.addEventListener("click", onClick);
  window.wordCardClick = onClick;  // the tap that fetched this script
  document.addEventListener("pointerdown", function (event) {
    if (card.hidden) return;
    if (card.contains(event.target) || event.target.closest("#reading .col-zh-hant")) return;
    close();
  }, true);
  closeButton.addEventListener("click", close);
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && !card.hidden) close();
  });
  window.addEventListener("resize", place);
})();
