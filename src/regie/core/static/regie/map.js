// Draws the Plotly figure embedded as JSON (no CDN, no map tiles: works offline).
document.addEventListener("DOMContentLoaded", function () {
  var data = document.getElementById("team-map-data");
  var target = document.getElementById("team-map");
  if (!data || !target || !window.Plotly) { return; }
  var fig = JSON.parse(data.textContent);
  window.Plotly.newPlot(target, fig.data, fig.layout, {displaylogo: false, responsive: true})
    .then(function () { target.setAttribute("data-rendered", "true"); });
});
