// Small progressive enhancements; every page works without this file.
document.addEventListener("DOMContentLoaded", () => {
  // Ask before destructive or irreversible actions (buttons with data-confirm).
  document.querySelectorAll("[data-confirm]").forEach((el) => {
    el.addEventListener("click", (event) => {
      if (!window.confirm(el.dataset.confirm)) event.preventDefault();
    });
  });
  // "Select all" checkbox for bulk actions.
  document.querySelectorAll("[data-check-all]").forEach((box) => {
    box.addEventListener("change", () => {
      document.querySelectorAll(box.dataset.checkAll).forEach((c) => { c.checked = box.checked; });
    });
  });
});
