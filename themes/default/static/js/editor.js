/* The campaign editor, better with JavaScript: a live preview of the Markdown text and a web
   address made from the title. Everything works without it (the Preview button, the address
   made on the server). */
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
    var slug = document.querySelector("input[data-slug-from]");
    if (slug) { slugFromTitle(slug); }
    var summary = document.querySelector("#error-summary[data-focus], #mail-confirm[data-focus]");
    if (summary) { summary.focus(); }  /* after a refused save, or the mail to confirm */
  });
})();
