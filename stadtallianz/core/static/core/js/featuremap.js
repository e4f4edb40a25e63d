// A Leaflet map of many places: points as markers, areas as outlined shapes, each linking to its
// page. Used by <div class="feature-map" data-src="…geojson"> (fetched from our own origin) or
// <div class="feature-map" data-geojson="id-of-a-json_script-element">. Every map built with it
// sits next to a list or table with the same places, so the map is never the only way in.
(function () {
  "use strict";

  const MUENSTER = [51.9607, 7.6261];

  function popup(feature) {
    const props = feature.properties || {};
    const wrapper = document.createElement("div");
    const link = document.createElement("a");
    link.href = props.url || "#";
    link.textContent = props.title || "";
    wrapper.appendChild(link);
    if (props.subtitle) {
      const detail = document.createElement("div");
      detail.textContent = props.subtitle;
      wrapper.appendChild(detail);
    }
    return wrapper;
  }

  function draw(container, collection) {
    const map = L.map(container, { scrollWheelZoom: false }).setView(MUENSTER, 12);
    const tileUrl = container.dataset.tileUrl;
    if (tileUrl) {
      L.tileLayer(tileUrl, { maxZoom: 19, attribution: container.dataset.attribution || "" })
        .addTo(map);
    }
    const layer = L.geoJSON(collection, {
      pointToLayer: function (feature, latlng) {
        const title = (feature.properties && feature.properties.title) || "";
        return L.marker(latlng, { alt: title, title: title });
      },
      onEachFeature: function (feature, shape) { shape.bindPopup(popup(feature)); },
    }).addTo(map);
    const bounds = layer.getBounds();
    if (bounds.isValid()) map.fitBounds(bounds, { padding: [20, 20], maxZoom: 15 });
    container.dataset.featureCount = String(layer.getLayers().length);
  }

  function initialise(container) {
    if (typeof L === "undefined") return;
    if (container.dataset.geojson) {
      const source = document.getElementById(container.dataset.geojson);
      if (source) draw(container, JSON.parse(source.textContent));
      return;
    }
    fetch(container.dataset.src, { credentials: "same-origin", headers: { Accept: "application/geo+json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (collection) { if (collection) draw(container, collection); });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll(".feature-map[data-src], .feature-map[data-geojson]").forEach(initialise);
  });
})();
