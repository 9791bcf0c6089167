"""The typed chain views (`gpumarket.chain.views`) decode what the compiled contracts return, by
the ABI's field names, and refuse a struct whose fields they do not know."""

from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from gpumarket.chain import views
from gpumarket.chain.types import ChallengeState, JobSpec, JobState, Offer

BUILD = Path(__file__).resolve().parents[2] / "build" / "contracts"
BUYER = "0x" + "ab" * 20
TOKEN = "0x" + "cd" * 20
ZERO = "0x" + "00" * 20


def view(contract: str, name: str) -> Any:
    """A stand-in for a web3 contract function: only its ABI, from the build."""
    abi = json.loads((BUILD / f"{contract}.json").read_text())["abi"]
    (entry,) = [e for e in abi if e.get("name") == name and e["type"] == "function"]
    return SimpleNamespace(abi=entry)


def test_job_of_decodes_every_field_by_name_with_typed_values() -> None:
    raw = (BUYER, 2, 5, TOKEN, 6, ZERO, 7, 8, 9, 10, 11, 12, 13, 14, 15, b"\x01" * 32)

    job = views.Job.of(view("JobMarket", "jobOf"), raw)

    assert job.state is JobState.RUNNING
    assert job.buyer == "0xABaBaBaBABabABabAbAbABAbABabababaBaBABaB"
    assert (job.bidding_ends, job.started_at, job.submitted_at) == (5, 6, 7)
    assert (job.window_start, job.disputed_at) == (8, 9)
    assert (job.max_price, job.price, job.deposit, job.escrow) == (10, 11, 12, 13)
    assert (job.collateral, job.bond, job.result_hash) == (14, 15, b"\x01" * 32)
    assert not job.direct


def test_a_direct_assignment_is_an_open_job_with_a_provider() -> None:
    raw = (BUYER, 1, 5, TOKEN, 0, TOKEN, 0, 0, 0, 10, 0, 12, 12, 0, 0, b"\0" * 32)

    assert views.Job.of(view("JobMarket", "jobOf"), raw).direct


def test_spec_of_round_trips_the_spec_that_post_job_encodes() -> None:
    spec = JobSpec(
        gpu_model="H100-SXM-80GB",
        gpu_count=8,
        min_vram_gib=80,
        region="DE",
        duration=7200,
        workload_hash=b"\x02" * 32,
        workload_uri="command:python3 train.py",
        min_reputation_bps=5000,
        min_verified_tops=900,
        benchmark_required=True,
        benchmark_n=64,
        benchmark_t=8,
        benchmark_k=2,
    )

    assert views.job_spec(view("JobMarket", "specOf"), spec.as_tuple()) == spec


def test_offer_of_round_trips_the_offer_that_register_encodes() -> None:
    offer = Offer(gpu_model="A100-80GB", gpu_count=4, region="US", endpoint="http://a:9000")

    assert views.offer(view("ProviderRegistry", "offerOf"), offer.as_tuple()) == offer


def test_challenge_of_decodes_by_name() -> None:
    raw = (BUYER, 2, 3, 4, b"\x05" * 32, b"\x06" * 32, 64, 8, 2, 9, 10, 11, b"\x07" * 32, 12)
    raw += (13, 14)

    c = views.Challenge.of(view("BenchmarkRegistry", "challengeOf"), raw)

    assert c.state is ChallengeState(2)
    assert (c.opened_at, c.subject, c.n, c.steps, c.interval) == (3, 4, 64, 8, 2)
    assert (c.commit_deadline, c.committed_at, c.anchor_block, c.verified_tops) == (9, 10, 11, 12)
    assert (c.seed, c.root, c.sampling_seed) == (b"\x05" * 32, b"\x06" * 32, b"\x07" * 32)
    assert (c.passed_at, c.bond) == (13, 14)


def test_a_struct_with_a_field_the_view_lacks_is_refused() -> None:
    fn = view("JobMarket", "jobOf")
    grown = json.loads(json.dumps(fn.abi))
    grown["outputs"][0]["components"].append({"name": "leaseId", "type": "uint256"})
    raw = (BUYER, 2, 5, TOKEN, 6, ZERO, 7, 8, 9, 10, 11, 12, 13, 14, 15, b"\x01" * 32, 99)

    with pytest.raises(TypeError, match="lease_id"):
        views.Job.of(SimpleNamespace(abi=grown), raw)


@pytest.mark.parametrize(
    ("name", "field"),
    [
        ("biddingEnds", "bidding_ends"),
        ("minVramGiB", "min_vram_gib"),
        ("workloadURI", "workload_uri"),
        ("benchmarkN", "benchmark_n"),
        ("bandwidthMbps", "bandwidth_mbps"),
        ("n", "n"),
    ],
)
def test_abi_names_map_to_python_field_names(name: str, field: str) -> None:
    assert views.snake(name) == field
