"""The library's imports follow the data flow: a module never imports one further along it, so each
step can be read, tested and replaced knowing only the steps below it."""

import ast
from pathlib import Path

import classify

PACKAGE = Path(classify.__file__).parent
# Bottom to top. Modules of one step may import each other; none imports a later step.
STEPS = [
    {"labels", "project", "tables", "taxonomy", "__init__"},
    {"ingest"},
    {"annotation"},
    {"model"},
    {"analysis"},
    {"recipes"},
    {"app", "cli", "__main__"},
]


def step_of(module: str) -> int:
    first = module.split(".")[1] if "." in module else "__init__"
    return next(k for k, names in enumerate(STEPS) if first in names)


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE).with_suffix("").parts
    return ".".join(("classify",) + (parts[:-1] if parts[-1] == "__init__" else parts))


def imports_of(path: Path) -> list[str]:
    """Every `classify` module a file imports, at the top or inside a function."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("classify"):
            found.append(node.module)
        elif isinstance(node, ast.Import):
            found += [alias.name for alias in node.names if alias.name.startswith("classify")]
    return found


def test_no_module_imports_a_later_step_of_the_data_flow():
    back = [f"{module_name(path)} imports {target}"
            for path in sorted(PACKAGE.rglob("*.py"))
            for target in imports_of(path)
            if step_of(target) > step_of(module_name(path))]
    assert back == []


def test_every_library_folder_has_a_step():
    folders = {p.name for p in PACKAGE.iterdir() if p.is_dir() and (p / "__init__.py").exists()}
    files = {p.stem for p in PACKAGE.glob("*.py")}
    assert folders | files <= set().union(*STEPS)


def test_cli_commands_only_parse_call_a_recipe_and_render():
    """At most six statements per command body (imports included): the work lives in the library."""
    tree = ast.parse((PACKAGE / "cli.py").read_text(encoding="utf-8"))
    commands = [node for node in tree.body if isinstance(node, ast.FunctionDef)
                and any(".command" in ast.unparse(d) for d in node.decorator_list)]
    long = {}
    for command in commands:
        body = command.body[1:] if ast.get_docstring(command) else command.body
        if len(body) > 6:
            long[command.name] = len(body)
    assert len(commands) >= 15 and long == {}
