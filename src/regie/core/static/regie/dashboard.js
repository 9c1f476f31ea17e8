// Draws every Plotly figure embedded as JSON on the page (no CDN, no tiles: works offline).
// <div data-figure="ID"> takes the figure from <script id="ID" type="application/json">.
// A click on a point that carries a link (customdata) follows it: the map's drill-down.
document.addEventListener("DOMContentLoaded", function () {
  if (!window.Plotly) { return; }
  document.querySelectorAll("[data-figure]").forEach(function (target) {
    var data = document.getElementById(target.getAttribute("data-figure"));
    if (!data) { return; }
    var fig = JSON.parse(data.textContent);
    window.Plotly.newPlot(target, fig.data, fig.layout, {displaylogo: false, responsive: true})
      .then(function () {
        target.setAttribute("data-rendered", "true");
        target.on("plotly_click", function (event) {
          var point = event && event.points && event.points[0];
          var link = point && point.customdata;
          if (typeof link === "string" && link.charAt(0) === "/") { window.location.href = link; }
        });
      });
  });
});
