"""A model on disk, and the rules for trusting one: a folder holding `model.skops` (the fitted
`ThresholdedClassifier`) and its card (`card.json`, `card.md`) recording what it was trained on, how,
and how well it does, with the file's hash. Training lives in `train.py`; this module only saves,
swaps and loads.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import hashlib
import json
import logging
import math
import os
import re
import shutil
import zipfile
from pathlib import Path

from typing import TYPE_CHECKING

from classify.model.card import render_card
from classify.project import cache_folder
from classify.tables import TableError, write_atomic, write_text
from classify.taxonomy import Taxonomy

if TYPE_CHECKING:
    from classify.model.estimator import ThresholdedClassifier

# scikit-learn and skops are imported where a model is saved or loaded, not with this module: reading a
# card, or serving cached predictions, then starts in a fraction of a second.

__all__ = ["ModelError", "load_model", "checked_card", "save_model", "read_card", "write_card", "replace_model", "load_estimator"]

log = logging.getLogger(__name__)

MODEL_FILE = "model.skops"
# skops rebuilds only types it trusts: scikit-learn's, numpy's and scipy's, plus these of ours.
# A file naming any other type (os.system, a pickled payload) is refused before anything runs.
TRUSTED_TYPES = ("classify.model.estimator.ThresholdedClassifier", "classify.ingest.segment.Segmenter",
                 "classify.model.features.TermIndicators", "classify.model.cues.CodebookCues",
                 "classify.ingest.normalize.normalize_all")
CARD_FILE = "card.json"
CARD_MARKDOWN = "card.md"


class ModelError(ValueError):
    """A model folder that cannot be used; the message says why."""


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with Path(path).open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def save_model(model: ThresholdedClassifier, folder: Path) -> Path:
    """Write the classifier and its card (`model.card_`) (JSON and Markdown) into a new folder beside `folder`, then swap it
    in: a failure or a kill while saving leaves the previous model whole."""
    folder = Path(folder)
    staging = folder.with_name(f".{folder.name}.{os.getpid()}.new")
    clean_stale(folder)
    if staging.exists():
        shutil.rmtree(staging)
    try:
        staging.mkdir(parents=True)
        if folder.is_dir():  # pictures and other files of the card travel with it
            for extra in folder.iterdir():
                if extra.is_file() and extra.name not in (MODEL_FILE, CARD_FILE, CARD_MARKDOWN):
                    shutil.copy2(extra, staging / extra.name)
        import skops.io

        skops.io.dump(model, staging / MODEL_FILE, compression=zipfile.ZIP_DEFLATED, compresslevel=9)
        model.card_["model_sha256"] = file_sha256(staging / MODEL_FILE)
        write_card(staging, model.card_)
        # Read back through the same checked path every later load takes, before the swap: a model that
        # would not load never replaces one that does.
        try:
            estimator_from_bytes((staging / MODEL_FILE).read_bytes(), str(folder / MODEL_FILE))
        except ModelError as err:
            raise ModelError(f"{folder}: the new model does not load back ({err}); the previous one is kept") from None
        replace_model(staging, folder, move=True)
    except OSError as err:
        raise ModelError(f"{folder}: cannot save the model ({err.strerror or err}); the previous one is kept") from None
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)
    return folder


def clean_stale(folder: Path) -> list[Path]:
    """Remove the staging folders (`.NAME.PID.new` / `.copy`) that a save killed midway left beside `folder`,
    if their process is gone; put back a model a killed swap had moved aside (`.NAME.PID.old`). Says so."""
    folder, removed = Path(folder), []
    pattern = re.compile(rf"^\.{re.escape(folder.name)}\.(\d+)\.(new|copy|old)$")
    for path in sorted(folder.parent.glob(f".{folder.name}.*")) if folder.parent.is_dir() else []:
        match = pattern.match(path.name)
        if not match or not path.is_dir() or _alive(int(match.group(1))):
            continue
        if match.group(2) == "old" and not folder.exists():
            path.rename(folder)
            log.warning("%s: put back the model an interrupted save had moved aside (%s)", folder, path.name)
            continue
        shutil.rmtree(path, ignore_errors=True)
        removed.append(path)
        log.warning("%s: removed %s, left by a save that was interrupted", folder, path.name)
    return removed


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return False  # our own leftovers: nothing of this process is saving now
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _strict(value):
    """JSON values only: NaN and infinities (a score with no examples) become null."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: _strict(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_strict(v) for v in value]
    return value


def write_card(folder: Path, card: dict) -> None:
    """Write a model's card as JSON and as Markdown, each atomically; the model file itself is untouched."""
    write_text(Path(folder) / CARD_FILE, json.dumps(_strict(card), ensure_ascii=False, indent=2, allow_nan=False) + "\n")
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


def load_model(folder: Path, taxonomy: Taxonomy) -> ThresholdedClassifier:
    """Load a model with its card (`.card_`), refusing one built for another taxonomy or whose file does not
    match its card."""
    return _rebuilt(Path(folder), *_checked(Path(folder), taxonomy))


def _rebuilt(folder: Path, card: dict, data: bytes) -> ThresholdedClassifier:
    """The classifier of a checked folder's bytes, carrying its card."""
    model = estimator_from_bytes(data, str(folder / MODEL_FILE))
    model.card_ = card
    return model


def checked_card(folder: Path, taxonomy: Taxonomy) -> dict:
    """A model's card once the same checks as `load_model` pass, without building the model (fast: no
    scikit-learn): enough to draw a matrix from cached predictions, keyed by the card's `model_sha256`."""
    return _checked(Path(folder), taxonomy)[0]


def _checked(folder: Path, taxonomy: Taxonomy) -> tuple[dict, bytes]:
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


def load_tagger(folder: Path, taxonomy: Taxonomy, cache: Path | None = None):
    """A model to tag with: its tagging form (`tagger.Tagger`, the same probabilities from arrays) read from
    `cache` when this model file's form was made before, so a new process tags without importing
    scikit-learn or skops; else the model loaded as `load_model` does, its form written to the cache for
    the next time. The card's checks (taxonomy, file hash) come first either way; the cached form is
    named by the checked file's hash and holds plain arrays only (nothing in it can run code)."""
    from classify.model import tagger

    card, data = _checked(Path(folder), taxonomy)
    path = Path(cache or cache_folder()) / f"tagger-{card['model_sha256'][:32]}.npz"
    if path.is_file():
        try:
            return tagger.from_bytes(path.read_bytes(), card)
        except (OSError, ValueError, KeyError, zipfile.BadZipFile):
            path.unlink(missing_ok=True)  # a damaged cache is only a cache: make it again
    model = _rebuilt(Path(folder), card, data)
    form = tagger.tagger_of(model)
    if form is None:
        return model
    try:
        write_atomic(path, lambda partial: partial.write_bytes(tagger.to_bytes(form)))
    except (TableError, OSError):
        pass  # no writable cache: the next process loads the model again
    return form


def load_estimator(path: Path) -> ThresholdedClassifier:
    """A classifier from a skops file alone (no card, no hash): only trusted types are rebuilt."""
    try:
        data = Path(path).read_bytes()
    except OSError as err:
        raise ModelError(f"{path}: cannot read ({err.strerror})") from None
    return estimator_from_bytes(data, str(path))


def estimator_from_bytes(data: bytes, name: str = "model") -> ThresholdedClassifier:
    """Rebuild a classifier, refusing any type outside scikit-learn's defaults and ours (checked once, by skops)."""
    import skops.io
    from skops.io.exceptions import UntrustedTypesFoundException

    from classify.model.estimator import ThresholdedClassifier

    try:
        model = skops.io.loads(data, trusted=list(TRUSTED_TYPES))
    except UntrustedTypesFoundException as err:
        listed = str(err).splitlines()[0].partition(": ")[2].strip(" .[]").replace("'", "")
        raise ModelError(f"{name}: refusing to load untrusted type(s) {listed}") from None
    except Exception as err:  # noqa: BLE001 — whatever a damaged file raises (zlib.error, a bad schema), one line
        # A zip whose schema.json is malformed or of another shape, or whose data is damaged: refused.
        detail = " ".join(str(err).split()) or type(err).__name__
        raise ModelError(f"{name}: not a model file ({detail})") from None
    if not isinstance(model, ThresholdedClassifier):
        raise ModelError(f"{name}: holds a {type(model).__name__}, not a classifier of this project; retrain")
    return model
