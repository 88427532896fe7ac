/* A small formatting toolbar (bold, list, link) above the textareas a form names in
   data-format-toolbar="name other". The buttons come from <template id="format-toolbar-
   template"> (translated by the page); this only wires them. No inline script (CSP). */
(function () {
  "use strict";

  var template = document.getElementById("format-toolbar-template");
  if (!template) return;

  function selection(area) {
    return { start: area.selectionStart, end: area.selectionEnd, text: area.value.slice(area.selectionStart, area.selectionEnd) };
  }

  function replace(area, start, end, text, selectFrom, selectTo) {
    area.focus();
    area.setRangeText(text, start, end, "end");
    area.setSelectionRange(start + selectFrom, start + selectTo);
    area.dispatchEvent(new Event("input", { bubbles: true }));
  }

  function bold(area, placeholder) {
    var s = selection(area);
    var inner = s.text || placeholder;
    replace(area, s.start, s.end, "**" + inner + "**", 2, 2 + inner.length);
  }

  function list(area, placeholder) {
    var value = area.value;
    var s = selection(area);
    var lineStart = value.lastIndexOf("\n", s.start - 1) + 1;
    var lineEnd = value.indexOf("\n", s.end);
    if (lineEnd === -1) lineEnd = value.length;
    var lines = value.slice(lineStart, lineEnd).split("\n");
    var text = lines
      .map(function (line) { return /^\s*[-*] /.test(line) ? line : "- " + (line || placeholder); })
      .join("\n");
    // A list needs its own line: start one if the caret is mid-paragraph with text before.
    var before = lineStart > 0 && value.charAt(lineStart - 1) !== "\n" ? "\n" : "";
    replace(area, lineStart, lineEnd, before + text, before.length + text.length, before.length + text.length);
  }

  function link(area, placeholder) {
    var s = selection(area);
    var label = s.text || placeholder;
    var text = "[" + label + "](https://)";
    // Select the address part: that is what is typed next.
    var from = label.length + 3;
    replace(area, s.start, s.end, text, from, from + "https://".length);
  }

  var actions = { bold: bold, list: list, link: link };

  function attach(area) {
    if (area.dataset.formatToolbar === "ready" || area.readOnly || area.disabled) return;
    area.dataset.formatToolbar = "ready";
    var bar = template.content.firstElementChild.cloneNode(true);
    if (area.id) bar.setAttribute("aria-controls", area.id);
    bar.addEventListener("click", function (event) {
      var button = event.target.closest("[data-format]");
      if (!button) return;
      var action = actions[button.dataset.format];
      if (action) action(area, button.dataset.placeholder || "");
    });
    area.parentNode.insertBefore(bar, area);
  }

  function scan(root) {
    var forms = root.querySelectorAll ? root.querySelectorAll("form[data-format-toolbar]") : [];
    Array.prototype.forEach.call(forms, function (form) {
      form.dataset.formatToolbar.split(/\s+/).forEach(function (name) {
        if (!name) return;
        Array.prototype.forEach.call(form.querySelectorAll('textarea[name="' + name + '"]'), attach);
      });
    });
  }

  scan(document);
  document.addEventListener("htmx:afterSwap", function (event) { scan(event.target); });
})();
