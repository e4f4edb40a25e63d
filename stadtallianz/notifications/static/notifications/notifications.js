// After "mark as read" swaps an item in place, its button is gone: keep keyboard focus on the
// item itself rather than letting it fall back to the top of the page.
document.addEventListener("htmx:afterSettle", function (event) {
  var item = event.detail.elt;
  if (item && item.classList && item.classList.contains("notification")) {
    item.setAttribute("tabindex", "-1");
    item.focus();
  }
});
