"""The project's shape holds: every command documented, every config key documented, and the packages
import each other only one way (that every route is in the OpenAPI document is tests/hub/test_openapi.py's)."""
from __future__ import annotations

import ast
import re
from pathlib import Path

import click
import pytest

from hub import config as hub_config
from hub.cli import cli

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")
PACKAGES = ("hub", "connectors", "schema", "dedupe", "exports")


def commands(group: click.Group, prefix: tuple[str, ...] = ()):
    """(path, command) for every command and subcommand of the CLI."""
    for name, command in sorted(group.commands.items()):
        yield (*prefix, name), command
        if isinstance(command, click.Group):
            yield from commands(command, (*prefix, name))


@pytest.mark.parametrize("path, command", list(commands(cli)), ids=lambda v: " ".join(v) if isinstance(v, tuple) else "")
def test_every_command_has_help_and_is_in_the_readme(path, command):
    assert (command.help or "").strip(), f"helferhub {' '.join(path)} has no help text"
    if len(path) == 1:
        assert f"helferhub {path[0]}" in README, f"the README does not mention `helferhub {path[0]}`"
    else:  # written out, or as a subcommand beside its group's row (`review approve`, `together A B`)
        assert f"{path[-2]} {path[-1]}" in README or f"`{path[-1]} " in README, \
            f"the README does not mention `helferhub {' '.join(path)}`"


def config_keys():
    """Every key of hub.toml the hub itself reads (a connector's own keys are its config_schema's)."""
    structure = hub_config.STRUCTURE["properties"]
    for table in ("hub", "server", "worker", "notify", "mail", "limits", "dedupe"):
        for key in structure[table]["properties"]:
            yield table, key
    for key in structure["sources"]["items"]["properties"]:
        yield "sources", key


@pytest.mark.parametrize("table, key", list(config_keys()))
def test_every_config_key_is_documented(table, key):
    section = README[README.index("## Configuration"):]
    block = section[:section.index("```", section.index("```toml") + 7)]
    heading = f"[[{table}]]" if table == "sources" else f"[{table}]"
    table_block = block[block.index(heading):]
    following = re.search(r"\n\[", table_block[len(heading):])
    table_block = table_block[:len(heading) + following.start()] if following else table_block
    assert re.search(rf"^#?\s*{re.escape(key)} = ", table_block, re.M), f"{table}.{key} is not in the README's hub.toml"


def imports_of(path: Path) -> set[str]:
    """The project modules a module imports (at any depth of the file, lazily or not)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return {name for name in found if name.split(".")[0] in PACKAGES}


def modules() -> dict[str, Path]:
    out = {}
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            parts = path.relative_to(ROOT).with_suffix("").parts
            out[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return out


def graph() -> dict[str, set[str]]:
    """module -> the project modules it imports (a name imported from a package counts as the
    package unless it is a module of its own)."""
    known = modules()
    return {name: {i for i in imports_of(path) if i in known and i != name} for name, path in known.items()}


def test_no_module_imports_one_that_imports_it_back():
    edges = graph()
    cycles = []
    for module, targets in edges.items():
        for target in sorted(targets):
            seen, todo = set(), [target]
            while todo:  # does target lead back to module, directly or through others?
                current = todo.pop()
                if current == module:
                    cycles.append(f"{module} -> {target} -> ... -> {module}")
                    break
                if current not in seen:
                    seen.add(current)
                    todo.extend(edges.get(current, ()))
    assert cycles == []


def test_the_hub_and_the_connectors_meet_only_at_the_contract():
    edges = graph()
    hub_uses = {t for m, ts in edges.items() if m.split(".")[0] == "hub" for t in ts if t.split(".")[0] == "connectors"}
    assert hub_uses <= {"connectors", "connectors.registry"}, "hub/ takes only the contract and the registry"
    connectors_use = {t for m, ts in edges.items() if m.split(".")[0] == "connectors" for t in ts if t.split(".")[0] == "hub"}
    assert connectors_use == set(), "connectors/ imports nothing from hub/"


def test_an_installed_hub_has_every_package_it_imports():
    """A wheel (not only the editable install of `make`) carries hub.web, hub.storage, hub.cli, ...: every folder
    of Python modules under the top-level packages, but the gazetteer's build tools (schema/tools)."""
    from setuptools.config.setupcfg import read_configuration

    packaged = set(read_configuration(ROOT / "setup.cfg", find_others=True)["options"]["packages"])
    folders = {str(p.parent.relative_to(ROOT)).replace("/", ".")
               for top in ("hub", "connectors", "schema", "dedupe", "exports") for p in (ROOT / top).rglob("*.py")}
    assert folders - {"schema.tools"} <= packaged
