"""Apply a model to units: label ids joined by ';' and one probability column per label."""

from __future__ import annotations

import functools
import gc
import hashlib
import json
import multiprocessing
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from classify.ingest.documents import read_manifest
from classify.ingest.sentences import corpus_chunks, corpus_frame, document_batches, document_chunks
from classify.tables import TableError, write_atomic, write_text

if TYPE_CHECKING:
    from classify.model.estimator import ThresholdedClassifier

CHUNK = 10_000


def predict_frame(model: ThresholdedClassifier, frame: pd.DataFrame, text_column: str = "text") -> pd.DataFrame:
    """`frame` with `labels` and `p_<label>` columns added; other columns pass through unchanged."""
    texts = frame[text_column].fillna("").astype(str).tolist()
    parts = [_predict_chunk(model, texts[start:start + CHUNK]) for start in range(0, len(texts), CHUNK)]
    predicted = pd.concat(parts, ignore_index=True) if parts else _predict_chunk(model, [])
    predicted.index = frame.index
    return pd.concat([frame.drop(columns=[c for c in predicted.columns if c in frame]), predicted], axis=1)


def _predict_chunk(model: ThresholdedClassifier, texts: list[str]) -> pd.DataFrame:
    return _decided(model, model.predict_proba(texts))


def _decided(model: ThresholdedClassifier, proba: np.ndarray) -> pd.DataFrame:
    chosen = proba >= model.thresholds_
    labels = [";".join(label for label, on in zip(model.classes_, row) if on) for row in chosen]
    columns = {"labels": labels} | {f"p_{label}": proba[:, k].round(4) for k, label in enumerate(model.classes_)}
    return pd.DataFrame(columns)


def predict_chunks(model: ThresholdedClassifier, chunks: Iterable[pd.DataFrame]) -> Iterator[pd.DataFrame]:
    """`predict_frame` over a stream of frames, so a corpus of any size is tagged in bounded memory."""
    for chunk in chunks:
        yield predict_frame(model, chunk)


_WORKER_MODEL: ThresholdedClassifier | None = None


def _install(model: ThresholdedClassifier) -> None:
    # Forked workers inherit the parent's loaded model and word dictionary (nothing is pickled or
    # rebuilt); where processes are spawned instead, each unpickles it once, here.
    global _WORKER_MODEL
    _WORKER_MODEL = model


def _tag_documents(documents: list, size: int = 5_000) -> pd.DataFrame:
    # A worker reads, splits and tags whole documents: the parent only writes, so it never starves them.
    parts = list(predict_chunks(_WORKER_MODEL, document_chunks(documents, size)))
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()


def _tag_chunk(model: ThresholdedClassifier, frame: pd.DataFrame) -> pd.DataFrame:
    return predict_frame(model, frame)


def tag_corpus(model: ThresholdedClassifier, folder: Path, jobs: int = 1, backend: str = "local",
               scheduler: str | None = None, size: int = 5_000, manifest: Path | None = None
               ) -> Iterator[pd.DataFrame]:
    """Every unit of a corpus folder tagged, in document order, in frames; the rows are the same
    whether computed here, in `jobs` local processes (which read the files themselves) or on a Dask
    cluster (which receives units, as its nodes need not see this disk)."""
    if backend == "dask":
        import joblib
        from dask.distributed import Client

        with Client(scheduler) as client, joblib.parallel_config(backend="dask", scatter=[model]):
            workers = max(1, sum(client.nthreads().values()))
            yield from joblib.Parallel(n_jobs=workers, return_as="generator")(
                joblib.delayed(_tag_chunk)(model, chunk) for chunk in corpus_chunks(folder, size, manifest))
    elif jobs == 1:
        yield from predict_chunks(model, corpus_chunks(folder, size, manifest))
    else:
        model.predict_proba(["预热"])  # build the word dictionary here, once, before the workers fork
        batches = document_batches(read_manifest(folder, manifest), size)
        methods = multiprocessing.get_all_start_methods()
        context = multiprocessing.get_context("fork" if "fork" in methods else None)
        gc.freeze()  # the collector in a worker then never writes to (and so copies) the inherited model's pages
        try:
            with context.Pool(jobs, initializer=_install, initargs=(model,)) as pool:
                for frame in pool.imap(functools.partial(_tag_documents, size=size), batches):
                    if len(frame):
                        yield frame
        finally:
            gc.unfreeze()


def corpus_fingerprint(folder: Path) -> str:
    """Hash of a corpus folder's manifest and text files (names and bytes): a key for cached predictions."""
    digest = hashlib.sha256()
    for path in sorted(Path(folder).rglob("*")):
        if path.is_file() and (path.suffix in (".txt", ".csv")):
            digest.update(str(path.relative_to(folder)).encode("utf-8") + b"\0")
            digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def tag_cached(folder: Path, cache: Path, model_hash: str, load: Callable[[], ThresholdedClassifier],
               skipped: list[str] | None = None) -> pd.DataFrame:
    """Every unit of a corpus tagged, with the phrases that drove each label (`why_<label>` columns), read
    from `cache` when the model of `model_hash` tagged the same files before: an app restart then shows
    its first page in a few seconds, without loading the model (`load` is called only to tag).
    Documents that could not be read are listed in `skipped` (and remembered with the cache)."""
    from classify.model.explain import driver_columns
    from classify.model.tagger import fast_transform

    key = hashlib.sha256(f"{model_hash}:{corpus_fingerprint(folder)}".encode()).hexdigest()
    path = Path(cache) / f"tagged-{key[:24]}.parquet"
    notes = path.with_suffix(".skipped.json")
    skipped = skipped if skipped is not None else []
    if path.is_file():
        try:
            tagged = pd.read_parquet(path)
            skipped.extend(json.loads(notes.read_text(encoding="utf-8")) if notes.is_file() else [])
            return tagged
        except (OSError, ValueError):
            path.unlink(missing_ok=True)  # a damaged cache file is only a cache: tag again
    model = load()
    frame = corpus_frame(folder, skipped=skipped)
    texts = frame["text"].fillna("").astype(str).tolist()
    features = fast_transform(model.pipeline_, texts) if texts else None  # counted once: to predict and to explain
    proba = model.proba_from_features(texts, features) if texts else np.zeros((0, len(model.classes_)))
    decided = _decided(model, proba).set_index(frame.index)
    tagged = pd.concat([frame.drop(columns=[c for c in decided.columns if c in frame]), decided,
                        driver_columns(model, texts, proba, features=features).set_index(frame.index)], axis=1)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        for old in path.parent.glob("tagged-*"):
            old.unlink(missing_ok=True)
        write_text(notes, json.dumps(skipped, ensure_ascii=False))
        write_atomic(path, lambda partial: tagged.to_parquet(partial, index=False))
    except (OSError, TableError):
        pass  # a read-only checkout still works, it only tags on every start
    return tagged
