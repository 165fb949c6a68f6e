// Site-wide behaviour. No inline scripts anywhere: the Content-Security-Policy forbids them.
(function () {
  "use strict";
  var HISTORY_CACHE = "htmx-history-cache";  // where htmx 2 keeps snapshots of pages
  document.documentElement.classList.add("js");  // shows controls that need JavaScript

  // Copy buttons ([data-copy] names the field to copy): the clipboard where the browser
  // allows it, else the text is selected for the reader to copy.
  document.addEventListener("click", function (event) {
    var button = event.target.closest ? event.target.closest("[data-copy]") : null;
    if (!button) return;
    var field = document.querySelector(button.dataset.copy);
    if (!field) return;
    var status = button.parentElement.parentElement.querySelector(".copy-status");
    function done() { if (status) status.textContent = button.dataset.copied || ""; }
    field.select();
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(field.value).then(done, function () {});
    } else {
      try { if (document.execCommand("copy")) done(); } catch (e) { /* selected: copy by hand */ }
    }
  });

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

  // A request that fails (an error status, or no connection) changes nothing on the page, so
  // say so where the reader is looking: in the failure region of what was being updated (a
  // quiz item has its own), else in the site's message region. The form keeps what was
  // entered, so it can be sent again.
  function failureRegion(detail) {
    var places = [detail.target, detail.elt];
    for (var i = 0; i < places.length; i++) {
      var place = places[i];
      if (!place || !place.querySelector) continue;
      if (place.matches("[data-request-failure]")) return place;
      var region = place.querySelector("[data-request-failure]");
      if (region) return region;
    }
    return null;
  }
  function clearFailure(event) {
    var region = failureRegion(event.detail);
    // Only a message written here: a word card's content is its own failure region, and the
    // card being replaced stays readable until the next one arrives.
    if (region && region.dataset.failureShown) {
      region.textContent = "";
      delete region.dataset.failureShown;
    }
    document.querySelectorAll(".messages .request-failure").forEach(function (old) { old.remove(); });
  }
  function showFailure(event, offline) {
    var key = offline ? "offlineMessage" : "failureMessage";
    var region = failureRegion(event.detail);
    if (region) {
      region.textContent = region.dataset[key] || document.body.dataset[key];
      region.dataset.failureShown = "1";
      return;
    }
    var messages = document.querySelector(".messages");
    if (!messages) return;
    var message = document.createElement("p");
    message.className = "message message-error request-failure";
    message.textContent = document.body.dataset[key];
    messages.appendChild(message);
  }
  document.addEventListener("htmx:beforeRequest", clearFailure);
  document.addEventListener("htmx:responseError", function (event) { showFailure(event, false); });
  document.addEventListener("htmx:sendError", function (event) { showFailure(event, true); });
  document.addEventListener("htmx:timeout", function (event) { showFailure(event, true); });

  // htmx keeps snapshots of pages for Back in sessionStorage. Once someone signs out, none of
  // what they saw (an instructor's class grid) may stay in this tab.
  function forgetHistory() {
    try { sessionStorage.removeItem(HISTORY_CACHE); } catch (e) { /* storage disabled */ }
  }
  document.addEventListener("submit", function (event) {
    if (event.target.matches && event.target.matches("[data-sign-out]")) forgetHistory();
  });
  if (document.body && document.body.dataset.signedIn === "false") forgetHistory();
})();
