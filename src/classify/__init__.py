"""Classify the policy measures of Chinese S&T policy texts and compare jurisdictions.

The data flow, one module per step:
taxonomy → documents → normalize → sentences → labeled → features → model
→ evaluate → predict → matrix.

The public names below are imported on first use, so `import classify` (and the
command line's start-up) does not pay for scikit-learn until it is needed.
"""

from importlib import import_module

_EXPORTS = {
    "CorpusError": "documents", "Document": "documents", "read_manifest": "documents",
    "Report": "evaluate", "cross_validate": "evaluate", "evaluate_on": "evaluate", "keyword_predict": "evaluate",
    "score": "evaluate", "train_with_card": "evaluate",
    "Annotation": "labeled", "StoreError": "labeled", "append": "labeled", "gold_frame": "labeled",
    "read_events": "labeled", "read_gold": "labeled",
    "to_matrix": "matrix",
    "Model": "model", "ModelError": "model", "Settings": "model", "load_model": "model", "save_model": "model",
    "train": "model",
    "normalize": "normalize",
    "predict_frame": "predict",
    "Project": "project", "find_project": "project",
    "Unit": "sentences", "corpus_frame": "sentences", "split": "sentences", "unit_id": "sentences",
    "Label": "taxonomy", "Taxonomy": "taxonomy", "TaxonomyError": "taxonomy", "load_taxonomy": "taxonomy",
}
__all__ = sorted(_EXPORTS)


def __getattr__(name: str):
    if name not in _EXPORTS:
        raise AttributeError(f"module 'classify' has no attribute {name!r}")
    return getattr(import_module(f".{_EXPORTS[name]}", __name__), name)
