"""Readers by format: PDF, DOCX and HTML made at run time from the bundled corpus give the units of its .txt."""

import difflib
import shutil
from pathlib import Path

import pytest

from classify.ingest.documents import Document, safe_file_name
from classify.ingest.readers import join_wrapped, read_file
from classify.ingest.sentences import document_units, units_frame
from classify.tables import read_table

from conftest import PROJECT, invoke
from made_files import FOOTER, NAV, make_docx, make_encrypted_pdf, make_html, make_pdf, make_scanned_pdf

TEXTS = sorted(PROJECT.corpus.glob("*.txt"))
CHONGQING = next(path for path in TEXTS if path.name.startswith("002"))


def lines_of(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").splitlines()


def units_of(path: Path) -> list[str]:
    return [unit.text for unit in document_units(Document(doc_id="d", path=path, jurisdiction="J"))]


def identical_share(expected: list[str], got: list[str]) -> float:
    """The share of the expected units found, in order, among the units got."""
    blocks = difflib.SequenceMatcher(a=expected, b=got, autojunk=False).get_matching_blocks()
    return sum(block.size for block in blocks) / len(expected)


@pytest.mark.parametrize("text", TEXTS, ids=lambda path: path.name[:3])
def test_a_typeset_pdf_gives_the_units_of_its_txt(tmp_path, text):
    """A PDF typeset from a corpus text (wrapped lines, centred title, page numbers) has ≥ 95% of its units."""
    pdf = make_pdf(lines_of(text), tmp_path / "document.pdf")
    assert read_file(pdf).reader == "pdfplumber"
    assert identical_share(units_of(text), units_of(pdf)) >= 0.95


def test_wrapped_pdf_lines_are_joined_and_headings_and_page_numbers_are_not():
    """A line reaching the right edge continues on the next; a short line ends its paragraph; '- 2 -' goes."""
    def line(text, x1):
        return {"text": text, "x0": 20, "x1": x1, "page_width": 320, "chars": [{"size": 10.0}] * len(text)}

    lines = [line("一、总体要求", 160), line("加快建设实验室,推动", 300), line("成果转化。", 150),
             line("- 2 -", 210), line("设立基金,支持", 300), line("ABC", 300), line("DEF。", 120)]
    expected = ["一、总体要求", "加快建设实验室,推动成果转化。", "设立基金,支持ABC DEF。"]
    assert join_wrapped(lines) == expected  # the edge from the page's margins: too few lines to learn it
    assert join_wrapped(lines * 2) == expected * 2  # the edge learnt from where most lines end


def test_docx_paragraphs_and_table_cells_come_in_reading_order(tmp_path):
    """Heading, paragraphs, then each table cell once, row by row; the title is the heading."""
    table = [["项目", "金额"], ["天使投资基金", "10亿元"]]
    docx = make_docx(["标题一", "第一段。", "第二段。"], tmp_path / "a.docx", table=table)
    grid = __import__("docx").Document(str(docx))
    grid.tables[0].cell(0, 0).merge(grid.tables[0].cell(0, 1))  # a merged header cell is read once
    grid.save(str(docx))
    read = read_file(docx)
    assert (read.reader, read.title) == ("python-docx", "标题一")
    assert read.text.splitlines() == ["标题一", "第一段。", "第二段。", "项目", "金额", "天使投资基金", "10亿元"]


def test_docx_gives_the_units_of_its_txt(tmp_path):
    """A Word document written from a corpus text has exactly its units."""
    assert units_of(make_docx(lines_of(CHONGQING), tmp_path / "a.docx")) == units_of(CHONGQING)


@pytest.mark.parametrize("encoding", ["utf-8", "gb18030"])
def test_web_page_main_text_drops_navigation_and_footer_and_keeps_the_title(tmp_path, encoding):
    """The article's units equal the .txt's; no navigation, breadcrumb or footer line is among them."""
    lines = lines_of(CHONGQING)
    page = make_html(lines, tmp_path / "page.html", encoding=encoding)
    read = read_file(page)
    assert (read.reader, read.title) == ("trafilatura", lines[0])
    units = units_of(page)
    assert units == units_of(CHONGQING)
    assert not set(units) & set(NAV + FOOTER)
    assert not [unit for unit in units if any(word in unit for word in ("当前位置", "发布时间", "ICP备", "打印本页"))]


def test_pdf_docx_and_html_upload_names_are_kept_as_text_files():
    """The corpus keeps a document's text: 报告.pdf becomes 报告.txt, not 报告.pdf.txt."""
    assert [safe_file_name(n) for n in ("报告.pdf", "通知.DOCX", "页面.htm", "a.txt", "b")] == \
        ["报告.txt", "通知.txt", "页面.txt", "a.txt", "b.txt"]


def test_folder_of_pdf_docx_and_html_ingests_like_its_txt_with_the_same_predictions(tmp_path, committed_model):
    """`ingest --from-folder`: each document's units match its .txt's (≥ 95%) and are predicted alike."""
    from classify.model.predict import predict_frame

    folder = tmp_path / "downloads"
    folder.mkdir()
    sources = {"a.pdf": TEXTS[0], "b.docx": TEXTS[1], "c.html": CHONGQING}
    for name, text in sources.items():
        {".pdf": make_pdf, ".docx": make_docx, ".html": make_html}[Path(name).suffix](lines_of(text), folder / name)
    result = invoke("ingest", "--from-folder", str(folder), "--jurisdiction", "杭州市",
                                       "--output", str(tmp_path / "units.csv"))
    assert result.exit_code == 0, result.output
    assert "a.pdf: read by pdfplumber" in result.stderr and "c.html: read by trafilatura" in result.stderr
    units = read_table(tmp_path / "units.csv")
    assert set(units["jurisdiction"]) == {"杭州市"}
    assert not units["text"].isin(NAV + FOOTER).any() and not units["text"].str.contains("当前位置|ICP备").any()
    for name, text in sources.items():
        got = units[units["doc_id"] == Path(name).stem]
        expected = units_frame(document_units(Document(doc_id=Path(name).stem, path=text, jurisdiction="杭州市")))
        assert identical_share(expected["text"].tolist(), got["text"].tolist()) >= 0.95, name
        same = expected.merge(got[["unit_id"]], on="unit_id")
        assert len(same) >= 0.95 * len(expected)
        predicted = predict_frame(committed_model, same)
        again = predict_frame(committed_model, got.merge(same[["unit_id"]], on="unit_id"))
        assert predicted["labels"].tolist() == again["labels"].tolist()


def test_from_folder_asks_each_jurisdiction_takes_titles_and_adds_no_row_twice(tmp_path):
    """Without --jurisdiction each new file's is asked for; the manifest gets the document's title; a second
    run finds nothing new."""
    folder = tmp_path / "downloads"
    folder.mkdir()
    make_docx(["关于加快建设实验室的通知", "加快建设实验室。"], folder / "a.docx")
    make_html(["人才新政十条", "引进高层次人才。"], folder / "b.html")
    output = str(tmp_path / "units.csv")
    result = invoke("ingest", "--from-folder", str(folder), "--output", output,
                                input="成都市\n重庆市\n")
    assert result.exit_code == 0, result.output
    manifest = read_table(folder / "manifest.csv")
    assert manifest[["file", "jurisdiction", "title"]].values.tolist() == [
        ["a.docx", "成都市", "关于加快建设实验室的通知"], ["b.html", "重庆市", "人才新政十条"]]
    again = invoke("ingest", "--from-folder", str(folder), "--output", output)
    assert again.exit_code == 0 and "0 documents added" in again.stderr
    assert len(read_table(folder / "manifest.csv")) == 2


def refused_files(folder: Path) -> dict[str, tuple[Path, str]]:
    """Files that cannot be read, each with the words its error must say."""
    lines = lines_of(CHONGQING)[:3]
    broken = make_pdf(lines, folder / "broken.pdf")
    broken.write_bytes(broken.read_bytes()[:2000])
    bad_docx = folder / "bad.docx"
    bad_docx.write_bytes(b"PK\x03\x04 not really a zip")
    renamed = folder / "renamed.docx"
    renamed.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(512))
    for suffix in (".doc", ".wps", ".ofd"):
        (folder / f"old{suffix}").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(512))
    return {"scanned": (make_scanned_pdf(folder / "scan.pdf"), "scanned PDF: no text to read; run OCR first"),
            "doc": (folder / "old.doc", "convert to .docx or .pdf"),
            "wps": (folder / "old.wps", "convert to .docx or .pdf"),
            "ofd": (folder / "old.ofd", "convert to .docx or .pdf"),
            "docx that is a .doc": (renamed, "convert to .docx or .pdf"),
            "encrypted": (make_encrypted_pdf(lines, folder / "locked.pdf"), "encrypted PDF"),
            "truncated PDF": (broken, "not a readable PDF"),
            "damaged docx": (bad_docx, "not a readable .docx")}


@pytest.mark.parametrize("kind", ["scanned", "doc", "wps", "ofd", "docx that is a .doc", "encrypted", "truncated PDF",
                                  "damaged docx"])
def test_a_file_that_cannot_be_read_gets_one_error_line_and_exit_1(tmp_path, kind):
    """`ingest FILE` on a refused file: one `error:` line naming it and what to do, exit 1, no output."""
    path, words = refused_files(tmp_path)[kind]
    result = invoke("ingest", str(path), "--jurisdiction", "成都市",
                                       "--output", str(tmp_path / "units.csv"))
    assert result.exit_code == 1
    assert result.stderr.startswith("error: ") and result.stderr.count("\n") == 1, result.stderr
    assert path.name in result.stderr and words in result.stderr and "Traceback" not in result.output
    assert not (tmp_path / "units.csv").exists()


def test_a_pdf_protected_only_against_editing_is_read(tmp_path):
    """An owner password alone (no password to open) does not stop reading."""
    from pypdf import PdfWriter

    plain = make_pdf(lines_of(CHONGQING)[:4], tmp_path / "plain.pdf")
    writer = PdfWriter(clone_from=str(plain))
    writer.encrypt(user_password="", owner_password="owner")
    writer.write(str(tmp_path / "owner.pdf"))
    assert units_of(tmp_path / "owner.pdf") == units_of(plain)


def test_bad_files_in_a_folder_are_skipped_and_named_and_nothing_in_the_corpus_changes(tmp_path, corpus_copy, caplog):
    """`--from-folder` on the corpus with a good PDF, a scan and a .doc added: only the PDF gets a row; the
    others are named; the existing documents and labeled/ are untouched."""
    labeled = tmp_path / "labeled"
    shutil.copytree(PROJECT.labeled, labeled)
    before = {p.name: p.read_bytes() for p in corpus_copy.iterdir()}
    labels_before = {p.name: p.read_bytes() for p in labeled.iterdir()}
    make_pdf(lines_of(CHONGQING)[:5], corpus_copy / "new.pdf")
    make_scanned_pdf(corpus_copy / "scan.pdf")
    (corpus_copy / "old.doc").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(512))
    result = invoke("ingest", "--from-folder", str(corpus_copy), "--jurisdiction", "成都市",
                                       "--output", str(tmp_path / "units.csv"))
    assert result.exit_code == 0, result.output
    assert "1 documents added" in result.stderr
    assert "scan.pdf: scanned PDF" in caplog.text and "old.doc: old Word (.doc) files" in caplog.text
    manifest = read_table(corpus_copy / "manifest.csv")
    assert manifest["file"].tolist()[-1] == "new.pdf" and not manifest["file"].isin(["scan.pdf", "old.doc"]).any()
    assert all((corpus_copy / name).read_bytes() == data for name, data in before.items() if name != "manifest.csv")
    assert (corpus_copy / "manifest.csv").read_bytes().startswith(before["manifest.csv"])
    assert {p.name: p.read_bytes() for p in labeled.iterdir()} == labels_before
    assert "new" in set(read_table(tmp_path / "units.csv")["doc_id"])
