"""Where a document sits and what kind of text it is: the province of each unit's jurisdiction (climbing
the manifests' `parent` column) and the document's kind read from its title.

Cross-validation that holds out whole provinces is the nearest the labelled data come to a city the
model has never seen: folds grouped by document share sites, genres and years, and flatter. The kind
(plan, work report, meeting, news) says whether a figure holds across kinds of document.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from pathlib import Path

import pandas as pd

from classify.ingest.documents import CorpusError, read_manifest
from classify.ingest.normalize import normalize

MUNICIPALITIES = frozenset({"北京市", "上海市", "天津市", "重庆市"})
NATION = frozenset({"", "中国", "全国", "—", "-"})
KINDS = ("work report", "meeting or speech", "plan or policy", "news")
_KIND_RULES = (  # first match wins: a report "印发…的通知" is a report, a plan's press conference a meeting
    ("work report", re.compile(r"总结|报告|工作情况|综述|年鉴|进展")),
    ("meeting or speech", re.compile(r"会议|大会|会召开|召开|座谈|发布会|讲话|推进会|调研|会商")),
    ("plan or policy", re.compile(r"规划|方案|计划|要点|意见|政策|措施|决定|办法|纲领|通知|打算|思路|安排")),
)


def kind_of(title: str) -> str:
    """The kind of document its title names: work report, meeting or speech, plan or policy, else news."""
    text = normalize(str(title or ""))
    return next((kind for kind, rule in _KIND_RULES if rule.search(text)), "news")


def province_of(jurisdiction: str, parents: Mapping[str, str]) -> str:
    """The provincial-level unit a jurisdiction belongs to (a municipality is its own); a place whose parent
    is unknown stands for itself."""
    place = str(jurisdiction or "")
    for _ in range(4):  # district → city → province at most
        parent = parents.get(place, "")
        if place in MUNICIPALITIES or place.endswith(("省", "自治区")) or parent in NATION:
            return place
        place = parent
    return place


def manifest_places(folders: Iterable[Path]) -> tuple[dict[str, str], dict[str, str]]:
    """From the manifests of these corpus folders: each jurisdiction's parent, and each document's title."""
    parents, titles = {}, {}
    for folder in folders:
        try:
            documents = read_manifest(Path(folder))
        except CorpusError:
            continue  # an absent or unreadable corpus adds no places; its units are resolved (or not) elsewhere
        for document in documents:
            titles.setdefault(document.doc_id, document.title)
            for place, parent in [(document.jurisdiction, document.parent),
                                  *((s.jurisdiction, s.parent) for s in document.sections)]:
                if parent:
                    parents.setdefault(place, parent)
    return parents, titles


def with_places(gold: pd.DataFrame, folders: Iterable[Path]) -> pd.DataFrame:
    """The gold frame with `province` and `kind` columns (written sentences get neither: they only train)."""
    parents, titles = manifest_places(folders)
    gold = gold.copy()
    real = (gold["source"] if "source" in gold else gold["doc_id"]).astype(str) != "written"
    gold["province"] = [province_of(j, parents) if r else "" for j, r in zip(gold["jurisdiction"].astype(str), real)]
    gold["kind"] = [kind_of(titles.get(d, "")) if r else "" for d, r in zip(gold["doc_id"].astype(str), real)]
    return gold
