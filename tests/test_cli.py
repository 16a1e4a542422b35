import json

from click.testing import CliRunner

from classifier.interfaces.cli import cli
from classifier.schema import SCHEMA_VERSION


def run(args, input=None):
    result = CliRunner().invoke(cli, args, input=input, catch_exceptions=False)
    return result


def test_every_command_has_help():
    for cmd in cli.commands.values():
        assert cmd.help and cmd.help.strip(), cmd.name
        r = run([cmd.name, "--help"])
        assert r.exit_code == 0


def test_classify_text_shows_labels_evidence_provisions_and_disclaimer():
    r = run(["classify", "再不还钱，明天就把你欠钱的事发给你通讯录里所有人"])
    assert r.exit_code == 0
    out = r.output
    assert "threat" in out and "third_party_contact" in out
    assert "依据 evidence" in out and "通讯录" in out
    assert "个人信息保护法第十条" in out and "为什么 why" in out
    assert "not legal advice" in out
    # the first three provisions only; the rest behind --full
    assert out.count("适用条件 applies when") == 3 and "--full" in out
    full = run(["classify", "--full", "再不还钱，明天就把你欠钱的事发给你通讯录里所有人"]).output
    assert "治安管理处罚法第五十条" in full and full.count("适用条件 applies when") > 3


def test_classify_lawful_reminder_shows_its_legal_basis_not_violations():
    r = run(["classify", "--json", "【某银行】您尾号1234的信用卡已逾期3天，请尽快还款。"])
    o = json.loads(r.output)
    assert o["primary_label"] == "lawful_reminder"
    assert o["provisions"] == [] and {p["id"] for p in o["legal_basis"]} >= {"民法典:675", "民法典:676"}
    out = run(["classify", "【某银行】您尾号1234的信用卡已逾期3天，请尽快还款。"]).output
    assert "合法依据" in out and "可能违反的规定" not in out


def test_legal_eval_command_reports_the_figures():
    r = run(["legal-eval"])
    assert r.exit_code == 0, r.output
    o = json.loads(r.output.splitlines()[0])
    assert o["tags"] == "gold" and o["messages"] >= 40
    assert o["top3_share"] >= 0.8 and o["messages_with_forbidden_citation"] == 0


def test_classify_stdin_one_per_line_and_json_schema():
    r = run(["classify", "--json", "-"], input="【某银行】您尾号1234的信用卡已逾期3天，请尽快还款。\n您的验证码是4821，5分钟内有效。\n")
    assert r.exit_code == 0
    objs = [json.loads(line) for line in r.output.splitlines() if line.strip()]
    assert len(objs) == 2
    for o in objs:
        assert o["schema_version"] == SCHEMA_VERSION
        for key in ("primary_label", "primary_label_zh", "tags", "scores", "evidence", "turns", "reasons",
                    "provisions", "advice", "disclaimer", "model", "error"):
            assert key in o
        assert len(o["scores"]) == 5
        assert "text" not in o  # the message itself is not echoed back
    assert objs[0]["primary_label"] == "lawful_reminder"
    assert objs[1]["primary_label"] == "not_collection"


def test_classify_whole_transcript_names_the_turn():
    transcript = ("催收员：您好，是王先生吗\n客户：是我\n催收员：您的借款已经逾期20天了，今天能处理吗\n客户：没钱\n"
                  "催收员：不处理的话明天我们就去你单位找你领导，让你同事都知道你欠钱不还\n客户：你敢")
    r = run(["classify", "--json", "--whole", "-"], input=transcript)
    o = json.loads(r.output)
    assert "third_party_contact" in o["tags"]
    turns = [e["turn"] for e in o["evidence"] if e["tag"] == "third_party_contact"]
    assert turns and turns[0] == 4
    assert len(o["turns"]) == 6 and o["turns"][1]["scored"] is False


def test_classify_date_picks_old_numbering():
    r = run(["classify", "--json", "--date", "2025-03-01", "你个老赖，今天第40个电话了"])
    o = json.loads(r.output)
    cites = [p["citation"] for p in o["provisions"]]
    assert any("第四十二条" in c for c in cites) and not any("治安管理处罚法第五十条" in c for c in cites)


def test_statutes_list_and_show():
    r = run(["statutes"])
    assert r.exit_code == 0 and "治安管理处罚法:50" in r.output and "刑法:293-1" in r.output
    r = run(["statutes", "治安管理处罚法:50"])
    assert "第五十条　有下列行为之一的" in r.output and "2026-01-01" in r.output
    r = CliRunner().invoke(cli, ["statutes", "nope"])
    assert r.exit_code == 1 and "no provision" in r.output


def test_untrusted_model_dir_is_a_clear_error(tmp_path):
    r = CliRunner().invoke(cli, ["classify", "--model", str(tmp_path), "还钱"])
    assert r.exit_code == 1 and "no model in" in r.output and "Traceback" not in r.output
