// Small progressive enhancements; every page works without JavaScript.
// htmx sends the CSRF token with every non-GET request it makes.
document.addEventListener("htmx:configRequest", (event) => {
  const token = document.querySelector("input[name=csrfmiddlewaretoken]");
  if (token) event.detail.headers["X-CSRFToken"] = token.value;
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
