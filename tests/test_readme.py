"""The README is part of the interface: the commands it shows exist and accept the options it names."""

import re
import shlex

import pytest
from click.testing import CliRunner

from classify.cli import main

from conftest import ROOT, invoke

README = (ROOT / "README.md").read_text(encoding="utf-8")
SHOWN = sorted(set(re.findall(r"`policy-classify ((?:[a-z-]+)(?: [a-z-]+)?)", README)))


def test_the_readme_opens_with_the_two_commands_a_new_user_runs():
    """Install and open the app; install and run the tests: the first two commands of the README."""
    commands = re.findall(r"^    (python -m pip install .+)$", README, flags=re.MULTILINE)[:2]
    assert commands == ['python -m pip install -e . && policy-classify app',
                        'python -m pip install -e ".[test]" && python -m pytest']


@pytest.mark.parametrize("shown", SHOWN)
def test_every_command_the_readme_shows_exists(shown):
    """`policy-classify <command> --help` answers for each command the README mentions."""
    words = shown.split()
    result = invoke(*words, "--help")
    if result.exit_code != 0 and len(words) == 2:  # "labels export" is a group and a command; "tag CORPUS" is not
        result = invoke(words[0], "--help")
    assert result.exit_code == 0, (shown, result.output)


@pytest.mark.parametrize("command, option", [
    ("matrix", "--intervals"), ("suggest", "--check"), ("suggest", "--queue"), ("annotate", "--from"),
    ("annotate", "--corpus"), ("annotate", "--check"), ("ingest", "--manifest"), ("tag", "--manifest"),
])
def test_the_options_the_readme_names_are_there(command, option):
    """Options documented in the CLI reference appear in the command's help."""
    assert option in README
    assert option in invoke(command, "--help").output


SESSION = [line for block in re.findall(r"```bash\n(.*?)```", README, flags=re.DOTALL)
           for line in block.splitlines() if line.startswith("policy-classify ")]


def test_the_readme_session_runs_line_by_line_and_writes_what_it_says(tmp_path, monkeypatch):
    """Every command of the README's session, in order, from a folder holding the corpus: each succeeds
    and leaves its output file."""
    assert len(SESSION) >= 8
    (tmp_path / "corpus").symlink_to(ROOT / "corpus")
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()
    for line in SESSION:
        args = shlex.split(line)[1:]
        result = runner.invoke(main, args)
        assert result.exit_code == 0, (line, result.output)
        output = args[args.index("--output") + 1]
        assert (tmp_path / output).stat().st_size > 0, line
