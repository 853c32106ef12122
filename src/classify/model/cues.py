"""Codebook cues: signals for the rules that bags of n-grams cannot see.

The codebook labels what a government *does* (build, fund, reform, recruit),
not what a sentence merely mentions. So beside "does the unit contain a term
of label X" a linear model needs to know whether that term is governed by an
action, sits in a bare statistic or a report of praise, or appears in a
preamble, a heading or a diagnosis of problems. Each cue here is a named
0/1 feature; `CodebookCues` turns them into a sparse matrix.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

import numpy as np
from scipy import sparse
from sklearn.base import BaseEstimator, TransformerMixin

_CLAUSE = re.compile(r"[,:;，：；]")  # half- and full-width: raw text splits too

ACTION = re.compile(
    r"建设|建成|建立|健全|组建|筹建|新建|创建|共建|搭建|打造|布局|设立|成立|出台|制定|印发|发布|实施|推进|推行|"
    r"落实|深化|完善|优化|提升|升级|强化|加强|加快|加大|支持|扶持|鼓励|引导|引进|引育|培育|培养|集聚|争取|获批|"
    r"认定|揭牌|投运|启动|开展|举办|签署|签订|给予|发放|设置|试点|探索|构建|实行|推动|改革|重组|编制|整合|投入|"
    r"资助|奖励|补助|补贴|兑现|新增|新认定|入驻|落地|引入|联合|携手|对接|承接|申报|服务")
TARGET = re.compile(r"力争|到20\d\d年|目标|以上|确保|计划|将")
REPORT = re.compile(r"增长|达到|达|占|位居|居全|排名|排第|第\d+位|突破|累计|同比|比重|提高\d|下降|分别为|首破")
NUMBER = re.compile(r"\d")
PRAISE = re.compile(r"表彰|肯定|荣获|获评|优秀|通报表扬|典型案例|先进|示范案例|点赞|好评|获得.{0,6}奖|之最|殊荣")
PREAMBLE = re.compile(r"为.{0,80}(特)?制定本|现(将|予)?印发|现就.{0,20}(通知|意见)|请认真(贯彻|遵照)|特制定")
GUIDING = re.compile(r"以.{0,60}为指导|指导思想|工作思路|总体要求|基本原则|贯彻.{0,40}精神|深入学习贯彻")
DIAGNOSIS = re.compile(r"短板|不足|滞后|差距|薄弱|制约|缺乏|不够|亟待|亟需|急需|脱节|瓶颈|问题|困难|痛点|不强|不高|不畅")
BYLINE = re.compile(r"^(作\s*者|责任编辑|来源|时间|编辑|记者|通讯员)\s*:|日报\)?$|版权|转载|原标题")
ENTERPRISE = re.compile(r"高新技术企业|专精特新|小巨人|科技型(中小)?企业|瞪羚|独角兽|企业技术中心|企业培育|隐形冠军|单项冠军")
DIGITAL = re.compile(r"智慧城市|数字政府|一网通办|一网统管|智慧化|政务服务")
POPULAR = re.compile(r"科普|科学普及|科学素质")
MEETING = re.compile(r"召开|会议|大会|座谈会")
ENUMERATION = re.compile(r"^(\(?[一二三四五六七八九十]+[)、]|[一二三四五六七八九十]+是|\d+[、.]"
                         r"|第[一二三四五六七八九十]+[,、]|——)")
STRUCTURAL = re.compile(r"(主要|重点)?工作(回顾|总结|安排|计划|思路|情况|完成情况)|发展现状|存在(的)?问题|相关建议|"
                        r"总体要求|保障措施|组织保障|主要目标|重点任务|基本情况|下一步")

GLOBAL_CUES = {
    "enumerated": lambda t: bool(ENUMERATION.match(t)),
    "short": lambda t: len(t) <= 25,
    "heading": lambda t: len(t) <= 40 and bool(ENUMERATION.match(t)) and "," not in t,
    "structural_heading": lambda t: len(t) <= 40 and bool(STRUCTURAL.search(t)),
    "number": lambda t: bool(NUMBER.search(t)),
    "report": lambda t: bool(REPORT.search(t)),
    "statistic": lambda t: bool(NUMBER.search(t) and REPORT.search(t)) and not TARGET.search(t),
    "target": lambda t: bool(TARGET.search(t)),
    "praise": lambda t: bool(PRAISE.search(t)),
    "preamble": lambda t: bool(PREAMBLE.search(t)),
    "guiding": lambda t: bool(GUIDING.search(t)),
    "diagnosis": lambda t: bool(DIAGNOSIS.search(t)),
    "byline": lambda t: bool(BYLINE.search(t)),
    "enterprise": lambda t: bool(ENTERPRISE.search(t)),
    "digital": lambda t: bool(DIGITAL.search(t)),
    "popular_science": lambda t: bool(POPULAR.search(t)),
    "meeting": lambda t: bool(MEETING.search(t)),
    "no_action": lambda t: not ACTION.search(t),
    "long": lambda t: len(t) > 120,
}


def clauses(text: str) -> list[str]:
    """The comma/colon/semicolon-separated clauses of a unit."""
    return [c for c in _CLAUSE.split(text) if c.strip()]


def label_cues(text: str, terms: Sequence[str]) -> dict[str, bool]:
    """How a label's terms occur in a unit: at all, governed by an action, in a statistic, in a heading."""
    parts = clauses(text)
    with_term = [c for c in parts if any(term in c for term in terms)]
    acted = [c for c in with_term if ACTION.search(c)]
    counted = [c for c in with_term if NUMBER.search(c) and REPORT.search(c) and not ACTION.search(c)]
    return {
        "term": bool(with_term),
        "term_action": bool(acted),
        "term_only": bool(with_term) and not acted,
        "term_statistic": bool(counted),
        "term_heading": bool(with_term) and GLOBAL_CUES["heading"](text),
        "term_first_clause": bool(parts) and parts[0] in with_term,
        "terms_many": len(with_term) >= 2,
    }


def unit_cues(text: str, terms_by_label: Sequence[Sequence[str]]) -> dict[str, bool]:
    """Every cue of one unit, named `global:<cue>` or `<label index>:<cue>`."""
    cues = {f"global:{name}": test(text) for name, test in GLOBAL_CUES.items()}
    for index, terms in enumerate(terms_by_label):
        cues.update({f"{index}:{name}": value for name, value in label_cues(text, terms).items()})
    return cues


class CodebookCues(BaseEstimator, TransformerMixin):
    """Sparse 0/1 matrix of `unit_cues`, scaled by `weight`."""

    def __init__(self, terms_by_label: tuple[tuple[str, ...], ...] = (), weight: float = 1.0):
        self.terms_by_label = terms_by_label
        self.weight = weight

    def fit(self, texts: Iterable[str], y=None):
        self.names_ = list(unit_cues("", self.terms_by_label))
        return self

    def transform(self, texts: Iterable[str]):
        rows = [list(unit_cues(text, self.terms_by_label).values()) for text in texts]
        matrix = np.asarray(rows, dtype=float).reshape(len(rows), len(self.names_))
        return sparse.csr_matrix(self.weight * matrix)

    def get_feature_names_out(self, input_features=None):
        return np.array(self.names_, dtype=object)
