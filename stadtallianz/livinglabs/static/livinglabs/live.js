// The live refresh of a lab page: every minute each charted datastream's partial is fetched
// (data-live-url, with the page's time range) and only the contents of its [data-live]
// elements (latest value, chart, table rows) are replaced where they changed. The elements,
// their ids and every <details> stay, so an open table stays open and the keyboard focus stays
// where it is. One short, polite message says how many datastreams got new values.
// A hidden tab (another tab in front, a locked phone) fetches nothing: the minute that passes
// marks the page stale, and it refreshes once when it is shown again.
(function () {
  "use strict";

  const EVERY = 60000;

  function refresh(block) {
    return fetch(block.dataset.liveUrl, { credentials: "same-origin", headers: { "HX-Request": "true" } })
      .then(function (response) { return response.ok ? response.text() : null; })
      .then(function (html) {
        if (!html) return false;
        const fresh = new DOMParser().parseFromString(html, "text/html");
        let changed = false;
        block.querySelectorAll("[data-live][id]").forEach(function (old) {
          const replacement = fresh.getElementById(old.id);
          if (replacement && replacement.innerHTML !== old.innerHTML) {
            old.innerHTML = replacement.innerHTML;
            // A new latest value is news; the chart's time labels move every minute anyway.
            if (old.id.indexOf("latest-") === 0) changed = true;
          }
        });
        return changed;
      })
      .catch(function () { return false; });
  }

  function announce(count) {
    const status = document.getElementById("live-status");
    if (!status || !count) return;
    const now = new Date();
    const time = String(now.getHours()).padStart(2, "0") + ":" + String(now.getMinutes()).padStart(2, "0");
    const template = count === 1 ? status.dataset.one : status.dataset.many;
    status.textContent = (template || "").replace("%(time)s", time).replace("%(count)s", String(count));
  }

  function refreshAll() {
    const blocks = Array.prototype.slice.call(document.querySelectorAll(".datastream[data-live-url]"));
    return Promise.all(blocks.map(refresh)).then(function (results) {
      const count = results.filter(Boolean).length;
      announce(count);
      return count;
    });
  }

  let stale = false;

  function tick() {
    if (document.hidden) {
      stale = true;
      return null;
    }
    return refreshAll();
  }

  function shown() {
    if (!document.hidden && stale) {
      stale = false;
      refreshAll();
    }
  }

  // The browser tests call these instead of waiting a minute.
  window.stadtallianzLiveRefresh = refreshAll;
  window.stadtallianzLiveTick = tick;
  document.addEventListener("DOMContentLoaded", function () {
    if (!document.querySelector(".datastream[data-live-url]")) return;
    window.setInterval(tick, EVERY);
    document.addEventListener("visibilitychange", shown);
  });
})();
