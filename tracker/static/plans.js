// The plan page: expand or collapse every part of the tree at once (works without it too).
document.addEventListener("DOMContentLoaded", () => {
  const toggles = document.querySelector("[data-tree-toggles]");
  if (!toggles) return;
  toggles.classList.remove("d-none");
  toggles.querySelectorAll("[data-tree-open]").forEach((button) => {
    button.addEventListener("click", () => {
      const open = button.dataset.treeOpen === "1";
      document.querySelectorAll(".plan-tree details").forEach((el) => { el.open = open; });
    });
  });
  // Opening a link to a node inside a collapsed part: unfold its ancestors.
  const reveal = () => {
    const id = decodeURIComponent(window.location.hash.slice(1));
    let el = id && document.getElementById(id);
    while (el) {
      if (el.tagName === "DETAILS") el.open = true;
      el = el.parentElement;
    }
  };
  window.addEventListener("hashchange", reveal);
  reveal();
});
