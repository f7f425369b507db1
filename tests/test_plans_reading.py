"""Reading uploaded plan files (txt, pdf, docx) and the pure tree/diff helpers of the plan area."""

import zipfile
from io import BytesIO

import pytest

from tests.plans_support import (
    SHAOXING,
    SMALL_PLAN,
    make_docx,
    make_scanned_pdf,
    make_text_pdf,
    read_sample,
)
from tracker.plans.diff import compare, indicator_fields, inline_diff
from tracker.plans.parser import parse_plan
from tracker.plans.reading import PlanFileError, read_plan_file
from tracker.plans.tree import flatten, parsed_from_dict, tree_from_flat

LIMIT = 1024 * 1024


def code_of(call) -> str:
    with pytest.raises(PlanFileError) as info:
        call()
    return info.value.code


# --- text files --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "data",
    [
        SMALL_PLAN.encode("utf-8"),
        b"\xef\xbb\xbf" + SMALL_PLAN.encode("utf-8"),
        SMALL_PLAN.encode("gb18030"),
        SMALL_PLAN.encode("utf-16"),  # Notepad's "Unicode", with its BOM
        SMALL_PLAN.replace("\n", "\r\n").encode("utf-8"),
    ],
    ids=["utf8", "utf8-bom", "gb18030", "utf16", "crlf"],
)
def test_text_files_in_every_usual_encoding_read_the_same(data):
    text = read_plan_file("plan.TXT", data, LIMIT)
    assert text.replace("\r\n", "\n") == SMALL_PLAN
    assert not text.startswith("\ufeff")


def test_empty_and_blank_files_are_refused_as_empty():
    assert code_of(lambda: read_plan_file("a.txt", b"", LIMIT)) == "empty"
    assert code_of(lambda: read_plan_file("a.txt", b" \n\r\n\t ", LIMIT)) == "empty"
    assert code_of(lambda: read_plan_file("a.pdf", b"", LIMIT)) == "empty"
    assert code_of(lambda: read_plan_file("a.txt", "\ufeff\u3000\n".encode(), LIMIT)) == "empty"


def test_binary_files_are_refused_whatever_their_name():
    png = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4
    assert code_of(lambda: read_plan_file("plan.txt", png, LIMIT)) == "binary"
    assert code_of(lambda: read_plan_file("plan.txt", b"abc\x00def" * 10, LIMIT)) == "binary"
    pdf_as_txt = make_text_pdf(SMALL_PLAN)
    assert code_of(lambda: read_plan_file("plan.txt", pdf_as_txt, LIMIT)) == "binary"
    controls = ("规划" + "\x01\x02\x03\x04\x05" * 3).encode()
    assert code_of(lambda: read_plan_file("plan.txt", controls, LIMIT)) == "binary"


def test_undecodable_text_is_refused():
    assert code_of(lambda: read_plan_file("a.txt", b"\x81\x20\xff\xfe\x80" * 20, LIMIT)) in (
        "not_utf8",
        "binary",
    )
    assert code_of(lambda: read_plan_file("a.txt", b"plan \x80\x80\x80 text", LIMIT)) == "not_utf8"


def test_size_limit_is_checked_before_anything_else():
    data = SMALL_PLAN.encode() * 10
    assert code_of(lambda: read_plan_file("a.txt", data, len(data) - 1)) == "too_large"
    assert read_plan_file("a.txt", data, len(data))


@pytest.mark.parametrize("name", ["plan.html", "plan.exe", "plan", "plan.txt.svg"])
def test_unsupported_types_are_refused(name):
    assert code_of(lambda: read_plan_file(name, SMALL_PLAN.encode(), LIMIT)) == "unsupported_type"


def test_an_old_word_file_is_named_as_such():
    # Word 97–2003 files get their own message (save as .docx), by name or by signature.
    assert code_of(lambda: read_plan_file("plan.doc", SMALL_PLAN.encode(), LIMIT)) == "legacy_doc"
    ole2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504)
    assert code_of(lambda: read_plan_file("plan", ole2, LIMIT)) == "legacy_doc"


# --- PDF ---------------------------------------------------------------------------------


def test_a_pdf_with_a_chinese_text_layer_reads_back_its_text():
    text = read_plan_file("plan.pdf", make_text_pdf(SMALL_PLAN, lines_per_page=6), LIMIT)
    assert "绍兴市测试工作“十四五”规划" in text
    assert "\f" in text  # page breaks survive as form feeds, which the parser ignores
    parsed = parse_plan(text)
    assert [n.title for n in parsed.nodes] == ["总体要求", "重点任务", "保障措施"]
    assert parsed.title == "绍兴市测试工作“十四五”规划"


def test_the_real_shaoxing_plan_survives_a_pdf_round_trip():
    sample = read_sample(SHAOXING)
    text = read_plan_file("shaoxing.pdf", make_text_pdf(sample), 10 * LIMIT)
    via_pdf, direct = parse_plan(text), parse_plan(sample)
    assert [n.code for n in flatten(via_pdf.nodes)] == [n.code for n in flatten(direct.nodes)]
    assert len(via_pdf.indicators) == len(direct.indicators) == 23


def test_a_scanned_pdf_has_no_text_layer():
    assert code_of(lambda: read_plan_file("scan.pdf", make_scanned_pdf(), LIMIT)) == "no_text_layer"


def test_a_damaged_pdf_is_refused_as_corrupt():
    broken = make_text_pdf(SMALL_PLAN)[:200]
    assert code_of(lambda: read_plan_file("plan.pdf", broken, LIMIT)) in (
        "corrupt",
        "no_text_layer",
    )
    assert code_of(lambda: read_plan_file("plan.pdf", b"hello, not a pdf", LIMIT)) == "corrupt"


# --- DOCX --------------------------------------------------------------------------------

INDICATOR_TABLE = [
    ["一级指标", "序号", "二级指标", "单位", "2020年实际值", "2025年目标值", "指标属性"],
    ["质量建设", "1", "制造业产品质量合格率", "%", "96.56", "不低于96", "约束性"],
    ["", "2", "农产品质量安全检测合格率", "%", "98.6", "不低于98", "约束性"],
    ["标准建设", "3", "主导制定国际标准数", "项", "[56]", "[100]", "预期性"],
    ["", "4", "完成全域无废城市建设", "/", "/", "完成", "预期性"],
]


def test_docx_paragraphs_and_an_indicator_table_are_read_in_order():
    head = "绍兴市测试“十四五”规划\n一、发展目标\n（一）主要指标。\n质量发展“十四五”规划主要指标"
    data = make_docx(head, INDICATOR_TABLE, merge_first_column=[(1, 2), (3, 4)])
    text = read_plan_file("plan.docx", data, LIMIT)
    assert text.index("（一）主要指标") < text.index("制造业产品质量合格率")
    parsed = parse_plan(text + "\n二、重点任务\n（一）任务一。内容。\n")
    assert [(i.number, i.category, i.kind) for i in parsed.indicators] == [
        (1, "质量建设", "floor"),
        (2, "质量建设", "floor"),
        (3, "标准建设", "cumulative"),
        (4, "标准建设", "milestone"),
    ]
    assert not parsed.warnings


def test_damaged_docx_and_zip_bombs_are_refused():
    assert code_of(lambda: read_plan_file("a.docx", b"PK\x03\x04 not really", LIMIT)) == "corrupt"
    buffer = BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("word/document.xml", b"\0" * (5 * 1024 * 1024))
    bomb = buffer.getvalue()
    assert len(bomb) < 100_000
    assert code_of(lambda: read_plan_file("a.docx", bomb, 100_000)) == "too_large"
    plain_zip = BytesIO()
    with zipfile.ZipFile(plain_zip, "w") as archive:
        archive.writestr("readme.txt", "hello")
    assert code_of(lambda: read_plan_file("a.docx", plain_zip.getvalue(), LIMIT)) == "corrupt"


# --- tree and diff (pure) ----------------------------------------------------------------


def test_codes_point_back_to_the_source_and_are_unique():
    flat = flatten(parse_plan(SMALL_PLAN).nodes)
    codes = [node.code for node in flat]
    assert codes[:3] == ["一", "一.(一)", "一.(二)"]
    assert {"二.1", "二.1.(1)", "二.1.(2)", "专栏1", "二.3", "三.(一)"} <= set(codes)
    assert len(codes) == len(set(codes))
    column = next(node for node in flat if node.kind == "column")
    assert column.parent_code == "二.2"


def test_parsed_json_round_trips():
    parsed = parse_plan(read_sample(SHAOXING))
    again = parsed_from_dict(parsed.to_dict())
    assert again.to_dict() == parsed.to_dict()
    assert [n.code for n in flatten(again.nodes)] == [n.code for n in flatten(parsed.nodes)]


def test_display_tree_keeps_the_hierarchy():
    roots = tree_from_flat(flatten(parse_plan(SMALL_PLAN).nodes))
    assert [root.code for root in roots] == ["一", "二", "三"]
    task = roots[1].children[0].children[0]
    assert task.code == "二.1" and [c.code for c in task.children] == ["二.1.(1)", "二.1.(2)"]


def test_compare_finds_added_removed_and_changed_nodes_and_indicators():
    old = parse_plan(SMALL_PLAN)
    revised = (
        SMALL_PLAN.replace("每年组织一次行动。", "每半年组织一次行动。").replace(
            "3．建设检验检测平台。建成检测中心三个。\n", ""
        )
        + "四、附则\n（一）本规划自印发之日起施行。\n"
    )
    new = parse_plan(revised)
    rows = [indicator_fields(i) for i in new.indicators]
    diff = compare(flatten(old.nodes), flatten(new.nodes), [], rows)
    assert [n.code for n in diff.added] == ["四", "四.(一)"]
    assert [n.code for n in diff.removed] == ["二.3"]
    assert [(c.code, c.fields) for c in diff.changed] == [("二.1.(1)", ["text"])]
    assert not diff.is_empty
    assert compare(flatten(old.nodes), flatten(old.nodes), [], []).is_empty


def test_inline_diff_marks_the_changed_characters():
    assert inline_diff("每年组织一次", "每半年组织一次") == [
        ("equal", "每"),
        ("insert", "半"),
        ("equal", "年组织一次"),
    ]
    assert inline_diff("", "") == []
