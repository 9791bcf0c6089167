"""`gpumarket buyer watch JOB`: the job's history, then a line per new event as blocks arrive, until
the job is over (exit 0) or a deadline needs the buyer (exit 3); each deadline is the market's
view. The wait between polls is replaced by a script of chain actions, one per poll, so the watch
sees the job move while it runs, in-process and without waiting."""

from __future__ import annotations

import contextlib
import importlib
import io
import json

import pytest
from brownie import chain, web3

from gpumarket.chain.types import HOUR, JobSpec
from gpumarket.cli.display import short_address
from gpumarket.cli.units import format_time, time_left

from .conftest import GMKT

RESULT_HASH = b"\x22" * 32
#: The module (`gpumarket.cli.buyer.watch` the attribute is the command).
watch_module = importlib.import_module("gpumarket.cli.buyer.watch")


@pytest.fixture
def script(monkeypatch):
    """script(*actions): each poll of the watch runs the next action; one poll too many fails."""

    def _script(*actions):
        pending = list(actions)

        def poll(_interval):
            assert pending, "the watch did not stop when it should have"
            with contextlib.redirect_stdout(io.StringIO()):  # Brownie's transaction lines
                pending.pop(0)()

        monkeypatch.setattr(watch_module, "_sleep", poll)
        return pending

    return _script


@pytest.fixture
def posted(buyer, provider, listed, post_job, gmkt):
    """An auction for 2 GPUs over 2 hours, at most 3 GMKT per GPU-hour; `provider` is listed."""
    listed(provider)
    return post_job(buyer, gmkt, 3 * GMKT, JobSpec(gpu_count=2, duration=2 * HOUR))


def _events(stdout):
    return [line.split("  ", 2)[2].split(":", 1)[0] for line in stdout.splitlines()[:-1]]


def test_watch_follows_an_auction_to_its_result_and_stops_for_the_dispute_window(
    cli, script, posted, buyer, provider, market
):
    pending = script(
        lambda: market.bid(posted, 25 * GMKT // 10, {"from": provider}),
        lambda: market.acceptBid(posted, provider, {"from": buyer}),
        lambda: market.submitResult(posted, RESULT_HASH, "https://r.example/1", {"from": provider}),
    )

    result = cli("buyer", "watch", posted, "--interval", "0.1")

    assert result.exit_code == 3, result.output
    assert not pending
    assert _events(result.stdout) == [
        "JobPosted", "EscrowDeposited", "BidPlaced", "JobMatched", "EscrowReleased",
        "ResultSubmitted",
    ]  # fmt: skip
    lines = result.stdout.splitlines()
    assert f"BidPlaced: {short_address(provider.address)} bids 2.5 GMKT per GPU-hour" in lines[2]
    window_end = market.windowEndOf(posted)
    now = web3.eth.get_block("latest")["timestamp"]
    assert lines[-1] == (
        f"job {posted}'s result is in; the dispute window is open until {format_time(window_end)} "
        f"({time_left(window_end, now)}): check it with `gpumarket buyer result {posted} -o PATH`, "
        f"and dispute it with `gpumarket buyer dispute {posted}` before then"
    )


def test_watch_until_settled_prints_json_lines_and_exits_0(
    cli, script, posted, buyer, provider, market
):
    market.bid(posted, 25 * GMKT // 10, {"from": provider})
    market.acceptBid(posted, provider, {"from": buyer})
    market.submitResult(posted, RESULT_HASH, "https://r.example/1", {"from": provider})

    def settle():
        chain.sleep(market.windowEndOf(posted) - chain.time() + 1)
        market.finalize(posted, {"from": provider})

    script(settle)

    result = cli("buyer", "watch", posted, "--until-settled", "--json", "--wide")

    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [line["event"] for line in lines[-4:-1]] == [
        "JobSettled", "EscrowReleased", "EscrowReleased",
    ]  # fmt: skip
    settled = next(line for line in lines if line.get("event") == "JobSettled")
    assert settled["args"]["provider"] == provider.address
    assert settled["text"].startswith("settled: ")
    assert provider.address in settled["text"]
    assert lines[-1]["stop"] == "settled"
    assert (lines[-1]["state"], lines[-1]["exit_code"]) == ("SETTLED", 0)


def test_watch_of_an_overdue_result_names_the_timeout_from_the_view(
    cli_json, cli, script, posted, buyer, provider, market
):
    market.bid(posted, 25 * GMKT // 10, {"from": provider})
    market.acceptBid(posted, provider, {"from": buyer})
    due = market.resultDeadlineOf(posted)
    chain.sleep(due - chain.time() + 10)
    chain.mine()
    script()

    result = cli("buyer", "watch", posted, "--json")

    assert result.exit_code == 3, result.output
    stop = json.loads(result.stdout.splitlines()[-1])
    assert (stop["stop"], stop["deadline"]["unix"]) == ("result_overdue", due)
    assert f"`gpumarket buyer timeout {posted}`" in stop["message"]


def test_watch_of_an_auction_without_bids_past_its_end_says_cancel(cli, script, posted, market):
    chain.sleep(market.jobOf(posted)["biddingEnds"] - chain.time() + 1)
    chain.mine()
    script()

    result = cli("buyer", "watch", posted)

    assert result.exit_code == 3, result.output
    assert result.stdout.splitlines()[-1].endswith(
        f"with 0 bids; cancel it for a refund with `gpumarket buyer cancel {posted}`"
    )


def test_watch_of_an_unknown_job_is_refused(cli):
    result = cli("buyer", "watch", "999")

    assert result.exit_code == 1
    assert result.stderr == "Error: there is no job 999\n"
