// Searchable choices: a <select data-choices="URL"> that ships only its chosen option becomes
// a search box; typing (or focusing) asks URL?q=… for at most 20 matches ({results: [{id,
// label}], more}). The select stays in the form (hidden) and carries the value, so the form
// submits as before. data-scope="plan" sends the plan select's value along (sections of the
// chosen plan); data-clears="section" empties that select when this one changes.
document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("select[data-choices]").forEach((select) => searchable(select));
});

function searchable(select) {
  const form = select.form;
  const texts = (form && form.dataset) || {};
  const fixed = Array.from(select.options).filter((o) => !/^\d+$/.test(o.value));
  const box = document.createElement("div");
  box.className = "position-relative";
  const input = document.createElement("input");
  input.type = "search";
  input.className = select.className.replace("form-select", "form-control");
  input.autocomplete = "off";
  input.setAttribute("role", "combobox");
  input.setAttribute("aria-autocomplete", "list");
  input.setAttribute("aria-expanded", "false");
  const menu = document.createElement("ul");
  menu.className = "list-group position-absolute w-100 shadow-sm choices-menu d-none";
  menu.id = select.id + "-choices";
  menu.setAttribute("role", "listbox");
  input.setAttribute("aria-controls", menu.id);
  // The label now names the search box; the select keeps the value.
  const label = form && form.querySelector(`label[for="${select.id}"]`);
  select.id = select.id + "-value";
  input.id = label ? label.htmlFor : select.id + "-search";
  select.classList.add("d-none");
  select.tabIndex = -1;
  select.parentNode.insertBefore(box, select);
  box.append(input, menu);
  const chosenText = () => (select.selectedIndex >= 0 ? select.options[select.selectedIndex].text : "");
  input.value = select.value ? chosenText() : "";
  input.placeholder = fixed.length ? fixed[0].text : "";

  let active = -1;
  let timer = null;
  let asked = 0;

  const close = () => {
    menu.classList.add("d-none");
    input.setAttribute("aria-expanded", "false");
    active = -1;
  };
  const choose = (value, text) => {
    let option = Array.from(select.options).find((o) => o.value === String(value));
    if (!option) {
      option = new Option(text, value);
      select.add(option);
    }
    select.value = String(value);
    input.value = value ? text : "";
    close();
    const cleared = select.dataset.clears && form.querySelector(`[name="${select.dataset.clears}"]`);
    if (cleared && cleared.value) {
      cleared.value = "";
      const other = document.getElementById(cleared.id.replace(/-value$/, ""));
      if (other) other.value = "";
    }
  };
  const item = (value, text, extraClass) => {
    const li = document.createElement("li");
    li.className = "list-group-item list-group-item-action py-1 small " + (extraClass || "");
    li.setAttribute("role", "option");
    li.textContent = text;
    li.dataset.value = value;
    li.addEventListener("mousedown", (event) => {
      event.preventDefault(); // keep the focus: blur would close the menu first
      choose(value, text);
    });
    return li;
  };
  const show = (data) => {
    menu.replaceChildren();
    fixed.forEach((o) => menu.append(item(o.value, o.text, "text-muted")));
    data.results.forEach((r) => menu.append(item(r.id, r.label)));
    if (!data.results.length && texts.choicesEmpty) {
      const li = document.createElement("li");
      li.className = "list-group-item py-1 small text-muted";
      li.textContent = texts.choicesEmpty;
      menu.append(li);
    }
    if (data.more && texts.choicesMore) {
      const li = document.createElement("li");
      li.className = "list-group-item py-1 small text-muted";
      li.textContent = texts.choicesMore;
      menu.append(li);
    }
    menu.classList.remove("d-none");
    input.setAttribute("aria-expanded", "true");
    active = -1;
  };
  const ask = () => {
    const params = new URLSearchParams({ q: input.value === chosenText() ? "" : input.value });
    const scope = select.dataset.scope && form.querySelector(`[name="${select.dataset.scope}"]`);
    if (scope && scope.value) params.set("plan", scope.value);
    const mine = ++asked;
    fetch(`${select.dataset.choices}?${params}`, { credentials: "same-origin" })
      .then((answer) => (answer.ok ? answer.json() : { results: [] }))
      .then((data) => { if (mine === asked && document.activeElement === input) show(data); })
      .catch(() => {});
  };
  const highlight = (step) => {
    const options = Array.from(menu.querySelectorAll("[data-value]"));
    if (!options.length) return;
    active = (active + step + options.length) % options.length;
    options.forEach((o, i) => o.classList.toggle("active", i === active));
    options[active].scrollIntoView({ block: "nearest" });
  };

  input.addEventListener("focus", ask);
  input.addEventListener("input", () => {
    clearTimeout(timer);
    if (!input.value) select.value = "";
    timer = setTimeout(ask, 150);
  });
  input.addEventListener("blur", () => {
    close();
    // Text that names no choice: back to what is chosen.
    input.value = select.value ? chosenText() : "";
  });
  input.addEventListener("keydown", (event) => {
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      if (menu.classList.contains("d-none")) ask();
      else highlight(event.key === "ArrowDown" ? 1 : -1);
    } else if (event.key === "Enter" && active >= 0) {
      event.preventDefault();
      const li = menu.querySelectorAll("[data-value]")[active];
      choose(li.dataset.value, li.textContent);
    } else if (event.key === "Escape") {
      close();
    }
  });
}
