// Small progressive enhancements; every page works without this file.
document.addEventListener("DOMContentLoaded", () => {
  // Ask before destructive or irreversible actions (buttons with data-confirm).
  document.querySelectorAll("[data-confirm]").forEach((el) => {
    el.addEventListener("click", (event) => {
      if (!window.confirm(el.dataset.confirm)) event.preventDefault();
    });
  });
  // Phone cards: label each cell of a .table-stack list with its column's header.
  document.querySelectorAll("table.table-stack").forEach((table) => {
    const heads = Array.from(table.querySelectorAll(":scope > thead > tr:last-child > th"));
    const labels = [];
    heads.forEach((th) => {
      for (let i = 0; i < (th.colSpan || 1); i += 1) labels.push(th.innerText.trim());
    });
    table.querySelectorAll(":scope > tbody > tr").forEach((row) => {
      let column = 0;
      Array.from(row.cells).forEach((cell) => {
        if (!cell.hasAttribute("data-label") && cell.colSpan === 1) cell.dataset.label = labels[column] || "";
        column += cell.colSpan || 1;
      });
    });
  });
  // "Select all" checkbox for bulk actions.
  document.querySelectorAll("[data-check-all]").forEach((box) => {
    box.addEventListener("change", () => {
      document.querySelectorAll(box.dataset.checkAll).forEach((c) => { c.checked = box.checked; });
    });
  });
});
