"""Stand-off labels: decisions on units of external corpora, kept in labeled/ by id without their text.

A user may label a corpus they may not redistribute (licensed news, internal
documents, the shared pool). The store keeps unit id, document id, labels,
annotator, time and the corpus's name; the text is joined back by unit id
whenever the corpus folder is present, and a label whose unit cannot be found
(corpus absent, or the document changed) is counted and left out.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

import pandas as pd

from classify.annotation.labeled import Annotation, StoreError, standoff
from classify.labels import STANDOFF
from classify.ingest.places import with_places
from classify.ingest.sentences import corpus_frame


@dataclass(frozen=True)
class Resolution:
    """What joining stand-off labels to their corpora gave: units and documents per corpus, and what failed."""

    units: dict[str, int] = field(default_factory=dict)
    documents: dict[str, int] = field(default_factory=dict)
    unresolved: dict[str, int] = field(default_factory=dict)
    absent: tuple[str, ...] = ()

    def summary(self) -> str:
        """One line for the user: what was used, what was skipped and why."""
        used = ", ".join(f"{self.units[n]} units of {self.documents[n]} documents from {n}" for n in self.units)
        parts = [f"stand-off labels: {used or 'none used'}"]
        missing = sum(self.unresolved.values())
        if missing:
            why = [f"corpus {n} absent" for n in self.absent]
            changed = {n: k for n, k in self.unresolved.items() if n not in self.absent}
            why += [f"{k} no longer in {n}" for n, k in changed.items()]
            parts.append(f"{missing} could not be resolved and were skipped ({'; '.join(why)})")
        return "; ".join(parts)

    def to_card(self) -> dict:
        names = sorted(set(self.units) | set(self.unresolved))
        return {name: {"units": self.units.get(name, 0), "documents": self.documents.get(name, 0),
                       "unresolved": self.unresolved.get(name, 0), "present": name not in self.absent}
                for name in names}


def corpus_units(folder: Path) -> pd.DataFrame:
    """The units of a corpus folder indexed by unit id (text, doc_id, jurisdiction)."""
    return corpus_frame(folder).set_index("unit_id")[["doc_id", "jurisdiction", "text"]]


def resolve(gold: pd.DataFrame, corpora: Mapping[str, Path]) -> tuple[pd.DataFrame, Resolution]:
    """The gold frame with stand-off rows given their text (and jurisdiction); unresolvable rows dropped."""
    if "source" not in gold or not (gold["source"] == STANDOFF).any():
        return gold, Resolution()
    marked = gold["source"] == STANDOFF
    keep = ~marked
    gold = gold.copy()
    units, documents, unresolved, absent = {}, {}, {}, []
    for name, rows in gold[marked].groupby("corpus", sort=True):
        folder = corpora.get(name)
        if folder is None or not Path(folder).is_dir():
            absent.append(name)
            unresolved[name] = len(rows)
            continue
        known = corpus_units(folder)
        found = rows["unit_id"].isin(known.index)
        hits = rows.index[found]
        gold.loc[hits, "text"] = known.loc[rows.loc[hits, "unit_id"], "text"].to_numpy()
        gold.loc[hits, "jurisdiction"] = known.loc[rows.loc[hits, "unit_id"], "jurisdiction"].to_numpy()
        keep[hits] = True
        units[name], documents[name] = int(found.sum()), int(rows.loc[hits, "doc_id"].nunique())
        if (~found).any():
            unresolved[name] = int((~found).sum())
    return gold[keep].reset_index(drop=True), Resolution(units, documents, unresolved, tuple(absent))


def decisions(pairs: Iterable[tuple[str, tuple[str, ...]]], annotator: str, units: pd.DataFrame,
              corpus: str = "", sample: str = "") -> list[Annotation]:
    """Annotations for (unit id, labels) pairs of a corpus's units (`corpus_units`): stand-off records for
    an external corpus (`corpus` names it), full records with text for the project's own.

    Unknown unit ids are refused before anything is written, naming the first few.
    """
    pairs = list(pairs)
    unknown = [unit for unit, _ in pairs if unit not in units.index]
    if unknown:
        shown = ", ".join(unknown[:3]) + (f" and {len(unknown) - 3} more" if len(unknown) > 3 else "")
        raise StoreError(f"{len(unknown)} unit id(s) not in the corpus: {shown}")
    made = []
    for unit, labels in pairs:
        row = units.loc[unit]
        if corpus:
            made.append(replace(standoff(unit, row["doc_id"], labels, annotator, corpus, row["jurisdiction"]),
                                sample=sample))
        else:
            made.append(Annotation(unit_id=unit, text=row["text"], labels=labels, annotator=annotator,
                                   doc_id=row["doc_id"], jurisdiction=row["jurisdiction"], sample=sample))
    return made


def gold_with_text(folder: Path, corpora: Mapping[str, Path], include_written: bool = True,
                   label_ids: Iterable[str] | None = None, corpus: Path | None = None) -> tuple[pd.DataFrame, Resolution]:
    """The store's gold set with stand-off labels joined to their corpora's text (`gold_frame` + `resolve`),
    and each unit's province and kind of document read from the manifests of `corpus` and the corpora."""
    from classify.annotation.labeled import gold_frame

    gold, resolution = resolve(gold_frame(folder, include_written=include_written, label_ids=label_ids), corpora)
    return with_places(gold, [*([corpus] if corpus else []), *corpora.values()]), resolution
