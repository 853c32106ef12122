"""Render a model card (the JSON dict saved beside a model) as readable Markdown."""

from __future__ import annotations

import json

import pandas as pd

LABEL_ROWS_LAST = ("micro", "macro")
METRIC_SECTIONS = (("dev", "Development set (unseen jurisdictions)"),
                   ("cv_place_external", "Cross-validation holding out whole provinces, units of the pool"),
                   ("cv_place", "Cross-validation holding out whole provinces (all labelled units)"),
                   ("cv_external", "Cross-validation grouped by document, units of the pool"),
                   ("cv", "Cross-validation grouped by document (all labelled units)"))


def render_card(card: dict) -> str:
    """Markdown for a card: data, settings, thresholds, metrics beside the keyword baseline, versions."""
    units = card.get("units", {})
    parts = [
        f"# Model card: {card.get('name', 'model')}",
        "",
        f"Trained {card.get('created', '?')} on {units.get('corpus', 0)} units from "
        f"{units.get('documents', 0)} documents in `labeled/`"
        + (f", plus {units['written']} written sentences (training only)" if units.get("written") else "") + ".",
        "",
        f"- training data hash: `{card.get('training_data', '')}`",
        f"- taxonomy hash: `{card.get('taxonomy', '')}`",
        f"- model file hash: `{card.get('model_sha256', '')}`",
        "",
    ]
    for key, title in METRIC_SECTIONS:
        if card.get("metrics", {}).get(key):
            parts += _metrics_section(title, card["metrics"][key])
    if card.get("corpora"):
        parts += ["## External corpora (stand-off labels)", "", "| corpus | units | documents | unresolved |",
                  "|---|---|---|---|"]
        parts += [f"| {name} | {c['units']} | {c['documents']} | {c['unresolved']} |"
                  for name, c in card["corpora"].items()] + [""]
    if card.get("intervals"):
        parts += _intervals_section(card["intervals"])
    parts += ["## Decision thresholds", "", "| label | threshold | training units |", "|---|---|---|"]
    parts += [f"| {label} | {card['thresholds'][label]:.3f} | {card.get('label_counts', {}).get(label, '')} |"
              for label in card.get("labels", [])]
    parts += ["", "## Settings", "", "```json", _json(card.get("settings", {})), "```", ""]
    if card.get("rationale"):
        parts += ["## Why these settings", "", card["rationale"].strip(), ""]
    for table in card.get("tables", []):
        parts += [f"## {table['title']}", "", table.get("note", ""), "", table["markdown"], ""]
        if table.get("image"):
            parts += [f"![{table['title']}]({table['image']})", ""]
    parts += ["## Library versions", "", ", ".join(f"{k} {v}" for k, v in card.get("versions", {}).items()), ""]
    return "\n".join(parts)


def metrics_table(report: dict) -> pd.DataFrame:
    """One metrics report (a card's dict form) as a table: the model's precision, recall, F1 and confusion
    counts per label, then micro and macro, beside the keyword baseline's F1. The CLI prints it, the card
    writes it as Markdown, the app shows it."""
    model, baseline = report["model"], report["baseline"]
    rows = [r for r in model if r not in LABEL_ROWS_LAST] + list(LABEL_ROWS_LAST)
    table = pd.DataFrame({row: {"precision": model[row]["precision"], "recall": model[row]["recall"],
                                "f1": model[row]["f1"], "tp": model[row]["tp"], "fp": model[row]["fp"],
                                "fn": model[row]["fn"], "support": model[row]["support"],
                                "baseline f1": baseline[row]["f1"]} for row in rows}).T
    counts = ["tp", "fp", "fn", "support"]
    table[counts] = table[counts].astype(int)
    return table


NO_EXAMPLES = "no examples"


def figure(value) -> str:
    """A score as the card, the CLI and the app show it: three decimals, or 'no examples' for a label with
    nothing to find and nothing claimed (never a perfect score)."""
    return NO_EXAMPLES if value is None or pd.isna(value) else f"{value:.3f}"


def shown_metrics(report: dict) -> pd.DataFrame:
    """`metrics_table` with its scores as text (`figure`), for printing."""
    table = metrics_table(report)
    shown = table.astype(object)
    for column in ("precision", "recall", "f1", "baseline f1"):
        shown[column] = table[column].map(figure)
    return shown


def metrics_summary(report: dict) -> str:
    """One line: what was scored, and macro F1 of the model and the baseline over how many labels."""
    macro = report["model"]["macro"]
    over = f" (over {macro['labels']} labels)" if "labels" in macro else ""
    interval = (f" (90% interval over jurisdictions {report['macro_interval'][0]:.3f}-{report['macro_interval'][1]:.3f})"
                if report.get("macro_interval") else "")
    return (f"{report['method']}: {report['units']} units, {report['documents']} documents. Macro F1: model "
            f"{figure(macro['f1'])}{interval}, keyword baseline {figure(report['baseline']['macro']['f1'])}{over}.")


def _metrics_section(title: str, report: dict) -> list[str]:
    return [f"## {title}", "", metrics_summary(report), "", shown_metrics(report).to_markdown(), ""]


def _intervals_section(study: dict) -> list[str]:
    factor = next(iter(study["calibration"].values()))["factor"]
    lines = ["## Cell intervals", "",
             f"Calibrated on {study['units']} {study['source']} ({study['jurisdictions']} jurisdictions): "
             f"isotonic calibration per label, between-jurisdiction spread, conformal factor {factor:.3f}. "
             "Coverage of 90% intervals for the true count of a jurisdiction × measure cell, with no check "
             "sample and with a simple random sample of n checked units (prediction-powered inference):", ""]
    for name, rows in study.get("coverage", {}).items():
        lines += [f"**{name}**", "", "| checked units | cells | coverage | non-empty cells | median width |",
                  "|---|---|---|---|---|"]
        lines += [f"| {r['checked units']} | {int(r['cells'])} | {r['coverage']:.3f} | "
                  f"{r['coverage, non-empty cells']:.3f} | {r['median width']:.1f} |" for r in rows] + [""]
    return lines


def _json(value: dict) -> str:
    return json.dumps(value, ensure_ascii=False, indent=2)


def with_table(card: dict, title: str, frame, note: str = "", image: str = "") -> dict:
    """The card with a Markdown table (and optionally a picture beside the card) under `title`, replacing an
    earlier table of that title."""
    tables = [t for t in card.get("tables", []) if t["title"] != title]
    tables.append({"title": title, "note": note, "markdown": frame.to_markdown()} | ({"image": image} if image else {}))
    return card | {"tables": tables}
