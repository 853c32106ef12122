"""The codebook's rules that a pattern decides, applied to the classifier's probabilities.

- `covering_words` (rule 17): a document's own preamble or covering words ("为……,特制定本方案",
  "现将《……》印发给你们") are none, whatever measures they name. The classifier reads the measures and,
  on new places, labels them (two of the development set's false positives, at 0.59 and 1.00); every
  one of the 91 such units in the labelled data (88) and the development set (3) is coded none.
- `issued_plans` (rules 10 and 17): a plan, policy or regulation the text reports having issued
  ("出台《……》", "制定……办法") is `institutional_reform`. Of the 43 such units of the labelled corpus and
  pool, 40 are coded so, and the classifier, provinces held out, missed 14 of those 40; in the development
  set 5 of 5 are coded so. A bare "出台政策" is left to the model, and popular science stays none (rule 6).

Each rule is a name in the model's `rules` setting, so the ablation can switch it off.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np

RULES = ("covering_words", "issued_plans")
REFORM = "institutional_reform"
# An issued plan is decided `institutional_reform` at this probability, about the rule's precision in the
# labelled data (40 of 43), and above any threshold half-way tuning can reach (at most 0.725).
ISSUED_PROBABILITY = 0.9

# On normalised text (NFKC: ASCII punctuation). Covering words anywhere; a preamble's closing words at its end.
_COVERING = re.compile(r"印发给你们|现予印发")
_PREAMBLE_END = re.compile(r"(?:制[定订]|提出|作出|特作|通知|报告|总结)[^,。;!?]{0,30}如下"
                           r"(?:实施|行动)?(?:意见|方案|决定|计划)?:?$"
                           r"|制[定订](?:本(?![市县区省州])|如下)[^,。;!?]{0,6}?"
                           r"(?:方案|办法|规划|计划|意见|细则|措施|要点|纲要|决定)(?:如下)?:?$")
# A verb of issuing outside any 《title》, then what was issued; not a document's own title or a purpose clause.
# Named instruments only: a bare "出台政策" or "政策举措" is left to the model (coders label it either way).
_ISSUED = re.compile(r"(?:出台|印发|制定|颁布|修订|下发)[^,;。]{0,40}"
                     r"(?:《|办法|方案|意见|条例|计划|规划|细则|新政|十条|若干措施|若干政策|政策法规)")
_BOOK_TITLE = re.compile(r"《[^》]*》")
_OWN_TITLE = re.compile(r"印发.{0,80}的?通知|印发的")


def covering_words(text: str) -> bool:
    """Whether a normalised unit is a document's own preamble or covering words (codebook rule 17)."""
    return bool(_COVERING.search(text) or _PREAMBLE_END.search(text.rstrip("。. ")))


def issued_plan(text: str) -> bool:
    """Whether a normalised unit reports a plan, policy or regulation issued (codebook rules 10 and 17)."""
    return not covering_words(text) and _reports_issuing(text)


def _reports_issuing(text: str) -> bool:
    """`issued_plan` short of its covering-words check (which `apply_rules` makes once for both rules)."""
    if _OWN_TITLE.search(text) or text.startswith("为") or "科普" in text:  # rule 6: popular science is none
        return False
    return bool(_ISSUED.search(_BOOK_TITLE.sub("《》", text)))


def apply_rules(texts: Sequence[str], proba: np.ndarray, labels: Sequence[str],
                rules: Sequence[str] = RULES) -> np.ndarray:
    """`proba` (normalised texts × `labels`) with the named rules applied, in place: an issued plan's
    `institutional_reform` raised to `ISSUED_PROBABILITY`, every probability of covering words set to 0.
    No rules: `proba` as it is, without reading the texts."""
    if not rules:
        return proba
    covering = np.fromiter((covering_words(text) for text in texts), dtype=bool, count=len(texts))
    if "issued_plans" in rules and REFORM in labels:
        rows = ~covering & np.fromiter((_reports_issuing(text) for text in texts), dtype=bool, count=len(texts))
        column = list(labels).index(REFORM)
        proba[rows, column] = np.maximum(proba[rows, column], ISSUED_PROBABILITY)
    if "covering_words" in rules:
        proba[covering] = 0.0
    return proba
