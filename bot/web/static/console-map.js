// The map of reports (/map): Leaflet over the configured tiles, one circle a report with a
// shared location, coloured by state; a click shows its code (a link to its page), category,
// state and when it was filed. On a report's page (data-point), its place alone. Without
// tiles (none configured, or unreachable) the markers still show, on a plain background.
(function () {
  "use strict";
  var box = document.getElementById("map");
  if (!box || !window.L) { return; }
  var COLOURS = {submitted: "#b3261e", accepted: "#a15c00", assigned: "#1f5fa8",
                 resolved: "#1e7b3c", rejected: "#5b6675"};
  var map = L.map(box, {scrollWheelZoom: false});
  var point = box.getAttribute("data-point");  // a report's page: its place alone
  map.setView(JSON.parse(point || box.getAttribute("data-centre")), point ? 16 : 14);
  var tiles = box.getAttribute("data-tiles");
  if (tiles) {
    var credit = document.createElement("span");
    credit.textContent = box.getAttribute("data-attribution") || "";
    L.tileLayer(tiles, {maxZoom: 19, attribution: credit.innerHTML}).addTo(map);
  }

  function popup(marker) {
    var card = document.createElement("div");
    var link = document.createElement("a");
    link.href = "/reports/" + marker.id;
    link.textContent = marker.code;
    var title = document.createElement("strong");
    title.appendChild(link);
    card.appendChild(title);
    [marker.category, marker.state_label, marker.filed].forEach(function (text) {
      var line = document.createElement("div");
      line.textContent = text;
      card.appendChild(line);
    });
    return card;
  }

  function dot(where, state) {
    return L.circleMarker(where, {
      radius: 9, color: "#ffffff", weight: 2, fillOpacity: 0.9,
      fillColor: COLOURS[state] || "#5b6675", className: "report-marker state-" + state
    });
  }

  if (point) {
    dot(JSON.parse(point), box.getAttribute("data-state")).addTo(map);
    return;
  }
  fetch(box.getAttribute("data-markers"), {credentials: "same-origin"})
    .then(function (answer) { return answer.json(); })
    .then(function (data) {
      var layer = L.featureGroup();
      data.markers.forEach(function (marker) {
        dot([marker.lat, marker.lon], marker.state).bindPopup(popup(marker)).addTo(layer);
      });
      layer.addTo(map);
      if (data.markers.length) {
        map.fitBounds(layer.getBounds(), {maxZoom: 16, padding: [30, 30]});
      }
      box.setAttribute("data-count", String(data.markers.length));
    });
}());
