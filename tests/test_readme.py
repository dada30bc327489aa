"""Every command in the README runs as written (as sqlite-utils checks its docs): each ```bash block is run line
by line with bash, in a fresh folder holding a copy of the shipped ``examples/``, with ``kg`` on the PATH and
linking offline. A block that cannot run here (a live server, a cluster) carries the marker
``<!-- not run: why -->`` on the line before it; those are listed, and must stay few."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
FENCE = re.compile(r"^```(\w*)\n(.*?)^```$", re.M | re.S)
NOT_RUN = "<!-- not run:"


def blocks() -> list[tuple[int, str, str, str]]:
    """(line number, info string, marker line before it or '', body) of every fenced block of the README."""
    text = README.read_text(encoding="utf-8")
    found = []
    for match in FENCE.finditer(text):
        line = text.count("\n", 0, match.start()) + 1
        before = text[: match.start()].rstrip("\n").rsplit("\n", 1)[-1]
        found.append((line, match.group(1), before if before.startswith(NOT_RUN) else "", match.group(2)))
    return found


def commands(body: str) -> list[str]:
    """The shell lines of a block: comments and blank lines left out, a ``$ `` prompt dropped."""
    lines = (line.removeprefix("$ ").strip() for line in body.splitlines())
    return [line for line in lines if line and not line.startswith("#")]


def test_every_block_of_kg_commands_is_a_bash_block() -> None:
    untagged = [line for line, info, _, body in blocks()
                if info not in ("bash", "console") and any(c.split()[0] == "kg" for c in commands(body))]
    assert untagged == [], "README blocks with kg commands must be ```bash (run by this test) or marked not run"


def test_the_blocks_not_run_are_few_and_say_why() -> None:
    skipped = [(line, marker) for line, _, marker, _ in blocks() if marker]
    assert all(len(marker) > len(NOT_RUN) + 10 and marker.endswith("-->") for _, marker in skipped), skipped
    assert 1 <= len(skipped) <= 5, skipped


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    """A fresh folder with the examples, and an environment whose ``kg`` is this checkout's."""
    where = tmp_path_factory.mktemp("readme")
    shutil.copytree(ROOT / "examples", where / "examples")
    bin_dir = where / ".bin"
    bin_dir.mkdir()
    shim = bin_dir / "kg"
    shim.write_text(f'#!/bin/sh\nexec "{sys.executable}" -m kg "$@"\n', encoding="utf-8")
    shim.chmod(0o755)
    env = {key: value for key, value in os.environ.items() if key not in ("KG_STORE", "KG_ENDPOINT_USER")}
    env.update(PATH=f"{bin_dir}{os.pathsep}{env.get('PATH', '')}", PYTHONPATH=str(ROOT), HOME=str(where),
               KG_CACHE_DIR=str(where / ".cache"))
    return where, env


def test_every_readme_command_runs_as_written(folder: tuple[Path, dict[str, str]]) -> None:
    where, env = folder
    ran, failed = 0, []
    for line, info, marker, body in blocks():
        if info not in ("bash", "console") or marker:
            continue
        for command in commands(body):
            done = subprocess.run(["bash", "-o", "pipefail", "-c", command], cwd=where, env=env, capture_output=True,
                                  text=True, timeout=300)
            ran += 1
            if done.returncode != 0:
                failed.append(f"README line {line}: {command}\n  exit {done.returncode}: {done.stderr.strip()[-300:]}")
    assert failed == [], "\n".join(failed)
    assert ran >= 10
