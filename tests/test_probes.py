"""Probes of the second reliability round: what a visitor types, a full disk, a kill during a save,
a hostile name or text: one clear line, nothing saved is lost, one bad document never stops the rest."""

import json
import stat

import pandas as pd
import pytest

from classify.annotation.access import LoginThrottle
from classify.ingest.documents import CorpusError, add_document, check_text, read_lines
from classify.model.explain import safe_text
from classify.annotation.labeled import read_events
from classify.model.persist import ModelError, load_model, save_model

from conftest import PROJECT, invoke, one_line_error, write_corpus

PROJECT_MODEL = PROJECT.model / "model.skops"


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


def test_one_unreadable_document_is_skipped_and_named_the_rest_is_ingested(tmp_path):
    """A binary file in the corpus no longer stops it: the others are ingested, the bad one is named."""
    folder = write_corpus(tmp_path / "c", {"good.txt": "建设国家实验室。设立基金。\n"})
    (folder / "bad.txt").write_bytes(bytes(range(256)) * 40)
    result = invoke("ingest", folder, "-o", tmp_path / "units.csv")
    assert result.exit_code == 0, result.output
    units = pd.read_csv(tmp_path / "units.csv")
    assert units["doc_id"].unique().tolist() == ["good"]


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


def test_document_text_is_inert_markdown_and_html():
    """A link, an image or a tag in a document is shown as written, never made live."""
    shown = safe_text("![j](http://host/x.png) [官方通知](http://host/phish) <script>x</script>")
    assert "](" not in shown and "<script>" not in shown and "![" not in shown


def test_a_failed_save_keeps_the_previous_model_whole(tmp_path, committed_model, taxonomy, monkeypatch):
    """A disk error while saving leaves the earlier model loadable and says so in one line."""
    folder = save_model(committed_model, tmp_path / "model")
    before = (folder / "model.skops").read_bytes()

    def full_disk(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("skops.io.dump", full_disk)
    with pytest.raises(ModelError, match="previous one is kept"):
        save_model(committed_model, folder)
    assert (folder / "model.skops").read_bytes() == before
    load_model(folder, taxonomy)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["model"], "no staging folder is left behind"


def test_saving_over_a_read_only_card_replaces_the_whole_folder(tmp_path, committed_model, taxonomy):
    """A read-only card in the old folder does not leave a new model beside an old card."""
    folder = save_model(committed_model, tmp_path / "model")
    (folder / "card.json").chmod(stat.S_IRUSR)
    save_model(committed_model, folder)
    load_model(folder, taxonomy)


def test_export_on_a_full_disk_keeps_the_earlier_file(tmp_path, monkeypatch):
    """`labels export -o` that cannot finish leaves the good file it would have replaced."""
    output = tmp_path / "gold.csv"
    output.write_text("earlier export", encoding="utf-8")

    def full_disk(self, path, *args, **kwargs):
        open(path, "w").write("half")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(pd.DataFrame, "to_csv", full_disk)
    one_line_error(invoke("labels", "export", "-o", output), str(output), "nothing was replaced")
    assert output.read_text(encoding="utf-8") == "earlier export"


def test_a_read_only_output_is_not_replaced(tmp_path):
    """`ingest` refuses to overwrite a file its owner made read-only."""
    folder = write_corpus(tmp_path / "c", {"a.txt": "建设国家实验室。\n"})
    output = tmp_path / "units.csv"
    output.write_text("keep me", encoding="utf-8")
    output.chmod(stat.S_IRUSR)
    one_line_error(invoke("ingest", folder, "-o", output), "read-only")
    assert output.read_text(encoding="utf-8") == "keep me"


@pytest.mark.parametrize("args, fragment", [
    (["predict", "-i", "{units}", "-o", "{tmp}/out.xls"], "unsupported table format .xls;"),
    (["labels", "export", "-o", "{tmp}/g.csv", "--labeled", "{tmp}/nowhere"], "no such annotation store"),
    (["commitments", "{pred}", "-o", "{tmp}/c.csv", "--measure", "bogus"], "unknown measure(s) bogus"),
    (["matrix", "{badpred}", "--threshold", "0.5"], "non-numeric"),
    (["train", "--labeled", "{tmp}/empty", "--model", "{tmp}/m"], "no labelled units"),
    (["curve", "--labeled", "{tmp}/empty", "--model", "{tmp}/m"], "no labelled units"),
    (["predict", "-i", "{units}", "-o", "{tmp}/o.csv", "--model", "{listcard}"], "not a model card"),
])
def test_bad_inputs_get_one_line_naming_the_problem(tmp_path, args, fragment):
    """Each of these once ended in a traceback or was accepted silently."""
    units = tmp_path / "units.csv"
    pd.DataFrame({"unit_id": ["u1"], "text": ["建设国家实验室"], "jurisdiction": ["甲市"]}).to_csv(units, index=False)
    pred = tmp_path / "pred.csv"
    pd.DataFrame({"unit_id": ["u1"], "jurisdiction": ["甲市"], "text": ["x"], "labels": ["labs"],
                  "p_labs": [0.9]}).to_csv(pred, index=False)
    badpred = tmp_path / "bad.csv"
    pd.DataFrame({"jurisdiction": ["甲市"], "labels": ["labs"], "p_labs": ["high"]}).to_csv(badpred, index=False)
    (tmp_path / "empty").mkdir()
    listcard = tmp_path / "listcard"
    listcard.mkdir()
    (listcard / "card.json").write_text("[1, 2]", encoding="utf-8")
    filled = [a.format(tmp=tmp_path, units=units, pred=pred, badpred=badpred, listcard=listcard) for a in args]
    one_line_error(invoke(*filled), fragment)


def test_a_store_record_with_a_non_string_time_is_skipped_not_fatal(tmp_path):
    """A hand-edited record that would break sorting is reported and skipped; the others load."""
    good = {"unit_id": "d-1", "text": "建设", "labels": ["labs"], "annotator": "a", "time": "2026-01-01T00:00:00"}
    bad = dict(good, unit_id="d-2", time=12345)
    (tmp_path / "a.jsonl").write_text(json.dumps(good) + "\n" + json.dumps(bad) + "\n", encoding="utf-8")
    assert [e.unit_id for e in read_events(tmp_path)] == ["d-1"]


def test_with_a_users_file_the_cli_stores_decisions_only_under_registered_names(tmp_path, monkeypatch):
    """`annotate --annotator` must name a registered annotator once a users file exists."""
    from classify.annotation.access import add_user

    path = tmp_path / "users.json"
    add_user("李四", "correct horse", path)
    monkeypatch.setenv("POLICY_CLASSIFY_USERS", str(path))
    one_line_error(invoke("annotate", "000-3e921aa276", "--annotator", "冒名者", "--labeled", tmp_path / "l"),
                   "not in the users file")
    assert not (tmp_path / "l").exists()


def test_repeated_failed_logins_wait_longer_and_longer():
    """Three failures for a name start a back-off that doubles; a success clears it."""
    throttle = LoginThrottle()
    for _ in range(3):
        throttle.record("李四", False, now=100.0)
    assert throttle.wait("李四", 100.0) == 2.0
    throttle.record("李四", False, now=100.0)
    assert throttle.wait("李四", 100.0) == 4.0 and throttle.wait("张三", 100.0) == 0.0
    throttle.record("李四", True, now=200.0)
    assert throttle.wait("李四", 200.0) == 0.0


@pytest.mark.parametrize("name, content, fragment", [
    ("manifest.csv", "doc_id,jurisdiction\na,杭州市\n".encode("gb18030"), "not UTF-8 text"),
    ("manifest.csv", b"\x00\x01\x02doc_id,jurisdiction\n", "binary file"),
], ids=["gb18030 manifest", "binary manifest"])
def test_a_manifest_in_another_encoding_is_named_with_the_fix(tmp_path, name, content, fragment):
    """The message names the manifest and what to do, not a codec's internals."""
    folder = write_corpus(tmp_path / "c", {"a.txt": "建设国家实验室。\n"})
    (folder / name).write_bytes(content)
    one_line_error(invoke("ingest", folder, "-o", tmp_path / "u.csv"), "manifest.csv", fragment)


def test_a_taxonomy_in_another_encoding_is_named_with_the_fix(tmp_path):
    """A GB18030 taxonomy.yaml gets one line that names it."""
    taxonomy = tmp_path / "taxonomy.yaml"
    taxonomy.write_bytes("labels:\n  - id: 实验室\n".encode("gb18030"))
    one_line_error(invoke("predict", "-i", tmp_path / "x.csv", "-o", tmp_path / "y.csv", "--taxonomy", taxonomy),
                   "taxonomy.yaml", "not UTF-8")


def test_replacing_a_model_never_leaves_the_folder_missing(tmp_path, committed_model, taxonomy, monkeypatch):
    """The new model folder is exchanged with the old in one step: no rename to a gap is ever made."""
    folder = save_model(committed_model, tmp_path / "model")
    renames = []
    original = type(folder).rename

    def watched(self, target):
        renames.append((self.name, getattr(target, "name", target)))
        return original(self, target)

    monkeypatch.setattr(type(folder), "rename", watched)
    save_model(committed_model, folder)
    assert renames == [], "the swap went through renameat2, not two renames"
    load_model(folder, taxonomy)


def _with_schema(tmp_path, schema_text: str):
    import zipfile

    with zipfile.ZipFile(PROJECT_MODEL) as source:
        files = {item.filename: source.read(item.filename) for item in source.infolist()}
    path = tmp_path / "model.skops"
    with zipfile.ZipFile(path, "w") as target:
        for name, data in files.items():
            target.writestr(name, schema_text if name == "schema.json" else data)
    return path


@pytest.mark.parametrize("rewrite, fragment", [
    (lambda s: '{"bogus": ', "not a model file"),
    (lambda s: json.dumps([1, 2]), "not a model file"),
    (lambda s: json.dumps({"__class__": "Pipeline"}), "not a model file"),
    (lambda s: s.replace('"classify.ingest.segment"', '"classify.ingest.segment.os"', 1), "untrusted type"),
    (lambda s: s.replace('"Segmenter"', '"Segmenter.__init__"', 1), "untrusted type"),
], ids=["bogus schema", "schema of another shape", "no protocol", "spoofed module", "spoofed dotted class"])
def test_a_model_file_with_a_forged_schema_is_refused_in_one_line(tmp_path, rewrite, fragment):
    """A model zip whose schema.json is malformed or names a spoofed type is refused before anything runs."""
    import zipfile

    from classify.model.persist import load_estimator

    with zipfile.ZipFile(PROJECT_MODEL) as source:
        schema = source.read("schema.json").decode("utf-8")
    with pytest.raises(ModelError, match=fragment):
        load_estimator(_with_schema(tmp_path, rewrite(schema)))
