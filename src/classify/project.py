"""Where a project's files are: taxonomy, labelled data, models, corpus and the development set.

Read once, at the edge (CLI and app), and passed down as plain paths.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

TAXONOMY = "taxonomy.yaml"
DEFAULT_MODEL = "default"


@dataclass(frozen=True)
class Project:
    root: Path

    @property
    def taxonomy(self) -> Path:
        return self.root / TAXONOMY

    @property
    def labeled(self) -> Path:
        return self.root / "labeled"

    @property
    def models(self) -> Path:
        return self.root / "models"

    @property
    def model(self) -> Path:
        return self.models / DEFAULT_MODEL

    @property
    def corpus(self) -> Path:
        return self.root / "corpus"

    @property
    def devset(self) -> Path | None:
        """The shared development set's gold file, when it is present beside the project."""
        path = Path(os.environ.get("POLICY_CLASSIFY_DEVSET", self.root.parent / "shared" / "devset" / "dev_gold.csv"))
        return path if path.is_file() else None


def find_project(start: Path | None = None) -> Project:
    """The project around `start` (default: the working directory), else the one this package was installed from.

    POLICY_CLASSIFY_ROOT overrides both.
    """
    if os.environ.get("POLICY_CLASSIFY_ROOT"):
        return Project(Path(os.environ["POLICY_CLASSIFY_ROOT"]).resolve())
    here = Path(start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / TAXONOMY).is_file() and (folder / "labeled").is_dir():
            return Project(folder)
    return Project(Path(__file__).resolve().parents[2])
