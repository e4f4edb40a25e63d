// The assessment form (assessments/form.html): "Add evidence" adds an empty row in place
// instead of sending the form (without script the server adds it), and the focus goes to the
// new row's label. The rows are a Django formset: the new row gets the next index and the
// management form's TOTAL_FORMS grows.
document.addEventListener("DOMContentLoaded", () => {
  const form = document.getElementById("assessment-form");
  if (!form) return;
  form.querySelectorAll("[data-add-evidence]").forEach((button) => {
    const number = button.dataset.addEvidence;
    const rows = form.querySelector(`[data-evidence-rows="${number}"]`);
    const template = form.querySelector(`[data-evidence-template="${number}"]`);
    const total = form.querySelector(`[name="evidence_${number}-TOTAL_FORMS"]`);
    const max = form.querySelector(`[name="evidence_${number}-MAX_NUM_FORMS"]`);
    if (!rows || !template || !total) return;
    button.addEventListener("click", (event) => {
      event.preventDefault();
      const index = Number(total.value);
      if (max && index >= Number(max.value)) return;
      const row = template.content.firstElementChild.cloneNode(true);
      row.querySelectorAll("[id], [for], [name], [aria-describedby]").forEach((element) => {
        ["id", "for", "name", "aria-describedby"].forEach((attribute) => {
          const value = element.getAttribute(attribute);
          if (value) element.setAttribute(attribute, value.replaceAll("__prefix__", String(index)));
        });
      });
      rows.appendChild(row);
      total.value = String(index + 1);
      const first = row.querySelector("input, select, textarea");
      if (first) first.focus();
    });
  });
  // After "Add evidence" or "Take theirs" without script the server names where to go on.
  const focus = form.dataset.focus && document.getElementById(form.dataset.focus);
  if (focus && !document.querySelector("[data-error-summary]")) {
    const first = focus.querySelector("input:not([type=hidden]), select, textarea") || focus;
    first.focus();
  }
});
