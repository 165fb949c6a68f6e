// Site-wide behaviour. No inline scripts anywhere: the Content-Security-Policy forbids them.
(function () {
  "use strict";
  // After an htmx swap, move focus to an element that asks for it (feedback, errors), so
  // keyboard and screen-reader users land on what changed.
  document.addEventListener("htmx:afterSettle", function (event) {
    var target = event.detail.elt && event.detail.elt.querySelector
      ? event.detail.elt.querySelector("[data-autofocus]") : null;
    if (!target && event.detail.elt && event.detail.elt.hasAttribute && event.detail.elt.hasAttribute("data-autofocus")) {
      target = event.detail.elt;
    }
    if (target) {
      if (!target.hasAttribute("tabindex")) target.setAttribute("tabindex", "-1");
      target.focus();
    }
  });
})();
