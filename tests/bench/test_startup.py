"""`make bench`'s start-up figures: every command timed runs, and the import-time table parses.
(That no command's help imports web3 is checked in tests/cli/test_lazy.py, exactly.)"""

from __future__ import annotations

from gpumarket.bench import startup


def test_startup_times_each_command_and_names_the_largest_imports():
    report = startup.measure(runs=1)

    commands = [r["command"] for r in report["commands"]]
    assert commands == [startup.label(t) for t in startup.COMMANDS]
    assert "gpumarket buyer post --help" in commands
    assert "gpumarket buyer status 1 --deployments-dir EMPTY" in commands
    assert all(r["median_seconds"] > 0 for r in report["commands"])
    modules = [m for m, _ in report["offenders_of_a_running_chain_command"]]
    assert modules[0] == startup.RUNNING and "web3" in modules
    # A chain command's module (what its help loads) costs a fraction of web3's import.
    assert 0 < report["import_chain_command_module"] < report["import_web3"] / 2
    assert 0 < report["import_cli_main"] < report["import_web3"] / 2
