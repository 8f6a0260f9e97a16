/* The settings page, better with JavaScript: a colour picker kept in step with the colour's text
   field, and a preview of a button and a link in that colour with its contrast verdict, which
   the server gives (the same check as when saving). Without it, the text field and the check
   on saving remain. */
(function () {
  "use strict";

  var HEX = /^#[0-9a-f]{6}$/;

  function normal(value) {
    value = value.trim().toLowerCase();
    return value && value.charAt(0) !== "#" ? "#" + value : value;
  }

  function start() {
    var text = document.getElementById("color");
    var picker = document.getElementById("color-picker");
    var preview = document.getElementById("color-preview");
    var verdict = document.getElementById("color-verdict");
    if (!text || !picker || !preview || !verdict || !window.fetch) { return; }
    var timer = null;
    var asked = normal(text.value);

    function ask(value) {
      var url = preview.getAttribute("data-contrast-url");  /* may carry ?lang= already */
      url += (url.indexOf("?") < 0 ? "?" : "&") + "color=" + encodeURIComponent(value);
      fetch(url, {credentials: "same-origin", headers: {"Accept": "application/json"}})
        .then(function (response) {
          if (!response.ok) { throw new Error("contrast: " + response.status); }
          return response.json();
        }).then(function (json) {
          if (value !== normal(text.value)) { return; }  /* an older answer */
          verdict.textContent = json.message;
          verdict.classList.toggle("bad", !json.usable);
        }).catch(function () { /* the check on saving remains */ });
    }

    function show(value) {
      if (HEX.test(value)) {
        preview.style.setProperty("--preview", value);
        picker.value = value;
      } else {
        preview.style.removeProperty("--preview");
      }
      if (value === asked) { return; }
      asked = value;
      window.clearTimeout(timer);
      timer = window.setTimeout(function () { ask(value); }, 150);
    }

    picker.hidden = false;
    text.addEventListener("input", function () { show(normal(text.value)); });
    picker.addEventListener("input", function () {
      text.value = picker.value;
      show(picker.value);
    });
    show(normal(text.value));
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
}());
