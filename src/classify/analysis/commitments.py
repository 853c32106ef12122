"""Quantitative commitments: the numbers attached to measures, with their unit, and whether each
is a result achieved or a target.

"力争帮助1500家科技型企业新获贷款80亿元以上" is two commitments of Chengdu's finance measure:
1,500 firms and 8,000,000,000 yuan, both targets. Chinese numerals and mixed forms count
(三大 → 3, 1.3万台/套 → 13,000, 两千 → 2,000); plan names such as 十四五 do not.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import pandas as pd

from classify.labels import split_labels

_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_SMALL_UNITS = {"十": 10, "百": 100, "千": 1000}
_LARGE_UNITS = {"万": 10_000, "亿": 100_000_000}
_CHINESE = "零〇一二两三四五六七八九十百千万亿"

# Units, longest first so 万平方米 wins over 平方米 and 个百分点 over 个.
UNITS = {
    "亿元": ("money", 1e8), "万元": ("money", 1e4), "元": ("money", 1),
    "万平方米": ("area", 1e4), "平方米": ("area", 1), "亩": ("area", 666.7),
    "个百分点": ("percentage points", 1), "%": ("percent", 1),
    "家": ("organisations", 1), "所": ("organisations", 1), "个": ("items", 1), "项": ("items", 1),
    "台/套": ("items", 1), "台套": ("items", 1), "台": ("items", 1), "套": ("items", 1), "件": ("items", 1),
    "支": ("teams", 1), "名": ("people", 1), "人次": ("people", 1), "人": ("people", 1),
}
_UNIT_PATTERN = "|".join(re.escape(u) for u in sorted(UNITS, key=len, reverse=True))
_NUMBER = re.compile(
    rf"(?P<number>\d+(?:\.\d+)?|[{_CHINESE}]+)(?P<scale>[万亿]?)\s*(?P<unit>{_UNIT_PATTERN})"
    rf"|(?P<big>[一二两三四五六七八九十]+)大(?=[\u4e00-\u9fff])")
_TARGET_YEAR = re.compile(r"(?:到|至|力争到|预计到)(20\d\d)年")
TARGET_CUES = re.compile(r"力争|以上|到20\d\d年|目标|计划|确保|将")
# "三大平台" counts three platforms; "十九大", "二十大精神" name Party congresses and "三大战略" a slogan's
# ordinal list: an "N大" counts only when a measure's noun follows within a few characters.
_MEASURE_NOUNS = re.compile(r"^[\u4e00-\u9fff]{0,4}?(?:平台|中心|实验室|基地|园区|装置|设施|科学城|工程|基金|"
                            r"集群|项目|研究院|孵化器|载体|走廊|计划)")
_CONGRESS = re.compile(r"^(?:精神|报告|以来|召开|胜利|和|、|,|以及|党代会)")

COLUMNS = ["unit_id", "doc_id", "jurisdiction", "labels", "label", "quantity", "value", "unit", "kind",
           "target_year", "raw", "text"]


def chinese_number(text: str) -> float | None:
    """'一千五百' → 1500, '两万' → 20000, '十二' → 12, '三' → 3; None when it is not a number."""
    if not text or any(ch not in _CHINESE for ch in text):
        return None
    total, wan, section, digit = 0, 0, 0, None  # 亿 part, 万 part, part below 万, last digit
    for ch in text:
        if ch in _DIGITS:
            digit = _DIGITS[ch]
        elif ch in _SMALL_UNITS:
            section += (1 if digit is None else digit) * _SMALL_UNITS[ch]
            digit = None
        elif ch == "万":
            wan += (section + (digit or 0) or 1) * 10_000
            section, digit = 0, None
        else:  # 亿
            total += (wan + section + (digit or 0) or 1) * 100_000_000
            wan, section, digit = 0, 0, None
    return float(total + wan + section + (digit or 0))


def parse_number(number: str, scale: str = "") -> float | None:
    """Arabic or Chinese numerals with an optional 万/亿 scale: ('1.3', '万') → 13000."""
    value = float(number) if number[0].isdigit() else chinese_number(number)
    if value is None:
        return None
    return value * _LARGE_UNITS.get(scale, 1)


def quantities(text: str) -> list[dict]:
    """Every number-with-unit in a sentence: raw text, value in base units, unit kind, and its position."""
    found = []
    for match in _NUMBER.finditer(text):
        if match.group("big"):
            value = chinese_number(match.group("big"))
            after = text[match.end():]
            if value is None or value >= 10 or _CONGRESS.match(after) or not _MEASURE_NOUNS.match(after):
                continue  # a congress (十九大) or an ordinal list, not a count of measures
            quantity, multiplier, unit = "items", 1, "大"
        else:
            number, scale, unit = match.group("number"), match.group("scale"), match.group("unit")
            if number == "一" and not scale:
                continue  # 一个/一家/一项: an article ("a", "one per"), not a count anyone committed to
            value = parse_number(number, scale)
            quantity, multiplier = UNITS[unit]
        if value is None:
            continue
        found.append({"raw": match.group(0), "value": round(value * multiplier, 4), "quantity": quantity,
                      "unit": "元" if quantity == "money" else unit, "start": match.start()})
    return found


def kind_of(text: str, start: int) -> str:
    """'target' when the clause holding the number (or the sentence's opening) speaks of the future."""
    clause_start = max(text.rfind(mark, 0, start) for mark in ",;,:") + 1
    clause_end = min([i for i in (text.find(mark, start) for mark in ",;,") if i >= 0] or [len(text)])
    clause = text[clause_start:clause_end]
    if TARGET_CUES.search(clause) or TARGET_CUES.search(text[:clause_start][:12]):
        return "target"
    return "result"


def extract(tagged: pd.DataFrame, labels: Iterable[str] | None = None) -> pd.DataFrame:
    """One row per number in a labelled unit (each of its labels), optionally only for some labels."""
    wanted = set(labels) if labels is not None else None
    rows = []
    for unit in tagged.itertuples(index=False):
        unit_labels = [l for l in split_labels(unit.labels) if wanted is None or l in wanted]
        if not unit_labels:
            continue
        year = _TARGET_YEAR.search(unit.text)
        for quantity in quantities(unit.text):
            for label in unit_labels:
                rows.append({"unit_id": unit.unit_id, "doc_id": getattr(unit, "doc_id", ""),
                             "jurisdiction": unit.jurisdiction, "labels": unit.labels, "label": label,
                             "quantity": quantity["quantity"], "value": quantity["value"], "unit": quantity["unit"],
                             "kind": kind_of(unit.text, quantity["start"]),
                             "target_year": int(year.group(1)) if year else None,
                             "raw": quantity["raw"], "text": unit.text})
    return pd.DataFrame(rows, columns=COLUMNS)
