// The quiz page: keyboard reordering of ordering items and focus after htmx swaps.
// No inline scripts anywhere: the Content-Security-Policy forbids them. Without this file
// (or without JavaScript) every item still works as an ordinary form.
(function () {
  "use strict";
  // Reveals the move up / move down buttons (quiz.css hides them until JS is running).
  document.documentElement.classList.add("quiz-js");

  // After an answer is swapped in, move focus to its feedback heading (or to the error), so
  // keyboard and screen-reader users land on what changed.
  function focusRequested() {
    var target = document.querySelector("[data-quiz-focus]");
    if (!target) return;
    target.removeAttribute("data-quiz-focus");
    if (!target.hasAttribute("tabindex")) target.setAttribute("tabindex", "-1");
    target.focus();
  }
  document.addEventListener("htmx:afterSettle", focusRequested);

  // A matching select is as wide as its column, so a phone cuts a long match short: repeat
  // the chosen match in full under it (quiz.css shows this only on narrow screens).
  function echoMatch(select) {
    var echo = select.parentElement.querySelector("[data-match-chosen]");
    if (!echo) return;
    echo.textContent = select.value ? select.options[select.selectedIndex].text : "";
  }
  function echoAll(root) {
    (root || document).querySelectorAll("select[data-match]").forEach(echoMatch);
  }
  document.addEventListener("change", function (event) {
    if (event.target.matches && event.target.matches("select[data-match]")) echoMatch(event.target);
  });
  document.addEventListener("htmx:afterSettle", function (event) { echoAll(event.detail.elt); });
  echoAll();

  // A feedback link to the passage carries the way back to this question: the unit page
  // then offers "Back to question N" (reading.js).
  document.addEventListener("click", function (event) {
    var link = event.target.closest ? event.target.closest(".feedback-passages a") : null;
    var holder = link && link.closest("[data-number]");
    if (!holder) return;
    var url = new URL(link.href, window.location.href);
    url.searchParams.set("from", window.location.pathname + window.location.search + "#" + holder.id);
    url.searchParams.set("question", holder.dataset.number);
    link.href = url.pathname + url.search + url.hash;
  });

  // Back to the quiz must show it as the student left it. Answers arrive by htmx, so a copy
  // of the page from the browser's cache would show answered items unanswered: remember how
  // many were answered, and fetch the page again if the copy shows fewer.
  var quiz = document.getElementById("quiz");
  var storageKey = quiz && quiz.dataset.attempt ? "quiz-answered-" + quiz.dataset.attempt : null;
  function answeredOnScreen() {
    var bar = document.getElementById("quiz-progress-bar");
    return bar ? parseInt(bar.getAttribute("value"), 10) || 0 : 0;
  }
  function remember() {
    if (!storageKey) return;
    try { sessionStorage.setItem(storageKey, String(answeredOnScreen())); } catch (e) { /* storage off */ }
  }
  document.addEventListener("htmx:afterSettle", remember);
  window.addEventListener("pageshow", function () {
    if (!storageKey) return;
    var known = null;
    try { known = parseInt(sessionStorage.getItem(storageKey), 10); } catch (e) { known = null; }
    if (known && known > answeredOnScreen()) window.location.reload();
    else remember();
  });

  function entryText(row) {
    var text = row.querySelector(".ordering-text [lang]") || row.querySelector(".ordering-text");
    return text ? text.textContent.trim() : "";
  }

  // Keep every position select in step with the order on screen, then say where the
  // moved entry is now.
  function renumber(list, moved) {
    var rows = Array.prototype.slice.call(list.querySelectorAll(".ordering-entry"));
    rows.forEach(function (row, index) {
      var select = row.querySelector("select[data-position]");
      if (select) select.value = String(index + 1);
    });
    var status = list.parentElement.querySelector("[data-ordering-status]");
    if (status && moved) {
      status.textContent = (list.dataset.movedMessage || "{entry}: {position}/{count}")
        .replace("{entry}", entryText(moved))
        .replace("{position}", String(rows.indexOf(moved) + 1))
        .replace("{count}", String(rows.length));
    }
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest ? event.target.closest("[data-move]") : null;
    if (!button) return;
    var row = button.closest(".ordering-entry");
    var list = row && row.closest("[data-ordering]");
    if (!list) return;
    event.preventDefault();
    // Move the neighbour rather than the row itself, so the pressed button keeps focus.
    if (button.dataset.move === "up" && row.previousElementSibling) {
      row.after(row.previousElementSibling);
    } else if (button.dataset.move === "down" && row.nextElementSibling) {
      row.before(row.nextElementSibling);
    }
    renumber(list, row);
  });

  // Choosing a position in a select moves the entry there (the others shift along).
  document.addEventListener("change", function (event) {
    var select = event.target;
    if (!select.matches || !select.matches("select[data-position]")) return;
    var row = select.closest(".ordering-entry");
    var list = row && row.closest("[data-ordering]");
    if (!list) return;
    var rows = Array.prototype.slice.call(list.querySelectorAll(".ordering-entry"));
    var target = Math.max(0, Math.min(rows.length - 1, parseInt(select.value, 10) - 1));
    var others = rows.filter(function (other) { return other !== row; });
    if (target >= others.length) {
      list.appendChild(row);
    } else {
      list.insertBefore(row, others[target]);
    }
    renumber(list, row);
    select.focus();
  });
})();
