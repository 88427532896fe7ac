/* 朗读 (read aloud): a [data-read-aloud] button reads the [data-read] parts of the element
   it names (its title and text) with the browser's speech synthesis, in a Chinese voice.
   The button stays hidden where the browser has no speech synthesis or no Chinese voice. */
(function () {
  "use strict";
  var synth = window.speechSynthesis;
  if (!synth || typeof window.SpeechSynthesisUtterance !== "function") { return; }
  var buttons = [];
  var voice = null;

  function chineseVoice() {
    var voices = synth.getVoices() || [];
    var zh = voices.filter(function (v) { return /^zh[-_]CN/i.test(v.lang); });
    if (!zh.length) { zh = voices.filter(function (v) { return /^(zh|cmn)/i.test(v.lang); }); }
    return zh[0] || null;
  }

  function textOf(target) {
    var parts = target.querySelectorAll("[data-read]");
    if (!parts.length) { parts = [target]; }
    return Array.prototype.map.call(parts, function (part) {
      return part.innerText.replace(/\s+/g, " ").trim();
    }).filter(Boolean).join("。\n");
  }

  // Long texts are read sentence by sentence: some browsers stop a long utterance.
  function sentences(text) {
    return text.match(/[^。！？!?\n]+[。！？!?\n]*/g) || [text];
  }

  function label(button, speaking) {
    var span = button.querySelector(".read-aloud-label");
    if (!button.dataset.labelRead) { button.dataset.labelRead = span.textContent; }
    span.textContent = speaking ? button.dataset.labelStop : button.dataset.labelRead;
    button.setAttribute("aria-pressed", speaking ? "true" : "false");
  }

  function read(button) {
    if (synth.speaking || button.getAttribute("aria-pressed") === "true") {
      synth.cancel();
      buttons.forEach(function (b) { label(b, false); });
      return;
    }
    var target = document.getElementById(button.dataset.readAloud);
    if (!target) { return; }
    var parts = sentences(textOf(target));
    label(button, true);
    parts.forEach(function (part, index) {
      var utterance = new window.SpeechSynthesisUtterance(part);
      utterance.lang = voice.lang || "zh-CN";
      utterance.voice = voice;
      utterance.rate = 0.9;
      if (index === parts.length - 1) {
        utterance.onend = function () { label(button, false); };
      }
      synth.speak(utterance);
    });
  }

  function show() {
    voice = chineseVoice();
    buttons.forEach(function (button) { button.hidden = !voice; });
  }

  function start() {
    buttons = Array.prototype.slice.call(document.querySelectorAll("[data-read-aloud]"));
    if (!buttons.length) { return; }
    buttons.forEach(function (button) {
      button.addEventListener("click", function () { read(button); });
    });
    show();
    // Voices load late in some browsers.
    if (synth.addEventListener) { synth.addEventListener("voiceschanged", show); }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
