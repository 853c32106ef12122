"""A self-contained HTML comparison of chosen jurisdictions that an analyst can send to a colleague:
matrix and heatmap, honest intervals, distinctive measures, commitments and evidence sentences."""

from __future__ import annotations

import base64
import html
from collections.abc import Sequence
from datetime import date

import pandas as pd

from classify.analysis.commitments import extract
from classify.analysis.compare import distinctive_measures, similarity
from classify.analysis.intervals import cell_intervals, from_card
from classify.analysis.evidence import evidence
from classify.analysis.matrix import to_matrix
from classify.analysis.plot import heatmap, similarity_heatmap, to_png
from classify.taxonomy import Taxonomy

STYLE = """
body { font-family: "Noto Sans CJK SC", "WenQuanYi Zen Hei", "PingFang SC", sans-serif; margin: 2em auto;
       max-width: 1100px; color: #222; line-height: 1.5 }
table { border-collapse: collapse; margin: 0.5em 0 1.5em } td, th { border: 1px solid #ccc; padding: 3px 8px }
th { background: #f3f3f3 } img { max-width: 100% } .note { color: #666; font-size: 0.9em }
blockquote { margin: 0.3em 0 0.8em; padding-left: 0.8em; border-left: 3px solid #9ab }
"""


def _image(figure) -> str:
    return f'<img alt="heatmap" src="data:image/png;base64,{base64.b64encode(to_png(figure)).decode()}">'


def _table(frame: pd.DataFrame, **options) -> str:
    return frame.to_html(escape=True, border=0, **options)


def build_report(tagged: pd.DataFrame, taxonomy: Taxonomy, jurisdictions: Sequence[str], card: dict,
                 gold: dict[str, str] | None = None, examples: int = 3, checked: frozenset[str] = frozenset()) -> str:
    """The report as one HTML string (images inlined, every document text escaped)."""
    known = set(tagged["jurisdiction"].astype(str))
    missing = [j for j in jurisdictions if j not in known]
    if missing:
        raise ValueError(f"no units of {', '.join(missing)} in the tagged data (known: {', '.join(sorted(known))})")
    labels = taxonomy.ids
    names = {label.id: label.name_zh for label in taxonomy.labels}
    chosen = tagged[tagged["jurisdiction"].astype(str).isin(jurisdictions)]
    counts = to_matrix(chosen, "count", labels=labels)
    shares = to_matrix(chosen, "share", labels=labels)
    calibration = from_card(card)
    cells = cell_intervals(chosen, calibration, gold, checked) if calibration else pd.DataFrame()
    macro = card.get("metrics", {}).get("dev", card.get("metrics", {}).get("cv", {})).get("model", {})
    macro_f1 = macro.get("macro", {}).get("f1")
    distinct = distinctive_measures(tagged, labels)
    distinct = distinct[distinct["jurisdiction"].isin(jurisdictions)]
    promises = extract(chosen)
    parts = [
        "<!DOCTYPE html><html lang='zh'><head><meta charset='utf-8'>",
        f"<title>{html.escape(' · '.join(jurisdictions))}: policy measures</title><style>{STYLE}</style></head><body>",
        f"<h1>Policy measures: {html.escape(' · '.join(jurisdictions))}</h1>",
        f"<p class='note'>Generated {date.today().isoformat()} by policy-classify from {len(chosen)} sentences; "
        f"model trained {html.escape(str(card.get('created', '?')))}, macro F1 "
        f"{'n/a' if macro_f1 is None else format(macro_f1, '.2f')} "
        "on unseen jurisdictions. Counts come from a model: read the evidence before citing them.</p>",
        "<h2>Measures by jurisdiction</h2>",
        _image(heatmap(counts, labels, [names[l] for l in labels], "count")),
        _table(counts.rename(columns=names)),
        "<p class='note'>Share of each jurisdiction's sentences:</p>",
        _table(shares.rename(columns=names)),
        "<h2>How far the cells can be trusted</h2>",
        "<p class='note'>Estimate of the true number of sentences and its 90% interval: from the model's "
        "probabilities calibrated on jurisdictions it never saw (model only), corrected by a random check sample "
        "of the city's sentences where one was labelled, or exact where people confirmed every sentence.</p>",
        _table(cells.assign(measure=cells["measure"].map(names)), index=False) if len(cells) else
        "<p>This model's card has no interval calibration; retrain it.</p>",
        "<h2>Distinctive measures</h2>",
        "<p class='note'>Log-odds ratio with an informative Dirichlet prior against all other jurisdictions in the "
        "data: positive z means the jurisdiction stresses the measure more than the others, accounting for how "
        "much text each has.</p>",
        _table(distinct.assign(measure=distinct["measure"].map(names)), index=False),
    ]
    if len(jurisdictions) > 1:
        parts += ["<h2>Similar playbooks</h2>", "<p class='note'>Cosine similarity of measure profiles.</p>",
                  _image(similarity_heatmap(similarity(to_matrix(tagged, labels=labels), labels)))]
    parts.append("<h2>Commitments in numbers</h2>")
    parts.append(_table(promises[["jurisdiction", "label", "raw", "value", "unit", "kind", "target_year", "text"]]
                        .assign(label=promises["label"].map(names)), index=False) if len(promises) else
                 "<p>No numbers attached to measures.</p>")
    parts.append("<h2>Evidence</h2>")
    for place in jurisdictions:
        for label in labels:
            rows = evidence(chosen, place, label, gold=gold).head(examples)
            if len(rows):
                parts.append(f"<h3>{html.escape(place)} · {html.escape(names[label])}</h3>")
                parts += [f"<blockquote>{html.escape(text)} <span class='note'>(p = {p:.2f}, "
                          f"{html.escape(review)})</span></blockquote>"
                          for text, p, review in zip(rows["text"], rows["probability"], rows["review"])]
    parts.append("</body></html>")
    return "\n".join(parts)
