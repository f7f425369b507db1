"""The parser's general rules, each on a small excerpt in the shape real plans take (the real
plans in ../shared/plans are checked against their truth files in test_plans_truth.py)."""

from tracker.plans.parser import parse_plan


def shape(nodes, depth=0):
    """(depth, kind, number, title) of every node in document order."""
    out = []
    for node in nodes:
        out.append((depth, node.kind, node.number, node.title))
        out += shape(node.children, depth + 1)
    return out


def test_radicals_are_folded_before_headings_are_recognised():
    text = (
        "关于加强⽂物⼯作的意⻅\n⼀、总体要求\n（⼀）指导思想。坚持⼈⺠⾄上，⻓期坚持。\n"
        "⼆、主要任务\n（⼀）加强保护。做好⼯作。\n"
    )
    parsed = parse_plan(text)
    assert parsed.title == "关于加强文物工作的意见" or parsed.title == ""
    assert [(k, n, t) for _, k, n, t in shape(parsed.nodes)] == [
        ("chapter", "一", "总体要求"),
        ("section", "一", "指导思想"),
        ("chapter", "二", "主要任务"),
        ("section", "一", "加强保护"),
    ]
    assert "坚持人民至上，长期坚持。" in parsed.nodes[0].children[0].text


def test_table_of_contents_and_page_numbers_are_dropped():
    text = (
        "某某发展规划\n目 录\n一、现状与形势..........................1\n"
        "（一）发展基础.......................... 2\n二、重点任务......................3\n"
        "1\n一、现状与形势\n（一）发展基础\n近年来我市发展取得长足进步，各项事业全面推进，\n2\n"
        "各项指标稳步提升。\n二、重点任务\n（一）推进创新。加快发展。\n"
    )
    parsed = parse_plan(text)
    assert [n.title for n in parsed.nodes] == ["现状与形势", "重点任务"]
    section = parsed.nodes[0].children[0]
    assert section.text == "近年来我市发展取得长足进步，各项事业全面推进，各项指标稳步提升。"


def test_zhang_shifts_the_usual_kinds_down_and_pian_adds_a_part():
    text = (
        "某某五年规划纲要\n第一篇 总体要求\n第一章 发展基础\n一、成就\n（一）经济发展。稳中有进。\n"
        "第二章 指导思想\n一、思路\n第二篇 重点任务\n第三章 创新驱动\n一、科技创新\n"
        "（一）攻关。加强攻关。\n（二）平台。建设平台。\n二、人才\n"
    )
    parsed = parse_plan(text)
    assert shape(parsed.nodes) == [
        (0, "part", "一", "总体要求"),
        (1, "chapter", "一", "发展基础"),
        (2, "section", "一", "成就"),
        (3, "task", "一", "经济发展"),
        (1, "chapter", "二", "指导思想"),
        (2, "section", "一", "思路"),
        (0, "part", "二", "重点任务"),
        (1, "chapter", "三", "创新驱动"),
        (2, "section", "一", "科技创新"),
        (3, "task", "一", "攻关"),
        (3, "task", "二", "平台"),
        (2, "section", "二", "人才"),
    ]


def test_tasks_numbered_through_or_restarting_and_every_number_glyph():
    through = (
        "一、任务\n（一）甲\n1﹒任务一。内容。\n2．任务二。内容。\n"
        "（二）乙\n3.任务三。内容。\n4、任务四。内容。\n"
    )
    restart = (
        "一、任务\n（一）甲\n1.任务一。内容。\n2.任务二。内容。\n"
        "（二）乙\n1.任务三。内容。\n2.任务四。内容。\n"
    )
    for text in (through, restart):
        parsed = parse_plan(text)
        tasks = [t for _, k, _, t in shape(parsed.nodes) if k == "task"]
        assert tasks == ["任务一", "任务二", "任务三", "任务四"], text
        assert not parsed.warnings or "title" in parsed.warnings[0]


def test_tasks_straight_under_a_chapter_skip_the_section_level():
    parsed = parse_plan("一、任务\n1．任务一。内容。\n2．任务二。内容。\n二、保障\n")
    assert shape(parsed.nodes)[:3] == [
        (0, "chapter", "一", "任务"),
        (1, "task", "1", "任务一"),
        (1, "task", "2", "任务二"),
    ]


def test_column_variants_and_their_entries():
    text = (
        "一、重点任务\n（一）推进制造\n1．建设工厂。推动建设。\n"
        "专栏一 智能工厂工程\n1.示范工厂：建设示范工厂十家。\n2.智能车间：建设车间百个。\n"
        "2．发展软件。推动软件。\n"
        "专栏 2 工业软件行动\n01 研发设计类软件\n开发设计软件。\n"
        "02 生产制造类软件\n开发制造软件。\n"
        "（二）夯实基础\n3．完善设施。加快建设。\n"
        "专栏3 基础设施工程\n建设数据中心五个，部署基站一万个。\n"
        "（三）强化保障\n"
    )
    parsed = parse_plan(text)
    columns = [n for n in _walk(parsed.nodes) if n.kind == "column"]
    assert [(c.number, c.title) for c in columns] == [
        ("一", "智能工厂工程"),
        ("2", "工业软件行动"),
        ("3", "基础设施工程"),
    ]
    assert [(i.number, i.title) for i in columns[0].children] == [
        ("1", "示范工厂"),
        ("2", "智能车间"),
    ]
    assert [(i.number, i.title, i.text) for i in columns[1].children] == [
        ("01", "研发设计类软件", "开发设计软件。"),
        ("02", "生产制造类软件", "开发制造软件。"),
    ]
    assert columns[2].children == [] and "数据中心" in columns[2].text
    tasks = [n.title for n in _walk(parsed.nodes) if n.kind == "task"]
    assert tasks == ["建设工厂", "发展软件", "完善设施"]


def test_a_box_glued_to_the_next_paragraph_ends_there():
    text = (
        "一、重点任务\n（一）推进创新\n加强技术攻关。突破关键技术。\n专栏 1 技术攻关行动\n"
        "01 关键技术\n突破设计仿真等基础技术。 （二）深化应用，开拓新路径。\n"
        "建设示范工厂。推进建设。\n专栏 2 示范行动\n01 智能场景\n"
        "探索智能场景。 推进中小企业转型。实施行动。\n"
    )
    parsed = parse_plan(text)
    chapter = parsed.nodes[0]
    assert [n.title for n in chapter.children] == ["推进创新", "深化应用，开拓新路径"]
    second = chapter.children[1]
    # Both paragraphs open with a lead phrase: the section's unnumbered tasks, outside the box.
    tasks = [n for n in second.children if n.kind == "task"]
    assert [t.title for t in tasks] == ["建设示范工厂", "推进中小企业转型"]
    box = next(n for n in second.children if n.kind == "column")
    assert "推进中小企业转型" not in box.children[0].text


def test_pkulaw_headers_two_documents_and_attachment_lists():
    text = (
        "【法宝引证码】 CLI.12.1\n原文链接：https://www.pkulaw.com/lar/x.html\n"
        "某省人民政府办公厅关于印发若干政策和行动计划的通知\n（某政办〔2021〕8号）\n"
        "各市人民政府：\n现印发给你们，请认真贯彻执行。\n"
        "支持产业发展若干政策\n一、支持平台建设\n给予奖励。\n二、支持人才培养\n给予补贴。\n"
        "某省产业创新发展行动计划（2021-2023年）\n为推动发展，制定本计划。\n一、总体要求\n"
        "（一）指导思想\n坚持创新。\n二、重点任务\n（一）网络强基行动。\n1﹒建设外网。加快建设。\n"
        "2﹒改造内网。推进改造。\n三、保障措施\n（一）加强领导。建立机制。\n"
        "附件\n专项工作组名单\n组　长：某某 省长\n"
    )
    parsed = parse_plan(text)
    assert parsed.title == "某省产业创新发展行动计划（2021-2023年）"
    assert parsed.doc_number == "某政办〔2021〕8号"
    assert [n.title for n in parsed.nodes] == ["总体要求", "重点任务", "保障措施"]
    everything = " ".join(n.title + n.text for n in _walk(parsed.nodes))
    assert "法宝" not in everything and "组长" not in everything.replace("　", "")
    assert "支持平台建设" not in everything
    assert any("支持产业发展若干政策" in w for w in parsed.warnings)


def test_lost_opening_bracket_still_makes_a_section():
    parsed = parse_plan("一、总体要求\n一）指导思想。坚持创新。\n二）基本原则。坚持协调。\n")
    assert [(n.kind, n.title) for n in parsed.nodes[0].children] == [
        ("section", "指导思想"),
        ("section", "基本原则"),
    ]


def _walk(nodes):
    for node in nodes:
        yield node
        yield from _walk(node.children)


def test_bufen_is_the_chapter_level_or_a_part_above_zhang():
    alone = parse_plan(
        "第一部分 总体要求\n一、指导思想\n（一）坚持创新。\n第二部分 重点任务\n一、推进\n"
    )
    assert [(d, k, t) for d, k, _, t in shape(alone.nodes)] == [
        (0, "chapter", "总体要求"),
        (1, "section", "指导思想"),
        (2, "task", "坚持创新"),
        (0, "chapter", "重点任务"),
        (1, "section", "推进"),
    ]
    above = parse_plan("第一部分 总体\n第一章 基础\n第二章 思路\n第二部分 任务\n第三章 创新\n")
    assert [(d, k) for d, k, _, _ in shape(above.nodes)] == [
        (0, "part"),
        (1, "chapter"),
        (1, "chapter"),
        (0, "part"),
        (1, "chapter"),
    ]


def test_a_table_of_contents_without_leader_dots_is_dropped():
    text = (
        "某某发展规划\n目录\n一、现状与形势  1\n（一）发展基础  2\n二、重点任务  3\n5\n"
        "一、现状与形势\n（一）发展基础\n近年来发展较快。\n二、重点任务\n（一）推进创新。加快发展。\n"
    )
    untitled = text.replace("目录\n", "")
    for variant in (text, untitled):
        parsed = parse_plan(variant)
        assert [n.title for n in parsed.nodes] == ["现状与形势", "重点任务"], variant
        assert parsed.nodes[0].children[0].text == "近年来发展较快。"


def _indicators(table: str):
    parsed = parse_plan(
        f"某某规划\n一、发展目标\n{table}二、重点任务\n（一）加强保护。做好工作。\n"
    )
    assert [n.title for n in parsed.nodes] == ["发展目标", "重点任务"]
    return parsed


def test_indicator_grids_whatever_their_columns():
    parsed = _indicators(
        "类别\t指标\t单位\t2020年\t2025年\t年均/累计\t属性\n"
        "文化\t县级博物馆覆盖率（%）\t\t80\t≥95\t\t约束性\n"
        "\t非遗项目数\t项\t120\t〔10〕\t累计\t预期性\n"
        "\n3\n"
        "\t文物保护率（%）\t\t90\t3-5\t年均\t预期性\n"
    )
    rows = [(i.number, i.category, i.name, i.unit, i.target, i.kind) for i in parsed.indicators]
    assert rows == [
        (1, "文化", "县级博物馆覆盖率", "%", 95, "floor"),
        (2, "文化", "非遗项目数", "项", 10, "cumulative"),
        (3, "文化", "文物保护率", "%", "3-5", "target"),
    ]
    assert [i.attribute for i in parsed.indicators] == ["约束性", "预期性", "预期性"]


def test_indicator_grid_with_a_two_row_header_category_rows_and_a_2030_column():
    parsed = _indicators(
        "序号\t指标\t单位\t目标值\t\t\n"
        "\t\t\t2024年\t2030年\t2035年\n"
        "\t一、经济发展\t\t\t\t\n"
        "1\tGDP增速\t%\t5\t6\t5.5\n"
        "\t二、社会民生\t\t\t\t\n"
        "2\t城镇新增就业\t万人\t〔50〕\t〔55〕\t\n"
    )
    rows = [(i.category, i.name, i.baseline, i.target) for i in parsed.indicators]
    assert rows == [("经济发展", "GDP增速", 5, 6), ("社会民生", "城镇新增就业", 50, 55)]
    assert any("属性" in w for w in parsed.warnings)  # no attribute column: said, not guessed


def test_unnumbered_tasks_open_with_a_lead_phrase():
    parsed = parse_plan(
        "一、总体要求\n（一）基本原则\n坚持创新驱动。把科技自立自强作为战略支撑。\n"
        "坚持市场主导。发挥市场的决定性作用。\n"
        "二、重点任务\n（一）强化创新能力\n围绕创新链，部署以下任务。\n"
        "加强关键核心技术攻关。组织实施一批重大科技项目。（市科技局牵头，市经信局配合）\n"
        "建设高水平创新平台。支持企业建设技术中心。\n"
        "该平台面向中小企业开放。\n"
        "（二）优化营商环境\n持续深化改革，优化服务。\n"
    )
    nodes = shape(parsed.nodes)
    # Principles open with a short sentence too, but are never tasks.
    assert (1, "section", "一", "基本原则") in nodes and not any(
        n[3] == "坚持创新驱动" for n in nodes
    )
    tasks = [n for n in nodes if n[1] == "task"]
    assert tasks == [
        (2, "task", "1", "加强关键核心技术攻关"),
        (2, "task", "2", "建设高水平创新平台"),
    ]
    section = parsed.nodes[1].children[0]
    assert section.text == "围绕创新链，部署以下任务。"  # the lead-in stays the section's
    first, second = section.children
    assert first.responsibility["lead"] == ["市科技局"]
    assert "该平台面向中小企业开放" in second.text  # a plain paragraph belongs to the task above
    # One plain paragraph is prose, not a list of tasks.
    assert parsed.nodes[1].children[1].children == []
    assert any("unnumbered tasks" in w for w in parsed.warnings)
