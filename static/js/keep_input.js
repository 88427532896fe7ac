/* No time limit an elder can run out of: what someone types into a form is kept in this
   browser as they type, and put back if the page comes back empty: after their session
   ran out and they signed in again, after the phone closed the tab, after a lost
   connection. A draft goes once the form was sent and a page says it worked, when its
   owner signs out, or after a day; a draft that was sent is put back only when the
   sending was cut off by the sign-in page. Fields or forms marked data-keep="off", passwords,
   hidden and file fields are never kept. */
(function () {
  "use strict";
  var PREFIX = "covenant-draft:";
  var DAY = 24 * 3600 * 1000;
  var store;
  try { store = window.localStorage; store.setItem(PREFIX + "test", "1"); store.removeItem(PREFIX + "test"); } catch (e) { return; }

  function keyOf(field) {
    var form = field.form;
    return PREFIX + location.pathname + "|" + (form.getAttribute("action") || "") + "|" + field.name;
  }

  function keepable(field) {
    // getAttribute, not form.method / form.action: a field named "method" or "action" shadows them.
    if (!field.name || !field.form || (field.form.getAttribute("method") || "").toLowerCase() !== "post") { return false; }
    if (field.closest('[data-keep="off"]') || field.readOnly || field.disabled) { return false; }
    if (field.tagName === "TEXTAREA") { return true; }
    return field.tagName === "INPUT" && /^(text|search|tel|url|number|date|datetime-local|time)$/.test(field.type) && field.name !== "login";
  }

  function read(key) {
    try { return JSON.parse(store.getItem(key)); } catch (e) { return null; }
  }

  function each(callback) {
    for (var i = store.length - 1; i >= 0; i--) {
      var key = store.key(i);
      if (key && key.indexOf(PREFIX) === 0) { callback(key, read(key)); }
    }
  }

  function start() {
    var now = Date.now();
    var worked = document.querySelector(".messages .alert-success");
    var signingIn = /^\/accounts\/login\//.test(location.pathname);
    each(function (key, draft) {
      if (!draft || now - draft.at > DAY) { store.removeItem(key); return; }
      if (draft.sent && signingIn) {
        // Sent, and the server asked for a sign-in first: the session had run out.
        draft.interrupted = true;
        store.setItem(key, JSON.stringify(draft));
      } else if (draft.sent && !draft.interrupted && worked) {
        store.removeItem(key);  // sent, and a page says it worked
      }
    });
    var restored = false;
    Array.prototype.forEach.call(document.querySelectorAll("form textarea, form input"), function (field) {
      if (!keepable(field)) { return; }
      var key = keyOf(field);
      var draft = read(key);
      // A draft that was sent and answered is never put back (the server showed the form
      // again with it, or took it); one never sent, or cut off by the sign-in, is.
      if (draft && draft.value && !field.value && (!draft.sent || draft.interrupted)) {
        field.value = draft.value;
        restored = true;
        store.setItem(key, JSON.stringify({ value: draft.value, at: draft.at, sent: false }));
      }
    });
    if (restored) {
      var note = document.querySelector("[data-draft-restored]");
      if (note) { note.hidden = false; }
    }
  }

  document.addEventListener("input", function (event) {
    var field = event.target;
    if (!keepable(field)) { return; }
    if (field.value) {
      store.setItem(keyOf(field), JSON.stringify({ value: field.value, at: Date.now(), sent: false }));
    } else {
      store.removeItem(keyOf(field));
    }
  });

  document.addEventListener("submit", function (event) {
    var form = event.target;
    var action = form.getAttribute("action");
    if (action && /\/accounts\/logout\/?$/.test(new URL(action, location.href).pathname)) {
      each(function (key) { store.removeItem(key); });
      return;
    }
    Array.prototype.forEach.call(form.elements, function (field) {
      if (!keepable(field)) { return; }
      var draft = read(keyOf(field));
      if (draft) { draft.sent = true; store.setItem(keyOf(field), JSON.stringify(draft)); }
    });
  });

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
