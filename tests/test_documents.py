"""classify.ingest.documents: a corpus folder, its manifest and its files read as text, whatever their
encoding, and what is refused before it is kept."""

import logging

import pandas as pd
import pytest

from classify.ingest.documents import CorpusError, add_document, check_text, read_lines, read_manifest, safe_file_name

from conftest import invoke, write_corpus

TEXT = "加快建设国家实验室。\n設立天使投資母子基金。\n"


@pytest.mark.parametrize("codec", ["utf-8", "utf-8-sig", "gb18030", "gbk", "utf-16", "utf-16-le", "utf-16-be"])
def test_text_is_read_in_whatever_encoding_it_came_in(tmp_path, codec):
    """UTF-8, GB18030/GBK and UTF-16 files all read as the same text."""
    path = tmp_path / "doc.txt"
    path.write_bytes(TEXT.encode(codec))
    assert "".join(read_lines(path)).lstrip("\ufeff") == TEXT


def test_empty_and_binary_files_are_refused_with_their_name(tmp_path):
    """A file that is not text gets a one-line error naming it."""
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    binary = tmp_path / "image.txt"
    binary.write_bytes(bytes(range(256)) * 20)
    with pytest.raises(CorpusError, match="empty.txt: file is empty"):
        list(read_lines(empty))
    with pytest.raises(CorpusError, match="image.txt: binary file"):
        list(read_lines(binary))


def test_folder_without_manifest_takes_jurisdictions_from_file_names(tmp_path, caplog):
    """Any folder of .txt files can be ingested; the missing manifest is warned about."""
    folder = write_corpus(tmp_path / "c", {"杭州市.txt": TEXT, "苏州市.txt": TEXT})
    with caplog.at_level(logging.WARNING):
        docs = read_manifest(folder)
    assert [d.jurisdiction for d in docs] == ["杭州市", "苏州市"]
    assert "no manifest.csv" in caplog.text


def test_manifest_naming_a_missing_file_is_refused(tmp_path):
    """The error says which document and which file."""
    folder = write_corpus(tmp_path / "c", {}, "doc_id,file,jurisdiction\nd1,gone.txt,杭州市\n")
    with pytest.raises(CorpusError, match="doc d1 names missing file 'gone.txt'"):
        read_manifest(folder)


def test_manifest_cannot_reach_outside_its_folder(tmp_path):
    """A file name with ../ in it is refused rather than read."""
    (tmp_path / "secret.txt").write_text("秘密", encoding="utf-8")
    folder = write_corpus(tmp_path / "c", {}, "doc_id,file,jurisdiction\nd1,../secret.txt,杭州市\n")
    with pytest.raises(CorpusError, match="outside the corpus folder"):
        read_manifest(folder)


def test_manifest_sections_attach_to_their_document(tmp_path):
    """A section row gives part of a document to another jurisdiction."""
    manifest = ("doc_id,file,jurisdiction,parent,level,section_start,section_end\n"
                "d1,a.txt,成都市,四川省,city,,\nd1,a.txt,上海市,,municipality,上海经验,成都思考\n")
    folder = write_corpus(tmp_path / "c", {"a.txt": TEXT}, manifest)
    (doc,) = read_manifest(folder)
    assert doc.jurisdiction == "成都市" and doc.sections[0].jurisdiction == "上海市"


@pytest.mark.parametrize("name", ["../x.txt", "a/b.txt", "..", ".hidden.txt", "c:\\\\x.txt", ""])
def test_upload_names_with_folders_or_dots_are_refused(name):
    with pytest.raises(CorpusError, match="not a plain file name"):
        safe_file_name(name)


def test_added_document_joins_manifest_and_never_overwrites(tmp_path):
    """Keeping a document writes its file and one manifest row; a second of the same name changes nothing."""
    folder = write_corpus(tmp_path / "c", {"a.txt": TEXT}, "doc_id,file,jurisdiction\na,a.txt,甲市\n")
    add_document(folder, "b", "建设实验室。", "乙市", level="city", date="2024")
    docs = read_manifest(folder)
    assert [(d.doc_id, d.jurisdiction, d.level, d.date) for d in docs][-1] == ("b", "乙市", "city", "2024")
    before = (folder / "manifest.csv").read_bytes()
    with pytest.raises(CorpusError, match="already has a document"):
        add_document(folder, "b.txt", "别的内容。", "丙市")
    assert (folder / "manifest.csv").read_bytes() == before
    assert (folder / "b.txt").read_text(encoding="utf-8") == "建设实验室。"


@pytest.mark.parametrize("text", ["加快建设重点实验室\x01\x02\x03", "加快建设\x00重点实验室",
                                  "\x07" * 300 + "建设实验室。" * 3300 + "建设实验室。" * 100_000],
                         ids=["control characters", "one NUL", "1.5% early, 0.05% overall"])
def test_pasted_text_with_control_characters_is_refused_before_it_is_kept(tmp_path, text):
    """The app's paste and upload use the corpus reader's own check, over the opening and the whole."""
    with pytest.raises(CorpusError):
        check_text("pasted.txt", text)
    with pytest.raises(CorpusError):
        add_document(tmp_path / "corpus", "pasted.txt", text, "某市")
    assert not (tmp_path / "corpus" / "pasted.txt").exists()


def test_big5_text_is_decoded_as_big5_not_as_gb18030(tmp_path):
    """Traditional text saved in Big5 reads back as itself, not as GB18030 garbage."""
    text = "成都市科學技術局加快建設國家實驗室，設立天使投資母子基金，推進科技成果轉化。\n" * 5
    path = tmp_path / "big5.txt"
    path.write_bytes(text.encode("big5"))
    assert "".join(read_lines(path)) == text


def test_invalid_bytes_late_in_a_file_are_reported_where_they_are(tmp_path):
    """A broken byte after many good lines is reported at its line, not at byte 0."""
    path = tmp_path / "late.txt"
    path.write_bytes(("建设国家实验室。\n" * 20_000).encode("utf-8") + b"\xff\xfe broken\n")
    with pytest.raises(CorpusError, match=r"at byte 500,000 \(line 20001\)"):
        list(read_lines(path))


@pytest.mark.parametrize("codec", ["gb18030", "gbk", "utf-16"])
def test_gbk_and_utf16_documents_are_read_not_rejected(tmp_path, codec):
    """Chinese files in the encodings Windows tools write ingest like UTF-8 ones."""
    folder = tmp_path / "c"
    folder.mkdir()
    (folder / "杭州市.txt").write_bytes("加快建設國家實驗室。設立天使投資基金。".encode(codec))
    result = invoke("ingest", folder, "--output", tmp_path / "units.csv")
    assert result.exit_code == 0, result.output
    text = (tmp_path / "units.csv").read_text(encoding="utf-8")
    assert "加快建设国家实验室" in text and "设立天使投资基金" in text


def test_a_folder_laid_out_like_the_devset_is_ingested_with_its_jurisdictions(tmp_path):
    """A manifest without a `file` column finds docs/<doc_id>.txt and keeps the real place names."""
    folder = tmp_path / "others"
    write_corpus(folder / "docs", {"wuhu_2023.txt": "加快建设重点实验室。\n", "jinan_2023.txt": "设立科创基金。\n"})
    (folder / "manifest.csv").write_text("doc_id,jurisdiction,parent,level,date,title,source_url,script,chars\n"
                                         "wuhu_2023,芜湖市,安徽省,city,2023,t,u,simplified,10\n"
                                         "jinan_2023,济南市,山东省,city,2023,t,u,simplified,8\n", encoding="utf-8")
    result = invoke("ingest", str(folder), "-o", str(tmp_path / "units.csv"))
    assert result.exit_code == 0, result.output
    units = pd.read_csv(tmp_path / "units.csv")
    assert sorted(units["jurisdiction"].unique()) == ["济南市", "芜湖市"]
    elsewhere = tmp_path / "elsewhere.csv"
    elsewhere.write_text("doc_id,jurisdiction\nwuhu_2023,芜湖市\n", encoding="utf-8")
    result = invoke("ingest", str(folder), "--manifest", str(elsewhere),
                                       "-o", str(tmp_path / "one.csv"))
    assert result.exit_code == 0, result.output
    assert pd.read_csv(tmp_path / "one.csv")["jurisdiction"].unique().tolist() == ["芜湖市"]
