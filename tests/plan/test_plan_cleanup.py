from plan.cleanup import clean, clean_lines, ends_sentence, is_damaged, join


def test_it_removes_spaces_inside_words_of_a_damaged_text():
    text = "市 政府新闻办公室召开政策例行吹风 会。出 台行业专项规划,提 升农村服务网络。"
    (block,) = clean(text)
    assert block.text == "市政府新闻办公室召开政策例行吹风会。出台行业专项规划，提升农村服务网络。"


def test_it_keeps_spaces_of_an_undamaged_text_and_between_latin_words():
    assert not is_damaged("《加强基础研究 增强高质量发展新动能的若干措施》")
    (block,) = clean("《加强基础研究 增强高质量发展新动能的若干措施》")
    assert " 增强" in block.text
    (damaged,) = clean("出 台 规 划 和 提 升 网 络 支持 AI 4S 建设")
    assert "AI 4S" in damaged.text


def test_it_makes_ascii_punctuation_full_width_next_to_chinese():
    (block,) = clean('建立公安、交通运输、应急等多部门联动机制;"快递进厂"(试点),1,000家')
    assert block.text == '建立公安、交通运输、应急等多部门联动机制；"快递进厂"（试点），1,000家'


def test_it_joins_a_sentence_split_across_a_blank_line_and_maps_each_part_back():
    text = "强化行业规划引领。重点是坚持\n\n规划先导,出台行业专项规划。\n"
    (block,) = clean(text)
    assert block.text == "强化行业规划引领。重点是坚持规划先导，出台行业专项规划。"
    assert block.span().first == 1 and block.span().last == 3
    at = block.text.index("规划先导")
    assert block.span(at, at + 4).first == 3
    assert block.span(0, 4).last == 1


def test_it_keeps_a_kicker_and_a_finished_paragraph_apart():
    text = "明确4类14项重点任\n\n强化行业规划引领。重点是坚持\n\n规划先导。\n\n下一段。"
    blocks = clean(text)
    assert [b.text for b in blocks] == [
        "明确4类14项重点任",
        "强化行业规划引领。重点是坚持规划先导。",
        "下一段。",
    ]


def test_a_known_title_starts_a_new_paragraph_even_after_an_unfinished_one():
    lines = clean_lines("完善城市末端配送，纳入便民工程等项目\n\n产业融合方面。重点是赋能农业。")
    assert len(join(lines)) == 1
    assert len(join(lines, ["产业融合方面"])) == 2


def test_a_short_title_sentence_starts_a_new_paragraph():
    text = (
        "新建小区应设置服务场所，纳入便民工程等项目\n\n"
        "深化产业融合创新。重点是给予政策\n\n支持。保障通行。"
    )
    assert [b.text for b in join(clean_lines(text))] == [
        "新建小区应设置服务场所，纳入便民工程等项目",
        "深化产业融合创新。重点是给予政策支持。保障通行。",
    ]


def test_it_joins_a_hard_wrapped_clause_but_not_numbered_headings():
    text = "1.推进村级站点建设。（牵头单位：市供销社；配合单位：市商\n务局）\n2.加大资金支持。"
    blocks = clean(text)
    assert [b.text for b in blocks] == [
        "1.推进村级站点建设。（牵头单位：市供销社；配合单位：市商务局）",
        "2.加大资金支持。",
    ]
    assert blocks[0].span().last == 2


def test_it_reads_markdown_headings_and_bold_and_indentation():
    text = "# 标题\n\n**一、主要目标**\n\n　　到2025年，建成3个园区。\n---\n"
    blocks = clean(text)
    assert [(b.text, b.md, b.bold) for b in blocks] == [
        ("标题", 1, False),
        ("一、主要目标", 0, True),
        ("到2025年，建成3个园区。", 0, False),
    ]
    assert blocks[1].heading_level == "l1"


def test_sentence_ends():
    assert ends_sentence("予以保障。")
    assert ends_sentence("（责任单位：市科委）")
    assert not ends_sentence('推进"快递进厂"')
    assert not ends_sentence("给予政策")


def test_line_numbers_count_crlf_and_lone_cr_like_an_editor():
    (a, b) = clean("第一段。\r\n\r\n第二段。")
    assert (a.first, b.first) == (1, 3)
    (c, d) = clean("第一段。\r\r第二段。")
    assert (c.first, d.first) == (1, 3)


def test_a_numbered_heading_line_stands_alone():
    blocks = clean("一、主要目标\n\n到2027年，新增注册证超500件。\n\n（一）完善网络\n\n建设站点。")
    assert [b.text for b in blocks] == [
        "一、主要目标",
        "到2027年，新增注册证超500件。",
        "（一）完善网络",
        "建设站点。",
    ]
