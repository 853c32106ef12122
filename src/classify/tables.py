"""Read and write unit tables as CSV (UTF-8) or Parquet, chosen by the file's extension."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pandas as pd


class TableError(ValueError):
    """A table that cannot be read or lacks columns; the message names the file."""


def read_table(path: str | Path, required: Sequence[str] = ()) -> pd.DataFrame:
    """A CSV or Parquet file as a frame of strings and numbers, checking the required columns exist."""
    path = Path(path)
    try:
        if path.suffix.lower() == ".parquet":
            frame = pd.read_parquet(path)
        else:
            frame = pd.read_csv(path, dtype={c: str for c in ("unit_id", "doc_id", "labels", "text", "date")},
                                keep_default_na=False, encoding="utf-8-sig")
    except FileNotFoundError:
        raise TableError(f"{path}: no such file") from None
    except (ValueError, OSError, UnicodeDecodeError) as err:
        raise TableError(f"{path}: cannot read table ({str(err).splitlines()[0]})") from None
    missing = [c for c in required if c not in frame.columns]
    if missing:
        raise TableError(f"{path}: missing column(s) {', '.join(missing)}")
    return frame


def write_table(frame: pd.DataFrame, path: str | Path) -> Path:
    """Write CSV (plain UTF-8, no BOM: other tools read the header as is) or Parquet."""
    path = Path(path)
    if path.parent and not path.parent.exists():
        path.parent.mkdir(parents=True)
    if path.suffix.lower() == ".parquet":
        frame.to_parquet(path, index=False)
    else:
        frame.to_csv(path, index=False, encoding="utf-8")
    return path
