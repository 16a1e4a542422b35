"""Batch's fast path gives exactly what the general scoring path gives.

``run_batch`` writes through ``score_cells`` / ``_predict_cells`` (cells of a repeated normalized text built
once, statutes per row from cached reason codes); ``score_rows`` / ``_predict`` (report, review, Spark's
``score_texts``) build every row's cells from its own Prediction. The output files must be identical.
"""

import csv
import datetime as dt
import random
import unicodedata

import pandas as pd
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from classifier import config
from classifier.files.tabular import Writer, arrow_schema, output_format, parse_date, parse_datetime
from classifier.labels import HARASSMENT, LAWFUL_REMINDER, NOT_COLLECTION, THIRD_PARTY_CONTACT, THREAT
from classifier.legal import reasons
from classifier.schema import BATCH_COLUMNS, SCORE_COLUMNS, result_columns
from classifier.scoring.batch import run_batch
from classifier.scoring.core import _predict, _predict_cells, open_input, score_rows

SPECIAL = [
    '=HYPERLINK("http://x","点击")', "+86 138 1234 5678 还钱", "-5", "@所有人 他欠钱不还", "", "   ", "\t=1+1",
    "借款1500元到手1050，日息1%，714高炮，展期费", "x" * 20_050 + "再不还钱就去你家",
    "客服：您好\n用户：我没钱\n客服：再不还我们就上门", "你那笔714的砍头息借款，再不还出门小心点", "\u200b",
    "您好，您的账单已逾期３天，请还款１２３４.５６元", "abc\ufffd坏字节", "借了２０００到账只有１５００", "月息 5 毛，利滚利",
    "老赖，再不还钱就爆你通讯录，明天公安上门", "您的验证码是4821，5分钟内有效。", "😡还🔪钱",
]
DATES = ["2026-03-01 14:05", "2025年3月1日 下午2:05", "20250301", "1740809100", "", "not a date", "2019-12-31",
         "2021-01-01 00:00", "2026-13-01 10:00", "2026-02-30 24:61"]


def varied_export(path, n=400, seed=5, context=False):
    """Texts from the test split and hostile ones, names and amounts filled in (so normalized texts repeat
    with different originals and dates), formula cells in other columns, ragged, blank and short rows;
    senders repeat (conversations); with ``context``, a context column (some values unknown)."""
    rng = random.Random(seed)
    pool = pd.read_csv(config.PROCESSED_DIR / "test.csv", keep_default_na=False)["text"].tolist()[:300]
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["id", "date", "sender", "content", "tags", "note", *(["context"] if context else [])])
        for i in range(n):
            t = rng.choice(pool) if rng.random() < 0.7 else rng.choice(SPECIAL)
            if rng.random() < 0.4:
                t = t.replace("某某", rng.choice(["王伟", "李娜"])) + f" {rng.randint(100, 99_999)}元"
            w.writerow([i, rng.choice(DATES), f"1380000{rng.randint(0, 40):04d}", t, rng.choice(["", "=x", "a;b"]),
                        rng.choice(["", "-1,234.50", "+x"]),
                        *([rng.choice(["", "private", "group", "post", "群聊", "bogus"])] if context else [])])
        end = ",group" if context else ""
        f.write(f'9001,2026-01-01,1,"unquoted, comma, in text 你欠钱",,{end}\n')  # more fields than the header
        f.write("9002,2026-01-01\n")  # fewer: no text
        f.write("\n")
        f.write(f"9003,2026-01-01,1,再不还钱弄死你,,{end}\n")
    return path


def reference_batch(src_path, out, classifier, evidence="unlawful"):
    """What ``run_batch`` wrote before the fast path: ``score_rows`` (general path), one row at a time."""
    src = open_input(str(src_path))
    names = result_columns(src.columns)
    columns = list(src.columns) + names
    fmt = output_format(str(out), None)
    scores = tuple(n for n, c in zip(names, BATCH_COLUMNS, strict=True) if c in SCORE_COLUMNS)
    w = Writer(str(out), fmt, columns, schema=arrow_schema(columns, None, scores) if fmt == "parquet" else None)
    for row in score_rows(src, classifier, evidence=evidence):
        cells = list(row.cells.values())
        w.write(row.values + cells, raw=row.raw, extra=dict(zip(names, cells, strict=True)))
    w.close()


def _contents(path):
    if path.suffix == ".xlsx":
        from openpyxl import load_workbook

        return [list(r) for r in load_workbook(path, read_only=True).active.iter_rows(values_only=True)]
    if path.suffix == ".parquet":
        import pyarrow.parquet as pq

        return pq.read_table(path).to_pylist()
    return path.read_bytes()


@pytest.mark.parametrize("suffix", ["csv", "jsonl", "xlsx", "parquet", "context.csv"])
def test_fast_path_file_equals_the_general_path(small_classifier, tmp_path, suffix):
    src = varied_export(tmp_path / "in.csv", context=suffix.startswith("context"))
    run_batch(str(src), str(tmp_path / f"fast.{suffix}"), classifier=small_classifier)
    reference_batch(src, tmp_path / f"ref.{suffix}", small_classifier)
    fast, ref = _contents(tmp_path / f"fast.{suffix}"), _contents(tmp_path / f"ref.{suffix}")
    assert fast == ref
    if suffix.endswith("csv"):  # the file is not trivially equal: it has scored rows, statutes, errors and formulas
        with open(tmp_path / f"fast.{suffix}", encoding="utf-8-sig") as f:
            rows = list(csv.DictReader(f))
        assert len(rows) == 404
        assert any(r["statutes"] for r in rows) and any(r["evidence"] for r in rows)
        assert any(r["error"] for r in rows) and any(r["tags_cuishou"] for r in rows)
        assert any(r["content"].startswith("'=") for r in rows) and any(r["note"] == "-1,234.50" for r in rows)
        assert {r["unsure"] for r in rows} >= {"yes", "no"}
        if suffix.startswith("context"):
            assert {r["decided_by"] for r in rows} >= {"model", "context"}
            assert any("unknown context" in r["error"] for r in rows)


@pytest.mark.parametrize("evidence", ["all", "none"])
def test_fast_cells_equal_general_cells_for_every_evidence_scope(small_classifier, tmp_path, evidence):
    rng = random.Random(1)
    pool = pd.read_csv(config.PROCESSED_DIR / "test.csv", keep_default_na=False)["text"].tolist()[:200]
    texts = [rng.choice(pool + SPECIAL) for _ in range(300)] + [None, 5, 3.5]
    dates = [rng.choice([None, dt.date(2019, 1, 1), dt.date(2026, 3, 1)]) for _ in texts]
    contexts = [rng.choice(["private", "group", "post"]) for _ in texts]
    debt = [rng.choice([None, True, False]) for _ in texts]
    general = [cells for cells, _ in _predict(small_classifier, texts, dates, evidence, "fast", contexts, debt)]
    assert _predict_cells(small_classifier, texts, dates, evidence, contexts, debt) == general
    assert _predict_cells(small_classifier, texts, dates, evidence, contexts, debt) == general  # from the cache
    plain = [cells for cells, _ in _predict(small_classifier, texts, dates, evidence, "fast")]
    assert _predict_cells(small_classifier, texts, dates, evidence) == plain


def test_batch_summary_is_unchanged(small_classifier, tmp_path):
    src = varied_export(tmp_path / "in.csv", n=200)
    summary = run_batch(str(src), str(tmp_path / "o.csv"), classifier=small_classifier)
    rows = list(score_rows(open_input(str(src)), small_classifier))
    assert summary.rows == len(rows) and summary.scored == sum(bool(r.primary_label) for r in rows)
    assert dict(summary.tags) == {t: n for t in {t for r in rows for t in r.tags}
                                  if (n := sum(t in r.tags for r in rows))}
    assert summary.errors == sum(bool(r.error) for r in rows)


# --- the reason codes' shortcuts ----------------------------------------------------------------------

def reference_applicable(tags):
    """``reasons.applicable`` spelled out: every code for an unlawful tag, the debt terms for a lawful reminder."""
    if any(t in reasons.UNLAWFUL for t in tags):
        return reasons.REASONS
    return tuple(r for r in reasons.REASONS if r.family == reasons.DEBT) if LAWFUL_REMINDER in tags else ()


def reference_codes(text, norm, tags):
    """``reason_codes`` as it was: every applicable check, no shortcut."""
    if norm == "" and text:
        norm = unicodedata.normalize("NFKC", text).lower()
    assert reasons.applicable(tuple(tags)) == reference_applicable(tags)
    return tuple(r.code for r in reference_applicable(tags)
                 if (r.raw(text) if r.raw is not None else r.pattern is not None and r.pattern.search(norm)))


TAG_SETS = [(THREAT,), (LAWFUL_REMINDER,), (HARASSMENT, THIRD_PARTY_CONTACT), (NOT_COLLECTION,),
            (THIRD_PARTY_CONTACT, LAWFUL_REMINDER)]


def test_reason_codes_equal_the_plain_checks_on_the_corpus():
    from classifier.text.normalize_batch import normalize_many

    texts = pd.read_csv(config.PROCESSED_DIR / "test.csv", keep_default_na=False)["text"].tolist() + SPECIAL
    found = 0
    for text, norm in zip(texts, normalize_many(texts), strict=True):
        for tags in TAG_SETS:
            codes = reference_codes(text, norm, tags)
            found += bool(codes)
            assert reasons.reason_codes(text, norm, tags) == codes, (tags, codes)
    assert found > 100


PIECES = ["借", "借款", "到手", "到账", "放款", "扣", "砍头", "预扣", "714", "７１４", "7天", "七天到期", "高炮", "展期费",
          "日息", "月息", "年化", "利率", "是", "1", "15", "3.5", "０．５", "%", "％", "分", "毛", " ", "元", "，", "利滚利",
          "公安", "上门", "你家", "老赖", "通讯录", "凌晨", "p图", "a"]


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(PIECES), max_size=12))
def test_reason_codes_equal_the_plain_checks_on_generated_text(pieces):
    from classifier.text.normalize import normalize

    text = "".join(pieces)
    for tags in TAG_SETS:
        assert reasons.reason_codes(text, normalize(text), tags) == reference_codes(text, normalize(text), tags)


@settings(max_examples=400, deadline=None)
@given(st.lists(st.one_of(st.sampled_from(PIECES), st.text(max_size=3)), max_size=12))
def test_guarded_raw_hint_finds_what_the_plain_alternation_finds(pieces):
    text = "".join(pieces)
    assert reasons._ANY_RAW_HINT.pattern.startswith("(?=[")  # the guard is in place (else this tests nothing)
    fast, plain = reasons._ANY_RAW_HINT.search(text), reasons._ANY_RAW_HINT_PLAIN.search(text)
    assert (fast and fast.span()) == (plain and plain.span())


@pytest.mark.parametrize("hit", ["砍", "扣", "借款1500", "借3", "714", "７１４", "7天", "７天", "七天", "高炮", "展期费",
                                 "逾期费每天", "利滚利", "驴打滚", "高利贷", "日息1%", "月3分", "年化40％", "日是0．5毛"])
def test_guarded_raw_hint_finds_every_kind_of_hint(hit):
    for text in (hit, "您好，" + hit + "。", "x" * 50 + hit):
        fast, plain = reasons._ANY_RAW_HINT.search(text), reasons._ANY_RAW_HINT_PLAIN.search(text)
        assert plain is not None and fast is not None and fast.span() == plain.span()


def test_guarded_reason_patterns_find_what_the_patterns_find():
    """norm_codes searches each pattern behind its first-character guard: the same matches, on the corpus."""
    from classifier.text.normalize_batch import normalize_many

    texts = [t for split in ("test", "dev") for t in pd.read_csv(config.PROCESSED_DIR / f"{split}.csv",
                                                                 keep_default_na=False)["text"].tolist()]
    norms = [*normalize_many(texts + SPECIAL), "".join(PIECES), "，".join(PIECES[::-1])]
    found = set()
    for r in reasons.REASONS:
        if r.pattern is None:
            continue
        guarded = reasons._guarded(r)
        assert guarded.pattern.startswith("(?=[") or reasons._FIRST[r.code] is None
        for norm in norms:
            fast, plain = guarded.search(norm), r.pattern.search(norm)
            assert (fast and fast.span()) == (plain and plain.span()), (r.code, norm)
            if plain:
                found.add(r.code)
    assert len(found) > 12  # most patterns matched somewhere (else this tests little)


def test_first_char_guard_keeps_patterns_it_cannot_read():
    import re

    assert reasons._first_char_guard(re.compile(r"\d+天")).pattern == r"\d+天"
    assert reasons._first_char_guard(re.compile(r"a?b")).pattern == "(?=[ab])(?:a?b)"


@settings(max_examples=300, deadline=None)
@given(st.integers(0, 9999), st.integers(0, 99), st.integers(0, 99), st.integers(0, 99), st.integers(0, 99))
@example(2026, 2, 28, 24, 0)
@example(2026, 2, 28, 23, 60)
@example(2026, 2, 29, 23, 59)
@example(2024, 2, 29, 0, 0)
def test_iso_dates_read_as_before(y, m, d, hh, mm):
    s = f"{y:04d}-{m:02d}-{d:02d} {hh:02d}:{mm:02d}"
    assert parse_datetime(s) == parse_datetime(s + " x")  # the longer string takes the general path
    want, day = parse_datetime(s + " x"), parse_datetime(f"{s[:10]} 00:00 x")
    for _ in range(2):  # parse_date's day cache: the first call fills it, the second reads it
        assert parse_date(s) == (want.date() if want else None)
        assert parse_date(f"{s[:10]} 00:00") == (day.date() if day else None)


def test_date_cache_stays_bounded():
    from classifier.files import tabular

    for k in range(tabular._DAYS_MAX + 10):
        day = dt.date(2000, 1, 1) + dt.timedelta(days=k)
        assert parse_date(f"{day} 12:30") == day
    assert 0 < len(tabular._DAYS) <= tabular._DAYS_MAX


# --- reading: MixedLines decodes blocks of lines ---------------------------------------------------------

def reference_lines(data: bytes):
    """MixedLines as it was: every line decoded on its own."""
    import io

    from classifier.files import tabular

    ml = tabular.MixedLines(io.BytesIO(b""))
    out, first = [], True
    for line in io.BytesIO(data):
        if first:
            line = line.removeprefix(b"\xef\xbb\xbf")
            first = False
        text = ml._decode(line)
        out.extend(tabular._LONE_CR.split(text) if "\r" in text.rstrip("\r\n") else [text])
    return out, ml.stats


LINE_PIECES = ["还钱\n", "還錢\r\n", "abc\r", "\n", "逾期,3天\n", "x", "\"引号\n换行\"\n"]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(LINE_PIECES), st.sampled_from(["utf-8", "gb18030", "big5"])), max_size=12),
       st.booleans(), st.integers(1, 40), st.sampled_from([b"", b"\xe8\xbf", b"\xff"]))
def test_mixed_lines_read_in_blocks_as_line_by_line(pieces, bom, block, tail):
    import io

    from classifier.files import tabular

    data = (b"\xef\xbb\xbf" if bom else b"") + b"".join(t.encode(enc, errors="replace") for t, enc in pieces) + tail
    old = tabular.BLOCK_BYTES
    tabular.BLOCK_BYTES = block
    try:
        ml = tabular.MixedLines(io.BytesIO(data))
        lines = list(ml)
    finally:
        tabular.BLOCK_BYTES = old
    ref_lines, ref_stats = reference_lines(data)
    assert lines == ref_lines
    assert ml.stats == ref_stats


CSV_PIECES = ["还钱", "a", ",", '"', '""', "\x00", "\n", "\r\n", "\r", "逾期,3天", "=1+1", " "]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(CSV_PIECES), max_size=40), st.integers(1, 40), st.booleans())
def test_csv_rows_read_a_block_at_a_time_as_line_by_line(tmp_path_factory, pieces, block, gbk):
    """The CSV reader gets MixedLines' lines a block at a time, NULs and quotes counted per block: the same
    rows, errors, warnings and counts as counting and cleaning each line on its own."""
    from classifier.files import tabular

    path = tmp_path_factory.mktemp("blocks") / "in.csv"
    text = "id,content\n" + "".join(pieces)
    path.write_bytes(text.encode("gb18030" if gbk else "utf-8"))

    def read():
        try:
            src = tabular.open_source(str(path), delimiter=",")
        except tabular.InputError as e:  # too many NULs: a binary file, either way
            return str(e)
        rows = [(r.values, r.error, r.warning, r.ragged) for r in src.rows]
        return src.columns, rows, {k: src.stats[k] for k in ("nul_bytes", "quotes")}

    old = tabular.BLOCK_BYTES
    tabular.BLOCK_BYTES = block
    try:
        fast = read()
        counted = tabular._counted_lines
        tabular._counted_lines = tabular._counted_each  # every line on its own, as before
        try:
            reference = read()
        finally:
            tabular._counted_lines = counted
    finally:
        tabular.BLOCK_BYTES = old
    assert fast == reference


def test_statutes_cell_per_era_equals_the_cell_per_day():
    from classifier.legal.cite import cite, short_citations
    from classifier.legal.result import _boundaries, batch_statutes

    days = {dt.date(2010, 1, 1) + dt.timedelta(days=k) for k in range(0, 365 * 20, 9)}
    days |= {b + dt.timedelta(days=k) for b in _boundaries() for k in (-1, 0, 1)}
    cases = [((THREAT,), ("police_court_impersonation", "usury")), ((HARASSMENT, THIRD_PARTY_CONTACT), ("insult",)),
             ((LAWFUL_REMINDER,), ("short_term_714",)), ((LAWFUL_REMINDER,), ()), ((THIRD_PARTY_CONTACT,), ())]
    seen = set()
    for tags, codes in cases:
        for day in sorted(days):
            cell = batch_statutes(tags, codes, day)
            assert cell == short_citations(cite(tags, codes, day)[0]), (tags, codes, day)
            seen.add(cell)
    assert len(seen) > len(cases)  # the date does change some cells


@pytest.mark.parametrize("max_keys", [None, 3])
def test_debt_conversations_in_worker_processes_equal_one_process(tmp_path, monkeypatch, max_keys):
    import functools
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    from classifier.scoring import core

    if max_keys is not None:  # the bound reached: the same conversations are kept either way
        monkeypatch.setattr(core, "DebtConversations", functools.partial(core.DebtConversations, max_keys=max_keys))
    src = varied_export(tmp_path / "in.csv", n=600)
    one = core.debt_conversations(open_input(str(src)), None, chunk_rows=20)
    with ProcessPoolExecutor(2, mp_context=multiprocessing.get_context("fork")) as pool:
        many = core.debt_conversations(open_input(str(src)), core.Scorer(None, pool, 2), chunk_rows=20)
    assert len(one.keys) > 2 and many.keys == one.keys and many.full == one.full == (max_keys is not None)


@pytest.mark.parametrize("max_keys", [None, 3])
def test_debt_conversations_equal_every_row_noted(tmp_path, monkeypatch, max_keys):
    """The first pass (keys hashed once, known conversations skipped) keeps what noting every row keeps."""
    import functools

    from classifier.modeling import context
    from classifier.scoring import core

    make = functools.partial(context.DebtConversations, max_keys=max_keys) if max_keys else context.DebtConversations
    monkeypatch.setattr(core, "DebtConversations", make)
    src = varied_export(tmp_path / "in.csv", n=600)
    found = core.debt_conversations(open_input(str(src)), None, chunk_rows=20)
    whole = open_input(str(src))
    rows = [core.fix_width(r, len(whole.columns), whole.roles["text"], ",", {"repaired_rows": 0}) for r in whole.rows]
    rows = [r for r in rows if not r.error]
    conv, text = whole.roles["conversation"], whole.roles["text"]
    ref = context.index_conversations([core._cell(r, conv) for r in rows], [core._cell(r, text) for r in rows], make())
    assert len(found.keys) > 2 and found.keys == ref.keys and found.full == ref.full == (max_keys is not None)
    keys = [core._cell(r, conv) for r in rows] + ["", " ", None, 5, " 13800000001 "]
    assert [found.about_debt(k) for k in keys] == [ref.about_debt(k) for k in keys]


def test_conversation_key_hash_is_the_hash_add_debt_keeps():
    from classifier.modeling.context import DebtConversations

    found = DebtConversations()
    for key in ["13800000001", " 李经理 ", 42, "\u3000x"]:
        found.add_debt(key)
    assert found.keys == {DebtConversations.key_hash(k) for k in ["13800000001", "李经理", "42", "x"]}
    assert [DebtConversations.key_hash(k) for k in (None, "", "  ", "\u3000")] == [None] * 4


def test_cell_cache_keeps_the_recently_used_and_stays_bounded():
    from classifier.scoring.unique import CellCache

    cache = CellCache(items=4, min_items=2, max_items=8)

    def see(key: str) -> bool:  # as batch uses it: look up, add on a miss; True on a hit
        if cache.get(key) is not None:
            return True
        cache.put(key, key.upper())
        return False

    assert [see(k) for k in "abac"] == [False, False, True, False]
    assert [see(k) for k in "aad"] == [True, True, False]  # 4 additions, 3 hits in 7 lookups: grows to 8
    assert cache.cap == 8
    assert [see(k) for k in "efghia"] == [False] * 5 + [True]  # a, used again, stays; b went first
    assert see("b") is False and see("a") is True
    assert len(cache.items) <= cache.max_items
    for i in range(50):  # a file of distinct texts: no hits, so the cache shrinks to its floor
        see(f"x{i}")
        assert len(cache.items) <= 8
    assert cache.cap == 2 and list(cache.items) == ["x48", "x49"]
