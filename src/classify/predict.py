"""Apply a model to units: label ids joined by ';' and one probability column per label."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

import pandas as pd

from .model import Model, decide, predict_proba

CHUNK = 10_000


def predict_frame(model: Model, frame: pd.DataFrame, text_column: str = "text") -> pd.DataFrame:
    """`frame` with `labels` and `p_<label>` columns added; other columns pass through unchanged."""
    texts = frame[text_column].fillna("").astype(str).tolist()
    parts = [_predict_chunk(model, texts[start:start + CHUNK]) for start in range(0, len(texts), CHUNK)]
    predicted = pd.concat(parts, ignore_index=True) if parts else _predict_chunk(model, [])
    predicted.index = frame.index
    return pd.concat([frame.drop(columns=[c for c in predicted.columns if c in frame]), predicted], axis=1)


def _predict_chunk(model: Model, texts: list[str]) -> pd.DataFrame:
    proba = predict_proba(model, texts)
    chosen = decide(proba, model)
    labels = [";".join(label for label, on in zip(model.labels, row) if on) for row in chosen]
    columns = {"labels": labels} | {f"p_{label}": proba[:, k].round(4) for k, label in enumerate(model.labels)}
    return pd.DataFrame(columns)


def predict_chunks(model: Model, chunks: Iterable[pd.DataFrame]) -> Iterator[pd.DataFrame]:
    """`predict_frame` over a stream of frames, so a corpus of any size is tagged in bounded memory."""
    for chunk in chunks:
        yield predict_frame(model, chunk)
