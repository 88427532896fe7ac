/* 快分享给邻居们吧: a [.share-link] button opens the phone's share sheet where there is one,
   else copies the link (to paste into the building's WeChat group). Shown where either works. */
(function () {
  "use strict";
  var canShare = typeof navigator.share === "function";
  var canCopy = !!(navigator.clipboard && window.isSecureContext);
  document.querySelectorAll(".share-link").forEach(function (button) {
    if (!canShare && !canCopy) { return; }
    button.hidden = false;
    button.addEventListener("click", function () {
      var data = { title: button.dataset.title, url: button.dataset.url };
      if (canShare) {
        navigator.share(data).catch(function () { /* the person closed the sheet */ });
        return;
      }
      navigator.clipboard.writeText(data.title + "\n" + data.url).then(function () {
        var note = button.parentElement.querySelector(".share-copied");
        if (note) { note.hidden = false; }
      });
    });
  });
})();
