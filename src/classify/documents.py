"""Read a corpus folder: its manifest, and each document's text in whatever encoding it came in.

A manifest (`manifest.csv`) has one row per document and, optionally, extra
rows that give a section of a document to another jurisdiction (a study-tour
report that describes Shanghai's measures inside a Chengdu text). A folder
without a manifest still works: each `.txt` file is a document whose
jurisdiction is its file name.
"""

from __future__ import annotations

import codecs
import csv
import logging
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from filelock import FileLock

log = logging.getLogger(__name__)

MANIFEST = "manifest.csv"
MANIFEST_COLUMNS = ["doc_id", "file", "jurisdiction", "parent", "level", "date", "title", "script",
                    "section_start", "section_end"]
REQUIRED_COLUMNS = ["doc_id", "jurisdiction"]
# Where a document lives when its manifest row names no file (a manifest without a `file` column).
DEFAULT_FILES = ("{doc_id}.txt", "docs/{doc_id}.txt")
SNIFF_BYTES = 1 << 16
MAX_LINE_CHARS = 1 << 16


class CorpusError(ValueError):
    """A corpus file or manifest that cannot be read; the message names the file and the problem."""


@dataclass(frozen=True)
class Section:
    """Lines from the one starting with `start` up to the one starting with `end` belong to `jurisdiction`."""

    jurisdiction: str
    parent: str
    level: str
    start: str
    end: str = ""


@dataclass(frozen=True)
class Document:
    doc_id: str
    path: Path
    jurisdiction: str
    parent: str = ""
    level: str = ""
    date: str = ""
    title: str = ""
    script: str = ""
    sections: tuple[Section, ...] = field(default=())


def detect_encoding(head: bytes, name: str = "") -> str:
    """Pick the codec for a file from its first bytes: BOMs first, then UTF-8, UTF-16 and GB18030."""
    if not head:
        raise CorpusError(f"{name}: file is empty")
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    if _decodes(head, "utf-8"):
        return "utf-8"
    # UTF-16 without a BOM: its ASCII characters (digits, line breaks) put NULs in the high
    # byte — odd offsets in little-endian, even in big-endian. GB18030 text never contains NUL.
    if b"\x00" in head:
        odd, even = head[1::2].count(0), head[0::2].count(0)
        codec = "utf-16-le" if odd > even else "utf-16-be"
        if _decodes(head, codec) and _looks_like_text(head.decode(codec, errors="ignore")):
            return codec
        raise CorpusError(f"{name}: binary file, not text")
    if _decodes(head, "gb18030"):
        return "gb18030"
    raise CorpusError(f"{name}: not UTF-8, UTF-16 or GB18030 text")


def _decodes(head: bytes, codec: str) -> bool:
    # The sniffed head may cut a multi-byte character in half: allow a short tail.
    decoder = codecs.getincrementaldecoder(codec)()
    try:
        decoder.decode(head, final=False)
    except UnicodeDecodeError:
        return False
    return True


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f]")


def _looks_like_text(text: str) -> bool:
    return bool(text) and len(_CONTROL.findall(text)) / len(text) < 0.01


def read_lines(path: Path) -> Iterator[str]:
    """Yield the lines of a text file, decoded as detected, without loading the whole file."""
    path = Path(path)
    try:
        with path.open("rb") as raw:
            head = raw.read(SNIFF_BYTES)
    except OSError as err:
        raise CorpusError(f"{path}: cannot read ({err.strerror})") from None
    codec = detect_encoding(head, str(path))
    if not _looks_like_text(head.decode(codec, errors="ignore")):
        raise CorpusError(f"{path}: binary file, not text")
    try:
        with path.open(encoding=codec, newline=None) as text:
            # readline with a limit: a 50 MB file with no line breaks arrives in bounded pieces.
            yield from iter(lambda: text.readline(MAX_LINE_CHARS), "")
    except UnicodeDecodeError as err:
        raise CorpusError(f"{path}: invalid {codec} at byte {err.start}") from None


def read_manifest(folder: Path, manifest: Path | None = None) -> list[Document]:
    """Documents of a corpus folder, from its manifest (or the one given) or, failing that, its `.txt` files.

    A manifest row without a `file` finds its text at `<doc_id>.txt` or `docs/<doc_id>.txt`.
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise CorpusError(f"{folder}: not a folder")
    if manifest is not None:
        if not Path(manifest).is_file():
            raise CorpusError(f"{manifest}: no such manifest")
        return _documents_from_rows(folder, _read_rows(Path(manifest)), Path(manifest))
    manifest = folder / MANIFEST
    if not manifest.exists():
        files = sorted(folder.glob("*.txt"))
        if not files:
            raise CorpusError(f"{folder}: no manifest.csv and no .txt files")
        log.warning("%s has no %s: taking each file's name as its jurisdiction", folder, MANIFEST)
        return [Document(doc_id=f.stem, path=f, jurisdiction=f.stem) for f in files]
    return _documents_from_rows(folder, _read_rows(manifest))


def _read_rows(manifest: Path) -> list[dict[str, str]]:
    with manifest.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        missing = [c for c in REQUIRED_COLUMNS if c not in (reader.fieldnames or [])]
        if missing:
            raise CorpusError(f"{manifest}: missing column(s) {', '.join(missing)}")
        return [{k: (v or "").strip() for k, v in row.items() if k} for row in reader]


def _documents_from_rows(folder: Path, rows: list[dict[str, str]], manifest: Path | None = None) -> list[Document]:
    manifest = manifest or folder / MANIFEST
    main: dict[str, dict[str, str]] = {}
    sections: dict[str, list[Section]] = {}
    for number, row in enumerate(rows, start=2):
        doc_id = row.get("doc_id", "")
        if not doc_id or not row.get("jurisdiction"):
            raise CorpusError(f"{manifest}: line {number} needs a doc_id and a jurisdiction")
        if row.get("section_start"):
            sections.setdefault(doc_id, []).append(Section(
                jurisdiction=row["jurisdiction"], parent=row.get("parent", ""), level=row.get("level", ""),
                start=row["section_start"], end=row.get("section_end", "")))
        elif doc_id in main:
            raise CorpusError(f"{manifest}: line {number} repeats doc_id {doc_id}")
        else:
            main[doc_id] = row
    orphans = sorted(set(sections) - set(main))
    if orphans:
        raise CorpusError(f"{manifest}: section rows for unknown doc_id {', '.join(orphans)}")
    documents = []
    for doc_id, row in main.items():
        name = row.get("file") or next((n.format(doc_id=doc_id) for n in DEFAULT_FILES
                                        if (folder / n.format(doc_id=doc_id)).is_file()), "")
        path = folder / name
        if not path.resolve().is_relative_to(folder.resolve()):
            raise CorpusError(f"{manifest}: doc {doc_id} names a file outside the corpus folder")
        if not name or not path.is_file():
            raise CorpusError(f"{manifest}: doc {doc_id} names missing file {name!r}" if row.get("file") else
                              f"{manifest}: doc {doc_id} has no file column and no "
                              f"{' or '.join(n.format(doc_id=doc_id) for n in DEFAULT_FILES)}")
        documents.append(Document(
            doc_id=doc_id, path=path, jurisdiction=row["jurisdiction"], parent=row.get("parent", ""),
            level=row.get("level", ""), date=row.get("date", ""), title=row.get("title", ""),
            script=row.get("script", ""), sections=tuple(sections.get(doc_id, ()))))
    return documents


def decode_upload(name: str, data: bytes) -> str:
    """The text of an uploaded file, or CorpusError naming it: empty, binary or undecodable files are refused."""
    codec = detect_encoding(data[:SNIFF_BYTES], name)
    try:
        text = data.decode(codec)
    except UnicodeDecodeError as err:
        raise CorpusError(f"{name}: invalid {codec} at byte {err.start}") from None
    if not _looks_like_text(text) or not text.strip():
        raise CorpusError(f"{name}: binary or empty file, not text")
    return text.lstrip("\ufeff")


def safe_file_name(name: str) -> str:
    """A plain `.txt` file name for the corpus folder; names with folders or `..` in them are refused."""
    cleaned = name.strip()
    if not cleaned or cleaned != Path(cleaned).name or ".." in cleaned or "\\" in cleaned or cleaned.startswith("."):
        raise CorpusError(f"{name!r}: not a plain file name (no folders or '..')")
    return cleaned if cleaned.lower().endswith(".txt") else cleaned + ".txt"


def add_document(folder: Path, name: str, text: str, jurisdiction: str, level: str = "", date: str = "",
                 parent: str = "", title: str = "", script: str = "") -> Document:
    """Save a new document into a corpus folder and add its manifest row; nothing changes on error."""
    folder = Path(folder)
    file_name = safe_file_name(name)
    if not jurisdiction.strip():
        raise CorpusError(f"{file_name}: a jurisdiction is required")
    path = folder / file_name
    manifest = folder / MANIFEST
    row = {"doc_id": path.stem, "file": file_name, "jurisdiction": jurisdiction.strip(), "parent": parent.strip(),
           "level": level.strip(), "date": date.strip(), "title": title.strip() or path.stem, "script": script,
           "section_start": "", "section_end": ""}
    folder.mkdir(parents=True, exist_ok=True)
    with FileLock(str(manifest) + ".lock", timeout=30):
        existing = _read_rows(manifest) if manifest.exists() else []
        if path.exists() or any(r.get("doc_id") == path.stem for r in existing):
            raise CorpusError(f"{file_name}: the corpus already has a document of that name")
        temporary = path.with_suffix(".part")
        temporary.write_text(text, encoding="utf-8")
        try:
            _append_manifest_row(manifest, row)
        except OSError:
            temporary.unlink(missing_ok=True)
            raise
        temporary.replace(path)
    return Document(doc_id=row["doc_id"], path=path, jurisdiction=row["jurisdiction"], parent=row["parent"],
                    level=row["level"], date=row["date"], title=row["title"], script=script)


def _append_manifest_row(manifest: Path, row: dict[str, str]) -> None:
    columns = MANIFEST_COLUMNS
    if manifest.exists() and manifest.stat().st_size:
        with manifest.open(encoding="utf-8-sig", newline="") as handle:
            columns = next(csv.reader(handle), []) or MANIFEST_COLUMNS
        missing = [c for c in MANIFEST_COLUMNS if c not in columns and row.get(c)]
        if missing:
            # An older, shorter manifest: widen it (rewritten whole, then swapped in) so no field is dropped.
            rows = _read_rows(manifest)
            columns = columns + missing
            temporary = manifest.with_suffix(".csv.tmp")
            with temporary.open("w", encoding="utf-8", newline="") as handle:
                writer = csv.DictWriter(handle, fieldnames=columns, extrasaction="ignore")
                writer.writeheader()
                writer.writerows(rows)
            temporary.replace(manifest)
    new = not manifest.exists() or manifest.stat().st_size == 0
    with manifest.open("a", encoding="utf-8", newline="") as handle:
        if not new and not _ends_with_newline(manifest):
            handle.write("\n")
        writer = csv.DictWriter(handle, fieldnames=columns, extrasaction="ignore")
        if new:
            writer.writeheader()
        writer.writerow(row)
        handle.flush()
        os.fsync(handle.fileno())


def _ends_with_newline(path: Path) -> bool:
    with path.open("rb") as handle:
        handle.seek(-1, os.SEEK_END)
        return handle.read(1) == b"\n"
