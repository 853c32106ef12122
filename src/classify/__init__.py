"""Classify the policy measures of Chinese S&T policy texts and compare jurisdictions.

The package reads as the data flow, one module per step:

    taxonomy    the measures and their terms (taxonomy.yaml)
    ingest/     documents → normalize → sentences (units with stable ids), segment (words)
    annotation/ labeled (the annotation store), standoff, agreement, queue, access, lexicon
    model/      features → estimator (the thresholded classifier) → train (and its card) → evaluate,
                experiments; persist (the model on disk); predict, explain
    analysis/   matrix → evidence, intervals, compare, commitments, report, plot

The CLI (`cli`) and the app (`app/`) are thin layers over it. The public names below are imported on
first use, so `import classify` (and the command line's start-up) does not pay for scikit-learn until
it is needed.
"""

from importlib import import_module

_EXPORTS = {
    "CorpusError": "ingest.documents", "Document": "ingest.documents", "read_manifest": "ingest.documents",
    "normalize": "ingest.normalize",
    "Unit": "ingest.sentences", "corpus_frame": "ingest.sentences", "split": "ingest.sentences",
    "unit_id": "ingest.sentences",
    "Annotation": "annotation.labeled", "StoreError": "annotation.labeled", "append": "annotation.labeled",
    "gold_frame": "annotation.labeled", "read_events": "annotation.labeled", "read_gold": "annotation.labeled",
    "ThresholdedClassifier": "model.estimator", "for_taxonomy": "model.estimator",
    "train": "model.train", "train_with_card": "recipes",
    "Report": "model.evaluate", "cross_validate": "model.evaluate", "evaluate_on": "model.evaluate",
    "keyword_predict": "model.evaluate", "score": "model.evaluate",
    "ModelError": "model.persist", "load_model": "model.persist", "save_model": "model.persist",
    "predict_frame": "model.predict",
    "to_matrix": "analysis.matrix",
    "Project": "project", "find_project": "project",
    "Label": "taxonomy", "Taxonomy": "taxonomy", "TaxonomyError": "taxonomy", "load_taxonomy": "taxonomy",
}
__all__ = sorted(_EXPORTS)


def __getattr__(name: str):
    if name not in _EXPORTS:
        raise AttributeError(f"module 'classify' has no attribute {name!r}")
    return getattr(import_module(f".{_EXPORTS[name]}", __name__), name)
