"""Read and write unit tables as CSV (UTF-8), Parquet or Excel (.xlsx), chosen by the file's extension."""

from __future__ import annotations

import io
import os
import re
import stat
import zipfile
from collections.abc import Iterable, Sequence
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq


TEXT_COLUMNS = ("unit_id", "doc_id", "labels", "text", "date")
FORMATS = (".csv", ".parquet", ".xlsx")
XLSX_MAX_ROWS = 1_048_575  # Excel's sheet, less the header row
# Control characters that the .xlsx format cannot hold (openpyxl refuses them): shown as U+FFFD instead.
_NOT_IN_XLSX = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


class TableError(ValueError):
    """A table that cannot be read or lacks columns; the message names the file."""


def read_table(path: str | Path, required: Sequence[str] = ()) -> pd.DataFrame:
    """A CSV, Parquet or Excel file as a frame of strings and numbers, checking the required columns exist."""
    path = Path(path)
    try:
        if path.suffix.lower() == ".parquet":
            frame = pd.read_parquet(path)
        elif path.suffix.lower() == ".xlsx":
            frame = pd.read_excel(path, dtype={c: str for c in TEXT_COLUMNS}, keep_default_na=False,
                                  engine="openpyxl")
        else:
            frame = pd.read_csv(path, dtype={c: str for c in TEXT_COLUMNS},
                                keep_default_na=False, encoding="utf-8-sig")
    except FileNotFoundError:
        raise TableError(f"{path}: no such file") from None
    except (ValueError, OSError, UnicodeDecodeError, zipfile.BadZipFile, KeyError) as err:
        raise TableError(f"{path}: cannot read table ({str(err).splitlines()[0]})") from None
    missing = [c for c in required if c not in frame.columns]
    if missing:
        raise TableError(f"{path}: missing column(s) {', '.join(missing)}")
    return frame


def output_format(path: str | Path) -> str:
    """The table format a file name asks for; anything but .csv, .parquet or .xlsx is refused, naming the file."""
    suffix = Path(path).suffix.lower()
    if suffix not in FORMATS:
        raise TableError(f"{path}: unsupported table format {suffix or '(none)'}; use .csv, .parquet or .xlsx")
    return suffix


def write_atomic(path: str | Path, write) -> Path:
    """Run `write(temporary_path)`, then put the result in place in one rename: a full disk, a read-only
    target or a crash never leaves half a file where a good one was. Errors name the file."""
    path = Path(path)
    _refuse_read_only(path)
    partial = path.with_name(f".{path.name}.{os.getpid()}.part")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        write(partial)
        with open(partial, "rb+") as handle:
            os.fsync(handle.fileno())
        partial.replace(path)
    except OSError as err:
        raise TableError(f"{path}: cannot write ({err.strerror or err}); nothing was replaced") from None
    finally:
        partial.unlink(missing_ok=True)
    return path


def _refuse_read_only(path: Path) -> None:
    # By its mode bits, not os.access: root may write anything, but a file its owner made read-only
    # was made so to be kept.
    if path.exists() and not path.stat().st_mode & stat.S_IWUSR:
        raise TableError(f"{path}: file is read-only; not replaced")


def write_text(path: str | Path, text: str) -> Path:
    """A text file written atomically (see `write_atomic`)."""
    return write_atomic(path, lambda partial: Path(partial).write_text(text, encoding="utf-8"))


def write_table(frame: pd.DataFrame, path: str | Path) -> Path:
    """Write CSV (plain UTF-8, no BOM: other tools read the header as is), Parquet or Excel, atomically."""
    suffix = output_format(path)
    if suffix == ".parquet":
        return write_atomic(path, lambda partial: frame.to_parquet(partial, index=False))
    if suffix == ".xlsx":
        return write_atomic(path, lambda partial: write_excel(frame, partial, name=path))
    return write_atomic(path, lambda partial: frame.to_csv(partial, index=False, encoding="utf-8"))


def write_excel(frame: pd.DataFrame, target, name: str | Path = "table") -> None:
    """One sheet, numbers as numbers and text as text (Excel reads the UTF-8 inside .xlsx as it is, so Chinese
    headers and cells need no BOM); `target` is a path or a binary file object."""
    if len(frame) > XLSX_MAX_ROWS:
        raise TableError(f"{name}: {len(frame):,} rows do not fit an Excel sheet ({XLSX_MAX_ROWS:,}); "
                         "use .csv or .parquet")
    frame = frame.copy()
    for column in frame.select_dtypes(include=["object", "string"]).columns:
        frame[column] = frame[column].map(lambda v: _NOT_IN_XLSX.sub("\ufffd", v) if isinstance(v, str) else v)
    with pd.ExcelWriter(target, engine="openpyxl") as writer:
        frame.to_excel(writer, index=False, sheet_name="table")


def excel_bytes(frame: pd.DataFrame) -> bytes:
    """A frame as the bytes of an .xlsx file (for a download button)."""
    buffer = io.BytesIO()
    write_excel(frame, buffer)
    return buffer.getvalue()


def write_chunks(chunks: Iterable[pd.DataFrame], path: str | Path) -> int:
    """Write frames one after another to CSV or Parquet without holding them all; returns the row count.

    The output appears under its name only when complete (`write_atomic`), so a failure never leaves
    half a file in place of an earlier good one.
    """
    path = Path(path)
    suffix = output_format(path)
    if suffix == ".xlsx":  # a sheet is written whole; Excel's row limit bounds it anyway
        frames = list(chunks)
        if not frames:
            raise TableError(f"{path}: nothing to write")
        frame = pd.concat(frames, ignore_index=True)
        write_table(frame, path)
        return len(frame)
    parquet = suffix == ".parquet"
    rows = 0

    def stream(partial: Path) -> None:
        nonlocal rows
        writer = None
        try:
            for chunk in chunks:
                if parquet:
                    table = pa.Table.from_pandas(chunk, preserve_index=False)
                    writer = writer or pq.ParquetWriter(partial, table.schema)
                    writer.write_table(table.cast(writer.schema))
                else:
                    chunk.to_csv(partial, mode="a" if rows else "w", header=not rows, index=False, encoding="utf-8")
                rows += len(chunk)
        finally:
            if writer:
                writer.close()
        if not partial.exists():
            raise TableError(f"{path}: nothing to write")

    write_atomic(path, stream)
    return rows
