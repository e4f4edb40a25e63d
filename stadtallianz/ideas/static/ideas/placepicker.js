// A map on the idea form: clicking it (or pressing Enter on it, at its centre) fills in the
// latitude and longitude fields, which stay the accessible way to give a place.
(function () {
  "use strict";

  const MUENSTER = [51.9607, 7.6261];

  function initialise(container) {
    if (typeof L === "undefined") return;
    const latInput = document.getElementById(container.dataset.latInput);
    const lonInput = document.getElementById(container.dataset.lonInput);
    if (!latInput || !lonInput) return;
    const lat = parseFloat(latInput.value);
    const lon = parseFloat(lonInput.value);
    const has = !Number.isNaN(lat) && !Number.isNaN(lon);
    const map = L.map(container, { scrollWheelZoom: false }).setView(has ? [lat, lon] : MUENSTER, has ? 15 : 12);
    if (container.dataset.tileUrl) {
      L.tileLayer(container.dataset.tileUrl, { maxZoom: 19, attribution: container.dataset.attribution || "" }).addTo(map);
    }
    let marker = has ? L.marker([lat, lon], { keyboard: false }).addTo(map) : null;

    function place(latlng) {
      latInput.value = latlng.lat.toFixed(6);
      lonInput.value = latlng.lng.toFixed(6);
      if (marker) marker.setLatLng(latlng);
      else marker = L.marker(latlng, { keyboard: false }).addTo(map);
    }

    map.on("click", function (event) { place(event.latlng); });
    container.addEventListener("keydown", function (event) {
      if (event.key === "Enter" && event.target === container) {
        event.preventDefault();
        place(map.getCenter());
      }
    });
    function moveTo() {
      const a = parseFloat(latInput.value);
      const b = parseFloat(lonInput.value);
      if (Number.isNaN(a) || Number.isNaN(b)) return;
      if (marker) marker.setLatLng([a, b]);
      else marker = L.marker([a, b], { keyboard: false }).addTo(map);
      map.setView([a, b], Math.max(map.getZoom(), 14));
    }
    latInput.addEventListener("change", moveTo);
    lonInput.addEventListener("change", moveTo);
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll(".place-picker[data-lat-input]").forEach(initialise);
  });
})();
