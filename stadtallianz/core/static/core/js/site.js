// Small progressive enhancements; every page works without JavaScript.
// htmx sends the CSRF token with every non-GET request it makes.
document.addEventListener("htmx:configRequest", (event) => {
  const token = document.querySelector("input[name=csrfmiddlewaretoken]");
  if (token) event.detail.headers["X-CSRFToken"] = token.value;
});

// When htmx replaces the element that had the focus (a pagination link), the browser drops the
// focus to the start of the page; a keyboard user would have to find the results again. Put it
// on the start of the new content (an element marked data-swap-focus, else the target).
document.addEventListener("htmx:afterSwap", (event) => {
  if (document.activeElement && document.activeElement !== document.body) return;
  const target = event.detail.target;
  const start = target.querySelector("[data-swap-focus]") || target;
  if (!start.hasAttribute("tabindex")) start.setAttribute("tabindex", "-1");
  start.focus();
});

// Filter forms marked data-autosubmit update their results as the person types or chooses.
document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("[data-copy-target]").forEach((button) => {
    button.addEventListener("click", () => {
      const target = document.getElementById(button.dataset.copyTarget);
      if (target) navigator.clipboard.writeText(target.textContent.trim());
    });
  });
});

// The mobile menu (base.html): the button shows and hides the navigation, search and account
// links; Escape closes it and gives the focus back to the button. Without JavaScript the menu is
// always open (the CSS hides the button unless <html> has the class "js", set by early.js).
document.addEventListener("DOMContentLoaded", () => {
  const button = document.querySelector("[data-menu-button]");
  const panel = button && document.getElementById(button.getAttribute("aria-controls"));
  if (!button || !panel) return;
  const setOpen = (open) => {
    button.setAttribute("aria-expanded", String(open));
    panel.classList.toggle("is-open", open);
  };
  button.addEventListener("click", () => setOpen(button.getAttribute("aria-expanded") !== "true"));
  document.addEventListener("keydown", (event) => {
    if (event.key !== "Escape" || button.getAttribute("aria-expanded") !== "true") return;
    setOpen(false);
    button.focus();
  });
});

// After a refused submit the error summary (core/includes/form_errors.html) takes the focus, so
// a screen reader reads it and a keyboard user starts from its links to the fields.
document.addEventListener("DOMContentLoaded", () => {
  const summary = document.querySelector("[data-error-summary]");
  if (summary) summary.focus();
});

// Tabs (core/components/tabs.html): buttons with role=tab switch their panels; the arrow keys,
// Home and End move between the tabs (WAI-ARIA Authoring Practices, automatic activation).
document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("[data-tabs]").forEach((tabs) => {
    const list = Array.from(tabs.querySelectorAll("[role=tab]"));
    const select = (tab, focus) => {
      list.forEach((other) => {
        const selected = other === tab;
        other.setAttribute("aria-selected", String(selected));
        other.tabIndex = selected ? 0 : -1;
        const panel = document.getElementById(other.getAttribute("aria-controls"));
        if (panel) panel.hidden = !selected;
      });
      if (focus) tab.focus();
    };
    select(list.find((tab) => tab.getAttribute("aria-selected") === "true") || list[0], false);
    list.forEach((tab, index) => {
      tab.addEventListener("click", () => select(tab, false));
      tab.addEventListener("keydown", (event) => {
        const moves = { ArrowRight: index + 1, ArrowLeft: index - 1, Home: 0, End: list.length - 1 };
        if (!(event.key in moves)) return;
        event.preventDefault();
        select(list[(moves[event.key] + list.length) % list.length], true);
      });
    });
  });
});

// Dialogs (core/components/dialog.html): a button with data-dialog-open="id" opens the native
// <dialog> as a modal; buttons with data-dialog-close inside close it. Without JavaScript the
// dialog's content is reachable through the button's fallback link (its href), if it has one.
document.addEventListener("click", (event) => {
  const opener = event.target.closest("[data-dialog-open]");
  if (opener) {
    const dialog = document.getElementById(opener.dataset.dialogOpen);
    if (dialog && typeof dialog.showModal === "function") {
      event.preventDefault();
      dialog.showModal();
    }
    return;
  }
  const closer = event.target.closest("[data-dialog-close]");
  if (closer) {
    const dialog = closer.closest("dialog");
    if (dialog) dialog.close();
  }
});

// Every Leaflet map of the site (featuremap.js, partners/map.js, the place picker) speaks the
// page's language (zoom buttons, attribution) and stands on a plain light ground ("map-plain")
// instead of Leaflet's grey, which shows where no tiles are configured (MAP_TILE_URL=none) or
// where tiles fail to load ("map-tiles-failed" is added then). site.js runs before leaflet.js
// (it comes first in the page), so it watches for Leaflet to arrive (window.L being set) and
// configures it at once, before any script can build a map.
(() => {
  const configure = (L) => {
    if (!L || L.stadtallianzConfigured) return;
    L.stadtallianzConfigured = true;
    const german = (document.documentElement.lang || "").startsWith("de");
    const words = german
      ? { zoomIn: "Vergrößern", zoomOut: "Verkleinern", leaflet: "Eine JavaScript-Bibliothek für interaktive Karten" }
      : { zoomIn: "Zoom in", zoomOut: "Zoom out", leaflet: "A JavaScript library for interactive maps" };
    L.Control.Zoom.prototype.options.zoomInTitle = words.zoomIn;
    L.Control.Zoom.prototype.options.zoomOutTitle = words.zoomOut;
    L.Control.Attribution.prototype.options.prefix =
      '<a href="https://leafletjs.com" title="' + words.leaflet + '">Leaflet</a>';
    L.Map.addInitHook(function () {
      const container = this.getContainer();
      container.classList.add("map-plain");
      this.on("layeradd", (event) => {
        if (event.layer instanceof L.TileLayer) {
          event.layer.on("tileerror", () => container.classList.add("map-tiles-failed"));
        }
      });
    });
  };
  if (typeof window.L !== "undefined") {
    configure(window.L);
    return;
  }
  let leaflet;
  Object.defineProperty(window, "L", {
    configurable: true,
    get: () => leaflet,
    set: (value) => {
      leaflet = value;
      if (value && value.Map && value.Control) configure(value);
    },
  });
})();

// A table wider than its column (a phone, many columns) gets the scrolling region of
// core/components/table_scroll_start.html: focusable, named by its caption, with edge shadows as
// the cue. Templates may wrap their tables themselves or make them stack (class "table-stack");
// this catches the others. Without JavaScript such a table makes the page scroll sideways.
(() => {
  const label = (table) => {
    const caption = table.querySelector("caption");
    if (caption && caption.textContent.trim()) return caption.textContent.trim();
    return (document.documentElement.lang || "").startsWith("de") ? "Tabelle" : "Table";
  };
  const wrapWide = (root) => {
    root.querySelectorAll("main table:not(.table-stack)").forEach((table) => {
      if (table.closest(".table-scroll, .kern-table-responsive")) return;
      const parent = table.parentElement;
      const edge = document.documentElement.clientWidth;
      if (!parent || (table.scrollWidth <= parent.clientWidth + 1
                      && table.getBoundingClientRect().right <= edge + 1)) return;
      const region = document.createElement("div");
      region.className = "table-scroll";
      region.setAttribute("role", "region");
      region.setAttribute("tabindex", "0");
      region.setAttribute("aria-label", label(table));
      parent.insertBefore(region, table);
      region.appendChild(table);
    });
  };
  document.addEventListener("DOMContentLoaded", () => wrapWide(document));
  document.addEventListener("htmx:afterSwap", (event) => wrapWide(event.detail.target));
  let timer = null;
  window.addEventListener("resize", () => {
    clearTimeout(timer);
    timer = setTimeout(() => wrapWide(document), 200);
  });
})();
