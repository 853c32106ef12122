"""Load and validate `taxonomy.yaml`: the labels, their names, definitions and key terms.

Everything else reads labels from here, so adding a label to the file is
the whole change needed to code a new kind of measure.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

REQUIRED = ("id", "name_zh", "name_en", "definition", "key_terms", "examples")
OPTIONAL = ("lexicon", "stip_compass", "policy_tool")
CROSSWALKS = {"stip_compass": "EC-OECD STIP Compass instrument types",
              "policy_tool": "supply / demand / environment policy tools"}
TOP_LEVEL = ("name", "codebook", "labels")
_ID = re.compile(r"^[a-z][a-z0-9_]*$")


class TaxonomyError(ValueError):
    """The taxonomy file is malformed; the message says where and how."""


@dataclass(frozen=True)
class Label:
    id: str
    name_zh: str
    name_en: str
    definition: str
    key_terms: tuple[str, ...]
    examples: tuple[str, ...]
    lexicon: tuple[str, ...] = ()
    stip_compass: tuple[str, ...] = ()
    policy_tool: tuple[str, ...] = ()

    @property
    def terms(self) -> tuple[str, ...]:
        """Key terms and lexicon together: every phrase that signals this label."""
        return tuple(dict.fromkeys(self.key_terms + self.lexicon))


@dataclass(frozen=True)
class Taxonomy:
    name: str
    labels: tuple[Label, ...]
    path: Path | None = field(default=None, compare=False)

    @property
    def ids(self) -> list[str]:
        return [label.id for label in self.labels]

    def label(self, label_id: str) -> Label:
        for label in self.labels:
            if label.id == label_id:
                return label
        raise KeyError(label_id)

    @property
    def terms(self) -> list[str]:
        """All phrases of all labels, for the segmenter's user dictionary."""
        return list(dict.fromkeys(t for label in self.labels for t in label.terms))

    def crosswalk(self, scheme: str) -> dict[str, tuple[str, ...]]:
        """Label id → the groups it belongs to under a crosswalk scheme (see CROSSWALKS)."""
        if scheme not in CROSSWALKS:
            raise TaxonomyError(f"unknown crosswalk {scheme!r}; choose one of {', '.join(CROSSWALKS)}")
        return {label.id: getattr(label, scheme) for label in self.labels}

    def fingerprint(self) -> str:
        """Hash of what a model depends on: label ids in order and their terms (not prose)."""
        payload = [[label.id, list(label.key_terms), list(label.lexicon)] for label in self.labels]
        return hashlib.sha256(json.dumps(payload, ensure_ascii=False).encode("utf-8")).hexdigest()


def load_taxonomy(path: str | Path) -> Taxonomy:
    """Read and validate a taxonomy file, raising TaxonomyError that names the problem."""
    path = Path(path)
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as err:
        raise TaxonomyError(f"{path}: cannot read ({err.strerror})") from None
    except UnicodeDecodeError as err:
        raise TaxonomyError(f"{path}: not UTF-8 text (invalid byte at {err.start:,}); save it as UTF-8") from None
    except yaml.YAMLError as err:
        where = getattr(err, "problem_mark", None)
        line = f" at line {where.line + 1}" if where else ""
        raise TaxonomyError(f"{path}: not valid YAML{line}: {getattr(err, 'problem', err)}") from None
    return parse_taxonomy(raw, path)


def parse_taxonomy(raw: object, path: Path | None = None) -> Taxonomy:
    """Validate a parsed taxonomy document and build a Taxonomy."""
    where = str(path) if path else "taxonomy"
    if not isinstance(raw, dict):
        raise TaxonomyError(f"{where}: expected a mapping with a 'labels' list")
    unknown = sorted(set(raw) - set(TOP_LEVEL))
    if unknown:
        raise TaxonomyError(f"{where}: unknown top-level key(s) {', '.join(map(str, unknown))}")
    entries = raw.get("labels")
    if not isinstance(entries, list) or not entries:
        raise TaxonomyError(f"{where}: 'labels' must be a non-empty list")
    labels = [_parse_label(entry, f"{where}: label #{number}") for number, entry in enumerate(entries, 1)]
    seen: set[str] = set()
    for label in labels:
        if label.id in seen:
            raise TaxonomyError(f"{where}: duplicate label id '{label.id}'")
        seen.add(label.id)
    return Taxonomy(name=str(raw.get("name", "")), labels=tuple(labels), path=path)


def _parse_label(entry: object, where: str) -> Label:
    if not isinstance(entry, dict):
        raise TaxonomyError(f"{where}: expected a mapping")
    if isinstance(entry.get("id"), str):
        where = f"{where} ('{entry['id']}')"
    unknown = sorted(set(entry) - set(REQUIRED) - set(OPTIONAL))
    if unknown:
        raise TaxonomyError(f"{where}: unknown key(s) {', '.join(map(str, unknown))}")
    missing = [key for key in REQUIRED if entry.get(key) in (None, "", [])]
    if missing:
        raise TaxonomyError(f"{where}: missing {', '.join(missing)}")
    if not isinstance(entry["id"], str) or not _ID.match(entry["id"]):
        raise TaxonomyError(f"{where}: id must be lower_snake_case, got {entry['id']!r}")
    for key in ("name_zh", "name_en", "definition"):
        if not isinstance(entry[key], str):
            raise TaxonomyError(f"{where}: {key} must be text")
    lists = {key: _strings(entry.get(key, []), f"{where}: {key}")
             for key in ("key_terms", "examples", "lexicon", "stip_compass", "policy_tool")}
    return Label(id=entry["id"], name_zh=entry["name_zh"].strip(), name_en=entry["name_en"].strip(),
                 definition=" ".join(entry["definition"].split()), **lists)


def _strings(value: object, where: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise TaxonomyError(f"{where} must be a list of non-empty strings")
    return tuple(v.strip() for v in value)
