"""Cut a unit into words: jieba is the reference, jieba-rs (rjieba) the fast path with identical output.

Both engines load one dictionary: jieba's own `dict.txt` with the taxonomy's terms
merged in at the frequencies jieba's `suggest_freq` gives them, so a phrase such
as 成果转化运营公司 stays one word. Given the same dictionary the two engines cut
runs of Chinese characters identically (a test checks it on the whole corpus);
they treat digits and Latin letters differently, so those runs are cut by one
shared regular expression instead. Which engine runs is a speed choice only:
POLICY_CLASSIFY_SEGMENTER=jieba forces the reference.
"""

from __future__ import annotations

import functools
import importlib.util
import hashlib
import logging
import os
import re
import tempfile
from pathlib import Path

import jieba

jieba.setLogLevel(logging.WARNING)

_PIECES = re.compile(r"[\u4e00-\u9fff]+|[^\u4e00-\u9fff]+")
_OTHER = re.compile(r"[A-Za-z]+|\d+(?:\.\d+)?|[^\sA-Za-z\d]")
_SKIP = frozenset(" ,、:“”\"'()《》[]【】-—·.")
ENGINES = ("rjieba", "jieba")


def engine_name() -> str:
    """The engine this process uses: rjieba when installed, unless POLICY_CLASSIFY_SEGMENTER says otherwise."""
    wanted = os.environ.get("POLICY_CLASSIFY_SEGMENTER", "rjieba")
    if wanted == "rjieba" and importlib.util.find_spec("rjieba") is None:
        return "jieba"
    return wanted if wanted in ENGINES else "jieba"


@functools.lru_cache(maxsize=4)
def dictionary_file(terms: tuple[str, ...]) -> Path:
    """jieba's dictionary with `terms` merged in, written once per term list to the temp folder."""
    key = hashlib.sha1("\n".join(terms).encode("utf-8") + jieba.__version__.encode()).hexdigest()[:16]
    path = Path(tempfile.gettempdir()) / f"policy-classify-dict-{key}.txt"
    if path.exists():
        return path
    base = jieba.Tokenizer()
    base.initialize()
    freq = {term: max(base.FREQ.get(term, 0), base.suggest_freq(term, False)) for term in terms}
    source = Path(jieba.__file__).with_name("dict.txt")
    lines = []
    with source.open(encoding="utf-8") as handle:
        for line in handle:
            word, count, *tag = line.split()
            lines.append(f"{word} {freq.pop(word, count)} {tag[0] if tag else 'x'}\n")
    lines.extend(f"{term} {count} n\n" for term, count in freq.items())
    partial = path.with_name(f"{path.name}.{os.getpid()}.part")  # concurrent workers each write their own
    partial.write_text("".join(lines), encoding="utf-8")
    partial.replace(path)
    return path


@functools.lru_cache(maxsize=8)
def _engine(terms: tuple[str, ...], name: str):
    # Loaded once per process and term list (~0.6-0.9 s), then reused for every unit.
    path = dictionary_file(terms)
    if name == "rjieba":
        import rjieba

        engine = rjieba.Jieba.empty()
        with path.open(encoding="utf-8") as handle:
            for line in handle:
                word, count, tag = line.split()
                engine.add_word(word, int(count), tag)
        return lambda text: engine.cut(text, True)
    tokenizer = jieba.Tokenizer(dictionary=str(path))
    tokenizer.initialize()
    return tokenizer.lcut


def split_runs(text: str) -> tuple[list[str], list[str], int]:
    """The Chinese runs and the other runs of `text`, and whether the first run is other (0 or 1): the
    runs alternate, so Chinese run k follows other runs 0 … k + first - 1."""
    pieces = _PIECES.findall(text)
    first = int(not (pieces and "\u4e00" <= pieces[0][0] <= "\u9fff"))
    return pieces[first::2], pieces[1 - first::2], first


def cut_chinese(runs: list[str], terms: tuple[str, ...] = ()) -> list[str]:
    """The words of many Chinese runs in one call of the cutter, a "\n" between runs (never part of a word):
    the same words as cutting each run alone, without a call per run."""
    return _engine(tuple(terms), engine_name())("\n".join(runs)) if runs else []


def other_words(runs: list[str], separator: str) -> list[str]:
    """The words of many non-Chinese runs (numbers, Latin words, single symbols) in one pass, joined by
    `separator` (a character that is none of those, so it comes back as a word of its own between runs)."""
    return _OTHER.findall(separator.join(runs))


def dropped(word: str) -> bool:
    """Whether `words` leaves this token out (punctuation it skips, whitespace)."""
    return word in _SKIP or not word.strip()


def words(text: str, terms: tuple[str, ...] = (), engine: str | None = None) -> list[str]:
    """The words of `text`: Chinese runs cut by the dictionary, other runs by a regex; punctuation dropped."""
    cut = _engine(tuple(terms), engine or engine_name())
    tokens = []
    for piece in _PIECES.findall(text):
        tokens.extend(cut(piece) if "\u4e00" <= piece[0] <= "\u9fff" else _OTHER.findall(piece))
    return [token for token in tokens if token not in _SKIP and token.strip()]


class Segmenter:
    """A picklable word tokenizer with the taxonomy's terms: `Segmenter(("中试平台",))("布局中试平台")`."""

    def __init__(self, terms: tuple[str, ...] = ()):
        self.terms = tuple(terms)

    def __call__(self, text: str) -> list[str]:
        return words(text, self.terms)

    def __repr__(self) -> str:
        return f"Segmenter({len(self.terms)} terms)"
