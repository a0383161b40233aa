// Render every chart placeholder from its inert JSON spec (no inline scripts: CSP-friendly).
function renderCharts(root) {
  if (typeof vegaEmbed === "undefined") return;
  (root || document).querySelectorAll("div[data-chart]").forEach(function (el) {
    if (el.dataset.rendered) return;
    var spec = document.getElementById("spec-" + el.dataset.chart);
    if (!spec) return;
    el.dataset.rendered = "1";
    vegaEmbed(el, JSON.parse(spec.textContent), {actions: false, renderer: "svg"})
      .catch(function (err) { el.textContent = "Chart could not be drawn: " + err; });
  });
}
document.addEventListener("DOMContentLoaded", function () { renderCharts(document); });
document.addEventListener("htmx:afterSwap", function (e) { renderCharts(e.target); });
// Ask before state changes that cannot be undone (forms with data-confirm).
document.addEventListener("submit", function (e) {
  var msg = e.target.getAttribute("data-confirm");
  if (msg && !window.confirm(msg)) e.preventDefault();
});
// A refused move on the pipeline board comes back (422/403) with the board as it is and the
// reason: show it, so the card goes back where it was and the user reads why.
document.addEventListener("htmx:beforeSwap", function (e) {
  var xhr = e.detail.xhr;
  if (xhr.getResponseHeader("X-Board-Refused") === "1") {
    e.detail.shouldSwap = true;
    e.detail.isError = false;
  }
});
