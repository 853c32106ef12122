"""Cut a unit into words: jieba is the reference, jieba-rs (rjieba) the fast path with identical output.

Both engines cut with one dictionary: jieba's own `dict.txt` with the taxonomy's terms
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
import json
import logging
import re
import tempfile
from pathlib import Path

from classify.project import cache_folder, segmenter_wanted

_PIECES = re.compile(r"[\u4e00-\u9fff]+|[^\u4e00-\u9fff]+")
_OTHER = re.compile(r"[A-Za-z]+|\d+(?:\.\d+)?|[^\sA-Za-z\d]")
_SKIP = frozenset(" ,、:“”\"'()《》[]【】-—·.")
ENGINES = ("rjieba", "jieba")


def engine_name() -> str:
    """The engine this process uses: rjieba when installed, unless POLICY_CLASSIFY_SEGMENTER says otherwise."""
    wanted = segmenter_wanted()
    if wanted == "rjieba" and importlib.util.find_spec("rjieba") is None:
        return "jieba"
    return wanted if wanted in ENGINES else "jieba"


def _jieba():
    # Imported only where the reference engine or the terms' frequencies need it (0.2 s at start-up).
    import jieba

    jieba.setLogLevel(logging.WARNING)
    return jieba


def _cached(name: str, terms: tuple[str, ...]) -> Path:
    """A file in the cache folder for this term list and jieba version (jieba is only asked its version
    by its distribution's metadata, not imported)."""
    from importlib import metadata

    key = hashlib.sha1("\n".join(terms).encode("utf-8") + metadata.version("jieba").encode()).hexdigest()[:16]
    folder = cache_folder()
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:
        folder = Path(tempfile.gettempdir())  # no writable cache folder: jieba still needs its file somewhere
    return folder / f"segment-{name}-{key}"


@functools.lru_cache(maxsize=4)
def term_frequencies(terms: tuple[str, ...]) -> dict[str, int]:
    """The frequency each term gets in the dictionary: jieba's `suggest_freq` on its own dictionary (or
    the term's own frequency there, if higher). Worked out once per term list and kept in the cache
    folder, as loading jieba's dictionary to ask takes a second."""
    path = _cached("terms", terms).with_suffix(".json")
    try:
        kept = json.loads(path.read_text(encoding="utf-8"))
        if isinstance(kept, dict) and set(kept) == set(terms) and all(type(v) is int for v in kept.values()):
            return kept
    except (OSError, ValueError):
        pass  # absent or damaged: it is only a cache, work it out again
    from classify.tables import write_text  # pandas, which it imports, is needed only on this rare path

    base = _jieba().Tokenizer()
    base.initialize()
    freq = {term: max(base.FREQ.get(term, 0), base.suggest_freq(term, False)) for term in terms}
    write_text(path, json.dumps(freq, ensure_ascii=False))
    return freq


@functools.lru_cache(maxsize=4)
def dictionary_file(terms: tuple[str, ...]) -> Path:
    """jieba's dictionary with `terms` merged in, written once per term list to the cache folder."""
    path = _cached("dict", terms).with_suffix(".txt")
    if path.exists():
        return path
    from classify.tables import write_text

    freq = dict(term_frequencies(terms))
    lines = []
    with Path(importlib.util.find_spec("jieba").origin).with_name("dict.txt").open(encoding="utf-8") as handle:
        for line in handle:
            word, count, *tag = line.split()
            lines.append(f"{word} {freq.pop(word, count)} {tag[0] if tag else 'x'}\n")
    lines.extend(f"{term} {count} n\n" for term, count in freq.items())
    write_text(path, "".join(lines))
    return path


def jieba_rs(terms: tuple[str, ...]):
    """A jieba-rs cutter with the dictionary: jieba-rs embeds jieba's dict.txt (a test checks every word's
    frequency against the file), so only the terms are added: 0.25 s with the import, against 0.65 s for
    adding 349,000 words to an empty cutter."""
    import rjieba

    engine = rjieba.Jieba()
    for term, count in term_frequencies(terms).items():
        engine.add_word(term, count, "n")
    return engine


@functools.lru_cache(maxsize=8)
def _engine(terms: tuple[str, ...], name: str):
    # Built once per process and term list, then reused for every unit.
    if name == "rjieba":
        engine = jieba_rs(terms)
        return lambda text: engine.cut(text, True)
    tokenizer = _jieba().Tokenizer(dictionary=str(dictionary_file(terms)))
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
