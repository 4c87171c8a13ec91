// Autosave feedback for the scoring page. The saving itself is htmx (hx-post on each objective card).
(function () {
  "use strict";
  var pending = new Set();

  function cardOf(el) { return el && el.closest ? el.closest(".objective-card") : null; }
  function numberOf(card) { return card.id.replace("objective-", ""); }
  function syncCopy(card) {
    // The status is repeated beside the text fields (aria-hidden: the header's copy is the one announced).
    var el = document.getElementById("status-" + numberOf(card));
    var copy = card.querySelector("[data-status-copy]");
    if (el && copy) { copy.className = el.className + " d-block mt-1"; copy.textContent = el.textContent; }
  }
  var signedOut = false;
  function status(card, text, state) {
    var el = document.getElementById("status-" + numberOf(card));
    if (!el) return;
    el.className = "save-status " + state;
    el.textContent = text;
    var offered = el.parentNode && el.parentNode.querySelector("[data-save-offer='" + numberOf(card) + "']");
    if (offered) offered.remove();
    syncCopy(card);
  }
  function offer(card, tag, text, setUp) {
    // Beside the status, not inside it: the status reads as one sentence to a screen reader.
    var el = document.getElementById("status-" + numberOf(card));
    if (!el) return;
    var action = document.createElement(tag);
    action.className = "btn btn-link btn-sm p-0 ms-2 save-offer"; action.textContent = text;
    action.dataset.saveOffer = numberOf(card);
    setUp(action);
    el.insertAdjacentElement("afterend", action);
  }
  document.addEventListener("htmx:configRequest", function (event) {
    // The CSRF token as the cookie holds it now: signing in again (in another tab) gives a new one, and a page
    // opened before must send that, not the one it was drawn with (Django's documented AJAX pattern).
    var token = csrfToken();
    if (!token) return;
    event.detail.headers["X-CSRFToken"] = token;
    if (event.detail.parameters && event.detail.parameters.csrfmiddlewaretoken !== undefined) event.detail.parameters.csrfmiddlewaretoken = token;
  });
  function csrfToken() {
    var match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return match ? decodeURIComponent(match[1]) : null;
  }
  window.addEventListener("focus", function () {
    if (!signedOut) return;
    signedOut = false;
    var token = csrfToken();  // every form on the page posts the new session's token from now on
    if (token) document.querySelectorAll("input[name=csrfmiddlewaretoken]").forEach(function (input) { input.value = token; });
    pending.forEach(function (id) { var card = document.getElementById(id); if (card) trigger(card); });
  });
  function trigger(card, extra) {
    Object.keys(extra || {}).forEach(function (name) {
      var input = document.createElement("input");
      input.type = "hidden"; input.name = name; input.value = extra[name]; input.dataset.transient = "1";
      card.appendChild(input);
    });
    htmx.trigger(card, "autosave");
  }

  document.addEventListener("input", function (event) {
    var card = cardOf(event.target);
    if (card && !card.classList.contains("readonly")) { pending.add(card.id); status(card, "Unsaved changes…", "dirty"); }
  });
  document.addEventListener("htmx:beforeRequest", function (event) {
    var card = cardOf(event.detail.elt);
    if (card) status(card, "Saving…", "saving");
  });
  document.addEventListener("htmx:afterRequest", function (event) {
    var card = cardOf(event.detail.elt);
    if (!card) return;
    card.querySelectorAll("input[data-transient]").forEach(function (el) { el.remove(); });
    syncCopy(card);
    var code = event.detail.xhr ? event.detail.xhr.status : 0;
    var state = event.detail.xhr ? event.detail.xhr.getResponseHeader("X-Autosave-State") : null;
    if (code === 200 && state === "saved") {
      pending.delete(card.id);
      var saved = event.detail.xhr.getResponseHeader("X-Score-Level");
      if (saved !== null) card.dataset.savedLevel = saved;
    }
    else if (state === "invalid") {
      // The refused choice visibly returns to the stored one, and the first error's field takes the focus
      // (scrolled clear of the sticky save bar), so a keyboard user lands where the fix is needed.
      var stored = card.querySelector("input[type=radio][name$='-level'][value='" + (card.dataset.savedLevel || "") + "']");
      if (stored) stored.checked = true;
      // The message takes the focus (it says what to do and links to the field), scrolled into view with the
      // put-back level beside it: on a phone the field it names may be a screen further down.
      var message = card.querySelector("#errors-" + numberOf(card) + " .alert");
      if (message) {
        message.setAttribute("tabindex", "-1");
        message.focus({ preventScroll: true });
        message.scrollIntoView({ block: "center" });
      }
    }
    else if (code === 401 && event.detail.xhr.getResponseHeader("X-Signed-Out")) {
      // The session ended (a working day, or signed out elsewhere): say so, keep what was typed, and save it once
      // the person has signed in again (in another tab) and comes back to this one.
      signedOut = true;
      status(card, "Not saved: you have been signed out.", "failed");
      offer(card, "a", "Sign in again (opens a new tab), then come back here to save this", function (link) {
        link.href = "/accounts/login/?next=/accounts/account/"; link.target = "_blank"; link.rel = "noopener";
      });
    }
    else if (code === 0 || code >= 500 || code === 403) {
      status(card, "Not saved: the connection failed.", "failed");
      offer(card, "button", "Try again now", function (retry) {
        retry.type = "button";
        retry.addEventListener("click", function () { trigger(card); });
      });
    }
  });
  document.addEventListener("click", function (event) {
    var errorLink = event.target.closest("a[data-error-field]");
    if (errorLink) {
      var field = document.querySelector(errorLink.getAttribute("href"));
      if (field) {
        event.preventDefault();
        var into = field.matches("input, textarea, select") ? field : (field.querySelector("input:checked") || field.querySelector("input, textarea, select"));
        (into || field).focus({ preventScroll: true });
        (into || field).scrollIntoView({ block: "center" });
      }
      return;
    }
    var weakest = event.target.closest("[data-use-weakest]");
    if (weakest) {
      event.preventDefault();
      var card = document.getElementById(weakest.dataset.useWeakest);
      var extra = {}; extra[weakest.name] = "1";
      trigger(card, extra);
      return;
    }
    var overwrite = event.target.closest("[data-overwrite-version]");
    if (overwrite) {
      var n = overwrite.dataset.objective;
      document.getElementById("version-" + n).value = overwrite.dataset.overwriteVersion;
      trigger(document.getElementById("objective-" + n));
    }
  });
  document.addEventListener("submit", function (event) {
    // A form that posts the cards saves them itself ("Save this key area", the rater's Save and Submit): nothing
    // in it is left to lose, so leaving the page for its answer raises no "Leave site?".
    if ((event.target.method || "").toLowerCase() === "post" && event.target.querySelectorAll) {
      event.target.querySelectorAll(".objective-card").forEach(function (card) { pending.delete(card.id); });
    }
    // "Save this key area" comes back to the objective you were looking at, not the top of the page.
    var field = event.target.querySelector ? event.target.querySelector("input[data-return-to]") : null;
    if (!field) return;
    var cards = event.target.querySelectorAll(".objective-card");
    for (var i = 0; i < cards.length; i++) {
      if (cards[i].getBoundingClientRect().bottom > 80) { field.value = cards[i].id; break; }
    }
  });
  function flush(card) {
    // Leaving within the autosave delay: the card's changes go now, in a request that outlives the page.
    var url = card.getAttribute("hx-post");
    if (!url || !window.fetch) return false;
    var body = new FormData();
    card.querySelectorAll("input, textarea, select").forEach(function (el) {
      if (!el.name || el.disabled || ((el.type === "radio" || el.type === "checkbox") && !el.checked)) return;
      body.append(el.name, el.value);
    });
    var token = csrfToken();
    fetch(url, { method: "POST", body: body, keepalive: true, credentials: "same-origin", headers: token ? { "X-CSRFToken": token, "HX-Request": "true" } : { "HX-Request": "true" } });
    return true;
  }
  window.addEventListener("beforeunload", function (event) {
    // Unsaved changes the autosave has not sent yet are sent now; only what cannot be (a refused save, a card
    // without autosave) keeps the browser's "Leave site?" question.
    var unsendable = 0;
    pending.forEach(function (id) {
      var card = document.getElementById(id);
      var el = card && document.getElementById("status-" + numberOf(card));
      var refused = el && el.classList.contains("failed") || card && card.querySelector("#errors-" + numberOf(card) + " .alert");
      if (!card || refused || !flush(card)) unsendable += 1;
    });
    if (unsendable) { event.preventDefault(); event.returnValue = ""; }
  });
})();

// Forms: the server's messages, not the browser's bubbles; and when a page comes back with errors, the focus on
// its error summary, so that a screen reader says at once what is wrong (GOV.UK's error summary pattern).
(function () {
  "use strict";
  function ready() {
    document.querySelectorAll("form").forEach(function (form) { form.noValidate = true; });
    var summary = document.querySelector("[data-error-summary]");
    if (summary) summary.focus();
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", ready); else ready();
})();

// Timeout warning (GOV.UK's pattern): five minutes before the sign-in ends, say when, in a dialog that takes the
// focus; the server gives the seconds left, so the warning does not depend on this computer's clock.
(function () {
  "use strict";
  var meta = document.querySelector("meta[name=session-seconds-left]");
  var dialog = document.getElementById("timeout-warning");
  if (!meta || !dialog || !dialog.showModal) return;
  var ends = Date.now() + parseInt(meta.content, 10) * 1000;
  function show() {
    if (dialog.open || Date.now() >= ends) return;
    dialog.querySelector("[data-session-ends]").textContent = new Date(ends).toLocaleTimeString("en-GB", { hour: "2-digit", minute: "2-digit" });
    dialog.showModal();
  }
  var wait = ends - 5 * 60 * 1000 - Date.now();
  if (wait <= 0) show(); else setTimeout(show, Math.min(wait, 2147483647));
})();

// The main menu on narrow screens: a button that shows and hides it (Bootstrap's CSS, our few lines of JS).
(function () {
  "use strict";
  document.addEventListener("click", function (event) {
    var button = event.target.closest ? event.target.closest("[data-nav-toggle]") : null;
    if (!button) return;
    var menu = document.getElementById(button.getAttribute("aria-controls"));
    var open = !menu.classList.contains("show");
    menu.classList.toggle("show", open);
    button.setAttribute("aria-expanded", open ? "true" : "false");
  });
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") return;
    document.querySelectorAll("[data-nav-toggle][aria-expanded=true]").forEach(function (button) {
      document.getElementById(button.getAttribute("aria-controls")).classList.remove("show");
      button.setAttribute("aria-expanded", "false");
      button.focus();
    });
  });
})();

// A report being prepared in the background: when its progress turns into "ready", start the download once.
document.addEventListener("htmx:afterSettle", function (event) {
  "use strict";
  var link = event.target.querySelector ? event.target.querySelector("a[data-auto-download]") : null;
  if (link && !link.dataset.started) { link.dataset.started = "1"; window.location.href = link.href; }
});
