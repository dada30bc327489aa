"""The README's command table agrees with the CLI: every command it lists exists in ``kg --help`` and the
other way round, and every option it shows is one the command takes."""

from __future__ import annotations

import re
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from kg.cli import cli

README = Path(__file__).parent.parent / "README.md"
OPTION = re.compile(r"(?<![\w-])(--?[a-z][a-z-]*)")


def table_rows() -> list[str]:
    """The first cell of each row of the table under ``## Command line``, without its backticks."""
    section = README.read_text(encoding="utf-8").split("\n## Command line\n", 1)[1].split("\n## ", 1)[0]
    rows = [line.split(" | ", 1)[0].strip("| `") for line in section.splitlines() if line.startswith("| `kg ")]
    assert rows, "no command table under '## Command line' in README.md"
    return rows


def global_options_line() -> str:
    section = README.read_text(encoding="utf-8").split("\n## Command line\n", 1)[1].split("\n## ", 1)[0]
    return next(line for line in section.splitlines() if line.startswith("Global options:"))


def options_of(command: click.Command) -> set[str]:
    return {opt for param in command.params if isinstance(param, click.Option)
            for opt in (*param.opts, *param.secondary_opts)}


def help_commands() -> set[str]:
    """The command names ``kg --help`` lists."""
    result = CliRunner().invoke(cli, ["--help"])
    assert result.exit_code == 0, result.output
    listing = result.output.split("\nCommands:\n", 1)[1].split("\n\n", 1)[0]
    return {line.split()[0] for line in listing.splitlines() if line.startswith("  ") and line.split()}


def test_readme_lists_exactly_the_commands_of_kg_help() -> None:
    listed = {row.split()[1] for row in table_rows()}
    assert listed == help_commands()
    assert isinstance(cli, click.Group) and listed == set(cli.commands)


@pytest.mark.parametrize("row", table_rows(), ids=lambda row: " ".join(row.split()[1:3]))
def test_readme_options_exist(row: str) -> None:
    assert isinstance(cli, click.Group)
    words = row.split()
    command = cli.commands[words[1]]
    if words[1] == "eval":  # `kg eval DATASET`: the dataset must be one of the command's choices
        choice = command.params[0].type
        assert isinstance(choice, click.Choice) and words[2] in choice.choices
    shown = set(OPTION.findall(row.replace("\\|", " ")))
    assert shown <= options_of(command), f"README shows options that 'kg {words[1]}' lacks"


def test_readme_global_options_exist() -> None:
    shown = set(OPTION.findall(global_options_line()))
    assert shown and shown <= options_of(cli)


def test_every_command_has_help() -> None:
    assert isinstance(cli, click.Group)
    for name, command in cli.commands.items():
        result = CliRunner().invoke(cli, [name, "--help"])
        assert result.exit_code == 0, result.output
        assert command.help, f"kg {name} has no help text"
