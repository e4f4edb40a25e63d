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
