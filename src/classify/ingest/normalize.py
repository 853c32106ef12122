"""Normalise raw text: traditional → simplified, full-width → half-width, whitespace.

The codebook codes traditional characters exactly as their simplified form
(rule 8), so everything downstream — ids, features, labels — sees one script.
"""

from __future__ import annotations

import functools
import re
import unicodedata

import opencc

_SPACES = re.compile(r"\s+")


@functools.lru_cache(maxsize=1)
def _converter() -> opencc.OpenCC:
    # Built once per process: the converter loads its dictionaries on creation.
    return opencc.OpenCC("t2s")


def to_simplified(text: str) -> str:
    """Convert traditional Chinese characters to simplified ones."""
    return _converter().convert(text)


def normalize(text: str) -> str:
    """Return `text` in simplified script, NFKC width, single spaces, no line breaks.

    >>> normalize("成都市科學技術局 ,加快  建設")
    '成都市科学技术局 ,加快 建设'
    """
    text = unicodedata.normalize("NFKC", text)
    text = _SPACES.sub(" ", text).strip()
    return to_simplified(text)


def normalize_all(texts) -> list[str]:
    """`normalize` over a sequence: the first step of every model pipeline, so raw text can be fed in.

    The whole batch goes through NFKC and OpenCC in one call each (a per-text call costs more than
    the conversion itself); line breaks inside a text become spaces first, so they can separate texts.
    """
    texts = [str(text).replace("\n", " ").replace("\r", " ") for text in texts]
    if not texts:
        return []
    joined = to_simplified(unicodedata.normalize("NFKC", "\n".join(texts)))
    return [_SPACES.sub(" ", text).strip() for text in joined.split("\n")]


def detect_script(text: str) -> str:
    """'traditional' when converting to simplified changes more than 2% of the Chinese characters."""
    sample = text[:20_000]
    hanzi = sum(1 for ch in sample if "\u4e00" <= ch <= "\u9fff")
    if not hanzi:
        return "simplified"
    changed = sum(a != b for a, b in zip(sample, to_simplified(sample)))
    return "traditional" if changed / hanzi > 0.02 else "simplified"
