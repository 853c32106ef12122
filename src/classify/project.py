"""Where a project's files are: taxonomy, labelled data, models, corpus and the development set.

Read once, at the edge (CLI and app), and passed down as plain paths.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import yaml

TAXONOMY = "taxonomy.yaml"
SETTINGS = "project.yaml"
DEFAULT_MODEL = "default"


class ProjectError(ValueError):
    """A project settings file that cannot be used; the message names it."""


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
    def codebook(self) -> Path:
        return self.root / "docs" / "codebook.md"

    @property
    def corpora(self) -> dict[str, Path]:
        """External corpora named in project.yaml (name → folder, relative paths from the project root)."""
        path = self.root / SETTINGS
        if not path.is_file():
            return {}
        try:
            settings = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        except (yaml.YAMLError, UnicodeDecodeError) as err:
            raise ProjectError(f"{path}: not readable YAML ({' '.join(str(err).split())})") from None
        named = settings.get("corpora") or {} if isinstance(settings, dict) else None
        if not isinstance(named, dict) or not all(isinstance(v, str) for v in named.values()):
            raise ProjectError(f"{path}: 'corpora' must map names to folders")
        return {str(name): (self.root / folder).resolve() for name, folder in named.items()}

    def corpus_named(self, name_or_folder: str | Path) -> tuple[str, Path]:
        """(name, folder) of a corpus given by its project.yaml name or its folder; the project's own is ''."""
        corpora = self.corpora
        if str(name_or_folder) in corpora:
            return str(name_or_folder), corpora[str(name_or_folder)]
        folder = Path(name_or_folder).resolve()
        for name, known in corpora.items():
            if known == folder:
                return name, known
        return "", folder

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


# Every environment variable the project reads is read here, at the edge: POLICY_CLASSIFY_ROOT,
# _DEVSET, _CACHE, _USERS and _SEGMENTER (and XDG_CACHE_HOME / XDG_CONFIG_HOME).


def cache_folder() -> Path:
    """The one folder for derived files kept between runs (the model's tagging form, tagged corpora, the
    segmenter's term frequencies): POLICY_CLASSIFY_CACHE, else the user's cache folder. Everything in it is
    named by a hash of what it was made from, so a stale file is never read."""
    if os.environ.get("POLICY_CLASSIFY_CACHE"):
        return Path(os.environ["POLICY_CLASSIFY_CACHE"])
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "policy-classify"


def users_path() -> Path:
    """The users file: POLICY_CLASSIFY_USERS, else ~/.config/policy-classify/users.json (never inside the
    project, so its hashes are never committed)."""
    configured = os.environ.get("POLICY_CLASSIFY_USERS")
    base = Path(os.environ.get("XDG_CONFIG_HOME", Path.home() / ".config"))
    return Path(configured) if configured else base / "policy-classify" / "users.json"


def segmenter_wanted() -> str:
    """The word segmenter asked for: POLICY_CLASSIFY_SEGMENTER, default rjieba (jieba's Rust port)."""
    return os.environ.get("POLICY_CLASSIFY_SEGMENTER", "rjieba")
