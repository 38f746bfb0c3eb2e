"""`helferhub new-connector`: the package it writes installs and passes its own tests as written."""
from __future__ import annotations

import os
import subprocess
import sys

from click.testing import CliRunner

from hub.cli import cli


def test_the_generated_package_installs_and_passes_its_tests(tmp_path):
    target = tmp_path / "stadtteil-board"
    made = CliRunner().invoke(cli, ["new-connector", "stadtteil-board", "--dir", str(target)])
    assert made.exit_code == 0, made.output
    assert (target / "pyproject.toml").exists() and (target / "stadtteil_board_connector" / "__init__.py").exists()
    site = tmp_path / "site"
    # installed as pip installs it (a wheel built from pyproject.toml), offline, into a folder of its own
    installed = subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--no-index",
                                "--no-build-isolation", "--target", str(site), str(target)],
                               capture_output=True, text=True, timeout=300)
    assert installed.returncode == 0, installed.stderr
    env = {**os.environ, "PYTHONPATH": str(site)}
    run = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests"], cwd=target,
                         capture_output=True, text=True, timeout=300, env=env)
    assert run.returncode == 0, run.stdout + run.stderr
    assert " passed" in run.stdout and "failed" not in run.stdout
    listed = subprocess.run([sys.executable, "-c", "from connectors import registry; print(registry.available())"],
                            capture_output=True, text=True, timeout=60, env=env)
    assert "stadtteil-board" in listed.stdout  # the hub finds it through its entry point


def test_new_connector_refuses_bad_names_and_full_folders(tmp_path):
    runner = CliRunner()
    bad = runner.invoke(cli, ["new-connector", "Mein Portal", "--dir", str(tmp_path / "x")])
    assert bad.exit_code == 2 and "lower-case letters" in bad.output
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "keep.txt").write_text("mine")
    full = runner.invoke(cli, ["new-connector", "portal", "--dir", str(tmp_path / "full")])
    assert full.exit_code == 2 and "not empty" in full.output
