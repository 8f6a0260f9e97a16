/* The writing page's arguments, better with JavaScript: ticking one adds its paragraph to the
   message (before the signatory's name when the message ends with it), unticking takes it out
   when it is still as written; the "add" button, needed without JavaScript, is hidden. The same
   rules as the server's (chaton/petitions/arguments.py, compose). Nothing is sent anywhere. */
(function () {
  "use strict";

  function insert(body, text, closing) {
    var trimmed = body.replace(/\s+$/, "");
    var ending = "\n\n" + closing;
    if (closing && trimmed.slice(-ending.length) === ending) {
      return trimmed.slice(0, -ending.length).replace(/\s+$/, "") + "\n\n" + text + ending;
    }
    return trimmed ? trimmed + "\n\n" + text : text;
  }

  function remove(body, text) {
    var written = ["\n\n" + text, text + "\n\n", text];
    for (var i = 0; i < written.length; i += 1) {
      if (body.indexOf(written[i]) !== -1) { return body.replace(written[i], ""); }
    }
    return body;
  }

  Array.prototype.forEach.call(document.querySelectorAll("[data-arguments]"), function (set) {
    var form = set.form || set.closest("form");
    var message = form && form.querySelector("textarea");
    if (!message) { return; }
    Array.prototype.forEach.call(form.querySelectorAll("[data-arguments-add]"), function (b) {
      b.hidden = true;
    });
    set.addEventListener("change", function (event) {
      var box = event.target;
      var text = box.getAttribute("data-paragraph");
      if (!text) { return; }
      var body = message.value.replace(/\r\n/g, "\n");
      if (box.checked && body.indexOf(text) === -1) {
        message.value = insert(body, text, set.getAttribute("data-closing"));
      } else if (!box.checked) {
        message.value = remove(body, text);
      }
    });
  });
}());
