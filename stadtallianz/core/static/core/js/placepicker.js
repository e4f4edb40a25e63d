// The place picker (core/widgets.py): a map next to latitude and longitude inputs. Clicking on
// the map or dragging its marker fills the inputs; typing in them moves the marker. The inputs
// stay the source of truth and the keyboard's way; without this script they work alone.
// For a GeoJSON field the point is also written into (and read from) the GeoJSON text; an area
// there is drawn and left alone until a latitude and longitude replace it.
(function () {
  "use strict";

  if (window.stadtallianzPlacePicker) return; // the widget's template may load this twice
  window.stadtallianzPlacePicker = true;

  const MUENSTER = [51.9607, 7.6261];

  function parse(text) {
    const value = parseFloat(String(text || "").trim().replace(/\s/g, "").replace(",", "."));
    return Number.isFinite(value) ? value : NaN;
  }

  function geometryOf(textarea) {
    if (!textarea || !textarea.value.trim()) return null;
    try { return JSON.parse(textarea.value); } catch (error) { return undefined; }
  }

  function initialise(anchor) {
    if (typeof L === "undefined" || anchor.dataset.ready) return;
    const latInput = document.getElementById(anchor.dataset.latInput);
    let lonInput = anchor.dataset.lonInput ? document.getElementById(anchor.dataset.lonInput) : null;
    if (!lonInput && anchor.dataset.lonName && latInput && latInput.form) {
      lonInput = latInput.form.elements.namedItem(anchor.dataset.lonName);
    }
    const textarea = anchor.dataset.geojsonInput ? document.getElementById(anchor.dataset.geojsonInput) : null;
    if (!latInput || !lonInput) return;
    anchor.dataset.ready = "1";
    const separator = anchor.dataset.decimal || ".";

    const container = document.createElement("div");
    container.className = "place-picker-map";
    container.setAttribute("role", "region");
    container.setAttribute("aria-label", anchor.dataset.label || "");
    const hint = document.createElement("p");
    hint.className = "help place-picker-hint";
    hint.id = latInput.id + "_maphint";
    hint.textContent = anchor.dataset.hint || "";
    container.setAttribute("aria-describedby", hint.id);
    const after = lonInput.closest(".field") || anchor.closest(".field") || lonInput;
    after.insertAdjacentElement("afterend", container);
    container.insertAdjacentElement("beforebegin", hint);

    const map = L.map(container, { scrollWheelZoom: false, zoomControl: false }).setView(MUENSTER, 12);
    // Leaflet's own words in the page's language.
    L.control.zoom({ zoomInTitle: anchor.dataset.zoomIn || "+", zoomOutTitle: anchor.dataset.zoomOut || "-" }).addTo(map);
    map.attributionControl.setPrefix('<a href="https://leafletjs.com">Leaflet</a>');
    container.dataset.ready = "1";
    if (anchor.dataset.tileUrl) {
      L.tileLayer(anchor.dataset.tileUrl, { maxZoom: 19, attribution: anchor.dataset.attribution || "" }).addTo(map);
    }
    let marker = null;
    let area = null;

    function show(number) { return number.toFixed(6).replace(".", separator); }

    function setMarker(latlng) {
      if (marker) { marker.setLatLng(latlng); return; }
      marker = L.marker(latlng, { draggable: true, keyboard: false, autoPan: true }).addTo(map);
      marker.on("dragend", function () { write(marker.getLatLng()); });
    }

    function writeGeoJSON(lat, lon) {
      if (!textarea) return;
      textarea.value = JSON.stringify({ type: "Point", coordinates: [Number(lon.toFixed(6)), Number(lat.toFixed(6))] });
    }

    function write(latlng) {
      const lat = latlng.lat;
      const lon = L.Util.wrapNum(latlng.lng, [-180, 180], true);
      latInput.value = show(lat);
      lonInput.value = show(lon);
      writeGeoJSON(lat, lon);
      if (area) { map.removeLayer(area); area = null; }
      setMarker([lat, lon]);
      [latInput, lonInput].forEach(function (input) {
        input.dispatchEvent(new Event("input", { bubbles: true }));
      });
    }

    function fromInputs(recentre) {
      const lat = parse(latInput.value);
      const lon = parse(lonInput.value);
      if (Number.isNaN(lat) || Number.isNaN(lon) || Math.abs(lat) > 90 || Math.abs(lon) > 180) return false;
      setMarker([lat, lon]);
      if (area) { map.removeLayer(area); area = null; }
      if (recentre) map.setView([lat, lon], Math.max(map.getZoom(), 14));
      return true;
    }

    function fromGeoJSON() {
      const geometry = geometryOf(textarea);
      if (!geometry || typeof geometry !== "object") return;
      if (geometry.type === "Point" && Array.isArray(geometry.coordinates)) {
        latInput.value = show(Number(geometry.coordinates[1]));
        lonInput.value = show(Number(geometry.coordinates[0]));
        fromInputs(true);
        return;
      }
      try {
        if (area) map.removeLayer(area);
        area = L.geoJSON(geometry).addTo(map);
        if (marker) { map.removeLayer(marker); marker = null; }
        latInput.value = "";
        lonInput.value = "";
        const bounds = area.getBounds();
        if (bounds.isValid()) map.fitBounds(bounds, { padding: [20, 20], maxZoom: 16 });
        hint.textContent = (anchor.dataset.hint || "") + " " + (anchor.dataset.areaHint || "");
      } catch (error) { area = null; }
    }

    if (!fromInputs(true) && textarea) fromGeoJSON();
    if (marker) map.setView(marker.getLatLng(), 15);

    map.on("click", function (event) { write(event.latlng); });
    container.addEventListener("keydown", function (event) {
      if (event.key === "Enter" && event.target === container) {
        event.preventDefault();
        write(map.getCenter());
      }
    });
    [latInput, lonInput].forEach(function (input) {
      input.addEventListener("change", function () {
        if (fromInputs(true)) writeGeoJSON(parse(latInput.value), parse(lonInput.value));
      });
    });
    if (textarea) textarea.addEventListener("change", fromGeoJSON);
  }

  function start() { document.querySelectorAll(".place-picker[data-lat-input]").forEach(initialise); }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
