"""classify.taxonomy: the labels file, what makes it valid, and the codebook it points to."""

import pytest
import yaml

from classify.taxonomy import TaxonomyError, load_taxonomy, parse_taxonomy

from conftest import PROJECT

SIX = ["labs", "pilot_platforms", "finance", "talent", "regional_collaboration", "institutional_reform"]


def _label(label_id: str, **extra) -> dict:
    return {"id": label_id, "name_zh": "名称", "name_en": "Name", "definition": "What it covers.",
            "key_terms": ["术语"], "examples": ["例句"], **extra}


def _write(tmp_path, document) -> str:
    path = tmp_path / "taxonomy.yaml"
    path.write_text(yaml.safe_dump(document, allow_unicode=True) if not isinstance(document, str) else document,
                    encoding="utf-8")
    return path


def test_project_taxonomy_holds_the_codebooks_six_labels():
    """The ids are exactly the codebook's, in its order, each with names, a definition, terms and examples."""
    taxonomy = load_taxonomy(PROJECT.taxonomy)
    assert taxonomy.ids == SIX
    for label in taxonomy.labels:
        assert label.name_zh and label.name_en and label.definition and label.key_terms and label.examples


def test_duplicate_ids_are_refused(tmp_path):
    """Two labels with one id would silently merge two measures."""
    path = _write(tmp_path, {"labels": [_label("labs"), _label("labs")]})
    with pytest.raises(TaxonomyError, match="duplicate label id 'labs'"):
        load_taxonomy(path)


def test_missing_fields_are_named(tmp_path):
    """The error says which label lacks which field."""
    entry = _label("labs")
    del entry["definition"]
    with pytest.raises(TaxonomyError, match=r"label #1 \('labs'\): missing definition"):
        load_taxonomy(_write(tmp_path, {"labels": [entry]}))


def test_unknown_keys_are_refused(tmp_path):
    """A misspelt key (keyterms) is an error, not an ignored field."""
    with pytest.raises(TaxonomyError, match="unknown key\\(s\\) keyterms"):
        load_taxonomy(_write(tmp_path, {"labels": [_label("labs", keyterms=["x"])]}))


def test_bad_yaml_reports_the_line(tmp_path):
    """A syntax error names the file and the line."""
    path = _write(tmp_path, "labels:\n  - id: labs\n    key_terms: [a, b\n")
    with pytest.raises(TaxonomyError, match=r"taxonomy.yaml: not valid YAML at line \d+"):
        load_taxonomy(path)


def test_a_seventh_label_needs_no_code_change():
    """Labels come from the file: a new one is just another entry."""
    seventh = parse_taxonomy({"labels": [_label(i) for i in SIX] + [_label("standards")]})
    assert seventh.ids[-1] == "standards" and len(seventh.labels) == 7


def test_fingerprint_changes_with_terms_but_not_with_prose():
    """A model must be retrained when the terms change, not when a definition is reworded."""
    base = parse_taxonomy({"labels": [_label("labs")]})
    reworded = parse_taxonomy({"labels": [_label("labs", definition="Reworded.")]})
    new_term = parse_taxonomy({"labels": [_label("labs", key_terms=["术语", "新术语"])]})
    assert base.fingerprint() == reworded.fingerprint() != new_term.fingerprint()


def test_the_codebook_ships_with_the_project_and_the_taxonomy_points_to_it(taxonomy):
    """A clone without ../shared still has the rules that decide every hard case."""
    assert (PROJECT.root / "docs" / "codebook.md").is_file()
    assert "codebook: docs/codebook.md" in PROJECT.taxonomy.read_text("utf-8")
    assert "## Rules for hard cases" in PROJECT.codebook.read_text("utf-8")
    shared = PROJECT.root.parent / "shared" / "codebook.md"
    if shared.is_file():
        assert PROJECT.codebook.read_text("utf-8") == shared.read_text("utf-8"), "the copy is current"
