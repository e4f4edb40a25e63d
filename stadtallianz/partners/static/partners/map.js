// The location of one partner on a Leaflet map. Reads everything from the data attributes of
// <div class="map" id="partner-map">; without a tile URL it shows the marker on a plain background.
(function () {
  "use strict";

  function initialise(container) {
    if (typeof L === "undefined") return;
    const lat = parseFloat(container.dataset.lat);
    const lon = parseFloat(container.dataset.lon);
    if (Number.isNaN(lat) || Number.isNaN(lon)) return;
    const label = container.dataset.label || "";

    const map = L.map(container, {
      // Scrolling the page over the map should scroll the page, not zoom the map.
      scrollWheelZoom: false,
    }).setView([lat, lon], 15);

    const tileUrl = container.dataset.tileUrl;
    if (tileUrl) {
      L.tileLayer(tileUrl, {
        maxZoom: 19,
        attribution: container.dataset.attribution || "",
      }).addTo(map);
    }

    const marker = L.marker([lat, lon], { alt: label, title: label, keyboard: false }).addTo(map);
    if (label) marker.bindTooltip(label);
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll(".map[data-lat][data-lon]").forEach(initialise);
  });
})();
