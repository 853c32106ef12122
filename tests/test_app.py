"""Every page of the app driven by Streamlit's AppTest, on a private copy of the project."""

import html
import json
import shutil

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from classify.annotation.access import add_user
from classify.annotation.labeled import gold_frame
from classify.analysis.matrix import to_matrix
from classify.taxonomy import load_taxonomy

from conftest import PROJECT

PAGES = PROJECT.root / "app"


@pytest.fixture
def project_copy(tmp_path, monkeypatch):
    """A throwaway project (corpus, labels, model, taxonomy) the app may write to."""
    root = tmp_path / "project"
    for folder in ("corpus", "labeled"):
        shutil.copytree(PROJECT.root / folder, root / folder)
    shutil.copytree(PROJECT.model, root / "models" / "default")
    shutil.copy(PROJECT.taxonomy, root / "taxonomy.yaml")
    monkeypatch.setenv("POLICY_CLASSIFY_ROOT", str(root))
    monkeypatch.setenv("POLICY_CLASSIFY_DEVSET", str(tmp_path / "no-devset.csv"))
    monkeypatch.setenv("POLICY_CLASSIFY_USERS", str(tmp_path / "no-users.json"))
    return root


@pytest.fixture
def tagged(tagged_corpus):
    return tagged_corpus


def matrix_table(at: AppTest) -> pd.DataFrame:
    """The matrix as the page shows it (the first table on the Matrix page), columns back to label ids."""
    table = at.dataframe[0].value
    return table.rename(columns=lambda c: c.rsplit("(", 1)[-1].rstrip(")") if c.endswith(")") else c)


def page(name: str) -> AppTest:
    return AppTest.from_file(str(PAGES / name), default_timeout=180)


def test_home_page_summarises_the_corpus(project_copy):
    """The front page loads and counts documents and jurisdictions."""
    at = page("Home.py").run()
    assert not at.exception
    assert {m.label: m.value for m in at.metric}["Jurisdictions"] == "5"


def test_switching_the_value_mode_changes_the_figures_to_match_the_cli(project_copy, tagged):
    """Count, share and per-1,000 views equal what `policy-classify matrix` computes."""
    at = page("pages/1_Matrix.py").run()
    assert not at.exception
    labels = load_taxonomy(PROJECT.taxonomy).ids
    counts = matrix_table(at)
    expected = to_matrix(tagged, "count", labels=labels)
    assert counts.loc["重庆市", labels].tolist() == expected.loc["重庆市", labels].tolist()
    at.radio(key="matrix_value").set_value("share").run()
    shares = matrix_table(at)
    assert shares.loc["重庆市", labels].tolist() == pytest.approx(
        to_matrix(tagged, "share", labels=labels).loc["重庆市", labels].tolist())
    assert shares.loc["重庆市", "labs"] < 1 < counts.loc["重庆市", "labs"]


def test_selecting_a_cell_lists_its_evidence_escaped_and_ranked(project_copy, tagged):
    """The evidence of a cell is its sentences, as many as the cell counts, most probable first."""
    at = page("pages/1_Matrix.py").run()
    at.selectbox(key="evidence_jurisdiction").set_value("上海市")
    at.selectbox(key="evidence_label").set_value("labs").run()
    expected = int(to_matrix(tagged, labels=["labs"]).loc["上海市", "labs"])
    summary = next(m.value for m in at.markdown if "sentences of 上海市" in m.value)
    assert summary.startswith(f"**{expected}**")
    cards = [m.value for m in at.markdown if m.value.startswith("**p = ")]
    probabilities = [float(card.split("**p = ")[1].split("**")[0]) for card in cards]
    assert len(cards) == min(expected, 20) and probabilities == sorted(probabilities, reverse=True)
    assert any("<mark>" in card for card in cards), "the driving terms are highlighted"


def test_threshold_filter_recounts_without_retagging(project_copy, tagged):
    """A single probability threshold replaces the per-measure thresholds."""
    at = page("pages/1_Matrix.py").run()
    at.toggle(key="matrix_own_thresholds").set_value(False).run()
    at.slider(key="matrix_threshold").set_value(0.9).run()
    strict = matrix_table(at)
    labels = load_taxonomy(PROJECT.taxonomy).ids
    assert strict[labels].to_numpy().tolist() == to_matrix(tagged, threshold=0.9, labels=labels)[labels] \
        .to_numpy().tolist()


def test_an_annotation_is_written_to_labeled_the_moment_it_is_made(project_copy):
    """Submit stores the decision, under the annotator's name, through the shared store."""
    at = page("pages/3_Annotate.py").run()
    assert any("Enter your name" in i.value for i in at.info)
    at.text_input(key="annotator").input("测试员").run()
    at.selectbox(key="queue").set_value("random").run()
    for toggle in at.toggle:
        if toggle.key and toggle.key.startswith("toggle_"):
            toggle.set_value(toggle.key.endswith("_finance"))
    at.button[0].click().run()  # the form's submit button comes first
    assert not at.exception
    records = [json.loads(line) for line in (project_copy / "labeled" / "测试员.jsonl").read_text("utf-8").splitlines()]
    assert len(records) == 1 and records[0]["labels"] == ["finance"] and records[0]["annotator"] == "测试员"


def test_annotating_twice_shows_a_new_sentence_and_keeps_both_decisions(project_copy):
    """After Submit the page moves on: the second Submit decides another unit, and both are stored."""
    at = page("pages/3_Annotate.py").run()
    at.text_input(key="annotator").input("twice").run()
    first_caption = next(c.value for c in at.caption if "left in this queue" in c.value)
    at.button[0].click().run()
    second_caption = next(c.value for c in at.caption if "left in this queue" in c.value)
    at.button[0].click().run()
    assert not at.exception
    records = [json.loads(line) for line in (project_copy / "labeled" / "twice.jsonl").read_text("utf-8").splitlines()]
    assert len(records) == 2 and records[0]["unit_id"] != records[1]["unit_id"]
    assert int(second_caption.split()[0]) == int(first_caption.split()[0]) - 1


def test_a_kept_document_shows_in_the_matrix_without_a_restart(project_copy):
    """Keep a pasted text on the Documents page; the Matrix page of the same server lists its city."""
    before = page("pages/1_Matrix.py").run()
    assert "杭州市" not in matrix_table(before).index
    docs = page("pages/2_Documents.py").run()
    docs.radio(key="doc_source").set_value("Paste text").run()
    docs.text_input(key="doc_name").input("hangzhou.txt")
    docs.text_area(key="doc_text").input("加快建设国家实验室。设立天使投资基金。")
    docs.text_input(key="doc_jurisdiction").input("杭州市").run()
    docs.button(key="doc_keep").click().run()
    assert not docs.exception
    after = page("pages/1_Matrix.py").run()
    assert "杭州市" in matrix_table(after).index


def test_undo_withdraws_the_last_decision(project_copy):
    """Undo appends a withdrawal; the decision no longer counts as gold."""
    at = page("pages/3_Annotate.py").run()
    at.text_input(key="annotator").input("undoer").run()
    at.selectbox(key="queue").set_value("random").run()
    at.button[0].click().run()
    decided = gold_frame(project_copy / "labeled")
    assert (decided["annotator"] == "undoer").sum() == 1
    at.button(key="undo").click().run()
    assert (gold_frame(project_copy / "labeled")["annotator"] == "undoer").sum() == 0


def test_a_bad_upload_shows_its_error_and_changes_nothing(project_copy):
    """A binary file gets a clear message; the corpus folder is untouched."""
    before = sorted(p.name for p in (project_copy / "corpus").iterdir())
    at = page("pages/2_Documents.py").run()
    at.file_uploader(key="doc_files").set_value([("image.txt", bytes(range(256)) * 8, "text/plain")]).run()
    assert any("image.txt" in e.value and "binary" in e.value for e in at.error)
    assert sorted(p.name for p in (project_copy / "corpus").iterdir()) == before


def test_an_uploaded_document_is_tagged_and_kept_in_the_corpus(project_copy):
    """A GB18030 file in traditional script is tagged at once and joins the manifest when kept."""
    text = "加快建設國家實驗室。\n設立天使投資母子基金。\n"
    at = page("pages/2_Documents.py").run()
    at.file_uploader(key="doc_files").set_value([("杭州.txt", text.encode("gb18030"), "text/plain")]).run()
    at.text_input(key="doc_jurisdiction").input("杭州市")
    at.text_input(key="doc_date").input("2024").run()
    assert any("2 units, traditional script" in s.value for s in at.subheader)
    at.button(key="doc_keep").click().run()
    manifest = pd.read_csv(project_copy / "corpus" / "manifest.csv", dtype=str, keep_default_na=False)
    assert manifest.iloc[-1][["doc_id", "jurisdiction", "date", "script"]].tolist() == [
        "杭州", "杭州市", "2024", "traditional"]
    assert (project_copy / "corpus" / "杭州.txt").read_text(encoding="utf-8") == text


def test_model_page_shows_the_card_and_retrains_a_candidate(project_copy):
    """Modellers see metrics and weighted terms, train a candidate and promote it."""
    for written in (project_copy / "labeled").glob("writer-*.jsonl"):
        written.unlink()  # the corpus's own units are enough to train on, in a fifth of the time
    at = page("pages/4_Model.py").run()
    assert not at.exception
    assert all(frame.value.loc["macro", "f1"] > 0 for frame in at.dataframe[:2])
    at.button(key="train").click().run()
    assert not at.exception
    assert (project_copy / "models" / "candidate" / "card.json").is_file()
    assert at.dataframe[-1].value.shape[0] == 5, "the matrix change has one row per jurisdiction"
    at.button(key="promote").click().run()
    card = json.loads((project_copy / "models" / "default" / "card.json").read_text("utf-8"))
    assert card["name"] == "candidate"
    shown = page("pages/4_Model.py").run()
    assert any(card["created"] in m.value for m in shown.markdown), "the page shows the promoted model's card"


@pytest.fixture
def with_users(project_copy, tmp_path, monkeypatch):
    path = tmp_path / "users.json"
    add_user("李四", "correct horse", path)
    monkeypatch.setenv("POLICY_CLASSIFY_USERS", str(path))
    return project_copy


def test_with_a_users_file_annotating_needs_a_login(with_users):
    """No decision can be made before logging in; a wrong password is refused."""
    at = page("pages/3_Annotate.py").run()
    assert any("Log in to annotate" in i.value for i in at.info)
    assert not [t for t in at.toggle if t.key and t.key.startswith("toggle_")]
    at.text_input(key="login_name").input("李四")
    at.text_input(key="login_password").input("wrong password")
    at.button[0].click().run()
    assert any("wrong password" in e.value for e in at.error)
    at.text_input(key="login_password").input("correct horse")
    at.button[0].click().run()
    assert at.session_state["user"] == "李四"
    at.button[0].click().run()  # submit the first suggestion
    assert (with_users / "labeled" / "李四.jsonl").is_file()


def test_with_a_users_file_matrices_stay_open_and_retraining_is_locked(with_users):
    """Analysts without a login still see the matrix; the retrain button needs a login."""
    matrix = page("pages/1_Matrix.py").run()
    assert not matrix.exception and len(matrix.dataframe) > 0
    model_page = page("pages/4_Model.py").run()
    assert not model_page.exception
    assert any("Log in to retrain" in i.value for i in model_page.info)
    assert "train" not in [b.key for b in model_page.button]


def test_markup_in_a_document_is_shown_as_text_never_run(project_copy):
    """A sentence carrying <script> is escaped in the evidence and its context."""
    (project_copy / "corpus" / "evil.txt").write_text(
        "<script>alert(1)</script>加快建设<b>国家实验室</b>。\n", encoding="utf-8")
    with (project_copy / "corpus" / "manifest.csv").open("a", encoding="utf-8") as handle:
        handle.write("evil,evil.txt,恶意市,,city,2024,<i>title</i>,simplified,,\n")
    at = page("pages/1_Matrix.py").run()
    at.selectbox(key="evidence_jurisdiction").set_value("恶意市")
    at.selectbox(key="evidence_label").set_value("labs").run()
    shown = "\n".join(m.value for m in at.markdown)
    assert "&lt;script&gt;alert" in shown and "&lt;i&gt;title&lt;/i&gt;" in shown
    assert "<script>" not in shown and "<b>" not in shown and "<i>" not in shown


def test_links_and_images_in_documents_and_names_never_become_live(project_copy):
    """Markdown in a jurisdiction or a sentence is shown as written: no remote image, no live link."""
    (project_copy / "corpus" / "md.txt").write_text("加快建设国家实验室[官方通知](http://host/phish)。\n",
                                                     encoding="utf-8")
    with (project_copy / "corpus" / "manifest.csv").open("a", encoding="utf-8") as handle:
        handle.write("md,md.txt,![j](http://host/x.png),,city,2024,t,simplified,,\n")
    at = page("pages/1_Matrix.py").run()
    at.selectbox(key="evidence_jurisdiction").set_value("![j](http://host/x.png)")
    at.selectbox(key="evidence_label").set_value("labs").run()
    assert not at.exception
    shown = "\n".join(m.value for m in at.markdown) + "\n".join(c.value for c in at.caption)
    assert "](http" not in shown and "官方通知" in shown


def test_an_upload_name_that_climbs_out_of_the_corpus_is_refused(project_copy):
    """A file named ../x.txt gets an error and nothing is written anywhere."""
    at = page("pages/2_Documents.py").run()
    at.radio(key="doc_source").set_value("Paste text").run()
    at.text_input(key="doc_name").input("../escape.txt")
    at.text_area(key="doc_text").input("建设实验室。").run()
    assert any("not a plain file name" in e.value for e in at.error)
    assert not (project_copy / "escape.txt").exists()
    assert not any(b.key == "doc_keep" for b in at.button)


def test_compare_page_shows_distinctive_measures_commitments_and_builds_a_report(project_copy):
    """Analysts see what sets a city apart, its numbers, and can download a self-contained report."""
    at = page("pages/5_Compare.py").run()
    assert not at.exception
    at.selectbox(key="compare_place").set_value("成都市").run()
    distinctive = at.dataframe[0].value
    assert set(distinctive.columns) >= {"measure", "delta", "z", "low", "high"} and len(distinctive) == 6
    commitments = at.dataframe[2].value
    assert "80亿元" in set(commitments["raw"])
    at.multiselect(key="report_places").set_value(["成都市", "重庆市"])
    at.button(key="report_build").click().run()
    assert not at.exception
    report = at.session_state["report"]
    assert report.startswith("<!DOCTYPE html>") and "data:image/png;base64," in report and "重庆市" in report


def test_matrix_regroups_by_policy_tool_classes(project_copy, tagged):
    """One switch turns the six measures into supply / demand / environment columns."""
    at = page("pages/1_Matrix.py").run()
    at.radio(key="matrix_scheme").set_value("policy_tool").run()
    assert not at.exception
    table = matrix_table(at)
    assert {"supply", "demand", "environment"} <= set(table.columns)
    assert (table["supply"] <= table["units"]).all()


def test_pdf_docx_and_html_uploads_are_tagged_and_kept_and_refused_formats_say_what_to_do(project_copy, tmp_path):
    """Uploaded PDF, DOCX and HTML are read by their readers and kept as text with their titles; a scanned PDF
    and a .doc get their message and leave the corpus as it was."""
    from made_files import make_docx, make_html, make_pdf, make_scanned_pdf

    lines = ["关于加快建设国家实验室的通知", "加快建设国家实验室,推动重大科技基础设施开放共享。", "设立天使投资母子基金。"]
    files = {"a.pdf": make_pdf(lines, tmp_path / "a.pdf"), "b.docx": make_docx(lines, tmp_path / "b.docx"),
             "c.html": make_html(lines, tmp_path / "c.html"), "scan.pdf": make_scanned_pdf(tmp_path / "scan.pdf")}
    uploads = [(name, path.read_bytes(), "application/octet-stream") for name, path in files.items()]
    uploads.append(("old.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(512), "application/msword"))
    before = sorted(p.name for p in (project_copy / "corpus").iterdir())
    at = page("pages/2_Documents.py").run()
    at.file_uploader(key="doc_files").set_value(uploads).run()
    assert not at.exception
    errors = html.unescape(" ".join(e.value for e in at.error))  # the page escapes what it shows
    assert "scan.pdf: scanned PDF: no text to read; run OCR first" in errors
    assert "old.doc" in errors and "convert to .docx or .pdf" in errors
    assert [s.value.split(":")[0] for s in at.subheader] == ["a.txt", "b.txt", "c.txt"]
    assert all(" 3 units" in s.value for s in at.subheader), [s.value for s in at.subheader]
    readers = html.unescape(" ".join(c.value for c in at.caption))
    assert all(f"Read by {reader}" in readers for reader in ("pdfplumber", "python-docx", "trafilatura"))
    assert sorted(p.name for p in (project_copy / "corpus").iterdir()) == before
    at.text_input(key="doc_jurisdiction").input("杭州市").run()
    at.button(key="doc_keep").click().run()
    manifest = pd.read_csv(project_copy / "corpus" / "manifest.csv", dtype=str, keep_default_na=False)
    assert manifest.iloc[-3:][["file", "jurisdiction", "title"]].values.tolist() == [
        [name, "杭州市", lines[0]] for name in ("a.txt", "b.txt", "c.txt")]


def test_the_matrix_page_offers_its_table_as_excel_with_chinese_headers(project_copy):
    """The Excel download holds the page's figures under the measures' Chinese names."""
    import io

    from classify.app.pages.matrix import readable
    from classify.tables import excel_bytes

    at = page("pages/1_Matrix.py").run()
    assert "Download matrix (Excel)" in [b.proto.label for b in at.get("download_button")]
    shown = matrix_table(at)
    sheet = pd.read_excel(io.BytesIO(excel_bytes(readable(load_taxonomy(PROJECT.taxonomy), shown.reset_index()))))
    assert "实验室与重大科研平台 (labs)" in sheet.columns
    assert sheet["实验室与重大科研平台 (labs)"].tolist() == shown["labs"].tolist()
