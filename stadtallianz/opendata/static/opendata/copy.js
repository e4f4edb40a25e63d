// The copy buttons of a dataset's ready-made API requests (opendata/includes/api_usage.html):
// shown only where the browser can copy; site.js copies the code's text, this says so.
document.addEventListener("DOMContentLoaded", () => {
  if (!navigator.clipboard) return;
  const status = document.querySelector("[data-copy-status]");
  document.querySelectorAll(".code-block [data-copy-target]").forEach((button) => {
    button.hidden = false;
    button.addEventListener("click", () => {
      if (status) status.textContent = status.dataset.copiedText;
    });
  });
});
