"""Classify the policy measures of Chinese S&T policy texts and compare jurisdictions.

The data flow, one module per step:
taxonomy → documents → normalize → sentences → labeled → features → model
→ evaluate → predict → matrix.
"""

from .documents import CorpusError, Document, read_manifest
from .evaluate import Report, cross_validate, evaluate_on, keyword_predict, score, train_with_card
from .labeled import Annotation, StoreError, append, gold_frame, read_events, read_gold
from .matrix import to_matrix
from .model import Model, ModelError, Settings, load_model, save_model, train
from .normalize import normalize
from .predict import predict_frame
from .project import Project, find_project
from .sentences import Unit, corpus_frame, split, unit_id
from .taxonomy import Label, Taxonomy, TaxonomyError, load_taxonomy

__all__ = [
    "Annotation", "CorpusError", "Document", "Label", "Model", "ModelError", "Project", "Report", "Settings",
    "StoreError", "Taxonomy", "TaxonomyError", "Unit", "append", "corpus_frame", "cross_validate", "evaluate_on",
    "find_project", "gold_frame", "keyword_predict", "load_model", "load_taxonomy", "normalize", "predict_frame",
    "read_events", "read_gold", "read_manifest", "save_model", "score", "split", "to_matrix", "train",
    "train_with_card", "unit_id",
]
