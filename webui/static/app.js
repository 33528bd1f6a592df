// Herald dashboard: live countdowns, the template preview as you type,
// confirmations and auto-submitting selects. Every page reads without it.
(function () {
  "use strict";
  document.documentElement.classList.add("js");

  function countdown(ms) {
    var ago = ms < 0, s = Math.floor(Math.abs(ms) / 1000), out;
    if (s >= 172800) out = Math.floor(s / 86400) + "d " + Math.floor((s % 86400) / 3600) + "h";
    else if (s >= 3600) out = Math.floor(s / 3600) + "h " + String(Math.floor((s % 3600) / 60)).padStart(2, "0") + "m";
    else if (s >= 60) out = Math.floor(s / 60) + "m " + String(s % 60).padStart(2, "0") + "s";
    else out = s + "s";
    return ago ? out + " ago" : "in " + out;
  }
  function tick() {
    var now = Date.now();
    document.querySelectorAll("time.countdown").forEach(function (el) {
      el.textContent = countdown(Date.parse(el.getAttribute("datetime")) - now);
    });
  }

  function setText(id, text) {
    var el = document.getElementById(id);
    if (el) el.textContent = text;
  }
  function showPreview(p) {
    var err = document.getElementById("preview-error");
    err.textContent = p.error || "";
    err.classList.toggle("hidden", !p.error);
    if (p.error) return;
    var subject = document.getElementById("preview-subject");
    subject.textContent = p.subject || "";
    subject.classList.toggle("hidden", !p.subject);
    var box = document.getElementById("preview-text");
    box.textContent = "";
    (p.parts || [{ t: p.text }]).forEach(function (part) {
      if (part.u) {
        var m = document.createElement("mark");
        m.className = "ucs2";
        m.textContent = part.t;
        box.appendChild(m);
      } else {
        box.appendChild(document.createTextNode(part.t));
      }
    });
    setText("preview-encoding", p.encoding || "—");
    setText("preview-segments", String(p.segments || 0));
    setText("preview-units", String(p.units || 0));
    setText("preview-forcing", p.forcing || "nothing");
  }
  function livePreview(form) {
    var timer = null, seq = 0;
    function run() {
      var mine = ++seq;
      fetch(form.dataset.preview, {
        method: "POST",
        body: new URLSearchParams(new FormData(form)),
        credentials: "same-origin",
        headers: { "Accept": "application/json" }
      }).then(function (r) { return r.json(); }).then(function (p) {
        if (mine === seq) showPreview(p);
      }).catch(function () {});
    }
    form.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(run, 120);
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    tick();
    setInterval(tick, 1000);
    var form = document.getElementById("template-form");
    if (form && form.dataset.preview) livePreview(form);
    document.querySelectorAll("button.confirm").forEach(function (b) {
      b.addEventListener("click", function (e) {
        if (!window.confirm(b.dataset.confirm)) e.preventDefault();
      });
    });
    document.querySelectorAll("select.autosubmit").forEach(function (s) {
      s.addEventListener("change", function () { s.form.submit(); });
    });
  });
})();
