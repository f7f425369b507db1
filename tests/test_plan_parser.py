"""Tests for the pure plan-text parser: the two real sample plans and small synthetic snippets."""

import json
import os
import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tracker.plans.indicator_table import chinese_numeral, parse_value
from tracker.plans.parser import Node, heading_candidate, parse_plan

PLANS = Path(os.environ.get("PLAN_SAMPLES_DIR", "/work/shared/plans"))
SHAOXING = PLANS / "shaoxing-quality-14th-fyp.txt"
ANHUI = PLANS / "anhui-climate-15th-fyp.txt"


def read_sample(path: Path) -> str:
    if not path.exists():
        pytest.skip(f"sample plan {path} not available (set PLAN_SAMPLES_DIR)")
    return path.read_text(encoding="utf-8")


# Page-number footers as they appear in extracted text.
FOOTER_RE = re.compile(r"(?m)^\s*[—\-一]*\s*\d{1,3}\s*[—\-一]*\s*$|一\d+一|— \d+ —")


def walk(nodes: list[Node]):
    """Every node of the tree, depth first."""
    for node in nodes:
        yield node
        yield from walk(node.children)


def child(node_or_nodes, number: str, kind: str | None = None) -> Node:
    """The child with this printed number (and kind, when numbers repeat across kinds)."""
    nodes = node_or_nodes if isinstance(node_or_nodes, list) else node_or_nodes.children
    matches = [n for n in nodes if n.number == number and (kind is None or n.kind == kind)]
    assert len(matches) == 1, f"{number} {kind}: {[(n.kind, n.number) for n in nodes]}"
    return matches[0]


def of_kind(node: Node, kind: str) -> list[Node]:
    return [n for n in node.children if n.kind == kind]


def numbers(nodes: list[Node]) -> list[str]:
    return [n.number for n in nodes]


# --- Shaoxing: the primary plan ---------------------------------------------------------------


@pytest.fixture(scope="module")
def shaoxing():
    return parse_plan(read_sample(SHAOXING))


@pytest.fixture(scope="module")
def key_tasks(shaoxing):
    return child(shaoxing.nodes, "三")


def test_shaoxing_title_and_doc_number_come_from_the_cover(shaoxing):
    assert shaoxing.title == "绍兴市质量发展“十四五”规划"
    assert shaoxing.doc_number == "绍政发〔2021〕19号"


def test_shaoxing_has_four_chapters(shaoxing):
    assert [(n.kind, n.number, n.title) for n in shaoxing.nodes] == [
        ("chapter", "一", "发展背景"),
        ("chapter", "二", "总体要求"),
        ("chapter", "三", "重点任务"),
        ("chapter", "四", "保障措施"),
    ]


def test_shaoxing_parses_without_warnings(shaoxing):
    assert shaoxing.warnings == []


def test_shaoxing_key_task_sections(key_tasks):
    assert [(n.kind, n.number, n.title) for n in key_tasks.children] == [
        ("section", "一", "深化“三个强市”建设，推动质量融合发展"),
        ("section", "二", "实施四大提升行动，提升质量供给水平"),
        ("section", "三", "健全质量基础设施，夯实质量技术支撑"),
        ("section", "四", "创新质量安全监管，严守质量安全底线"),
        ("section", "五", "探索质量社会共治，提升质量治理效率"),
    ]
    # A run-in section heading: the sentence after the title is the section's own text.
    assert child(key_tasks, "一").text == (
        "深化供给侧结构性改革，推进标准、质量、品牌建设及其融合发展，显著增强各领域价值创造"
        "能力，以质量提升推动城市竞争力向更高层次发展。"
    )


def test_shaoxing_tasks_1_to_16_numbered_through_the_sections(key_tasks):
    by_section = {s.number: numbers(of_kind(s, "task")) for s in key_tasks.children}
    assert by_section == {
        "一": ["1", "2", "3"],
        "二": ["4", "5", "6", "7"],
        "三": ["8", "9", "10"],
        "四": ["11", "12", "13"],
        "五": ["14", "15", "16"],
    }
    titles = [t.title for s in key_tasks.children for t in of_kind(s, "task")]
    assert titles == [
        "推进标准强市建设",
        "深化质量强市建设",
        "加快品牌强市建设",
        "产品质量提升行动",
        "工程质量提升行动",
        "服务质量提升行动",
        "环境质量提升行动",
        "推动质量基础提升",
        "加快标准化服务平台建设",
        "提升质量服务水平",
        "创新质量安全监管模式",
        "推进“监管+风险+信用”监管模式应用",
        "加大依法治质力度",
        "加强先进质量文化建设",
        "落实质量主体社会责任",
        "提升社会监督的有效性",
    ]


def test_shaoxing_has_25_items_under_the_key_tasks(key_tasks):
    items = [n for n in walk(key_tasks.children) if n.kind == "item"]
    assert len(items) == 25
    per_task = {
        t.number: numbers(of_kind(t, "item"))
        for s in key_tasks.children
        for t in of_kind(s, "task")
        if of_kind(t, "item")
    }
    assert per_task == {
        "1": ["1", "2", "3"],
        "2": ["1", "2", "3"],
        "3": ["1", "2", "3"],
        "4": ["1", "2", "3", "4"],
        "5": ["1", "2", "3"],
        "6": ["1", "2", "3", "4"],
        "7": ["1", "2", "3", "4", "5"],
    }
    first = child(child(child(key_tasks, "一"), "1"), "1")
    assert first.title == "强化标准创新引领作用"
    assert first.text.startswith("着力增强企业标准话语权意识，推动企业建立全员")
    assert first.text.endswith("提前布局未来标准中的必要专利，占据产业发展制高点。")


SHAOXING_COLUMNS = {
    # number: (title, path of the task / item it follows, start of text, end of text)
    "1": ("标准国际化专项行动", ("一", "1", "2"), "加快标准国际化建设", "提升国际标准话语权。"),
    "2": ("科技创新支撑工程", ("一", "2", "1"), "打造一批科技支撑平台。", "等一批项目落地。"),
    "3": ("质量管理标杆培育工程", ("一", "2", "2"), "贯彻落实新发展理念", "“零”的突破。"),
    "4": ("特色品牌提升行动", ("一", "3", "3"), "依托绍兴特色产业", "建设知名品牌集聚区。"),
    "5": ("打造“放心消费”行动升级版", ("二", "4", "2"), "加快放心消费全域覆盖", "无理由退货。"),
    "6": ("传统制造业“智造”转型", ("二", "4", "4"), "大力推动传统制造业", "普及率达到 80%。"),
    "7": ("深度发展装配式建筑与装修", ("二", "5", "3"), "到 2025年，装配式", "全国领先水平。"),
    "8": ("推进服务业重点工程建设", ("二", "6", "4"), "推进服务业试点建设。", "资金争取力度。"),
    "9": ("推进“无废城市”建设", ("二", "7", "5"), "推进全域“无废城市”建设。", "管理水平。"),
    "10": (
        "推动质量基础“一站式”服务平台建设",
        ("三", "9"),
        "加快培育建设一批特色鲜明",
        "累计建成 10家以上质量基础“一站式”服务平台。",
    ),
    "11": (
        "打造绍兴知识产权服务万亩千亿“一件事”平台",
        ("三", "10"),
        "围绕集成电路、高端生物医药",
        "等 3个“一件事”改革综合服务平台。",
    ),
    "12": (
        "压力容器压力管道风险防控“五个一”",
        ("四", "11"),
        "以上虞医药化工产业为重点",
        "向印染、建材、食品、橡胶等产业横向推广。",
    ),
}


def test_shaoxing_columns_1_to_12_with_titles_and_places(key_tasks):
    columns = [n for n in walk(key_tasks.children) if n.kind == "column"]
    assert numbers(columns) == [str(n) for n in range(1, 13)]
    for column in columns:
        title, path, start, end = SHAOXING_COLUMNS[column.number]
        parent = key_tasks
        for number in path:
            parent = child(parent, number)
        assert column.title == title
        assert column in parent.children, f"专栏{column.number} not under {path}"
        assert column.text.startswith(start), column.number
        assert column.text.endswith(end), column.number
        assert column.children == []


def test_shaoxing_column_text_is_complete_and_stops_at_the_next_heading(key_tasks):
    column_1 = next(n for n in walk(key_tasks.children) if n.kind == "column")
    assert column_1.text == (
        "加快标准国际化建设，加强顶层设计和市县统筹协调，推进全市标准国际化工作；进一步完善"
        "政策体系，加大对企事业单位为主或参与制（修）订国际标准和国外先进标准的奖励力度；加强"
        "对企业的技术支持，积极参与标准国际化活动，深化对标达标提升专项行动；将标准国际化工作"
        "纳入政府质量工作考核内容，加强目标任务考核。\n"
        "通过五年努力，完成为主或参与制（修）订国际标准 5个，提升国际标准话语权。"
    )
    every_title = {n.title for n in walk(key_tasks.children)}
    for column in (n for n in walk(key_tasks.children) if n.kind == "column"):
        for line in column.text.splitlines():
            assert heading_candidate(line) is None, (column.number, line)
        assert not any(t and t in column.text for t in every_title - {column.title})
    # The item after 专栏 1 continues its task's items instead of entering the 专栏.
    task_1 = child(child(key_tasks, "一"), "1")
    assert [(n.kind, n.number) for n in task_1.children] == [
        ("item", "1"),
        ("item", "2"),
        ("item", "3"),
    ]


def test_shaoxing_run_in_task_heading_splits_title_from_text(key_tasks):
    task_8 = child(child(key_tasks, "三"), "8")
    assert task_8.title == "推动质量基础提升"
    assert task_8.text.startswith("夯实质量技术支撑能力，构建与全市高质量发展水平相适应")
    assert "推动质量基础提升" not in task_8.text


def test_shaoxing_background_paragraphs_parse_as_tasks(shaoxing):
    background = child(shaoxing.nodes, "一")
    basis, outlook = background.children
    assert (basis.title, outlook.title) == ("现实基础", "面临形势")
    assert numbers(of_kind(basis, "task")) == ["1", "2", "3", "4", "5", "6"]
    assert numbers(of_kind(outlook, "task")) == ["1", "2", "3"]
    assert child(basis, "2").title == "产品质量水平稳步提高"
    # The “十三五” achievements box with its —— bullets stays in the section's own text.
    assert "“十三五”期间主要工作成效\n——质量考核全省领先\n省对市级政府" in basis.text
    assert "1．" not in basis.text
    principles = child(child(shaoxing.nodes, "二"), "二")
    assert [t.title for t in principles.children] == [
        "党管质量原则",
        "标准引领原则",
        "质量领先原则",
        "品牌领军原则",
        "创新驱动原则",
    ]


def test_shaoxing_lines_are_rejoined_across_wraps_and_page_breaks(shaoxing, key_tasks):
    energy = child(child(child(key_tasks, "二"), "7"), "2")
    assert "做好重点用能企业精准监管。到 2025年，初步构建清洁低碳" in energy.text
    standards = child(child(child(key_tasks, "一"), "1"), "3")
    assert "策划推进一批重大标准化项目，推动各方面工作标准化" in standards.text
    for node in walk(shaoxing.nodes):
        assert not FOOTER_RE.search(node.text)
        # Numbers at the start of a wrapped line ("2025年", "1000亿元") never become headings.
        assert not re.match(r"\d", node.title)


def test_shaoxing_cover_letter_and_colophon_stay_out_of_the_tree(shaoxing):
    texts = "\n".join(n.title + n.text for n in walk(shaoxing.nodes))
    assert "请认真贯彻执行" not in texts and "请认真贯彻执行" in shaoxing.preamble
    assert "抄送" not in texts and shaoxing.back_matter.startswith("抄送：")
    goals = child(child(shaoxing.nodes, "二"), "三")
    assert goals.text.endswith("提升质量共治体系建设水平。")  # the table is not text
    assert "序号" not in texts and "约束性" not in texts


# Every row checked by hand against the printed table.
# (number, category, name, unit, baseline, target, attribute, cumulative, kind)
SHAOXING_INDICATORS = [
    (1, "质量建设", "制造业产品质量合格率", "%", 96.56, 96, "约束性", False, "floor"),
    (2, "质量建设", "农产品质量安全检测合格率", "%", 98.6, 98, "约束性", False, "floor"),
    (3, "质量建设", "基本药物评价抽样合格率", "%", 100, 99.5, "约束性", False, "floor"),
    (4, "质量建设", "评价性食品抽检合格率", "%", 98.2, 98.5, "约束性", False, "floor"),
    (5, "质量建设", "装配式建筑占新建建筑比例", "%", 31.2, 40, "约束性", False, "floor"),
    (6, "质量建设", "服务业增加值", "亿元", 3070, 4300, "预期性", False, "target"),
    (7, "质量建设", "服务业劳动生产率", "万元/人", 22.6, 28.6, "预期性", False, "target"),
    (8, "质量建设", "城市空气质量优良天数比例", "%", 90.7, 90, "约束性", False, "floor"),
    (9, "质量建设", "完成全域“无废城市”建设", None, None, "完成", "预期性", False, "milestone"),
    (
        10,
        "质量建设",
        "完成国家生态文明建设示范市创建",
        None,
        None,
        "完成",
        "预期性",
        False,
        "milestone",
    ),
    (
        11,
        "标准建设",
        "为主新制（修）订国际标准、国家标准",
        "个",
        56,
        100,
        "预期性",
        True,
        "cumulative",
    ),
    (12, "标准建设", "新增“品字标浙江制造”标准", "个", 176, 200, "预期性", True, "cumulative"),
    (13, "标准建设", "新增企业标准“领跑者”", "项", 15, 40, "预期性", True, "cumulative"),
    (14, "标准建设", "新增标准化技术委员会", "个", 0, 3, "预期性", True, "cumulative"),
    (15, "品牌建设", "新增产业集群商标品牌", "件", 9, 10, "预期性", True, "cumulative"),
    (16, "品牌建设", "新申报地理标志", "件", 8, 10, "预期性", True, "cumulative"),
    (17, "品牌建设", "新增“品字标”品牌企业", "家", 119, 200, "预期性", True, "cumulative"),
    (
        18,
        "品牌建设",
        "中国质量奖、省政府质量奖获奖企业累计数全省排名",
        None,
        2,
        3,
        "预期性",
        False,
        "rank",
    ),
    (
        19,
        "品牌建设",
        "新增“鲁班奖”“国家优质工程奖”等国家级优质工程",
        "个",
        12,
        15,
        "预期性",
        True,
        "cumulative",
    ),
    (20, "创新驱动", "R&D经费支出占 GDP比重", "%", 2.8, 3.3, "预期性", False, "target"),
    (21, "创新驱动", "培育高新技术企业", "家", 1784, 3700, "预期性", True, "cumulative"),
    (22, "创新驱动", "每万人高价值发明专利拥有量", "件", 7.1, 17, "预期性", False, "target"),
    (
        23,
        "创新驱动",
        "完成国家级知识产权保护中心创建",
        "个",
        None,
        "完成",
        "预期性",
        False,
        "milestone",
    ),
]
INDICATOR_FIELDS = (
    "number",
    "category",
    "name",
    "unit",
    "baseline",
    "target",
    "attribute",
    "cumulative",
    "kind",
)


def test_shaoxing_23_indicators_exactly_as_printed(shaoxing):
    got = [tuple(i.to_dict()[f] for f in INDICATOR_FIELDS) for i in shaoxing.indicators]
    assert got == SHAOXING_INDICATORS
    # Numbers are numbers of the printed type, not strings.
    first, sixth = shaoxing.indicators[0], shaoxing.indicators[5]
    assert type(first.baseline) is float and type(first.target) is int
    assert type(sixth.baseline) is int and type(sixth.target) is int


def test_shaoxing_to_dict_is_the_json_contract(shaoxing):
    data = json.loads(json.dumps(shaoxing.to_dict(), ensure_ascii=False))
    assert set(data) == {"title", "doc_number", "nodes", "indicators", "warnings"}
    for node in data["nodes"]:
        assert set(node) == {"kind", "number", "title", "text", "children"}
    assert set(data["indicators"][0]) == set(INDICATOR_FIELDS)
    assert data["indicators"][8]["unit"] is None and data["indicators"][8]["baseline"] is None


# --- Anhui: numbered straight through, 专栏 without colon, OCR footers --------------------------


@pytest.fixture(scope="module")
def anhui():
    return parse_plan(read_sample(ANHUI))


CN = "一 二 三 四 五 六 七 八 九 十 十一 十二 十三 十四 十五 十六 十七 十八 十九 二十 二十一 二十二"


def test_anhui_has_ten_chapters(anhui):
    assert numbers(anhui.nodes) == CN.split()[:10]
    assert {n.kind for n in anhui.nodes} == {"chapter"}
    assert anhui.nodes[0].title == "总体目标"
    assert anhui.nodes[-1].title == "积极参与区域气候治理和国际合作"


def test_anhui_sections_are_numbered_straight_through(anhui):
    sections = [n for n in walk(anhui.nodes) if n.kind == "section"]
    assert numbers(sections) == CN.split()
    assert numbers(of_kind(anhui.nodes[2], "section")) == ["四", "五", "六"]
    assert sections[-1].title == "拓展气候领域国际合作"
    assert child(anhui.nodes, "一").children == []


def test_anhui_columns_and_their_numbered_entries(anhui):
    columns = [n for n in walk(anhui.nodes) if n.kind == "column"]
    assert [(c.number, c.title) for c in columns] == [
        ("1", "非二氧化碳温室气体管控工程"),
        ("2", "碳市场数智化监管能力建设工程"),
        ("3", "碳排放数字化管控与低碳示范创建工程"),
    ]
    sections = {n.number: n for n in walk(anhui.nodes) if n.kind == "section"}
    assert columns[0] in sections["六"].children
    assert columns[1] in sections["八"].children
    assert columns[2] in sections["十八"].children
    assert [(i.kind, i.number, i.title) for i in columns[0].children] == [
        ("item", "1", "甲烷综合治理工程"),
        ("item", "2", "电子信息制造业含氟温室气体替代减排工程"),
        ("item", "3", "电力系统六氟化硫替代减排工程"),
    ]
    assert [i.title for i in columns[1].children] == [
        "碳排放权交易市场数智化监管能力建设",
        "温室气体自愿减排项目监管服务能力建设",  # printed "(2）"
    ]
    assert [i.title for i in columns[2].children] == [
        "温室气体核算数智化建设工程",
        "低碳示范创建工程",
    ]


def test_anhui_column_1_is_whole_across_its_page_break(anhui):
    column_1 = next(n for n in walk(anhui.nodes) if n.kind == "column")
    last = column_1.children[-1]
    assert last.text == (
        "电力系统加强设备运行六氟化硫泄漏检测管控及应急处置技术研究，推进新型环保绝缘介质"
        "替代研究及应用；升级省级六氟化硫回收处理中心和国家电网电力设备油气介质实验室，攻关"
        "六氟化硫降解与资源化利用关键技术并开展产业化示范，打造全国电力行业六氟化硫减排标杆。"
    )
    assert column_1.text == ""
    # Nothing of the following chapter leaked into the 专栏.
    assert "积极参与全国碳市场建设" not in last.text


def test_anhui_no_footer_left_and_sentences_rejoined(anhui):
    for node in walk(anhui.nodes):
        assert not FOOTER_RE.search(node.text), (node.number, node.title)
        assert "\f" not in node.text
    section_1 = child(anhui.nodes[1], "一")
    assert "扩容风电、光伏等非化石能源，推进煤炭消费减量替代" in section_1.text
    section_12 = next(n for n in walk(anhui.nodes) if n.number == "十二")
    assert "开展重点行业领域气候风险动态评估" in section_12.text


def test_anhui_has_no_indicators_title_from_first_title_line(anhui):
    assert anhui.indicators == []
    assert anhui.title == "00101 省应对气候变化“十五五”规划"
    assert anhui.doc_number is None
    assert "制定本规划。" in anhui.preamble


def test_anhui_reports_the_stray_ocr_fragment(anhui):
    assert anhui.warnings == [
        "line 68: stray fragment '指导意见' kept in the text of （十四）筑牢自然生态系统适应韧性"
    ]
    section_14 = next(n for n in walk(anhui.nodes) if n.number == "十四")
    assert section_14.title == "筑牢自然生态系统适应韧性"
    assert section_14.text.startswith("指导意见\n完善全省水文监测站点布局")


# --- Synthetic snippets ---------------------------------------------------------------------

TITLE = "某市质量发展“十四五”规划\n"
BODY = "这是一段用于测试的正文内容，长度大约等于一整行的宽度，用来"  # a full printed line


def parse(body: str):
    """Parse a snippet under a title line, as every real plan has one."""
    plan = parse_plan(TITLE + body)
    assert plan.title == "某市质量发展“十四五”规划"
    return plan


def test_ascii_and_full_width_markers_and_mixed_brackets():
    plan = parse(
        "一、总体要求\n"
        "(一)主要任务\n"
        "1.推进标准建设。正文甲。\n"
        "（1）强化标准引领。正文乙。\n"
        "(2）提升标准水平。正文丙。\n"
        "2．深化质量建设。正文丁。\n"
        "(1)强化科技创新。正文戊。\n"
        "（二）保障措施\n"
        "二、附则\n"
    )
    assert plan.warnings == []
    chapter_1, chapter_2 = plan.nodes
    section_1, section_2 = chapter_1.children
    assert (section_1.kind, section_1.number, section_1.title) == ("section", "一", "主要任务")
    task_1, task_2 = section_1.children
    assert (task_1.kind, task_1.number, task_1.title, task_1.text) == (
        "task",
        "1",
        "推进标准建设",
        "正文甲。",
    )
    assert [(i.kind, i.number, i.title) for i in task_1.children] == [
        ("item", "1", "强化标准引领"),
        ("item", "2", "提升标准水平"),
    ]
    assert [(i.number, i.title) for i in task_2.children] == [("1", "强化科技创新")]
    assert (section_2.number, section_2.title) == ("二", "保障措施")
    assert (chapter_2.number, chapter_2.title) == ("二", "附则")


def test_column_with_and_without_colon():
    plan = parse(
        "一、重点任务\n"
        "1．推进标准建设。正文。\n"
        "专栏 1：标准国际化专项行动\n"
        "专栏内容一。\n"
        "2．深化质量建设。正文。\n"
        "专栏2 科技创新支撑工程\n"
        "专栏内容二。\n"
    )
    task_1, task_2 = plan.nodes[0].children
    assert [(c.kind, c.number, c.title, c.text) for c in task_1.children] == [
        ("column", "1", "标准国际化专项行动", "专栏内容一。")
    ]
    assert [(c.kind, c.number, c.title, c.text) for c in task_2.children] == [
        ("column", "2", "科技创新支撑工程", "专栏内容二。")
    ]


@pytest.mark.parametrize("footer", ["— 4 —", "-3", "一1一", "7", "-8-", "— 12"])
def test_page_footers_are_dropped_and_the_sentence_rejoined(footer):
    plan = parse(f"一、总体目标\n{BODY}\n{footer}\n\f\n 继续这一句话直到结束。\n")
    assert plan.nodes[0].text == BODY + "继续这一句话直到结束。"
    assert plan.warnings == []


def test_run_in_heading_title_is_up_to_the_first_full_stop():
    plan = parse(
        "一、重点任务\n"
        "1．推动质量基础提升。夯实质量技术支撑能力，构建与全市高质\n"
        "量发展水平相适应的质量基础支撑体系。做大做强检验检测。\n"
    )
    task = plan.nodes[0].children[0]
    assert (task.kind, task.number, task.title) == ("task", "1", "推动质量基础提升")
    assert task.text == (
        "夯实质量技术支撑能力，构建与全市高质量发展水平相适应的质量基础支撑体系。做大做强检验检测。"
    )


def test_column_split_by_a_page_break_ends_at_the_next_heading():
    plan = parse(
        "一、重点任务\n"
        "1．推进标准建设。正文。\n"
        "专栏 1：标准国际化专项行动\n"
        "加快标准国际化建设，加强顶层设计和市县统筹协调，推进全市标准\n"
        "— 5 —\n"
        "\f 国际化工作；完成国际标准 5个。\n"
        "2．深化质量建设。正文。\n"
    )
    task_1, task_2 = plan.nodes[0].children
    column = task_1.children[0]
    assert column.text == (
        "加快标准国际化建设，加强顶层设计和市县统筹协调，推进全市标准国际化工作；完成国际标准 5个。"
    )
    assert (task_2.number, task_2.title, task_2.text) == ("2", "深化质量建设", "正文。")


def test_heading_split_from_its_paragraph_by_a_page_break():
    plan = parse(
        "一、重点任务\n"
        "（一）实施提升行动\n"
        "1．环境质量提升行动\n"
        "— 9 —\n"
        "\f （1）提高制造业产品质量水平。深入实施质量提升行动，推\n"
        "-10-\n"
        "\f 动制造业产品“增品种、提品质、创品牌”。\n"
    )
    section = plan.nodes[0].children[0]
    task = section.children[0]
    assert (task.number, task.title, task.text) == ("1", "环境质量提升行动", "")
    item = task.children[0]
    assert item.title == "提高制造业产品质量水平"
    assert item.text == "深入实施质量提升行动，推动制造业产品“增品种、提品质、创品牌”。"


def test_numbers_inside_sentences_are_not_headings():
    plan = parse(
        "一、总体目标\n"
        "到本规划期末全市服务业增加值达到预期目标，计划到\n"
        "2025年，服务业增加值达到 4300亿元，累计投资超过\n"
        "1000亿元，工业增加值增速 3.5%左右，第一产业占比\n"
        "2.5%，较上年提高 1.2个百分点。\n"
    )
    chapter = plan.nodes[0]
    assert chapter.children == []
    assert "到2025年" in chapter.text and "超过1000亿元" in chapter.text
    assert "占比2.5%" in chapter.text and "\n" not in chapter.text
    assert plan.warnings == []


def test_in_sequence_number_continuing_a_sentence_stays_text_with_a_warning():
    plan = parse(f"一、总体目标\n{BODY}下列各项中的第\n1．条适用本规划。\n")
    assert plan.nodes[0].children == []
    assert "下列各项中的第1．条适用本规划。" in plan.nodes[0].text
    assert len(plan.warnings) == 1 and "continues the previous line" in plan.warnings[0]


def test_out_of_sequence_heading_is_kept_as_text_with_a_warning():
    plan = parse(
        "一、重点任务\n"
        "1．第一项任务。正文。\n"
        "2．第二项任务。正文。\n"
        "5．这一行看起来像标题。但编号不连续。\n"
        "3．第三项任务。正文。\n"
    )
    tasks = plan.nodes[0].children
    assert numbers(tasks) == ["1", "2", "3"]
    assert tasks[1].text == "正文。\n5．这一行看起来像标题。但编号不连续。"
    assert len(plan.warnings) == 1
    assert "line 5" in plan.warnings[0] and "does not follow 3" in plan.warnings[0]


def test_an_excerpt_may_start_mid_plan_with_a_warning():
    plan = parse(
        "三、重点任务\n8．推动质量基础提升。夯实质量技术支撑能力。\n9．加快平台建设。正文。\n"
    )
    assert numbers(plan.nodes) == ["三"]
    assert [(t.number, t.title) for t in plan.nodes[0].children] == [
        ("8", "推动质量基础提升"),
        ("9", "加快平台建设"),
    ]
    assert plan.warnings == [
        "line 2: chapter numbering jumps to 三 (expected 1) under the top level",
        "line 3: task numbering jumps to 8 (expected 1) under 三、",
    ]


def test_a_skipped_number_is_accepted_when_the_next_heading_follows_it():
    plan = parse(
        "一、重点任务\n1．第一项。正文。\n2．第二项。正文。\n4．第四项。正文。\n5．第五项。正文。\n"
    )
    assert numbers(plan.nodes[0].children) == ["1", "2", "4", "5"]
    assert len(plan.warnings) == 1 and "jumps to 4" in plan.warnings[0]


def test_sections_may_restart_per_chapter_or_run_straight_through():
    per_chapter = parse("一、甲\n（一）子一\n（二）子二\n二、乙\n（一）子三\n")
    straight = parse("一、甲\n（一）子一\n（二）子二\n二、乙\n（三）子三\n")
    assert numbers(per_chapter.nodes[1].children) == ["一"]
    assert numbers(straight.nodes[1].children) == ["三"]
    assert per_chapter.warnings == straight.warnings == []


def test_column_entries_become_children_but_the_tasks_next_item_does_not():
    plan = parse(
        "一、重点任务\n"
        "1．推进标准建设\n"
        "（1）强化标准引领。正文。\n"
        "专栏 1：专项行动\n"
        "(1) 甲工程。内容甲。\n"
        "(2) 乙工程。内容乙。\n"
        "（2）提升标准水平。正文。\n"
    )
    task = plan.nodes[0].children[0]
    item_1, item_2 = task.children
    column = item_1.children[0]
    assert [(i.number, i.title, i.text) for i in column.children] == [
        ("1", "甲工程", "内容甲。"),
        ("2", "乙工程", "内容乙。"),
    ]
    assert (item_2.number, item_2.title) == ("2", "提升标准水平")


def test_indicator_table_with_wrapped_cells_and_interleaved_categories():
    plan = parse(
        "一、发展目标\n"
        "主要指标\n"
        "一级\n指标\n序号 二级指标 单位\n2020年\n实际值\n2025年\n目标值\n指标\n属性\n"
        "1 产品合格率 % 96.5 不低于 96 约束性\n"
        " 质量\n建设\n"
        "2 城市排名 / 第三 前二 预期性\n"
        "3\n新增国际标准、国家\n标准\n个 [5] [10] 预期性\n"
        "品牌\n建设\n"
        "4 完成示范区创建 / / 完成 预期性\n"
        "5 研发投入 亿元 12 约束性\n"
        "注：带[ ]为五年累计数。\n"
        "二、重点任务\n"
    )
    assert numbers(plan.nodes) == ["一", "二"]
    assert plan.nodes[0].text == ""  # the table is read, not kept as text
    rows = [i.to_dict() for i in plan.indicators]
    assert [(r["number"], r["category"], r["name"], r["kind"]) for r in rows] == [
        (1, "质量建设", "产品合格率", "floor"),
        (2, "质量建设", "城市排名", "rank"),
        (3, "质量建设", "新增国际标准、国家标准", "cumulative"),
        (4, "品牌建设", "完成示范区创建", "milestone"),
    ]
    assert (rows[0]["baseline"], rows[0]["target"]) == (96.5, 96)
    assert (rows[1]["unit"], rows[1]["baseline"], rows[1]["target"]) == (None, 3, 2)
    assert (rows[2]["baseline"], rows[2]["target"], rows[2]["cumulative"]) == (5, 10, True)
    assert (rows[3]["baseline"], rows[3]["target"]) == (None, "完成")
    # Row 5 lacks a value cell: not guessed, reported with its text.
    assert len(plan.warnings) == 1
    assert "indicator 5" in plan.warnings[0] and "研发投入 亿元 12 约束性" in plan.warnings[0]


@pytest.mark.parametrize(
    ("cell", "value", "flags"),
    [
        ("96.56", 96.56, set()),
        ("4300", 4300, set()),
        ("[56]", 56, {"cumulative"}),
        ("不低于 96", 96, {"floor"}),
        ("不低于99.5", 99.5, {"floor"}),
        ("第二", 2, {"rank"}),
        ("前三", 3, {"rank"}),
        ("/", None, set()),
        ("完成", "完成", {"milestone"}),
        ("约3成", "约3成", {"unknown"}),
    ],
)
def test_indicator_values(cell, value, flags):
    assert parse_value(cell) == (value, flags)


@pytest.mark.parametrize(
    ("text", "value"), [("一", 1), ("十", 10), ("十二", 12), ("二十二", 22), ("7", 7), ("甲", 0)]
)
def test_chinese_numerals(text, value):
    assert chinese_numeral(text) == value


def test_text_without_headings_returns_no_nodes_and_a_warning():
    plan = parse_plan("这是一段没有任何标题的文字。\n它只有两行。\n")
    assert plan.nodes == [] and plan.indicators == []
    assert plan.warnings == [
        "no headings recognised: the whole text is kept as preamble",
        "no plan title found before the first heading",
    ]
    assert "它只有两行。" in plan.preamble


@pytest.mark.parametrize("text", ["", "   \n\n\f  \n", None, b"\x00\x01"])
def test_empty_or_odd_input_returns_a_warning(text):
    plan = parse_plan(text)
    assert plan.nodes == [] and plan.title == "" and plan.doc_number is None
    assert plan.warnings == ["the text is empty"]


def test_title_from_cover_letter_and_doc_number_variants():
    plan = parse_plan(
        "浙江省人民政府办公厅文件\n浙政办发[2022]5 号\n"
        "关于印发《某市数字经济发展规划》的通知\n一、总体要求\n正文。\n"
    )
    assert plan.title == "某市数字经济发展规划"
    assert plan.doc_number == "浙政办发[2022]5号"


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            [
                "一、标题",
                "（二）节",
                "(1) 项。文",
                "3．任务。文",
                "专栏 1：栏",
                "— 4 —",
                "\f",
                "",
                "1 指标 % 1 2 约束性",
                "序号 二级指标",
                "2025年",
                "正文。",
                BODY,
                "注：说明",
            ]
        )
        | st.text(max_size=40),
        max_size=40,
    )
)
def test_parser_never_fails_on_odd_text(lines):
    plan = parse_plan("\n".join(lines))
    assert not any(w.startswith("parser failed") for w in plan.warnings)
    json.dumps(plan.to_dict(), ensure_ascii=False)
