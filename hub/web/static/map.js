// The map of the current search: the listings of /listings.geojson (the same search) as markers.
// The page is complete without it: the list below the map shows every listing.
(function () {
  var box = document.getElementById("map");
  if (!box || !window.L) { return; }
  box.hidden = false;  // hidden for readers without JavaScript (or without Leaflet): an empty box helps no one
  var map = L.map(box).setView([51.16, 10.45], 6);
  L.tileLayer("https://tile.openstreetmap.org/{z}/{x}/{y}.png", {
    maxZoom: 18,
    attribution: '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a>'
  }).addTo(map);
  fetch(box.dataset.geojson, {headers: {"Accept": "application/geo+json"}})
    .then(function (response) { return response.json(); })
    .then(function (data) {
      var layer = L.geoJSON(data, {
        onEachFeature: function (feature, marker) {
          var link = document.createElement("a");
          link.href = box.dataset.listing.replace("ID", encodeURIComponent(feature.id));
          link.textContent = feature.properties.title;
          marker.bindPopup(link);
        }
      }).addTo(map);
      box.dataset.markers = String(layer.getLayers().length);
      if (layer.getLayers().length) { map.fitBounds(layer.getBounds(), {maxZoom: 12}); }
    })
    .catch(function () { box.dataset.markers = "0"; });
}());
