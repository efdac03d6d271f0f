// Filters for the review page: status checkboxes, chapter, free text. The state lives in the URL hash
// (#status=fuzzy,machine&chapter=ch1&q=word) so a filtered view can be bookmarked or shared.
(function () {
  "use strict";
  var form = document.getElementById("filters");
  var boxes = Array.prototype.slice.call(form.querySelectorAll("input[name=status]"));
  var chapter = document.getElementById("chapter-filter");
  var text = document.getElementById("text-filter");
  var shown = document.getElementById("shown-count");
  var segments = Array.prototype.slice.call(document.querySelectorAll("article.seg"));
  var files = Array.prototype.slice.call(document.querySelectorAll("section.file"));

  function readHash() {
    var params = new URLSearchParams(window.location.hash.replace(/^#/, ""));
    if (params.has("status")) {
      var wanted = params.get("status").split(",");
      boxes.forEach(function (box) { box.checked = wanted.indexOf(box.value) >= 0; });
    }
    if (params.has("chapter")) { chapter.value = params.get("chapter"); }
    if (params.has("q")) { text.value = params.get("q"); }
  }

  function writeHash() {
    var params = new URLSearchParams();
    var checked = boxes.filter(function (b) { return b.checked; }).map(function (b) { return b.value; });
    if (checked.length !== boxes.length) { params.set("status", checked.join(",")); }
    if (chapter.value) { params.set("chapter", chapter.value); }
    if (text.value) { params.set("q", text.value); }
    var hash = params.toString();
    // replaceState keeps the scroll position and works from file:// as well as https://
    history.replaceState(null, "", hash ? "#" + hash : window.location.pathname + window.location.search);
  }

  function apply() {
    var statuses = {};
    boxes.forEach(function (b) { statuses[b.value] = b.checked; });
    var needle = text.value.trim().toLowerCase();
    var visible = 0;
    segments.forEach(function (seg) {
      var show = statuses[seg.dataset.status] !== false &&
        (!chapter.value || seg.dataset.chapter === chapter.value) &&
        (!needle || seg.textContent.toLowerCase().indexOf(needle) >= 0);
      seg.hidden = !show;
      if (show) { visible += 1; }
    });
    files.forEach(function (file) { file.hidden = !file.querySelector("article.seg:not([hidden])"); });
    shown.textContent = visible + " of " + segments.length + " segments shown";
    document.body.dataset.shown = String(visible);
  }

  // Keyboard: j / n next segment, k / p previous (visible ones only; not while typing in a field).
  function step(delta) {
    var visible = segments.filter(function (seg) { return !seg.hidden; });
    if (!visible.length) { return; }
    var at = visible.indexOf(document.activeElement);
    var next = at < 0 ? (delta > 0 ? 0 : visible.length - 1) : Math.min(Math.max(at + delta, 0), visible.length - 1);
    visible[next].focus();
    visible[next].scrollIntoView({block: "nearest"});
  }

  document.addEventListener("keydown", function (event) {
    var tag = (event.target && event.target.tagName) || "";
    if (event.altKey || event.ctrlKey || event.metaKey || tag === "INPUT" || tag === "SELECT" || tag === "TEXTAREA") {
      return;
    }
    if (event.key === "j" || event.key === "n") { step(1); event.preventDefault(); }
    if (event.key === "k" || event.key === "p") { step(-1); event.preventDefault(); }
  });

  form.addEventListener("change", function () { writeHash(); apply(); });
  text.addEventListener("input", function () { writeHash(); apply(); });
  window.addEventListener("hashchange", function () { readHash(); apply(); });
  readHash();
  apply();
})();
