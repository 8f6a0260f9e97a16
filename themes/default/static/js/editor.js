/* The campaign editor, better with JavaScript: a live preview of the Markdown text, buttons
   that write Markdown around the selection (bold, heading, list, link, picture), and a web
   address made from the title. Everything works without it (the Preview button, the Markdown
   hint under the text's label, the address made on the server). */
(function () {
  "use strict";

  function csrfToken(form) {
    var input = form && form.querySelector("input[name=csrf_token]");
    return input ? input.value : "";
  }

  function livePreview(textarea) {
    var output = document.getElementById("preview");
    if (!output || !window.fetch) { return; }
    var timer = null;
    var controller = null;
    var sent = textarea.value;

    function send() {
      if (textarea.value === sent) { return; }
      sent = textarea.value;
      if (controller) { controller.abort(); }
      controller = window.AbortController ? new AbortController() : null;
      var data = new FormData();
      data.append("csrf_token", csrfToken(textarea.form));
      data.append("kind", textarea.getAttribute("data-kind") || "");
      data.append("campaign", textarea.getAttribute("data-campaign") || "");
      data.append("body", textarea.value);
      output.setAttribute("aria-busy", "true");
      fetch(textarea.getAttribute("data-preview-url"), {
        method: "POST", body: data, credentials: "same-origin",
        headers: {"X-CSRFToken": csrfToken(textarea.form), "Accept": "application/json"},
        signal: controller ? controller.signal : undefined
      }).then(function (response) {
        if (!response.ok) { throw new Error("preview: " + response.status); }
        return response.json();
      }).then(function (json) {
        output.innerHTML = json.html;  /* sanitized by the server, as on the public page */
        output.removeAttribute("aria-busy");
      }).catch(function () {
        output.removeAttribute("aria-busy");
      });
    }

    textarea.addEventListener("input", function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(send, 400);
    });
  }

  /* Replace the textarea's characters from start to end by text, keeping the browser's undo
     history when it can (execCommand), then select [selectFrom, selectTo) of the new text. */
  function replaceRange(textarea, start, end, text, selectFrom, selectTo) {
    textarea.focus();
    textarea.setSelectionRange(start, end);
    var done = false;
    try { done = document.execCommand("insertText", false, text); } catch (e) { done = false; }
    if (!done || textarea.value.substring(start, start + text.length) !== text) {
      textarea.setRangeText(text, start, end, "end");
      textarea.dispatchEvent(new Event("input", {bubbles: true}));
    }
    textarea.setSelectionRange(start + selectFrom, start + selectTo);
  }

  /* What each button writes: [text, start and end of the part left selected]. */
  function markdownFor(kind, selected, button, atLineStart) {
    var sample = button.getAttribute("data-sample") || "";
    var words = selected || sample;
    var address = button.getAttribute("data-address") || "";
    var newline = atLineStart ? "" : "\n";
    if (kind === "bold") { return ["**" + words + "**", 2, 2 + words.length]; }
    if (kind === "heading") {
      return [newline + "## " + words + "\n", newline.length + 3, newline.length + 3 + words.length];
    }
    if (kind === "list") {
      var items = words.split("\n").map(function (line) { return "- " + line.replace(/^\s*[-*]\s+/, ""); });
      var text = newline + items.join("\n") + "\n";
      return [text, newline.length + 2, text.length - 1];
    }
    var bang = kind === "image" ? "!" : "";
    var written = bang + "[" + words + "](" + address + ")";
    var at = bang.length + words.length + 3;
    return [written, at, at + address.length];  /* the address is selected, to be typed */
  }

  function format(textarea, button) {
    var start = textarea.selectionStart;
    var end = textarea.selectionEnd;
    var atLineStart = start === 0 || textarea.value.charAt(start - 1) === "\n";
    var made = markdownFor(button.getAttribute("data-md"), textarea.value.substring(start, end),
                           button, atLineStart);
    replaceRange(textarea, start, end, made[0], made[1], made[2]);
  }

  function toolbar(bar) {
    var textarea = document.getElementById(bar.getAttribute("data-for"));
    if (!textarea || typeof textarea.setRangeText !== "function") { return; }
    var buttons = Array.prototype.slice.call(bar.querySelectorAll("button[data-md]"));
    buttons.forEach(function (button, index) {
      button.tabIndex = index === 0 ? 0 : -1;  /* one tab stop; arrows move inside (ARIA toolbar) */
      button.addEventListener("mousedown", function (event) { event.preventDefault(); });
      button.addEventListener("click", function () { format(textarea, button); });
    });
    bar.addEventListener("keydown", function (event) {
      var index = buttons.indexOf(document.activeElement);
      if (index < 0) { return; }
      var next = {ArrowRight: index + 1, ArrowLeft: index - 1, Home: 0, End: buttons.length - 1}[event.key];
      if (next === undefined) { return; }
      event.preventDefault();
      next = (next + buttons.length) % buttons.length;
      buttons[index].tabIndex = -1;
      buttons[next].tabIndex = 0;
      buttons[next].focus();
    });
    textarea.addEventListener("keydown", function (event) {
      if ((event.ctrlKey || event.metaKey) && !event.altKey && event.key.toLowerCase() === "b") {
        event.preventDefault();
        format(textarea, bar.querySelector("button[data-md=bold]"));
      }
    });
    bar.hidden = false;
    var field = textarea.closest(".field");
    if (field) { field.classList.add("has-toolbar"); }  /* the buttons replace the syntax hint */
  }

  function slugify(text) {
    return text.normalize("NFKD").replace(/[\u0300-\u036f]/g, "").toLowerCase()
      .replace(/[^a-z0-9]+/g, "-").replace(/^-+|-+$/g, "").slice(0, 60).replace(/-+$/, "");
  }

  function slugFromTitle(slug) {
    var title = document.getElementById(slug.getAttribute("data-slug-from"));
    if (!title) { return; }
    var touched = slug.value !== "";
    slug.addEventListener("input", function () { touched = slug.value !== ""; });
    title.addEventListener("input", function () {
      if (!touched) { slug.value = slugify(title.value); }
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var body = document.querySelector("textarea[data-preview-url]");
    if (body) { livePreview(body); }
    Array.prototype.forEach.call(document.querySelectorAll(".md-toolbar[data-for]"), toolbar);
    var slug = document.querySelector("input[data-slug-from]");
    if (slug) { slugFromTitle(slug); }
    var summary = document.querySelector("#error-summary[data-focus], #mail-confirm[data-focus]");
    if (summary) { summary.focus(); }  /* after a refused save, or the mail to confirm */
  });
})();
