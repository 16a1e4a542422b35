// Helpers shared by the pages. Text is only ever inserted with textContent (message text is untrusted).
"use strict";

// Tag names, colours, plain-words verdicts, precedence and the stand-alone tags, from classifier/labels.py.
const DATA = JSON.parse(document.getElementById("tags-data").textContent);
const TAGS = DATA.tags;
const $ = (id) => document.getElementById(id);

function el(tag, attrs = {}, text = null) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  if (text !== null) e.textContent = text;
  return e;
}
