"""Draw the jurisdiction × measure matrix as a heatmap, in the app and as a PNG to download."""

from __future__ import annotations

import io
import logging
from pathlib import Path
from collections.abc import Sequence
from typing import TYPE_CHECKING

import pandas as pd

if TYPE_CHECKING:
    from matplotlib.figure import Figure

# A PNG must name a font that has Chinese glyphs, or the city names come out as boxes.
CJK_FONTS = ["WenQuanYi Zen Hei", "Noto Sans CJK SC", "Source Han Sans SC", "SimHei", "Microsoft YaHei",
             "PingFang SC", "Heiti SC", "Arial Unicode MS", "DejaVu Sans"]
VALUE_TITLES = {"count": "units", "share": "share of the jurisdiction's units", "per1000": "units per 1,000"}


def cjk_font() -> str | None:
    """The first installed font that can draw Chinese, registering system CJK fonts matplotlib has not seen."""
    from matplotlib import font_manager

    known = {font.name for font in font_manager.fontManager.ttflist}
    if not known & set(CJK_FONTS[:-1]):
        # Fonts installed after matplotlib built its cache are invisible until added.
        for path in font_manager.findSystemFonts():
            if any(mark in Path(path).name.lower() for mark in ("wqy", "cjk", "sourcehan", "simhei")):
                font_manager.fontManager.addfont(path)
        known = {font.name for font in font_manager.fontManager.ttflist}
    return next((name for name in CJK_FONTS[:-1] if name in known), None)


def _figure_class() -> type[Figure]:
    """matplotlib's Figure, set up to draw Chinese off screen. Imported here, when a picture is wanted, not
    with the module: the app's pages start without paying for it."""
    import matplotlib

    matplotlib.use("Agg")  # no screen: render to images only
    from matplotlib.figure import Figure

    logging.getLogger("matplotlib.font_manager").setLevel(logging.ERROR)  # font-weight fallbacks are harmless
    # Set globally, not in a context: text is laid out again whenever the figure is drawn or saved.
    matplotlib.rcParams.update({"font.family": "sans-serif", "axes.unicode_minus": False,
                                "font.sans-serif": [cjk_font() or CJK_FONTS[-1]] + CJK_FONTS})
    return Figure


def heatmap(matrix: pd.DataFrame, labels: Sequence[str], label_names: Sequence[str], value: str = "count",
            title: str = "") -> Figure:
    """A heatmap of `matrix[labels]`, rows named `jurisdiction (level)`, each cell printed with its value."""
    data = matrix[list(labels)].astype(float)
    rows = [f"{name} ({level})" if level else str(name)
            for name, level in zip(matrix.index, matrix.get("level", pd.Series("", index=matrix.index)))]
    Figure = _figure_class()
    # A Figure, not pyplot: pyplot keeps every figure alive in a long-running app.
    figure = Figure(figsize=(1.4 * len(labels) + 3, 0.55 * len(rows) + 2), dpi=110)
    axes = figure.subplots()
    image = axes.imshow(data.to_numpy(), cmap="Blues", aspect="auto")
    axes.set_xticks(range(len(labels)), labels=list(label_names), rotation=30, ha="right")
    axes.set_yticks(range(len(rows)), labels=rows)
    top = data.to_numpy().max() if data.size else 0
    for i in range(data.shape[0]):
        for j in range(data.shape[1]):
            cell = data.iat[i, j]
            text = f"{cell:.0f}" if value == "count" else (f"{cell:.1%}" if value == "share" else f"{cell:.0f}")
            axes.text(j, i, text, ha="center", va="center", fontsize=9,
                      color="white" if top and cell > 0.6 * top else "black")
    figure.colorbar(image, ax=axes, label=VALUE_TITLES.get(value, value))
    axes.set_title(title or f"Measures by jurisdiction ({VALUE_TITLES.get(value, value)})")
    figure.tight_layout()
    return figure


def to_png(figure: Figure) -> bytes:
    """The figure as PNG bytes."""
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()


def similarity_heatmap(cosine: pd.DataFrame, title: str = "Similarity of measure profiles (cosine)") -> Figure:
    """A jurisdiction × jurisdiction heatmap in clustering order: blocks of cities with similar playbooks."""
    Figure = _figure_class()
    size = 0.7 * len(cosine) + 2.5
    figure = Figure(figsize=(size + 1, size), dpi=110)
    axes = figure.subplots()
    image = axes.imshow(cosine.to_numpy(), cmap="Greens", vmin=0, vmax=1)
    axes.set_xticks(range(len(cosine)), labels=list(cosine.columns), rotation=45, ha="right")
    axes.set_yticks(range(len(cosine)), labels=list(cosine.index))
    for i in range(len(cosine)):
        for j in range(len(cosine)):
            axes.text(j, i, f"{cosine.iat[i, j]:.2f}", ha="center", va="center", fontsize=8,
                      color="white" if cosine.iat[i, j] > 0.6 else "black")
    figure.colorbar(image, ax=axes)
    axes.set_title(title)
    figure.tight_layout()
    return figure


def matrix_cells(matrix: pd.DataFrame, labels: Sequence[str], label_names: Sequence[str],
                 value: str = "count", intervals: pd.DataFrame | None = None) -> pd.DataFrame:
    """The matrix in long form for an interactive chart: one row per jurisdiction × label with its printed
    text; with `intervals` (from `cell_intervals`), the text is "estimate (low–high)" and wide ones are marked."""
    names = dict(zip(labels, label_names))
    known = {} if intervals is None else {(r.jurisdiction, r.measure): r for r in intervals.itertuples(index=False)}
    rows = []
    for place, row in matrix.iterrows():
        for label in labels:
            cell = float(row[label])
            text, wide = number_text(cell, value), False
            interval = known.get((str(place), label))
            if interval is not None:
                text = interval_text(interval.estimate, interval.low, interval.high, value)
                wide = bool(interval.wide)
            rows.append({"jurisdiction": place, "label": label, "measure": names[label], "value": cell,
                         "text": text, "wide": wide})
    return pd.DataFrame(rows, columns=["jurisdiction", "label", "measure", "value", "text", "wide"])


def number_text(number: float, value: str = "count") -> str:
    return f"{number:.1%}" if value == "share" else f"{number:.0f}" if value == "count" else f"{number:.1f}"


def interval_text(estimate: float, low: float, high: float, value: str = "count") -> str:
    """"12 (8–17)" for counts, "3.1% (1.0–5.2%)" for shares."""
    if value == "share":
        return f"{estimate:.1%} ({low * 100:.1f}–{high:.1%})"
    if value == "count":
        return f"{estimate:.0f} ({low:.0f}–{high:.0f})" if float(low).is_integer() and float(high).is_integer() \
            else f"{estimate:.1f} ({low:.1f}–{high:.1f})"
    return f"{estimate:.0f} ({low:.0f}–{high:.0f})"


def heatmap_chart(cells: pd.DataFrame, value: str = "count", selection: str = "cell"):
    """An Altair heatmap of `matrix_cells` whose cells can be clicked (a point selection named `selection`
    over jurisdiction and label); cells marked `wide` (an uncertain estimate) print their text in grey."""
    import altair as alt

    pick = alt.selection_point(name=selection, fields=["jurisdiction", "label"], on="click")
    order = list(dict.fromkeys(cells["measure"]))
    base = alt.Chart(cells).encode(
        x=alt.X("measure:N", sort=order, title=None, axis=alt.Axis(labelAngle=-20, labelLimit=220)),
        y=alt.Y("jurisdiction:N", title=None, axis=alt.Axis(labelLimit=200)),
        tooltip=[alt.Tooltip("jurisdiction:N"), alt.Tooltip("measure:N"), alt.Tooltip("label:N", title="id"),
                 alt.Tooltip("text:N", title=VALUE_TITLES.get(value, value))])
    rects = base.mark_rect(stroke="white").encode(
        color=alt.Color("value:Q", scale=alt.Scale(scheme="blues"), title=VALUE_TITLES.get(value, value)),
        opacity=alt.condition(pick, alt.value(1.0), alt.value(0.55))).add_params(pick)
    text = base.mark_text(fontSize=12).encode(
        text="text:N", color=alt.condition("datum.wide", alt.value("#888888"), alt.value("black")))
    return (rects + text).properties(height=alt.Step(34))


def selected_cell(event, selection: str = "cell") -> tuple[str, str] | None:
    """(jurisdiction, label) of the clicked cell in a Streamlit chart selection event, or None."""
    try:
        points = event["selection"][selection]
    except (KeyError, TypeError):
        return None
    if not points:
        return None
    point = points[0]
    if "jurisdiction" not in point or "label" not in point:
        return None
    return str(point["jurisdiction"]), str(point["label"])


def curve_figure(table: pd.DataFrame, title: str = "Macro F1 against pool units labelled") -> Figure:
    """Lines of a learning-curve table (index: units labelled; one column per series)."""
    Figure = _figure_class()
    figure = Figure(figsize=(7, 4), dpi=110)
    axes = figure.subplots()
    for column in table.columns:
        axes.plot(table.index, table[column], marker="o", label=column,
                  linestyle="-" if "active" in column else "--")
    axes.set_xlabel("pool units labelled")
    axes.set_ylabel("macro F1")
    axes.set_title(title)
    axes.grid(alpha=0.3)
    axes.legend(fontsize=8)
    figure.tight_layout()
    return figure
