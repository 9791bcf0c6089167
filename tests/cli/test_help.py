"""Every command's help: each option has a sentence, each argument is named in its command's
text, every `--gpu` lists the GPU catalogue; and click's shell completion, as README.md
documents it (`_GPUMARKET_COMPLETE=bash_source gpumarket`)."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from gpumarket.cli.main import main
from gpumarket.cli.units import complete_gpu_model, known_gpu_models, parse_gpu_model
from gpumarket.pogemm import gpus

#: The console script pyproject.toml declares (`gpumarket = "gpumarket.cli.main:main"`), as
#: `pip install -e .` (tools/setup.sh) puts it beside the interpreter.
CONSOLE_SCRIPT = Path(sys.executable).parent / ("gpumarket.exe" if os.name == "nt" else "gpumarket")
#: The commands that take a GPU model.
GPU_COMMANDS = {"buyer post", "market", "provider register", "provider update"}


def commands() -> Iterator[tuple[str, click.Command, click.Context]]:
    """Every command of the tree, the lazy ones loaded: (path without `gpumarket`, command,
    its context)."""

    def walk(command: click.Command, path: list[str], ctx: click.Context):
        yield " ".join(path), command, ctx
        if isinstance(command, click.Group):
            for name in command.list_commands(ctx):
                sub = command.get_command(ctx, name)
                assert sub is not None, name
                yield from walk(sub, [*path, name], click.Context(sub, ctx, info_name=name))

    yield from walk(main, [], click.Context(main, info_name="gpumarket"))


COMMANDS = {path: (command, ctx) for path, command, ctx in commands()}


def is_sentence(text: str) -> bool:
    """Ends as a sentence does; an option's help also starts as one (a command's may start with
    the program's name: `gpumarket: a GPU compute market ...`)."""
    return text.strip().endswith((".", "?", "!"))


def test_the_walk_reaches_every_command():
    """The tree as README.md lists it, loaded from every lazy entry (a sample of the leaves)."""
    assert {
        "",
        "admin set-parameter",
        "agent run",
        "bench",
        "buyer post",
        "buyer watch",
        "deploy",
        "dev time-travel",
        "market",
        "oracle run",
        "provider register",
        "token approve",
    } <= set(COMMANDS)


@pytest.mark.parametrize("path", sorted(COMMANDS))
def test_every_option_has_a_sentence(path):
    command, ctx = COMMANDS[path]
    options = [p for p in command.get_params(ctx) if isinstance(p, click.Option)]
    missing = {
        "/".join(o.opts): o.help
        for o in options
        if not is_sentence(o.help or "") or o.help.strip()[0].islower()
    }

    assert missing == {}


@pytest.mark.parametrize("path", sorted(COMMANDS))
def test_every_command_has_a_sentence_and_names_its_arguments(path):
    """Click arguments carry no help of their own: the command's text names each (JOB_ID), or
    every value a choice of them takes (`admin pause [market|registry|all]`)."""
    command, ctx = COMMANDS[path]
    text = command.help or ""
    assert is_sentence(text.split("\n\n")[0])
    for argument in (p for p in command.params if isinstance(p, click.Argument)):
        if isinstance(argument.type, click.Choice):
            assert all(str(choice) in text for choice in argument.type.choices), argument.name
        else:
            # ACCOUNT for `ACCOUNT...`, TOKEN for `[TOKEN]...`
            assert argument.human_readable_name.strip("[].") in text, argument.name


def test_the_commands_that_take_a_gpu_model_are_known():
    """A new command with `--gpu` joins GPU_COMMANDS, and so the catalogue checks below."""
    taking = {
        path
        for path, (command, _) in COMMANDS.items()
        if any(isinstance(p, click.Option) and "--gpu" in p.opts for p in command.params)
    }
    assert taking == GPU_COMMANDS


@pytest.mark.parametrize("path", sorted(GPU_COMMANDS))
def test_every_gpu_option_lists_the_catalogue_in_help(path):
    (gpu,) = (p for p in COMMANDS[path][0].params if "--gpu" in p.opts)
    assert known_gpu_models() == ", ".join(gpus.known_models())
    assert (gpu.help or "").endswith(f": {known_gpu_models()}.")

    result = CliRunner().invoke(main, [*path.split(), "--help"])

    assert result.exit_code == 0, result.output
    assert f"--gpu MODEL {gpu.help}" in " ".join(result.output.split())


def test_an_unknown_gpu_model_gets_one_sentence_naming_the_catalogue():
    with pytest.raises(ValueError) as raised:
        parse_gpu_model("H900")

    assert str(raised.value) == (
        f"unknown GPU model 'H900'; known models are {', '.join(gpus.known_models())}"
    )


@pytest.mark.parametrize(
    ("text", "model"),
    [("h100-nvl-94gb", "H100-NVL-94GB"), (" L4 ", "L4"), ("l40s", "L40S"), ("mi300x", "MI300X")],
)
def test_a_gpu_model_in_any_case_is_the_catalogues_spelling(text, model):
    assert parse_gpu_model(text) == model


def test_any_gpu_model_is_only_where_allowed():
    assert parse_gpu_model("any", allow_any=True) == ""
    with pytest.raises(ValueError, match=r"^unknown GPU model 'any'; known models are A100, "):
        parse_gpu_model("any")


def test_gpu_models_complete_from_the_catalogue():
    command, ctx = COMMANDS["buyer post"]
    (gpu,) = (p for p in command.params if "--gpu" in p.opts)

    assert [c.value for c in gpu.shell_complete(ctx, "h1")] == [
        "H100-NVL-94GB",
        "H100-PCIE-80GB",
        "H100-SXM-80GB",
    ]
    assert complete_gpu_model(ctx, gpu, "") == gpus.known_models()


# ---------------------------------------------------------------- shell completion (README.md)


def complete(**env: str) -> subprocess.CompletedProcess[str]:
    assert CONSOLE_SCRIPT.exists(), f"no console script {CONSOLE_SCRIPT}: pip install -e ."
    return subprocess.run(  # noqa: S603 - the package's own console script
        [str(CONSOLE_SCRIPT)],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@pytest.mark.parametrize(
    ("shell", "marker"),
    [
        ("bash", "complete -o nosort -F _gpumarket_completion gpumarket"),
        ("zsh", "#compdef gpumarket"),
        ("fish", "complete --no-files --command gpumarket"),
    ],
)
def test_the_completion_script_is_printed_for_each_shell(shell, marker):
    result = complete(_GPUMARKET_COMPLETE=f"{shell}_source")

    assert (result.returncode, result.stderr) == (0, "")
    assert marker in result.stdout


def test_the_bash_script_defines_the_completion_function():
    result = complete(_GPUMARKET_COMPLETE="bash_source")

    assert result.stdout.startswith("_gpumarket_completion() {\n")
    assert "_GPUMARKET_COMPLETE=bash_complete $1" in result.stdout


@pytest.mark.parametrize(
    ("words", "cword", "expected"),
    [
        ("gpumarket bu", "1", ["plain,buyer"]),
        ("gpumarket buyer po", "2", ["plain,post"]),
        ("gpumarket buyer post --gpu L4", "4", ["plain,L4", "plain,L40S"]),
    ],
)
def test_a_completion_request_completes(words, cword, expected):
    result = complete(COMP_WORDS=words, COMP_CWORD=cword, _GPUMARKET_COMPLETE="bash_complete")

    assert (result.returncode, result.stderr) == (0, "")
    assert result.stdout.splitlines() == expected
