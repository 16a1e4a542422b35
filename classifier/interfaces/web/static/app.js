// The paste-and-upload page (needs common.js).
"use strict";

const TAG = Object.fromEntries(TAGS.map((t) => [t.name, t]));
const PRECEDENCE = DATA.precedence;

const I18N = {
  zh: {
    title: "催收短信识别", privacy: "在您自己的电脑上运行：消息不会被发送到任何地方，也不会被保存。",
    tab_paste: "粘贴消息", tab_upload: "上传短信导出文件", paste_label: "粘贴一条短信、聊天消息或整段通话记录：",
    date_label: "收到日期（可选）", analyze: "分析", h_scores: "各标签的概率", h_text: "触发标签的词句（高亮）",
    h_provisions: "可能违反的规定（按相关性排序）", h_advice: "怎么办", h_basis: "合法依据（不是违规）",
    h_loan_terms: "借款条件可能违反的规定", why: "为什么", more: "另有{n}条规定", none: "未发现可能违反的规定。", upload_label: "选择聊天截图（PNG/JPG）、短信备份（XML、iPhone sms.db）、微信导出或 CSV / XLSX / JSON Lines 文件：",
    text_column: "短信内容所在列（可留空自动识别）", score_file: "评分并下载", download: "下载评分结果",
    empty: "请先粘贴一条消息。", working: "分析中…", turn: "第{n}轮", conditions: "适用条件", text_of_law: "条文原文",
    guidance: "监管/行业规则转述，非法律原文", rows: "行数", scored: "已评分", errors: "出错", not_scored: "您发出的（不评分）", lang: "English",
    context_label: "发在哪里", ctx_private: "私聊 / 短信", ctx_group: "群聊", ctx_post: "公开帖子 / 朋友圈 / 评论",
    unsure: "不确定：没有哪个标签明显超过阈值，请自己阅读判断。",
    by_context: "由场景判断：在群聊或公开场合提及债务，等于告诉了他人（联系第三方）。",
    by_conversation: "由会话判断：消息很短或不确定，且所在会话从未提及债务。",
  },
  en: {
    title: "Debt-collection message checker", privacy: "Runs on your own computer: messages are not sent anywhere and not stored.",
    tab_paste: "Paste a message", tab_upload: "Upload an SMS export", paste_label: "Paste an SMS, a chat message or a whole call transcript:",
    date_label: "Date received (optional)", analyze: "Analyze", h_scores: "Probability of each tag",
    h_text: "Words that triggered the tags (highlighted)", h_provisions: "Provisions it may violate (strongest first)", h_advice: "What to do",
    h_basis: "Legal basis (not a violation)", h_loan_terms: "Provisions the loan terms may violate", why: "Why",
    more: "{n} more provisions", none: "No provision found that it may violate.",
    upload_label: "Choose a screenshot (PNG/JPG), an SMS backup (XML, iPhone sms.db), a WeChat export, or a CSV / XLSX / JSON Lines file:",
    text_column: "Column with the message text (leave empty to detect)", score_file: "Score and download",
    download: "Download the scored file", empty: "Paste a message first.", working: "Analyzing…", turn: "turn {n}",
    conditions: "Applies when", text_of_law: "Text", guidance: "regulatory guidance as reported, not the text of a law",
    rows: "rows", scored: "scored", errors: "errors", not_scored: "sent by you (not scored)", lang: "中文",
    context_label: "Posted where", ctx_private: "Private message / SMS", ctx_group: "Group chat",
    ctx_post: "Public post / Moments / comment",
    unsure: "Uncertain — read it yourself: no tag is clearly above its threshold.",
    by_context: "Decided by the context: a group or public message about a debt tells others (third-party contact).",
    by_conversation: "Decided by the conversation: short or uncertain, and its conversation never mentions a debt.",
  },
};
let lang = "zh";
let last = null;
const t = (k) => I18N[lang][k];


function applyLang() {
  document.documentElement.lang = lang === "zh" ? "zh-CN" : "en";
  document.querySelectorAll("[data-i18n]").forEach((e) => { e.textContent = t(e.dataset.i18n); });
  $("lang").textContent = t("lang");
  if (last) render(last.result, last.text);
}

function tagName(name) {
  const tag = TAG[name];
  return lang === "zh" ? `${tag.zh}（${name}）` : `${tag.en} (${name})`;
}

function highlight(text, evidence) {
  // one mark per character range, coloured by the most serious tag that covers it
  const owner = new Array(text.length).fill(null);
  for (const ev of evidence) {
    for (const p of ev.phrases) {
      for (let i = p.start; i < p.end && i < text.length; i++) {
        if (owner[i] === null || PRECEDENCE.indexOf(ev.tag) < PRECEDENCE.indexOf(owner[i])) owner[i] = ev.tag;
      }
    }
  }
  const box = $("highlighted");
  box.replaceChildren();
  let i = 0;
  while (i < text.length) {
    let j = i;
    while (j < text.length && owner[j] === owner[i]) j++;
    const piece = text.slice(i, j);
    if (owner[i]) {
      box.appendChild(el("mark", { class: `tag-${owner[i]}`, title: tagName(owner[i]), "data-tag": owner[i] }, piece));
    } else {
      box.appendChild(document.createTextNode(piece));
    }
    i = j;
  }
}

function render(r, text) {
  $("result").hidden = false;
  const v = $("verdict");
  const top = TAG[r.primary_label];
  v.style.background = top.color;
  v.replaceChildren(el("span", { class: "label", id: "primary-label", "data-label": r.primary_label }, tagName(r.primary_label)),
    el("span", {}, lang === "zh" ? top.verdict_zh : top.verdict_en));
  $("unsure").hidden = !r.unsure;
  const by = r.decided_by === "context" ? t("by_context") : r.decided_by === "conversation" ? t("by_conversation") : "";
  $("decided-by").textContent = by;
  $("decided-by").hidden = !by;
  const bars = $("bars");
  bars.replaceChildren();
  for (const tag of TAGS) {
    const p = r.scores[tag.name];
    const row = el("div", { class: "bar-row" + (r.tags.includes(tag.name) ? " on" : "") });
    row.appendChild(el("span", { class: "name" }, tagName(tag.name)));
    const bar = el("div", { class: "bar" });
    const fill = el("span");
    fill.style.width = `${Math.round(p * 100)}%`;
    fill.style.background = tag.color;
    bar.appendChild(fill);
    row.appendChild(bar);
    row.appendChild(el("span", {}, p.toFixed(2)));
    bars.appendChild(row);
  }
  highlight(text, r.evidence);
  const list = $("evidence-list");
  list.replaceChildren();
  for (const ev of r.evidence) {
    const where = ev.turn !== null ? `（${t("turn").replace("{n}", ev.turn + 1)}${ev.speaker ? " " + ev.speaker : ""}）` : "";
    list.appendChild(el("p", { class: "evidence" }, `${tagName(ev.tag)}${where}：${ev.phrases.map((p) => `「${p.text}」`).join(" ") || "—"}`));
  }
  renderProvisions(r);
  const adv = $("advice");
  adv.replaceChildren(...r.advice.steps.map((s) => el("li", {}, s)));
  $("channels").replaceChildren(...r.advice.channels.map((c) => el("li", {}, c.text)));
}

function provisionBox(p) {
  const d = el("details", { class: "provision", "data-id": p.id, "data-rank": String(p.rank || "") });
  const s = el("summary", {}, p.citation);
  if (p.group) s.appendChild(el("span", { class: "group" }, ` [${p.group}]`));
  if (p.kind === "guidance") s.appendChild(el("span", { class: "guidance" }, " " + t("guidance")));
  d.appendChild(s);
  if (p.why) d.appendChild(el("p", { class: "why" }, `${t("why")}：${p.why}`));
  d.appendChild(el("p", { class: "cond" }, `${t("conditions")}：${p.condition}`));
  d.appendChild(el("p", { class: "cond" }, `${p.law} · ${p.version} · ${p.effective_from}${p.effective_to ? " – " + p.effective_to : ""} · ${p.verification}`));
  d.appendChild(el("blockquote", {}, p.text));
  d.appendChild(el("p", { class: "cond" }, p.source));
  return d;
}

function renderProvisions(r) {
  // the first three (strongest first) open to read, the rest folded; a lawful reminder's basis apart
  const provs = $("provisions");
  const basis = r.legal_basis || [];
  $("provisions-heading").textContent = basis.length && r.provisions.length ? t("h_loan_terms") : t("h_provisions");
  provs.replaceChildren();
  r.provisions.slice(0, 3).forEach((p) => provs.appendChild(provisionBox(p)));
  if (r.provisions.length > 3) {
    const more = el("details", { class: "more-provisions" });
    more.appendChild(el("summary", {}, t("more").replace("{n}", r.provisions.length - 3)));
    r.provisions.slice(3).forEach((p) => more.appendChild(provisionBox(p)));
    provs.appendChild(more);
  }
  if (!r.provisions.length) provs.appendChild(el("p", { class: "cond" }, t("none")));
  $("basis-heading").hidden = !basis.length;
  $("legal-basis").replaceChildren(...basis.map(provisionBox));
}

async function analyze() {
  const text = $("text").value;
  $("error").hidden = true;
  if (!text.trim()) { $("error").textContent = t("empty"); $("error").hidden = false; return; }
  $("go").disabled = true;
  $("go").textContent = t("working");
  try {
    const body = { text };
    if ($("date").value) body.date = $("date").value;
    body.context = $("context").value;
    const res = await fetch("/api/classify", { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) });
    const data = await res.json();
    if (!res.ok) throw new Error(typeof data.detail === "string" ? data.detail : JSON.stringify(data.detail));
    last = { result: data.results[0], text };
    render(last.result, text);
  } catch (e) {
    $("error").textContent = String(e.message || e);
    $("error").hidden = false;
  } finally {
    $("go").disabled = false;
    $("go").textContent = t("analyze");
  }
}

async function upload(ev) {
  ev.preventDefault();
  $("upload-error").hidden = true;
  const file = $("file").files[0];
  if (!file) return;
  const form = new FormData();
  form.append("file", file);
  const col = $("text_column").value.trim();
  const url = "/api/batch" + (col ? `?text_column=${encodeURIComponent(col)}` : "");
  try {
    const res = await fetch(url, { method: "POST", body: form });
    if (!res.ok) { const d = await res.json(); throw new Error(d.detail); }
    const summary = JSON.parse(res.headers.get("X-Cuishou-Summary") || "{}");
    const blob = await res.blob();
    const name = (res.headers.get("Content-Disposition") || "").match(/filename="?([^";]+)"?/);
    const a = $("download");
    a.href = URL.createObjectURL(blob);
    a.download = name ? decodeURIComponent(name[1]) : "scored.csv";
    const table = $("summary");
    table.replaceChildren();
    const add = (k, v) => { const tr = el("tr"); tr.appendChild(el("th", {}, k)); tr.appendChild(el("td", {}, String(v))); table.appendChild(tr); };
    add(t("rows"), summary.rows); add(t("scored"), summary.scored); add(t("errors"), summary.errors);
    if (summary.not_scored) add(t("not_scored"), summary.not_scored);
    for (const name of PRECEDENCE) add(tagName(name), (summary.primary_label || {})[name] || 0);
    $("upload-result").hidden = false;
  } catch (e) {
    $("upload-error").textContent = String(e.message || e);
    $("upload-error").hidden = false;
  }
}

document.querySelectorAll(".tab").forEach((b) => b.addEventListener("click", () => {
  document.querySelectorAll(".tab, .panel").forEach((x) => x.classList.remove("active"));
  b.classList.add("active");
  $(b.dataset.tab).classList.add("active");
}));
$("lang").addEventListener("click", () => { lang = lang === "zh" ? "en" : "zh"; applyLang(); });
$("go").addEventListener("click", analyze);
$("text").addEventListener("keydown", (e) => { if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) analyze(); });
$("upload-form").addEventListener("submit", upload);
