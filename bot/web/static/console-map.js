// The map of reports (/map): Leaflet over the configured tiles. The reports of the period
// with a shared location, one circle each coloured by state, gathered into clusters
// (Leaflet.markercluster) when they crowd; the same points as a heat layer (Leaflet.heat);
// the gongs of the period as a layer of their own (at the commune's centre when no place was
// given). A click shows a report's code (a link to its page), category, state and when it
// was filed, or a gong's kind, where, when and its state. On a report's page (data-point),
// its place alone. Without tiles (none configured, or unreachable) everything still shows,
// on a plain background.
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

  function card(title, href, lines) {
    var body = document.createElement("div");
    var heading = document.createElement("strong");
    if (href) {
      var link = document.createElement("a");
      link.href = href;
      link.textContent = title;
      heading.appendChild(link);
    } else {
      heading.textContent = title;
    }
    body.appendChild(heading);
    lines.forEach(function (text) {
      if (!text) { return; }
      var line = document.createElement("div");
      line.textContent = text;
      body.appendChild(line);
    });
    return body;
  }

  function dot(where, state) {
    return L.circleMarker(where, {
      radius: 9, color: "#ffffff", weight: 2, fillOpacity: 0.9,
      fillColor: COLOURS[state] || "#5b6675", className: "report-marker state-" + state
    });
  }

  function bell(alarm) {
    var icon = L.divIcon({className: "alarm-marker alarm-" + alarm.state, iconSize: [26, 26],
                          html: ""});
    var note = alarm.placed ? "" : box.getAttribute("data-alarm-centre");
    return L.marker([alarm.lat, alarm.lon], {icon: icon, title: alarm.kind, zIndexOffset: 1000})
      .bindPopup(card(alarm.kind, null, [alarm.scope, alarm.sent, alarm.state_label, note]));
  }

  if (point) {
    dot(JSON.parse(point), box.getAttribute("data-state")).addTo(map);
    return;
  }
  fetch(box.getAttribute("data-markers"), {credentials: "same-origin"})
    .then(function (answer) { return answer.json(); })
    .then(function (data) {
      var clusters = L.markerClusterGroup({showCoverageOnHover: false, maxClusterRadius: 45});
      var heat = [];
      var alarms = L.featureGroup();
      data.markers.forEach(function (marker) {
        clusters.addLayer(dot([marker.lat, marker.lon], marker.state).bindPopup(
          card(marker.code, "/reports/" + marker.id,
               [marker.category, marker.state_label, marker.filed])));
        heat.push([marker.lat, marker.lon, 1]);
      });
      data.alarms.forEach(function (alarm) { alarms.addLayer(bell(alarm)); });
      var overlays = {};
      overlays[box.getAttribute("data-layer-reports")] = clusters.addTo(map);
      overlays[box.getAttribute("data-layer-heat")] = L.heatLayer(heat, {radius: 22, blur: 18,
                                                                          maxZoom: 17});
      overlays[box.getAttribute("data-layer-alarms")] = alarms.addTo(map);
      L.control.layers(null, overlays, {collapsed: false}).addTo(map);
      var bounds = clusters.getBounds();
      if (alarms.getLayers().length) { bounds.extend(alarms.getBounds()); }
      if (bounds.isValid()) {
        map.fitBounds(bounds, {maxZoom: 16, padding: [30, 30], animate: false});
      }
      box.setAttribute("data-count", String(data.markers.length));
      box.setAttribute("data-alarms", String(data.alarms.length));
    });
}());
