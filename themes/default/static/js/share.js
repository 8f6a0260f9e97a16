/* The thanks page's sharing, better with JavaScript: a button that copies the petition's
   address, and one that opens the phone's own sharing (Signal and every other installed app).
   Without JavaScript the address stays in a field to select and copy; the buttons stay hidden. */
(function () {
  "use strict";

  var field = document.getElementById("share-url");
  var status = document.getElementById("share-url-status");
  if (!field || !status) { return; }

  var copy = document.querySelector("[data-copy-link]");
  if (copy && navigator.clipboard && window.isSecureContext) {
    copy.hidden = false;
    copy.addEventListener("click", function () {
      navigator.clipboard.writeText(field.value).then(function () {
        status.textContent = copy.getAttribute("data-done");
      }, function () {
        field.focus();
        field.select();
      });
    });
  }

  var share = document.querySelector("[data-share-link]");
  if (share && navigator.share) {
    share.hidden = false;
    share.addEventListener("click", function () {
      navigator.share({ title: share.getAttribute("data-title"), url: field.value })
        .catch(function () { /* closed by the person: nothing to say */ });
    });
  }
}());
