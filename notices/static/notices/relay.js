/* 转发到楼栋群: copy the group text in one tap, and draw the poster (title, summary, QR
   code of the building's short link) on a canvas in the phone's own fonts, as a PNG. */
(function () {
  "use strict";
  var FONT = '"PingFang SC", "Hiragino Sans GB", "Noto Sans CJK SC", "Noto Sans SC", "Microsoft YaHei", "Source Han Sans SC", sans-serif';

  function copy(section) {
    var area = section.querySelector(".relay-text");
    var done = function () { section.querySelector(".relay-copied").hidden = false; };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(area.value).then(done, function () { fallback(area, done); });
    } else {
      fallback(area, done);
    }
  }

  function fallback(area, done) {
    area.focus();
    area.select();
    try { if (document.execCommand("copy")) { done(); } } catch (e) { /* the text stays selected */ }
  }

  // Lines of at most `width` pixels: Chinese breaks between any two characters,
  // Latin words are kept whole where they fit.
  function wrap(ctx, text, width, maxLines) {
    var lines = [], line = "";
    var tokens = text.match(/[A-Za-z0-9@:/._\-%?=&#]+|\s+|./g) || [];
    tokens.forEach(function (token) {
      if (ctx.measureText(line + token).width > width && line) {
        lines.push(line.trim());
        line = token.trim() ? token : "";
      } else {
        line += token;
      }
    });
    if (line.trim()) { lines.push(line.trim()); }
    if (maxLines && lines.length > maxLines) {
      lines = lines.slice(0, maxLines);
      lines[maxLines - 1] = lines[maxLines - 1].replace(/.$/, "…");
    }
    return lines;
  }

  function poster(section) {
    var d = section.dataset;
    var W = 1080, M = 72, QR = 400;
    var canvas = document.createElement("canvas");
    var ctx = canvas.getContext("2d");
    // First the lines, to know the poster's height; then the drawing.
    ctx.font = "bold 68px " + FONT;
    var titleLines = wrap(ctx, d.title, W - 2 * M, 3);
    ctx.font = "42px " + FONT;
    var summaryLines = wrap(ctx, d.summary, W - 2 * M, 8);
    var qrTop = 230 + titleLines.length * 92 + 24 + summaryLines.length * 66 + 56;
    canvas.width = W;
    canvas.height = qrTop + QR + 170;

    ctx.fillStyle = "#ffffff";
    ctx.fillRect(0, 0, W, canvas.height);
    ctx.fillStyle = "#8c1d17";
    ctx.fillRect(0, 0, W, 170);
    ctx.fillStyle = "#ffffff";
    ctx.textBaseline = "top";
    ctx.font = "bold 52px " + FONT;
    ctx.fillText(d.estate, M, 40);
    ctx.font = "36px " + FONT;
    ctx.fillText(d.building + " · " + d.date, M, 108);

    var y = 230;
    ctx.fillStyle = "#1a1a1a";
    ctx.font = "bold 68px " + FONT;
    titleLines.forEach(function (line) { ctx.fillText(line, M, y); y += 92; });
    y += 24;
    ctx.fillStyle = "#333333";
    ctx.font = "42px " + FONT;
    summaryLines.forEach(function (line) { ctx.fillText(line, M, y); y += 66; });
    ctx.fillStyle = "#8c1d17";
    ctx.fillRect(M, qrTop - 30, W - 2 * M, 4);

    var svg = section.querySelector(".relay-qr").content.querySelector("svg");
    var image = new Image();
    image.onload = function () {
      ctx.drawImage(image, (W - QR) / 2, qrTop, QR, QR);
      ctx.fillStyle = "#1a1a1a";
      ctx.font = "bold 44px " + FONT;
      ctx.textAlign = "center";
      ctx.fillText(d.scan, W / 2, qrTop + QR + 24);
      ctx.font = "30px " + FONT;
      ctx.fillStyle = "#333333";
      ctx.fillText(d.url, W / 2, qrTop + QR + 88);
      var png = canvas.toDataURL("image/png");
      section.querySelector(".relay-poster-image").src = png;
      section.querySelector(".relay-download").href = png;
      section.querySelector(".relay-figure").hidden = false;
    };
    image.src = "data:image/svg+xml;charset=utf-8," + encodeURIComponent(new XMLSerializer().serializeToString(svg));
  }

  document.addEventListener("click", function (event) {
    var section = event.target.closest(".relay");
    if (!section) { return; }
    if (event.target.closest(".relay-copy")) { copy(section); }
    if (event.target.closest(".relay-poster")) { poster(section); }
  });
})();
