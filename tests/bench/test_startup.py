"""`make bench`'s start-up figures: every command timed runs, and the import-time table parses.
(That listing commands import no web3 is checked in tests/cli/test_lazy.py, exactly.)"""

from __future__ import annotations

from gpumarket.bench import startup


def test_startup_times_each_command_and_names_the_largest_imports():
    report = startup.measure(runs=1)

    assert [r["command"] for r in report["commands"]] == [
        " ".join(("gpumarket", *args)) for args in startup.COMMANDS
    ]
    assert all(r["median_seconds"] > 0 for r in report["commands"])
    modules = [m for m, _ in report["offenders_of_a_chain_command"]]
    assert modules[0] == "gpumarket.cli.buyer.posting" and "web3" in modules
    assert 0 < report["import_cli_main"] < report["offenders_of_a_chain_command"][0][1]
