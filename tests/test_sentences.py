"""classify.ingest.sentences: documents cut into units (sentences and clauses) with stable ids."""

import pandas as pd

from classify.ingest.documents import Document, read_manifest
from classify.ingest.sentences import MAX_UNIT_CHARS, corpus_frame, document_units, split, unit_id

from conftest import PROJECT, invoke, write_corpus


def test_units_are_cut_at_stops_semicolons_and_question_marks():
    """The codebook's unit: a sentence or clause ended by 。!?;, without the stop itself."""
    assert split("一是建设实验室。二是设立基金;力争10亿元!是否可行?") == [
        "一是建设实验室", "二是设立基金", "力争10亿元", "是否可行"]


def test_enumeration_markers_stay_with_their_clause():
    """一是 / (一) / 1、 introduce the clause they belong to rather than standing alone."""
    assert split("(一)市级层面高位推动") == ["(一)市级层面高位推动"]
    assert split("1、聚焦打破科技创新壁垒。2、打出人才引育组合拳") == ["1、聚焦打破科技创新壁垒", "2、打出人才引育组合拳"]


def test_closing_quote_after_a_stop_stays_with_its_sentence():
    """A quotation ending in 。” does not leave a stray quote mark as the next unit."""
    assert split("他指出:“加快建设实验室。”随后部署工作") == ["他指出:“加快建设实验室。”", "随后部署工作"]


def test_run_on_text_is_capped_and_cut_at_commas():
    """A page without stops becomes units no longer than the cap, cut at commas where possible."""
    line = ",".join(["建设重点实验室"] * 200)
    units = split(line)
    assert all(len(u) <= MAX_UNIT_CHARS for u in units)
    assert "".join(units).replace(",", "") == line.replace(",", "")


def test_line_breaks_end_units(tmp_path):
    """A heading on its own line is its own unit even without a stop."""
    folder = write_corpus(tmp_path / "c", {"a.txt": "一、发展现状成效\n加快建设实验室。\n"})
    doc = Document("a", folder / "a.txt", "某市")
    assert [u.text for u in document_units(doc)] == ["一、发展现状成效", "加快建设实验室"]


def test_unit_id_survives_edits_elsewhere_in_the_document(tmp_path):
    """A label attached to a sentence stays attached when other sentences change."""
    before = write_corpus(tmp_path / "v1", {"a.txt": "第一句。建设国家实验室。最后一句。"})
    after = write_corpus(tmp_path / "v2", {"a.txt": "新加的开头。第一句改过了。建设国家实验室。最后一句。"})
    ids_before = {u.text: u.unit_id for u in document_units(Document("a", before / "a.txt", "某市"))}
    ids_after = {u.text: u.unit_id for u in document_units(Document("a", after / "a.txt", "某市"))}
    assert ids_before["建设国家实验室"] == ids_after["建设国家实验室"]
    assert ids_before["最后一句"] == ids_after["最后一句"]


def test_repeated_sentences_in_one_document_get_distinct_ids(tmp_path):
    """Two identical headings in one document are two units, the second marked -2."""
    folder = write_corpus(tmp_path / "c", {"d.txt": "一是加强领导。\n建设实验室。\n一是加强领导。\n"})
    ids = [u.unit_id for u in document_units(read_manifest(folder)[0])]
    assert ids[0] != ids[2] and ids[2] == ids[0] + "-2" and ids[0] == unit_id("d", "一是加强领导")


def test_traditional_document_gets_the_same_ids_as_its_simplified_twin(tmp_path):
    """Ids hash the normalised text, so the script a document came in does not matter."""
    folder = write_corpus(tmp_path / "c", {"t.txt": "籌建市委科技委員會。", "s.txt": "筹建市委科技委员会。"})
    trad = next(document_units(Document("d", folder / "t.txt", "某市")))
    simp = next(document_units(Document("d", folder / "s.txt", "某市")))
    assert trad.unit_id == simp.unit_id and trad.text == "筹建市委科技委员会"


def test_web_page_chrome_is_dropped(tmp_path):
    """Breadcrumbs, the site names they repeat, weather, toolbars and comment counters are not units."""
    page = ("江苏五分\n昆明: 多云 4℃~15℃\n当前位置: 江苏五分/昆明要闻\n昆明要闻\n"
            "加快推进科技创新中心建设\n 来源: 昆明日报 2021-11-30 08:27 字号: [ ]\n建设实验室。\n共有 0 条评论\n")
    folder = write_corpus(tmp_path / "c", {"p.txt": page})
    texts = [u.text for u in document_units(Document("p", folder / "p.txt", "昆明市"))]
    assert texts == ["加快推进科技创新中心建设", "建设实验室"]


def test_a_section_can_belong_to_another_jurisdiction():
    """Document 000's Shanghai section is Shanghai's; its opening and Chengdu section are Chengdu's."""
    units = corpus_frame(PROJECT.corpus)
    doc = units[units["doc_id"] == "000"].sort_values("position")
    def place_of(fragment):
        return doc.loc[doc["text"].str.contains(fragment), "jurisdiction"].item()

    assert place_of("建设张江、浦江、临港三大国家实验室") == "上海市"
    assert place_of("加快建设成德眉资创新共同体") == "成都市"
    assert doc.iloc[0]["jurisdiction"] == "成都市"
    shanghai = doc[doc["jurisdiction"] == "上海市"]
    assert shanghai.iloc[0]["text"].startswith("上海经验")
    assert shanghai.iloc[-1]["text"].startswith("强调智慧化应用场景牵引")


def test_bundled_corpus_yields_units_with_levels_and_parents():
    """Every unit of the bundled corpus carries its document, jurisdiction, level and position."""
    units = corpus_frame(PROJECT.corpus)
    assert len(units) > 300 and units["unit_id"].is_unique
    levels = units.groupby("jurisdiction")["level"].first().to_dict()
    assert levels == {"上海市": "municipality", "成都市": "city", "昆明市": "city", "沟渠区": "district",
                      "重庆市": "municipality"}
    assert units.loc[units["jurisdiction"] == "沟渠区", "parent"].unique().tolist() == ["成都市"]


def test_a_200000_character_line_without_punctuation_becomes_capped_units(tmp_path):
    """A page with no stops is cut into units of at most 400 characters, none lost."""
    line = "建设国家重点实验室" * 22_223
    folder = write_corpus(tmp_path / "c", {"long.txt": line[:200_000]})
    result = invoke("ingest", folder, "--output", tmp_path / "units.csv")
    assert result.exit_code == 0, result.output
    units = pd.read_csv(tmp_path / "units.csv", dtype=str, keep_default_na=False)
    assert units["text"].str.len().max() <= 400
    assert "".join(units["text"]) == line[:200_000]
