// Review page (needs common.js): show the rows most worth a look, let a person set the tags, save a CSV locally.
"use strict";
let items = [];


function render() {
  const list = $("review-list");
  list.replaceChildren();
  items.forEach((it, k) => {
    const box = el("div", { class: "msg review-item", "data-row": it.row });
    box.appendChild(el("p", { class: "cond" }, `#${it.row} · ${it.reason} · margin ${it.margin}`));
    box.appendChild(el("p", { class: "highlighted" }, it.text));
    const tags = new Set(it.predicted_tags.split(";").filter(Boolean));
    for (const t of TAGS) {
      const id = `t-${k}-${t.name}`;
      const cb = el("input", { type: "checkbox", id, "data-tag": t.name });
      cb.checked = tags.has(t.name);
      cb.addEventListener("change", () => enforceRules(box, cb));
      const lab = el("label", { for: id }, ` ${t.zh} ${t.name}  `);
      box.appendChild(cb);
      box.appendChild(lab);
    }
    list.appendChild(box);
  });
  $("save").hidden = items.length === 0;
}

// The guide's rules: not_collection and lawful_reminder stand alone; the unlawful tags combine freely.
function enforceRules(box, changed) {
  if (!changed.checked) return;
  const alone = DATA.exclusive;
  box.querySelectorAll("input[type=checkbox]").forEach((c) => {
    if (c === changed) return;
    if (alone.includes(changed.dataset.tag) || alone.includes(c.dataset.tag)) c.checked = false;
  });
}

function csvCell(v) {
  const s = String(v ?? "");
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

function save() {
  const lines = [["review_row", "text", "predicted_tags", "review_reason", "gold_tags"].join(",")];
  document.querySelectorAll(".review-item").forEach((box, k) => {
    const gold = [...box.querySelectorAll("input[type=checkbox]")].filter((c) => c.checked).map((c) => c.dataset.tag);
    const it = items[k];
    lines.push([it.row, it.text, it.predicted_tags, it.reason, gold.join(";")].map(csvCell).join(","));
  });
  const blob = new Blob(["\ufeff" + lines.join("\r\n") + "\r\n"], { type: "text/csv;charset=utf-8" });
  const a = el("a", { href: URL.createObjectURL(blob), download: "labelled.csv" });
  document.body.appendChild(a);
  a.click();
  a.remove();
}

$("review-form").addEventListener("submit", async (ev) => {
  ev.preventDefault();
  $("review-error").hidden = true;
  const file = $("review-file").files[0];
  if (!file) return;
  const form = new FormData();
  form.append("file", file);
  try {
    const res = await fetch(`/api/review?n=${encodeURIComponent($("review-n").value)}`, { method: "POST", body: form });
    const data = await res.json();
    if (!res.ok) throw new Error(data.detail);
    items = data.rows;
    render();
  } catch (e) {
    $("review-error").textContent = String(e.message || e);
    $("review-error").hidden = false;
  }
});
$("save").addEventListener("click", save);
