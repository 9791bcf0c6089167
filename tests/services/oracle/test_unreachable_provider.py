"""Attack 8 of issue 15, "unreachable means FAIL", played from both sides against a real council
of in-process oracles (quorum 3 of 5) and a real capacity-limited agent on loopback.

What unreachability proves: that the oracle got no usable answer, never whose fault that was.
Anyone can flood an agent, and the buyer, who already has the result, profits most: before the
fix the oracle voted FAIL after `reveal_timeout` (120 s) of it, and the FAIL refunded the buyer's
whole deposit and paid it half the provider's collateral. On this job (1 GPU, 1 hour, 2 USDC;
collateral 10 GMKT) two minutes of flood were worth 2 USDC + 5 GMKT to the buyer.

The rule now: an unreachable provider is failed only by a try that began once its job's verdict
wait had ended on-chain (`jobOf().windowStart`: the result plus the `attestTimeout` of the job's
terms, 6 hours by default), tried again meanwhile with a backoff; a "try later" status (429) is
unreachable, not a refusal; the artifact, addressed by its on-chain sha256, is taken from the
result URI or from the agent at the offer's current endpoint. So:

- a buyer who floods the agent, short of the whole wait, gets no FAIL vote: the job is verified
  when the flood ends and settles as if there had been none (provider +1.9 USDC, treasury
  +0.1 USDC, buyer nothing back, no collateral moved);
- a flood for the whole wait is beaten by the provider moving its endpoint (`updateOffer`):
  reveals and result follow it;
- a provider that goes dark gets no free pass: the try that ends the wait fails it, before the
  window's end (a dispute window later), and it is slashed as before (buyer +2 USDC, +5 GMKT;
  treasury +5 GMKT; provider -10 GMKT).
"""

from __future__ import annotations

import hashlib
import json
import time
import urllib.request
from collections.abc import Iterator

import pytest
from brownie import chain

from gpumarket.chain.types import JobState, Offer
from gpumarket.oracle.service import Oracle
from gpumarket.testing.hostile import CappedFront, Flood, HostilePeer, answer
from gpumarket.testing.values import set_next_block_timestamp

from ..proofs import ARTIFACT, PRICE, SPEC, honest_proof, params_of

GMKT = 10**18
USDC = 10**6
VALUE = 2 * USDC  # 1 GPU for 1 hour at 2 USDC
FEE = 100_000  # ceil(5% of the value)
COLLATERAL = 10 * GMKT
BUYER_SHARE = 5 * GMKT
#: Quick oracles: a try ends within 2 s, one is failed after 0.5 s of its own tries at least,
#: tries again after 0.2 s, then 0.4 s.
FAST = {
    "judge_timeout": 2.0,
    "http_timeout": 0.5,
    "reveal_timeout": 0.5,
    "retry_backoff": 0.2,
    "retry_backoff_cap": 0.4,
}
SLOTS = 4


@pytest.fixture
def council_oracles(oracles) -> list[Oracle]:
    return oracles(0, 1, 2, **FAST)


@pytest.fixture
def agent_address(agent) -> tuple[str, int]:
    host, _, port = agent.url.removeprefix("http://").partition(":")
    return host, int(port)


@pytest.fixture
def fronts() -> Iterator[list[CappedFront]]:
    made: list[CappedFront] = []
    yield made
    for front in made:
        front.close()


@pytest.fixture
def floods() -> Iterator[list[Flood]]:
    made: list[Flood] = []
    yield made
    for flood in made:
        flood.stop()


@pytest.fixture
def submitted(market, registry, benchmark, usdc, buyer, listed, post_job, agent):
    """submitted(endpoint) -> (job id, challenge id): a direct benchmark job, matched, committed
    (an honest proof) and submitted, its agent at `endpoint`, the result URI there too."""

    def _submit(endpoint):
        job_id = post_job(buyer, usdc, PRICE, SPEC, provider=listed)
        market.acceptJob(job_id, {"from": listed})
        move_endpoint(registry, listed, endpoint)
        challenge_id = market.challengeOfJob(job_id)
        proof = honest_proof(params_of(benchmark, challenge_id))
        agent.proofs[(challenge_id, proof.root)] = proof
        agent.artifacts[job_id] = ARTIFACT
        benchmark.commit(challenge_id, proof.root, {"from": listed})
        market.submitResult(
            job_id,
            hashlib.sha256(ARTIFACT).digest(),
            f"{endpoint}/jobs/{job_id}/result",
            {"from": listed},
        )
        chain.mine()
        return job_id, challenge_id

    return _submit


def move_endpoint(registry, provider, endpoint):
    offer = Offer(endpoint=endpoint, gpu_count=64).as_tuple()
    registry.updateOffer(offer, [], [], {"from": provider})


@pytest.fixture
def holdings(registry, gmkt, usdc, buyer, treasury, listed):
    """holdings() -> every party's tokens: wallets, and the provider's bonded stake."""

    def _holdings():
        return {
            "buyer_usdc": usdc.balanceOf(buyer),
            "buyer_gmkt": gmkt.balanceOf(buyer),
            "provider_usdc": usdc.balanceOf(listed),
            "provider_stake": registry.providerInfo(listed)["stake"],
            "treasury_usdc": usdc.balanceOf(treasury),
            "treasury_gmkt": gmkt.balanceOf(treasury),
        }

    return _holdings


def changes(before, after):
    return {k: after[k] - before[k] for k in before}


def step_for(oracles, seconds, until_ballots=None):
    """Step every oracle in turn for `seconds` (or until `until_ballots` ballots were sent)."""
    sent = []
    ends = time.monotonic() + seconds
    while time.monotonic() < ends:
        for oracle in oracles:
            sent += oracle.step()
        if until_ballots is not None and len(sent) >= until_ballots:
            break
        time.sleep(0.05)
    return sent


def flooded(front, floods):
    """The buyer's flood, holding every slot of `front`."""
    served = front.served
    flood = Flood(front.url, connections=2 * SLOTS, every=0.5)
    floods.append(flood)
    ends = time.monotonic() + 10
    while front.served < served + SLOTS and time.monotonic() < ends:
        time.sleep(0.05)
    assert front.served == served + SLOTS
    return flood


def mine_at(timestamp):
    set_next_block_timestamp(timestamp)
    chain.mine()


def fetch(url):
    with urllib.request.urlopen(url, timeout=2) as response:
        return response.read()


def evidence_of(oracle, challenge_id):
    [path] = (oracle.settings.state_dir / "evidence").glob(f"{challenge_id}-*.json")
    return json.loads(path.read_text())


def unvoted(council, job_id):
    tally = council.tallyOf(job_id)
    return tally[1] == 0 and tally[2] == 0  # no OK voter, no FAIL voter


@pytest.mark.parametrize("when_full", ["queue", "429"])
def test_a_buyer_who_floods_the_agent_gets_no_fail_and_pays_as_if_it_had_not(
    market, council, submitted, agent_address, fronts, floods, council_oracles, holdings, when_full
):
    front = CappedFront(agent_address, slots=SLOTS, when_full=when_full)
    fronts.append(front)
    job_id, _ = submitted(front.url)
    before = holdings()
    # The buyer has what it paid for before it floods the agent that serves it.
    assert fetch(f"{front.url}/jobs/{job_id}/result") == ARTIFACT
    flood = flooded(front, floods)
    wait_end = market.jobOf(job_id)["windowStart"]
    assert wait_end == market.jobOf(job_id)["submittedAt"] + market.attestTimeout()

    # Longer than the old rule's whole patience (`reveal_timeout`), every try unreachable:
    started = time.monotonic()
    assert step_for(council_oracles, 3 * FAST["reveal_timeout"] + 1) == []
    assert time.monotonic() - started > FAST["reveal_timeout"]
    if when_full == "429":
        assert front.turned_away > 0  # the rate limiter's answer, which used to be a FAIL
    # and up to the last seconds of the verdict wait: no vote at all.
    mine_at(wait_end - 5)
    assert step_for(council_oracles, 2) == []
    assert unvoted(council, job_id)
    assert market.jobOf(job_id)["state"] == JobState.SUBMITTED

    flood.stop()  # before the wait is over: the flood bought nothing
    ballots = step_for(council_oracles, 20, until_ballots=3)

    assert [b.ok for b in ballots] == [True, True, True]
    assert market.jobOf(job_id)["state"] == JobState.VERIFIED
    chain.sleep(market.disputeWindow() + 1)
    market.finalize(job_id)
    assert changes(before, holdings()) == {
        "buyer_usdc": 0,
        "buyer_gmkt": 0,
        "provider_usdc": VALUE - FEE,
        "provider_stake": 0,
        "treasury_usdc": FEE,
        "treasury_gmkt": 0,
    }


def test_a_flood_for_the_whole_wait_is_beaten_by_moving_the_endpoint(
    market, registry, listed, submitted, agent_address, fronts, floods, council_oracles, holdings
):
    flooded_host = CappedFront(agent_address, slots=SLOTS)
    fronts.append(flooded_host)
    job_id, challenge_id = submitted(flooded_host.url)
    before = holdings()
    flooded(flooded_host, floods)  # and it never stops
    assert step_for(council_oracles, 2) == []

    # The provider serves from a host the buyer has not flooded (yet): the oracles read the
    # endpoint at every try; the result URI (still flooded) is mirrored there, by its hash.
    fresh_host = CappedFront(agent_address, slots=SLOTS)
    fronts.append(fresh_host)
    move_endpoint(registry, listed, fresh_host.url)
    chain.mine()
    ballots = step_for(council_oracles, 20, until_ballots=3)

    assert [b.ok for b in ballots] == [True, True, True]
    assert evidence_of(council_oracles[0], challenge_id)["reason"] == "ok"
    assert market.jobOf(job_id)["state"] == JobState.VERIFIED
    chain.sleep(market.disputeWindow() + 1)
    market.finalize(job_id)
    assert changes(before, holdings()) == {
        "buyer_usdc": 0,
        "buyer_gmkt": 0,
        "provider_usdc": VALUE - FEE,
        "provider_stake": 0,
        "treasury_usdc": FEE,
        "treasury_gmkt": 0,
    }


def test_a_provider_that_goes_dark_is_failed_once_its_wait_is_over_and_slashed(
    market, council, submitted, fronts, council_oracles, holdings
):
    dark = CappedFront(None)  # the agent is down: every connection reset
    fronts.append(dark)
    job_id, challenge_id = submitted(dark.url)
    before = holdings()
    wait_end = market.jobOf(job_id)["windowStart"]
    window_end = market.windowEndOf(job_id)

    assert step_for(council_oracles, 3 * FAST["reveal_timeout"] + 1) == []
    mine_at(wait_end - 5)
    assert step_for(council_oracles, 1) == []
    assert unvoted(council, job_id)

    # The wait is over: the next try comes at once, whatever the backoff, and fails it.
    mine_at(wait_end)
    ballots = step_for(council_oracles, 20, until_ballots=3)

    assert [b.ok for b in ballots] == [False, False, False]
    assert market.jobOf(job_id)["state"] == JobState.FAILED
    assert chain[-1].timestamp < window_end  # well before it could have settled for the provider
    evidence = evidence_of(council_oracles[0], challenge_id)
    assert evidence["reason"] == "provider_unreachable"
    assert evidence["verdict_wait_end"] == wait_end
    assert evidence["tried_at"] >= wait_end
    assert changes(before, holdings()) == {
        "buyer_usdc": VALUE,  # the deposit back (a direct job: deposit = value)
        "buyer_gmkt": BUYER_SHARE,
        "provider_usdc": 0,
        "provider_stake": -COLLATERAL,
        "treasury_usdc": 0,
        "treasury_gmkt": COLLATERAL - BUYER_SHARE,
    }


def test_an_oracle_that_first_looks_after_the_wait_does_not_fail_on_one_try(
    market, submitted, fronts, oracles
):
    dark = CappedFront(None)
    fronts.append(dark)
    job_id, _ = submitted(dark.url)
    mine_at(market.jobOf(job_id)["windowStart"] + 60)  # the oracle was down the whole wait
    oracle = oracles(3, **{**FAST, "reveal_timeout": 1.5})[0]

    started = time.monotonic()
    assert oracle.step() == []  # its first try: unreachable, but one try proves little
    [ballot] = step_for([oracle], 10, until_ballots=1)

    assert not ballot.ok
    assert time.monotonic() - started >= 1.5  # `reveal_timeout` of its own tries first


def test_an_unreachable_provider_is_tried_again_with_a_backoff(submitted, oracles):
    peer = HostilePeer()
    try:
        job_id, challenge_id = submitted(peer.url)
        peer.on("POST", f"/challenges/{challenge_id}/reveals", answer(503, b"busy"))
        oracle = oracles(0, **{**FAST, "retry_backoff": 0.4, "retry_backoff_cap": 0.8})[0]

        assert step_for([oracle], 3.5) == []

        # Tries at about 0, 0.4, 1.2, 2.0, 2.8 s: five, where one a step (every ~0.05 s) were
        # dozens; the backoff doubles to its cap.
        assert 3 <= len(peer.requests) <= 6
        assert oracle.retries[challenge_id].delay == 0.8
    finally:
        peer.close()
