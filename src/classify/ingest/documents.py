"""Read a corpus folder: its manifest, and each document's text in whatever encoding it came in.

A manifest (`manifest.csv`) has one row per document and, optionally, extra
rows that give a section of a document to another jurisdiction (a study-tour
report that describes Shanghai's measures inside a Chengdu text). A folder
without a manifest still works: each document file (`.txt`, `.pdf`, `.docx`,
`.html`) is a document whose jurisdiction is its file name; `add_folder` writes
the manifest rows of a folder of such files.
"""

from __future__ import annotations

import codecs
import csv
import logging
import os
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from filelock import FileLock

from classify.tables import write_atomic

log = logging.getLogger(__name__)

MANIFEST = "manifest.csv"
MANIFEST_COLUMNS = ["doc_id", "file", "jurisdiction", "parent", "level", "date", "title", "script",
                    "section_start", "section_end"]
REQUIRED_COLUMNS = ["doc_id", "jurisdiction"]
# Where a document lives when its manifest row names no file (a manifest without a `file` column).
DEFAULT_FILES = ("{doc_id}.txt", "docs/{doc_id}.txt")
SNIFF_BYTES = 1 << 16
MAX_LINE_CHARS = 1 << 16
MAX_NAME_BYTES = 200  # file systems stop at 255; leave room for the writer's temporary suffix


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
    encoding: str = ""  # from the manifest's optional `encoding` column; detected when empty


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
    candidates = [codec for codec in ("gb18030", "big5") if _decodes(head, codec)]
    if not candidates:
        raise CorpusError(f"{name}: not UTF-8, UTF-16, GB18030 or Big5 text")
    # Big5 bytes usually also decode as GB18030, into rare characters: keep the reading whose
    # characters are the common ones of Chinese prose.
    return max(candidates, key=lambda codec: _common_share(head.decode(codec, errors="ignore")))


# Characters frequent in Chinese prose and written alike in both scripts.
_COMMON = frozenset("的是在和了有人中大上个以要他时来用们生到作地于出就分对成可主年同工也能下过子产种面而方后多定"
                    "行学法所民得十三之进着等部度家力里如水化高自二理起小物实加量都两体制机当使点从业本去把性好应开它"
                    "合还因由其些然前外天政四日那社义事平形相全表间样与关各重新内数正心你明看原又么利比或但质气第向道"
                    "此只没意月公无系者最立代想已通并提直题程展五果员位入常文次品式活设及管特件求老头基资边路级少山统"
                    "接知较将组见计别期根论区强放决西被干做必先回则任取据处南给色光门即保治北造百规热七海口东器压志世"
                    "金增争济思术极交受什认六共权收证改己美再采更单切打白教速花带安场身例真务具万每目至达走积示议声报"
                    "完类八离名确才科信米整空元况今集温传土许步群广石记需段研界拉林律且究观越装影算低持音众书布复容须"
                    "际商非验连断深难近千周委素技备半办青省列习响约支般史感便团往历市克何除消构府称太准精值号率族维划"
                    "选标写存候毛亲快效斯院查江型眼王按格养易置派层片始却专状育京识适属圆包火住调满县局照参红细引听该"
                    "价严创新企科研发展建设推动")


def _common_share(text: str) -> float:
    han = [ch for ch in text if "\u4e00" <= ch <= "\u9fff"]
    return sum(ch in _COMMON for ch in han) / len(han) if han else 0.0


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


def read_lines(path: Path, encoding: str = "") -> Iterator[str]:
    """Yield the lines of a text file, decoded as given or as detected, without loading the whole file."""
    path = Path(path)
    try:
        with path.open("rb") as raw:
            head = raw.read(SNIFF_BYTES)
    except OSError as err:
        raise CorpusError(f"{path}: cannot read ({err.strerror})") from None
    codec = encoding or detect_encoding(head, str(path))
    if not _looks_like_text(head.decode(codec, errors="ignore")):
        raise CorpusError(f"{path}: binary file, not text")
    try:
        with path.open(encoding=codec, newline=None) as text:
            # readline with a limit: a 50 MB file with no line breaks arrives in bounded pieces.
            yield from iter(lambda: text.readline(MAX_LINE_CHARS), "")
    except UnicodeDecodeError:
        offset, line = _bad_byte(path, codec)
        raise CorpusError(f"{path}: invalid {codec} at byte {offset:,} (line {line})") from None


def _bad_byte(path: Path, codec: str) -> tuple[int, int]:
    """Where a file stops decoding: the byte offset and line of the first bad byte."""
    decoder = codecs.getincrementaldecoder(codec)()
    offset = lines = 0
    with Path(path).open("rb") as raw:
        for block in iter(lambda: raw.read(1 << 20), b""):
            try:
                decoder.decode(block)
            except UnicodeDecodeError as err:
                inside = max(0, err.start - (len(err.object) - len(block)))
                return offset + inside, lines + block[:inside].count(b"\n") + 1
            lines += block.count(b"\n")
            offset += len(block)
    return offset, lines + 1


def read_manifest(folder: Path, manifest: Path | None = None) -> list[Document]:
    """Documents of a corpus folder, from its manifest (or the one given) or, failing that, its document files.

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
        files = document_files(folder)
        if not files:
            raise CorpusError(f"{folder}: no manifest.csv and no document files (.txt, .pdf, .docx, .html)")
        log.warning("%s has no %s: taking each file's name as its jurisdiction", folder, MANIFEST)
        return [Document(doc_id=f.stem, path=f, jurisdiction=f.stem) for f in files]
    return _documents_from_rows(folder, _read_rows(manifest))


def document_files(folder: Path) -> list[Path]:
    """The files of a folder that are documents: readable formats, and refused ones (so they get named)."""
    from classify.ingest.readers import SUFFIXES  # readers build on this module's decoding

    return sorted(f for f in Path(folder).iterdir() if f.is_file() and f.suffix.lower() in SUFFIXES
                  and not f.name.startswith("."))


def _read_rows(manifest: Path) -> list[dict[str, str]]:
    try:
        with manifest.open(encoding="utf-8-sig", newline="") as handle:
            if "\x00" in handle.read(SNIFF_BYTES):
                raise CorpusError(f"{manifest}: binary file, not a CSV manifest")
            handle.seek(0)
            reader = csv.DictReader(handle)
            missing = [c for c in REQUIRED_COLUMNS if c not in (reader.fieldnames or [])]
            if missing:
                raise CorpusError(f"{manifest}: missing column(s) {', '.join(missing)}")
            return [{k: (v or "").strip() for k, v in row.items() if k} for row in reader]
    except UnicodeDecodeError as err:
        raise CorpusError(f"{manifest}: not UTF-8 text (invalid byte at {err.start:,}); save the manifest as "
                          "UTF-8") from None
    except csv.Error as err:
        raise CorpusError(f"{manifest}: not a readable CSV ({err})") from None


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
            script=row.get("script", ""), sections=tuple(sections.get(doc_id, ())),
            encoding=_known_codec(manifest, doc_id, row.get("encoding", ""))))
    return documents


def _known_codec(manifest: Path, doc_id: str, name: str) -> str:
    if not name:
        return ""
    try:
        return codecs.lookup(name).name
    except LookupError:
        raise CorpusError(f"{manifest}: doc {doc_id} names unknown encoding {name!r}") from None


def check_text(name: str, text: str) -> str:
    """The text, if it is text: no NUL, and under 1% control characters both in its opening (what the
    corpus reader sniffs) and overall; else CorpusError naming it. Pasted, uploaded and stored text all
    pass this one check, so nothing the app accepts can later stop the corpus from loading."""
    if not text.strip():
        raise CorpusError(f"{name}: empty text")
    # The opening exactly as the corpus reader will sniff it once the text is stored as UTF-8.
    opening = text.encode("utf-8")[:SNIFF_BYTES].decode("utf-8", errors="ignore")
    if "\x00" in text or not (_looks_like_text(opening) and _looks_like_text(text)):
        raise CorpusError(f"{name}: binary or control characters, not text")
    return text


def decode_upload(name: str, data: bytes) -> str:
    """The text of an uploaded file, or CorpusError naming it: empty, binary or undecodable files are refused."""
    codec = detect_encoding(data[:SNIFF_BYTES], name)
    try:
        text = data.decode(codec)
    except UnicodeDecodeError as err:
        line = data[:err.start].count(b"\n") + 1
        raise CorpusError(f"{name}: invalid {codec} at byte {err.start:,} (line {line})") from None
    return check_text(name, text.lstrip("\ufeff"))


def safe_file_name(name: str) -> str:
    """A plain `.txt` file name for the corpus folder (`报告.pdf` → `报告.txt`: the corpus keeps a document's
    text); names with folders or `..` in them are refused."""
    from classify.ingest.readers import READERS

    cleaned = name.strip()
    if not cleaned or cleaned != Path(cleaned).name or ".." in cleaned or "\\" in cleaned or cleaned.startswith("."):
        raise CorpusError(f"{name!r}: not a plain file name (no folders or '..')")
    if any(ord(ch) < 32 for ch in cleaned):
        raise CorpusError(f"{name!r}: control characters in a file name")
    stem, suffix = os.path.splitext(cleaned)
    cleaned = stem + ".txt" if suffix.lower() in READERS and stem else cleaned + ".txt"
    if len(cleaned.encode("utf-8")) > MAX_NAME_BYTES:
        raise CorpusError(f"{cleaned[:40]}…: file name longer than {MAX_NAME_BYTES} bytes")
    return cleaned


def add_document(folder: Path, name: str, text: str, jurisdiction: str, level: str = "", date: str = "",
                 parent: str = "", title: str = "", script: str = "") -> Document:
    """Save a new document into a corpus folder and add its manifest row; nothing changes on error."""
    folder = Path(folder)
    file_name = safe_file_name(name)
    check_text(file_name, text)
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
        # The text is written aside, the manifest row appended, and only then the text put in place: a failure
        # at any step leaves neither a document without its row nor a half-written file.
        write_atomic(path, lambda partial: (partial.write_text(text, encoding="utf-8"),
                                            _append_manifest_row(manifest, row)))
    return Document(doc_id=row["doc_id"], path=path, jurisdiction=row["jurisdiction"], parent=row["parent"],
                    level=row["level"], date=row["date"], title=row["title"], script=script)


def add_folder(folder: Path, jurisdiction_of: Callable[[Path, str], str],
               skipped: list[str] | None = None) -> list[dict[str, str]]:
    """Give each document file of a folder that its manifest does not name yet a manifest row (written at once):
    doc id from the file name, title from the document, jurisdiction from `jurisdiction_of(file, title)`.

    A file that cannot be read gets no row: it is named in a warning and in `skipped`, like a bad document
    of a corpus. Returns the rows added.
    """
    from classify.ingest.readers import read_file  # readers build on this module's decoding

    folder = Path(folder)
    if not folder.is_dir():
        raise CorpusError(f"{folder}: not a folder")
    manifest = folder / MANIFEST
    known = read_manifest(folder) if manifest.exists() else []
    named = {d.path.resolve() for d in known}
    doc_ids = {d.doc_id for d in known}
    added = []
    for path in (f for f in document_files(folder) if f.resolve() not in named):
        try:
            read = read_file(path)
        except CorpusError as err:
            log.warning("skipped %s", err)
            if skipped is not None:
                skipped.append(str(err))
            continue
        doc_id = path.stem if path.stem not in doc_ids else path.name  # 通知.pdf beside 通知.docx
        title = read.title or path.stem
        row = {"doc_id": doc_id, "file": path.name, "jurisdiction": jurisdiction_of(path, title).strip(),
               "parent": "", "level": "", "date": "", "title": title, "script": "", "section_start": "",
               "section_end": ""}
        if not row["jurisdiction"]:
            raise CorpusError(f"{path}: a jurisdiction is required")
        with FileLock(str(manifest) + ".lock", timeout=30):
            _append_manifest_row(manifest, row)
        doc_ids.add(doc_id)
        added.append({**row, "reader": read.reader})
    return added


def _write_rows(path: Path, columns: list[str], rows: list[dict[str, str]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)


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
            write_atomic(manifest, lambda partial: _write_rows(partial, columns, rows))
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
