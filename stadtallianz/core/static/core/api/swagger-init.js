// Starts Swagger UI on the API docs page. The settings come in a data attribute because the
// Content Security Policy allows no inline script; the CSRF token lets "Try it out" change
// data with the logged-in session.
(function () {
  "use strict";
  var root = document.getElementById("swagger-ui");
  if (!root || typeof window.SwaggerUIBundle !== "function") {
    return;
  }
  var config = JSON.parse(root.dataset.settings);
  var csrfToken = root.dataset.csrfToken;
  config.dom_id = "#swagger-ui";
  config.presets = [window.SwaggerUIBundle.presets.apis];
  config.requestInterceptor = function (request) {
    if (csrfToken) {
      request.headers["X-CSRFToken"] = csrfToken;
    }
    return request;
  };
  root.textContent = "";
  window.SwaggerUIBundle(config);
})();
