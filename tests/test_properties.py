"""Property tests: normalisation and segmentation never lose or invent text, and ids are stable."""

import re
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from classify.ingest.normalize import normalize
from classify.ingest.sentences import document_units, split
from classify.ingest.documents import Document

# Simplified and traditional Chinese, ASCII, full-width forms, the codebook's stops and whitespace.
HANZI = st.characters(min_codepoint=0x4E00, max_codepoint=0x9FA5)
FULL_WIDTH = st.characters(min_codepoint=0xFF01, max_codepoint=0xFF5E)
ASCII = st.characters(min_codepoint=0x21, max_codepoint=0x7E)
STOPS = st.sampled_from(list("。!?;!?;,、:“”"))
SPACE = st.sampled_from([" ", "\u3000", "\t"])
TEXT = st.text(st.one_of(HANZI, HANZI, HANZI, FULL_WIDTH, ASCII, STOPS, SPACE), max_size=600)
SEPARATORS = re.compile(r"[\s。!?;]")


def visible(text: str) -> str:
    return SEPARATORS.sub("", text)


@settings(max_examples=300, deadline=None)
@given(TEXT)
def test_normalising_keeps_every_visible_character(text):
    """Width and script change one character into one character; only whitespace changes in number."""
    assert len(normalize(text).replace(" ", "")) == len(re.sub(r"\s", "", text))


@settings(max_examples=300, deadline=None)
@given(TEXT)
def test_splitting_loses_and_invents_nothing_but_separators(text):
    """The units of a line, joined, are the line without its stops and spaces."""
    line = normalize(text)
    assert visible("".join(split(line))) == visible(line)


@settings(max_examples=300, deadline=None)
@given(st.lists(TEXT, min_size=2, max_size=8), st.data())
def test_ids_are_stable_under_edits_elsewhere(lines, data):
    """Editing one line of a document leaves the ids of every unit on the other lines unchanged
    (unless the edit adds or removes a copy of that very sentence)."""
    index = data.draw(st.integers(0, len(lines) - 1))
    edited = lines[:index] + [data.draw(TEXT)] + lines[index + 1:]
    document = Document("d", Path("d.txt"), "某市")

    def ids(text_lines):
        return {(u.text, u.unit_id) for u in document_units(document, text_lines)}

    touched = {text for text, _ in ids([lines[index]]) | ids([edited[index]])}
    before, after = ids(lines), ids(edited)
    for k, line in enumerate(lines):
        if k != index:
            for text, unit in ids([line]):
                if text not in touched:
                    assert any(t == text for t, _ in after)
    assert {u for t, u in before if t not in touched} == {u for t, u in after if t not in touched}


@settings(max_examples=200, deadline=None)
@given(st.lists(st.text(st.one_of(HANZI, FULL_WIDTH, ASCII, STOPS, SPACE, st.just("\n")), max_size=80),
                max_size=12))
def test_batch_normalising_equals_normalising_each_text(texts):
    """The pipeline's one-call batch conversion gives exactly what converting text by text gives."""
    from classify.ingest.normalize import normalize_all

    assert normalize_all(texts) == [normalize(text) for text in texts]
