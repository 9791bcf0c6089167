"""`gpumarket buyer status` and `buyer result`: every deadline from the market's views as a date
and as time left (ISO 8601 and Unix under --json), collateral, bond, benchmark and challenge, the
council's votes, the result; and a result fetched and checked against the chain."""

from __future__ import annotations

import hashlib
import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from brownie import accounts, web3

from gpumarket.chain.types import HOUR, JobSpec
from gpumarket.cli.units import format_time, iso_time, time_left

from .conftest import GMKT

OUTPUT = b"trained weights"


@pytest.fixture
def running_job(buyer, provider, listed, post_job, gmkt, market):
    """2 GPUs for 2 hours at 2.5 GMKT per GPU-hour, matched to `provider`."""
    listed(provider)
    job_id = post_job(buyer, gmkt, 3 * GMKT, JobSpec(gpu_count=2, duration=2 * HOUR))
    market.bid(job_id, 25 * GMKT // 10, {"from": provider})
    market.acceptBid(job_id, provider, {"from": buyer})
    return job_id


@pytest.fixture
def served():
    """served(body, status=200) -> the URL of a local HTTP server that answers every GET so."""
    answers = {}

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 - http.server's name
            status, body = answers["answer"]
            self.send_response(status)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()

    def _serve(body, status=200):
        answers["answer"] = (status, body)
        return f"http://127.0.0.1:{server.server_address[1]}/results/1"

    yield _serve
    server.shutdown()
    server.server_close()


def _at(value, now):
    return {"iso": iso_time(value), "unix": value, "seconds_left": value - now}


def test_status_of_a_running_job_reads_every_deadline_from_the_views(cli_json, running_job, market):
    out = cli_json("buyer", "status", running_job)

    now = web3.eth.get_block("latest")["timestamp"]
    job = market.jobOf(running_job)
    times = out["times"]
    assert times["bidding_ends"] == _at(job["biddingEnds"], now)
    assert times["result_due"] == _at(market.resultDeadlineOf(running_job), now)
    assert times["started_at"] == _at(job["startedAt"], now)
    assert (times["dispute_window_ends"], times["finalize_from"], times["arbitration_timeout"]) == (
        None,
        None,
        None,
    )
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", times["result_due"]["iso"])
    assert out["collateral"] == str(market.collateralOf(running_job) // GMKT)
    assert out["dispute_bond"] == str(market.disputeBondOf(running_job) // GMKT)
    assert (out["result_hash"], out["result_uri"], out["challenge"]) == (None, None, None)
    assert out["votes"]["ok"] == out["votes"]["fail"] == 0


def test_status_of_a_submitted_job_shows_the_window_and_the_result(
    cli_json, running_job, provider, market
):
    market.submitResult(running_job, b"\x22" * 32, "https://r.example/7", {"from": provider})

    out = cli_json("buyer", "status", running_job)

    window_end = market.windowEndOf(running_job)
    assert out["times"]["dispute_window_ends"]["unix"] == window_end
    assert out["times"]["finalize_from"]["unix"] == window_end
    assert (out["result_hash"], out["result_uri"]) == ("0x" + "22" * 32, "https://r.example/7")


def test_status_of_a_disputed_job_finalizes_from_the_arbitration_timeout(
    cli_json, running_job, buyer, provider, market, gmkt, governance
):
    market.submitResult(running_job, b"\x22" * 32, "https://r.example/7", {"from": provider})
    gmkt.transfer(buyer, 10 * GMKT, {"from": governance})
    gmkt.approve(market, 10 * GMKT, {"from": buyer})
    market.dispute(running_job, {"from": buyer})

    out = cli_json("buyer", "status", running_job)

    timeout = market.arbitrationEndOf(running_job)
    assert out["times"]["arbitration_timeout"]["unix"] == timeout
    assert out["times"]["finalize_from"]["unix"] == timeout


def test_status_shows_the_councils_votes_so_far(
    cli_json, running_job, provider, market, protocol, governance
):
    council = protocol.council
    members = accounts[10:13]
    council.setConfig(members, 2, {"from": governance})
    market.submitResult(running_job, b"\x22" * 32, "https://r.example/7", {"from": provider})
    council.vote(running_job, council.configVersion(), 1, 100, b"\x01" * 32, {"from": members[0]})

    votes = cli_json("buyer", "status", running_job)["votes"]

    assert (votes["ok"], votes["fail"], votes["quorum"], votes["members"]) == (1, 0, 2, 3)
    assert votes["verdict"] == "NONE"
    assert votes["voters"] == [{"member": members[0].address, "verdict": "OK"}]


def test_status_of_a_benchmark_job_shows_the_challenge(
    cli_json, buyer, provider, listed, post_job, gmkt, market
):
    listed(provider)
    spec = JobSpec(benchmark_required=True, benchmark_n=64, benchmark_t=8, benchmark_k=2)
    job_id = post_job(buyer, gmkt, 3 * GMKT, spec)
    market.bid(job_id, 2 * GMKT, {"from": provider})
    market.acceptBid(job_id, provider, {"from": buyer})

    out = cli_json("buyer", "status", job_id)

    assert out["benchmark"] == {"n": 64, "T": 8, "K": 2}
    assert out["challenge"]["id"] == market.challengeOfJob(job_id)
    assert out["challenge"]["state"] == "OPEN"
    assert out["collateral"] == str(market.collateralOf(job_id) / GMKT).removesuffix(".0")


def test_status_for_people_gives_each_deadline_a_date_and_the_time_left(cli, running_job, market):
    result = cli("buyer", "status", running_job)

    assert result.exit_code == 0, result.output
    due = market.resultDeadlineOf(running_job)
    now = web3.eth.get_block("latest")["timestamp"]
    assert f"result due: {format_time(due)} ({time_left(due, now)})" in result.stdout
    assert time_left(due, now) == "in 3h"


def test_result_is_fetched_checked_and_written(
    cli_json, running_job, provider, market, served, tmp_path
):
    url = served(OUTPUT)
    market.submitResult(running_job, hashlib.sha256(OUTPUT).digest(), url, {"from": provider})
    path = tmp_path / "out.bin"

    out = cli_json("buyer", "result", running_job, "-o", path)

    assert path.read_bytes() == OUTPUT
    assert (out["bytes"], out["sha256"], out["result_uri"]) == (
        len(OUTPUT),
        "0x" + hashlib.sha256(OUTPUT).hexdigest(),
        url,
    )


@pytest.mark.parametrize(
    "answer, check",
    [
        pytest.param((b"tampered weights", 200), "hash check failed", id="hash"),
        pytest.param((b"", 404), "fetch check failed", id="fetch"),
    ],
)
def test_result_that_fails_a_check_names_it_and_writes_nothing(
    cli, running_job, provider, market, served, tmp_path, answer, check
):
    url = served(*answer)
    market.submitResult(running_job, hashlib.sha256(OUTPUT).digest(), url, {"from": provider})
    path = tmp_path / "out.bin"

    result = cli("buyer", "result", running_job, "-o", path)

    assert result.exit_code == 1
    assert result.stderr.startswith(f"Error: {check}: ")
    assert not path.exists()


def test_result_of_a_job_without_one_fails_the_chain_check(cli, running_job, tmp_path):
    result = cli("buyer", "result", running_job, "-o", tmp_path / "out.bin")

    assert result.stderr == (
        f"Error: chain check failed: job {running_job} has no result on chain (it is RUNNING)\n"
    )
