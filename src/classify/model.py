"""The classifier: one scikit-learn pipeline (features → one-vs-rest logistic regression)
plus per-label decision thresholds chosen by cross-validation that holds out whole documents.

A model lives in a folder: `model.skops` (the fitted pipeline) and its card
(`card.json`, `card.md`) recording what it was trained on, how, and how well it does.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import hashlib
import json
import os
import platform
import shutil
import zipfile
import warnings
from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from importlib import metadata
from pathlib import Path

import numpy as np
import pandas as pd
import skops.io
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GroupKFold
from sklearn.multiclass import OneVsRestClassifier
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import FunctionTransformer

from .card import render_card
from .fastcount import fast_predict_proba
from .features import FeatureSettings, build_features
from .labeled import WRITTEN, split_labels
from .normalize import normalize_all
from .tables import write_text
from .taxonomy import Taxonomy

MODEL_FILE = "model.skops"
# skops rebuilds only types it trusts: scikit-learn's, numpy's and scipy's, plus these of ours.
# A file naming any other type (os.system, a pickled payload) is refused before anything runs.
TRUSTED_TYPES = ("classify.segment.Segmenter", "classify.features.TermIndicators", "classify.cues.CodebookCues",
                 "classify.normalize.normalize_all")
CARD_FILE = "card.json"
CARD_MARKDOWN = "card.md"
MAX_FOLDS = 5
THRESHOLD_GRID = tuple(round(t, 2) for t in np.arange(0.05, 0.96, 0.025))
LIBRARIES = ("scikit-learn", "jieba", "rjieba", "numpy", "scipy", "pandas", "skops", "opencc")


class ModelError(ValueError):
    """A model folder that cannot be used; the message says why."""


@dataclass(frozen=True)
class Settings:
    """Everything that defines how a model is trained."""

    features: FeatureSettings = field(default_factory=FeatureSettings)
    C: float = 10.0
    class_weight: str | None = "balanced"
    # How far each label's threshold moves from 0.5 toward the optimum found by grouped CV:
    # 0 keeps 0.5, 1 takes the optimum. Five documents make that optimum noisy.
    threshold_tuning: float = 0.5

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass
class Model:
    pipeline: Pipeline
    labels: list[str]
    thresholds: dict[str, float]
    card: dict = field(default_factory=dict)


def build_pipeline(taxonomy: Taxonomy, settings: Settings) -> Pipeline:
    """An unfitted pipeline: features, then one logistic regression per label."""
    classifier = LogisticRegression(C=settings.C, class_weight=settings.class_weight, max_iter=2000,
                                    solver="liblinear")
    return Pipeline([
        ("normalize", FunctionTransformer(normalize_all)),
        ("features", build_features(tuple(label.key_terms for label in taxonomy.labels),
                                    tuple(label.lexicon for label in taxonomy.labels), settings.features)),
        ("classifier", OneVsRestClassifier(classifier)),
    ])


def label_matrix(labels: Sequence[str], ids: Sequence[str]) -> np.ndarray:
    """Gold labels (';'-joined strings) as a units × labels 0/1 matrix in taxonomy order."""
    index = {label: column for column, label in enumerate(ids)}
    matrix = np.zeros((len(labels), len(ids)), dtype=int)
    for row, value in enumerate(labels):
        for label in split_labels(value):
            if label not in index:
                raise ModelError(f"unknown label '{label}' in training data (not in the taxonomy)")
            matrix[row, index[label]] = 1
    return matrix


def document_folds(groups: Sequence[str], max_folds: int = MAX_FOLDS) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """Train/test index pairs that never split a document; written sentences are always in train."""
    groups = np.asarray(groups, dtype=object)
    real = np.flatnonzero(groups != WRITTEN)
    n_docs = len(set(groups[real]))
    if n_docs < 2:
        raise ModelError(f"cross-validation needs units from at least 2 documents, found {n_docs}")
    written = np.flatnonzero(groups == WRITTEN)
    for train, test in GroupKFold(n_splits=min(n_docs, max_folds)).split(real, groups=groups[real]):
        yield np.concatenate([real[train], written]), real[test]


def fit_pipeline(texts: Sequence[str], y: np.ndarray, taxonomy: Taxonomy, settings: Settings) -> Pipeline:
    pipeline = build_pipeline(taxonomy, settings)
    with warnings.catch_warnings():
        # A label absent from a small training fold is predicted as constant 0; that is intended.
        warnings.filterwarnings("ignore", message="Label not .* is present in all training examples")
        pipeline.fit(list(texts), y)
    return pipeline


def out_of_fold_proba(texts: Sequence[str], y: np.ndarray, groups: Sequence[str], taxonomy: Taxonomy,
                      settings: Settings) -> np.ndarray:
    """Probabilities for each document's units from a model that never saw that document (NaN for written)."""
    texts = list(texts)
    proba = np.full(y.shape, np.nan)
    for train, test in document_folds(groups):
        pipeline = fit_pipeline([texts[i] for i in train], y[train], taxonomy, settings)
        proba[test] = pipeline.predict_proba([texts[i] for i in test])
    return proba


def tune_thresholds(texts: Sequence[str], y: np.ndarray, groups: Sequence[str], taxonomy: Taxonomy,
                    settings: Settings) -> dict[str, float]:
    """Per-label thresholds from out-of-fold probabilities, shrunk toward 0.5 by `settings.threshold_tuning`."""
    real_documents = set(np.asarray(groups, dtype=object)) - {WRITTEN}
    if not settings.threshold_tuning or len(real_documents) < 2:
        return {label: 0.5 for label in taxonomy.ids}
    best = choose_thresholds(y, out_of_fold_proba(texts, y, groups, taxonomy, settings), taxonomy.ids)
    return {label: round(0.5 + settings.threshold_tuning * (t - 0.5), 4) for label, t in best.items()}


def choose_thresholds(y: np.ndarray, proba: np.ndarray, ids: Sequence[str],
                      grid: Sequence[float] = THRESHOLD_GRID) -> dict[str, float]:
    """Per label, the threshold that maximises F1 on out-of-fold probabilities (ties: nearest 0.5)."""
    keep = ~np.isnan(proba).any(axis=1)
    thresholds = {}
    for column, label in enumerate(ids):
        truth, scores = y[keep, column], proba[keep, column]
        if truth.sum() == 0:
            thresholds[label] = 0.5
            continue
        f1 = [_f1(truth, scores >= t) for t in grid]
        best = max(f1)
        thresholds[label] = min((t for t, f in zip(grid, f1) if f == best), key=lambda t: abs(t - 0.5))
    return thresholds


def _f1(truth: np.ndarray, predicted: np.ndarray) -> float:
    tp = int((truth & predicted).sum())
    denominator = int(truth.sum() + predicted.sum())
    return 2 * tp / denominator if denominator else 0.0


def train(gold: pd.DataFrame, taxonomy: Taxonomy, settings: Settings = Settings(),
          progress: Callable[[str], None] = lambda step: None) -> Model:
    """Fit a model on a gold frame (columns text, labels, doc_id); thresholds come from grouped CV."""
    if gold.empty:
        raise ModelError("no labelled units to train on (is --labeled the annotation store?)")
    ids = taxonomy.ids
    y = label_matrix(gold["labels"].tolist(), ids)
    groups = groups_of(gold)
    progress("choosing thresholds by grouped cross-validation")
    thresholds = tune_thresholds(gold["text"].tolist(), y, groups, taxonomy, settings)
    progress("fitting on all units")
    pipeline = fit_pipeline(gold["text"].tolist(), y, taxonomy, settings)
    card = {
        "taxonomy": taxonomy.fingerprint(),
        "labels": ids,
        "settings": settings.to_dict(),
        "thresholds": thresholds,
        "training_data": training_fingerprint(gold),
        "units": {"corpus": int((groups != WRITTEN).sum()), "written": int((groups == WRITTEN).sum()),
                  "documents": int(len(set(groups[groups != WRITTEN])))},
        "label_counts": {label: int(y[:, k].sum()) for k, label in enumerate(ids)},
        "versions": library_versions(),
        "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
    }
    return Model(pipeline=pipeline, labels=ids, thresholds=thresholds, card=card)


def groups_of(gold: pd.DataFrame) -> np.ndarray:
    """Cross-validation group of each row: its document, or 'written' for authored sentences."""
    source = gold["source"] if "source" in gold else pd.Series("corpus", index=gold.index)
    return np.where(source == WRITTEN, WRITTEN, gold["doc_id"].astype(str)).astype(object)


def training_fingerprint(gold: pd.DataFrame) -> str:
    """Hash of the training set's content (unit, text, labels), independent of row order."""
    rows = sorted(zip(gold["unit_id"], gold["text"], gold["labels"].map(lambda v: ";".join(sorted(split_labels(v))))))
    return hashlib.sha256(json.dumps(rows, ensure_ascii=False).encode("utf-8")).hexdigest()


def library_versions() -> dict[str, str]:
    versions = {"python": platform.python_version()}
    for name in LIBRARIES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "absent"
    return versions


def predict_proba(model: Model, texts: Sequence[str]) -> np.ndarray:
    """Probability of each label for each text (units × labels)."""
    if len(texts) == 0:
        return np.zeros((0, len(model.labels)))
    return fast_predict_proba(model.pipeline, list(texts))  # the pipeline's own result, counted faster


def decide(proba: np.ndarray, model: Model) -> np.ndarray:
    """Apply the per-label thresholds: a units × labels boolean matrix; an all-False row is 'none'."""
    return proba >= np.array([model.thresholds[label] for label in model.labels])


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with Path(path).open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def save_model(model: Model, folder: Path) -> Path:
    """Write the pipeline and its card (JSON and Markdown) into a new folder beside `folder`, then swap it
    in: a failure or a kill while saving leaves the previous model whole."""
    folder = Path(folder)
    staging = folder.with_name(f".{folder.name}.{os.getpid()}.new")
    if staging.exists():
        shutil.rmtree(staging)
    try:
        staging.mkdir(parents=True)
        if folder.is_dir():  # pictures and other files of the card travel with it
            for extra in folder.iterdir():
                if extra.is_file() and extra.name not in (MODEL_FILE, CARD_FILE, CARD_MARKDOWN):
                    shutil.copy2(extra, staging / extra.name)
        skops.io.dump(model.pipeline, staging / MODEL_FILE, compression=zipfile.ZIP_DEFLATED, compresslevel=9)
        model.card["model_sha256"] = file_sha256(staging / MODEL_FILE)
        write_card(staging, model.card)
        replace_model(staging, folder, move=True)
    except OSError as err:
        raise ModelError(f"{folder}: cannot save the model ({err.strerror or err}); the previous one is kept") from None
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)
    return folder


def write_card(folder: Path, card: dict) -> None:
    """Write a model's card as JSON and as Markdown, each atomically; the model file itself is untouched."""
    write_text(Path(folder) / CARD_FILE, json.dumps(card, ensure_ascii=False, indent=2) + "\n")
    write_text(Path(folder) / CARD_MARKDOWN, render_card(card))


def replace_model(source: Path, target: Path, move: bool = False) -> None:
    """Make the model in `source` the one in `target`, swapping whole folders so a reader never sees a mix
    (a copy is staged first unless `move`). Where the system can exchange two folders in one step
    (Linux's renameat2), there is no moment without a model; elsewhere two renames leave a moment's gap."""
    source, target = Path(source), Path(target)
    staging = source if move else target.with_name(f".{target.name}.{os.getpid()}.copy")
    if not move:
        if staging.exists():
            shutil.rmtree(staging)
        shutil.copytree(source, staging)
    if target.exists() and _exchange(staging, target):
        shutil.rmtree(staging, ignore_errors=True)  # the old model, now under the staging name
        return
    retired = target.with_name(f".{target.name}.{os.getpid()}.old")
    if target.exists():
        target.rename(retired)
    try:
        staging.rename(target)
    except OSError:
        if retired.exists() and not target.exists():
            retired.rename(target)  # put the old model back
        raise
    if retired.exists():
        shutil.rmtree(retired, ignore_errors=True)


def _exchange(first: Path, second: Path) -> bool:
    """Swap two paths atomically with renameat2(RENAME_EXCHANGE); False where the system cannot."""
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    at_cwd, rename_exchange = -100, 2
    return renameat2(at_cwd, os.fsencode(first), at_cwd, os.fsencode(second), rename_exchange) == 0


def read_card(folder: Path) -> dict:
    path = Path(folder) / CARD_FILE
    try:
        card = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ModelError(f"{folder}: no model card ({CARD_FILE}); is this a model folder?") from None
    except (ValueError, UnicodeDecodeError) as err:
        raise ModelError(f"{path}: unreadable card ({err})") from None
    if not isinstance(card, dict):
        raise ModelError(f"{path}: not a model card (a JSON object is expected)")
    return card


def load_model(folder: Path, taxonomy: Taxonomy) -> Model:
    """Load a model, refusing one built for another taxonomy or whose file does not match its card."""
    card, data = _verified(Path(folder), taxonomy)
    return Model(pipeline_from_bytes(data, str(Path(folder) / MODEL_FILE)), card["labels"], card["thresholds"], card)


def _verified(folder: Path, taxonomy: Taxonomy) -> tuple[dict, bytes]:
    """The card and model bytes of a folder, once they match the taxonomy and the card's hash."""
    card = read_card(folder)
    if card.get("labels") != taxonomy.ids:
        raise ModelError(f"{folder}: model labels {card.get('labels')} differ from the taxonomy's {taxonomy.ids}; "
                         "retrain with `policy-classify train`")
    if card.get("taxonomy") != taxonomy.fingerprint():
        raise ModelError(f"{folder}: model was trained with other taxonomy terms; "
                         "retrain with `policy-classify train`")
    path = folder / MODEL_FILE
    if not path.is_file():
        raise ModelError(f"{path}: model file is missing")
    data = path.read_bytes()
    if hashlib.sha256(data).hexdigest() != card.get("model_sha256"):
        raise ModelError(f"{path}: file does not match the hash in its card (altered or truncated); refusing to load")
    return card, data


def load_pipeline(path: Path) -> Pipeline:
    """Rebuild a pipeline from a skops file, refusing any type outside scikit-learn's defaults and ours."""
    try:
        data = Path(path).read_bytes()
    except OSError as err:
        raise ModelError(f"{path}: cannot read ({err.strerror})") from None
    return pipeline_from_bytes(data, str(path))


def _trusted_types(data: bytes, name: str) -> list[str]:
    """The non-default types a skops file names, when all of them are ours; else ModelError."""
    try:
        untrusted = skops.io.get_untrusted_types(data=data)
    except (zipfile.BadZipFile, ValueError, KeyError, OSError, TypeError, AttributeError) as err:
        # A zip whose schema.json is malformed or of another shape: refused before anything is built.
        raise ModelError(f"{name}: not a model file ({' '.join(str(err).split())})") from None
    unexpected = sorted(set(untrusted) - set(TRUSTED_TYPES))
    if unexpected:
        raise ModelError(f"{name}: refusing to load untrusted type(s) {', '.join(unexpected)}")
    return list(untrusted)


def pipeline_from_bytes(data: bytes, name: str = "model") -> Pipeline:
    """`load_pipeline` for a model's bytes (as shipped to worker processes and cluster nodes)."""
    trusted = _trusted_types(data, name)
    try:
        return skops.io.loads(data, trusted=trusted)
    except (ValueError, KeyError, TypeError, AttributeError, ImportError, zipfile.BadZipFile) as err:
        raise ModelError(f"{name}: not a usable model file ({' '.join(str(err).split())})") from None


@dataclass(frozen=True)
class PortableModel:
    """A model as bytes plus its card: what worker processes and cluster nodes receive."""

    data: bytes
    card: dict = field(hash=False, compare=False)

    @classmethod
    def of(cls, folder: Path, taxonomy: Taxonomy) -> PortableModel:
        """Checked here, once, before anything is shipped: taxonomy, hash and the types the file names."""
        card, data = _verified(Path(folder), taxonomy)
        _trusted_types(data, str(Path(folder) / MODEL_FILE))
        return cls(data, card)

    def load(self) -> Model:
        if hashlib.sha256(self.data).hexdigest() != self.card.get("model_sha256"):
            raise ModelError("shipped model does not match the hash in its card")
        return Model(pipeline_from_bytes(self.data), self.card["labels"], self.card["thresholds"], self.card)
