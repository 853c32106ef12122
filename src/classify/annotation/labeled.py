"""The annotation store: an append-only record of labelling decisions in `labeled/`.

Each annotator has a JSON-lines file (`labeled/<annotator>.jsonl`), so
annotators working in separate clones merge without conflicts. Every write
appends under a file lock and is flushed to disk before it returns; nothing
is ever rewritten. The gold set is the latest decision per unit.
This module is the only writer of `labeled/`.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field, replace
from datetime import datetime, timezone
from pathlib import Path

import pandas as pd
from filelock import FileLock

from classify.ingest.normalize import normalize
from classify.ingest.documents import read_manifest
from classify.ingest.sentences import document_units
from classify.labels import CHECK, STANDOFF, WRITTEN, split_labels
from classify.tables import read_table

log = logging.getLogger(__name__)

UNDO = "undo"
GOLD_COLUMNS = ["unit_id", "doc_id", "jurisdiction", "text", "labels"]
LOCK_TIMEOUT_S = 30


class StoreError(ValueError):
    """An annotation that cannot be stored; the message says why."""


@dataclass(frozen=True)
class Annotation:
    """One decision: these labels (possibly none) for this unit, by this annotator, at this time."""

    unit_id: str
    text: str
    labels: tuple[str, ...]
    annotator: str
    doc_id: str = ""
    jurisdiction: str = ""
    source: str = "corpus"
    time: str = field(default_factory=lambda: datetime.now(timezone.utc).isoformat(timespec="microseconds"))
    corpus: str = ""  # for stand-off records: the external corpus's name in project.yaml
    sample: str = ""  # "check" when the unit was drawn in a jurisdiction's simple random check sample

    def __post_init__(self):
        # A set of labels: 'finance;finance' is one label, in one order however it was typed.
        object.__setattr__(self, "labels", tuple(sorted(set(self.labels))))


def standoff(unit_id: str, doc_id: str, labels: tuple[str, ...], annotator: str, corpus: str,
             jurisdiction: str = "") -> Annotation:
    """A decision on a unit of an external corpus that may not be redistributed: ids and labels, no text."""
    return Annotation(unit_id=unit_id, text="", labels=labels, annotator=annotator, doc_id=doc_id,
                      jurisdiction=jurisdiction, source=STANDOFF, corpus=corpus)


def written_id(text: str) -> str:
    """Id of a sentence written to teach the model, not taken from a document."""
    return f"{WRITTEN}-{hashlib.sha1(text.encode('utf-8')).hexdigest()[:10]}"


def annotator_name(name: str) -> str:
    """An annotator's name as the store keeps it, the same in the file's name and in every record: letters
    (any script), digits, - and _, other runs of characters as one _ ('li si' → 'li_si'). A name that
    looks like a path is refused, so no name can reach another file."""
    if "/" in name or "\\" in name or name.strip().startswith("."):
        raise StoreError(f"annotator name {name!r} looks like a path; use letters, digits, - and _")
    slug = re.sub(r"[^\w-]+", "_", name.strip()).strip("_")
    if not slug:
        raise StoreError(f"annotator name {name!r} has no usable characters")
    return slug


def store_file(folder: Path, annotator: str) -> Path:
    """The file an annotator's decisions go to: `<annotator_name>.jsonl`."""
    return Path(folder) / f"{annotator_name(annotator)}.jsonl"


def append(folder: Path, annotations: Sequence[Annotation], label_ids: Iterable[str] | None = None) -> int:
    """Append decisions to the store, durably; returns how many were written.

    """
    known = set(label_ids) if label_ids is not None else None
    for annotation in annotations:
        _check(annotation, known)
    annotations = [replace(a, annotator=annotator_name(a.annotator)) for a in annotations]
    by_file: dict[Path, list[Annotation]] = {}
    for annotation in annotations:
        by_file.setdefault(store_file(folder, annotation.annotator), []).append(annotation)
    Path(folder).mkdir(parents=True, exist_ok=True)
    for path, batch in by_file.items():
        payload = "".join(json.dumps(_record(a), ensure_ascii=False) + "\n" for a in batch).encode("utf-8")
        with FileLock(str(path.with_name(f".{path.name}.lock")), timeout=LOCK_TIMEOUT_S):
            with path.open("ab") as handle:
                _start_on_fresh_line(handle, path)
                handle.write(payload)
                handle.flush()
                os.fsync(handle.fileno())
    return len(annotations)


def _check(annotation: Annotation, known: set[str] | None) -> None:
    if not annotation.unit_id.strip():
        raise StoreError("annotation has no unit id")
    if not annotation.annotator.strip():
        raise StoreError(f"annotation of {annotation.unit_id} has no annotator name")
    if annotation.source == STANDOFF and (annotation.text or not annotation.corpus):
        raise StoreError(f"stand-off annotation of {annotation.unit_id} must name its corpus and carry no text")
    if known is not None:
        unknown = sorted(set(annotation.labels) - known)
        if unknown:
            raise StoreError(f"unit {annotation.unit_id}: unknown label(s) {', '.join(unknown)}")


def _record(annotation: Annotation) -> dict:
    record = asdict(annotation)
    record["labels"] = sorted(annotation.labels)
    for optional in ("corpus", "sample"):
        if not record[optional]:
            del record[optional]  # records without them keep their original shape
    return record


def _start_on_fresh_line(handle, path: Path) -> None:
    # A writer killed mid-line leaves a torn record without its newline; start
    # after it so the torn record stays one bad line and ours stays whole.
    size = path.stat().st_size
    if size:
        with path.open("rb") as reader:
            reader.seek(size - 1)
            if reader.read(1) != b"\n":
                handle.write(b"\n")


def read_events(folder: Path, label_ids: Iterable[str] | None = None) -> list[Annotation]:
    """Every decision in the store, oldest first; torn or malformed lines are reported and skipped.

    With `label_ids`, a decision naming any other label is an error that names its file and line.
    """
    known = set(label_ids) if label_ids is not None else None
    if not Path(folder).is_dir():
        raise StoreError(f"{folder}: no such annotation store (a folder of <annotator>.jsonl files)")
    events = []
    for path in sorted(Path(folder).glob("*.jsonl")):
        with path.open(encoding="utf-8", errors="replace") as handle:
            for number, line in enumerate(handle, 1):
                if not line.strip():
                    continue
                try:
                    record = json.loads(line)
                    record["labels"] = tuple(record["labels"])
                    event = Annotation(**record)
                    _check_types(event)
                except (ValueError, TypeError, KeyError) as err:
                    log.warning("%s:%d: skipped unreadable record (%s)", path, number, err)
                    continue
                unknown = sorted(set(event.labels) - known) if known is not None else []
                if unknown:
                    raise StoreError(f"{path}:{number}: unknown label(s) {', '.join(unknown)} "
                                     "(not in the taxonomy)")
                events.append(event)
    events.sort(key=lambda a: a.time)
    return events


def _check_types(event: Annotation) -> None:
    # A hand-edited or foreign record must not break sorting, joins or exports further on.
    for name in ("unit_id", "text", "annotator", "doc_id", "jurisdiction", "source", "time", "corpus", "sample"):
        if not isinstance(getattr(event, name), str):
            raise TypeError(f"field {name} is not a string")
    if not all(isinstance(label, str) for label in event.labels):
        raise TypeError("labels are not strings")


def latest(events: Iterable[Annotation]) -> dict[str, Annotation]:
    """The most recent standing decision for each unit; an undo withdraws its annotator's last one."""
    history: dict[str, list[Annotation]] = {}
    for event in sorted(events, key=lambda a: a.time):
        stack = history.setdefault(event.unit_id, [])
        if event.source == UNDO:
            mine = [k for k, earlier in enumerate(stack) if earlier.annotator == event.annotator]
            if mine:
                stack.pop(mine[-1])
        else:
            stack.append(event)
    return {unit: stack[-1] for unit, stack in history.items() if stack}


def standing_by_annotator(events: Iterable[Annotation]) -> dict[str, dict[str, Annotation]]:
    """Unit id → annotator → that annotator's standing decision (undos applied), oldest annotator first."""
    events = sorted(events, key=lambda a: a.time)
    result: dict[str, dict[str, Annotation]] = {}
    for annotator in dict.fromkeys(e.annotator for e in events):
        for unit, decision in latest(e for e in events if e.annotator == annotator).items():
            result.setdefault(unit, {})[annotator] = decision
    for unit, decisions in result.items():
        result[unit] = dict(sorted(decisions.items(), key=lambda item: item[1].time))
    return result


def undo_event(annotation: Annotation) -> Annotation:
    """The event that withdraws `annotation` (the record stays append-only)."""
    return Annotation(unit_id=annotation.unit_id, text=annotation.text, labels=(), annotator=annotation.annotator,
                      doc_id=annotation.doc_id, jurisdiction=annotation.jurisdiction, source=UNDO)


def gold_frame(folder: Path, include_written: bool = True, label_ids: Iterable[str] | None = None) -> pd.DataFrame:
    """The current gold set: one row per unit, labels joined by ';' (empty for none)."""
    rows = [
        {"unit_id": a.unit_id, "doc_id": a.doc_id, "jurisdiction": a.jurisdiction, "text": a.text,
         "labels": ";".join(a.labels), "source": a.source, "annotator": a.annotator, "time": a.time,
         "corpus": a.corpus}
        for a in latest(read_events(folder, label_ids)).values()
        if include_written or a.source != WRITTEN
    ]
    return pd.DataFrame(rows, columns=GOLD_COLUMNS + ["source", "annotator", "time", "corpus"])


def read_gold(path: Path) -> pd.DataFrame:
    """A gold CSV (columns unit_id, text, labels; doc_id and jurisdiction optional) for evaluation."""
    frame = read_table(path, required=("unit_id", "text", "labels"))
    for column in ("doc_id", "jurisdiction"):
        if column not in frame:
            frame[column] = ""
    return frame


def written_annotations(frame: pd.DataFrame, annotator: str) -> list[Annotation]:
    """Sentences written to teach the model (columns text, labels) as store events, marked `written`."""
    texts = frame["text"].astype(str).map(normalize)
    return [Annotation(unit_id=written_id(text), text=text, labels=split_labels(labels), annotator=annotator,
                       doc_id=WRITTEN, jurisdiction="", source=WRITTEN)
            for text, labels in zip(texts, frame["labels"]) if text]


def checked_units(events: Iterable[Annotation]) -> set[str]:
    """Units whose standing decision was made in a random check sample (unbiased for cell intervals)."""
    return {unit for unit, a in latest(events).items() if a.sample == CHECK}


def labelled_counts(events: Iterable[Annotation], corpus_units: set[str]) -> dict[str, int]:
    """How many units people have labelled, by kind: units of this corpus, stand-off units of external
    corpora, and sentences written to teach the model (which are not corpus text)."""
    standing = latest(events).values()
    return {"corpus": sum(a.unit_id in corpus_units for a in standing),
            "standoff": sum(a.source == STANDOFF for a in standing),
            "written": sum(a.source == WRITTEN for a in standing)}


_UNIT_ID = re.compile(r"^(?P<doc>.+)-[0-9a-f]{10}(?:-\d+)?$")


def make_annotation(unit_id: str, labels: tuple[str, ...], annotator: str, corpus: Path,
                    text: str | None = None) -> Annotation:
    """A decision on a unit: a corpus unit's text and place are looked up (unknown ids are refused);
    a unit from elsewhere brings its own text."""
    match = _UNIT_ID.match(unit_id)
    doc_id = match.group("doc") if match else unit_id
    if text is not None:
        return Annotation(unit_id=unit_id, text=normalize(text), labels=labels, annotator=annotator, doc_id=doc_id)
    for document in (d for d in read_manifest(corpus) if d.doc_id == doc_id):
        for unit in document_units(document):
            if unit.unit_id == unit_id:
                return Annotation(unit_id=unit_id, text=unit.text, labels=labels, annotator=annotator,
                                  doc_id=unit.doc_id, jurisdiction=unit.jurisdiction)
    raise StoreError(f"unknown unit id {unit_id!r}: not in {corpus} (pass --text for a unit from elsewhere)")
