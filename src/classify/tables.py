"""Read and write unit tables as CSV (UTF-8) or Parquet, chosen by the file's extension."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq


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


def write_chunks(chunks: Iterable[pd.DataFrame], path: str | Path) -> int:
    """Write frames one after another to CSV or Parquet without holding them all; returns the row count.

    The output appears under its name only when complete, so a failure never leaves half a file
    in place of an earlier good one.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".part")
    rows = 0
    writer = None
    try:
        for chunk in chunks:
            if path.suffix.lower() == ".parquet":
                table = pa.Table.from_pandas(chunk, preserve_index=False)
                writer = writer or pq.ParquetWriter(partial, table.schema)
                writer.write_table(table.cast(writer.schema))
            else:
                chunk.to_csv(partial, mode="a" if rows else "w", header=not rows, index=False, encoding="utf-8")
            rows += len(chunk)
        if writer:
            writer.close()
            writer = None
        if not partial.exists():
            raise TableError(f"{path}: nothing to write")
        partial.replace(path)
    finally:
        if writer:
            writer.close()
        partial.unlink(missing_ok=True)
    return rows
