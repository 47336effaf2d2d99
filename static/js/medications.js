// Bedside scanning: a barcode scanner types the code and presses Enter. In a field
// marked data-scan, Enter moves on to the next field instead of submitting the form.
document.addEventListener("keydown", (event) => {
  const field = event.target;
  if (event.key !== "Enter" || !field.matches || !field.matches("input[data-scan]")) {
    return;
  }
  const inputs = Array.from(field.form.querySelectorAll("input:not([type=hidden]), select, textarea"));
  const next = inputs[inputs.indexOf(field) + 1];
  if (next) {
    event.preventDefault();
    next.focus();
    if (next.select) next.select();
  }
});

// On a bedside form, the cursor waits in the first scan field still empty.
document.addEventListener("DOMContentLoaded", () => {
  const empty = Array.from(document.querySelectorAll("input[data-scan]")).find((f) => !f.value);
  if (empty) empty.focus();
});
