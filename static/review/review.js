// The review session: Space or Enter shows the answer, 1-4 grade it (the buttons' data-key).
(function () {
  "use strict";
  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    var tag = event.target && event.target.tagName;
    if (tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT") return;
    var card = document.querySelector("[data-review-card]");
    if (!card) return;
    var answer = card.querySelector("[data-answer]");
    if (!answer) return;
    if (!answer.open && event.key === " " && tag !== "SUMMARY" && tag !== "BUTTON" && tag !== "A") {
      event.preventDefault();
      answer.open = true;
      var first = answer.querySelector("button[data-key]");
      if (first) first.focus();
      return;
    }
    if (answer.open && /^[1-4]$/.test(event.key)) {
      var button = answer.querySelector('button[data-key="' + event.key + '"]');
      if (button && !button.disabled) {
        event.preventDefault();
        button.click();
      }
    }
  });
})();

// On a phone the grades sit below the fold once the answer opens: bring them into view.
document.addEventListener(
  "toggle",
  function (event) {
    var answer = event.target;
    if (!answer.matches || !answer.matches("[data-review-card] [data-answer]") || !answer.open) return;
    var grades = answer.querySelector(".grades");
    if (!grades) return;
    var still = window.matchMedia("(prefers-reduced-motion: reduce)").matches;
    grades.scrollIntoView({ block: "nearest", behavior: still ? "auto" : "smooth" });
  },
  true
);
