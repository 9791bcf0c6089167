import brownie
import pytest
from jobmarket_helpers import GMKT, MAX_PRICE, ZERO_ADDRESS, err, unit

from gpumarket.chain.types import HOUR, JobSpec, JobState

#: 2 GPUs for 1.5 hours at 3 tokens per GPU-hour: a deposit of 9 tokens.
SPEC = JobSpec(gpu_count=2, duration=5400)
DAY = 24 * HOUR


def _post(
    market, buyer, spec=SPEC, token=None, max_price=MAX_PRICE, bidding=HOUR, direct=ZERO_ADDRESS
):
    return market.postJob(spec.as_tuple(), token, max_price, bidding, direct, {"from": buyer})


@pytest.fixture
def funded(fund, market, buyer, pay_token):
    """The buyer holds and has approved exactly the 9-token deposit of SPEC at 3 per GPU-hour."""
    deposit = 9 * unit(pay_token)
    fund(buyer, pay_token, deposit)
    pay_token.approve(market, deposit, {"from": buyer})
    return deposit


def test_post_job_pulls_the_deposit_into_escrow_and_emits_it(market, buyer, pay_token, funded):
    tx = _post(market, buyer, token=pay_token, max_price=3 * unit(pay_token))

    assert pay_token.balanceOf(buyer) == 0
    assert pay_token.balanceOf(market) == funded
    assert market.escrowedTotal(pay_token) == funded
    assert tx.events["JobPosted"] == {
        "jobId": 1,
        "buyer": buyer,
        "token": pay_token,
        "deposit": funded,
        "maxPrice": 3 * unit(pay_token),
        "provider": ZERO_ADDRESS,
    }
    assert tx.events["EscrowDeposited"] == {
        "jobId": 1,
        "from": buyer,
        "token": pay_token,
        "amount": funded,
    }


def test_post_job_opens_the_job_with_its_deposit_and_bidding_end(market, buyer, gmkt, fund):
    fund(buyer, gmkt, 9 * GMKT)
    gmkt.approve(market, 9 * GMKT, {"from": buyer})

    tx = _post(market, buyer, token=gmkt, max_price=3 * GMKT)

    job = market.jobOf(tx.return_value)
    assert job["state"] == JobState.OPEN
    assert job["buyer"] == buyer
    assert job["biddingEnds"] == tx.timestamp + HOUR
    assert (job["maxPrice"], job["deposit"], job["escrow"]) == (3 * GMKT, 9 * GMKT, 9 * GMKT)


def test_post_job_numbers_jobs_from_one(market, buyer, gmkt, open_job):
    first = open_job()

    second = open_job()

    assert (first, second) == (1, 2)
    assert market.jobCount() == 2


def test_post_job_with_a_provider_is_a_direct_assignment(market, provider, open_job):
    job_id = open_job(direct=provider)

    assert market.jobOf(job_id)["provider"] == provider


def test_post_job_counts_the_job_in_the_buyers_record(reputation, buyer, open_job):
    open_job()

    assert reputation.buyerRecord(buyer)["jobsPosted"] == 1


@pytest.mark.parametrize("duration", [60, 365 * DAY])
def test_post_job_accepts_the_shortest_and_longest_duration(market, duration, open_job):
    job_id = open_job(spec=JobSpec(duration=duration))

    assert market.specOf(job_id)["duration"] == duration


@pytest.mark.parametrize("bidding", [60, 30 * DAY])
def test_post_job_accepts_the_shortest_and_longest_bidding_period(market, bidding, open_job):
    job_id = open_job(bidding=bidding)

    assert market.jobOf(job_id)["state"] == JobState.OPEN


def test_post_job_in_a_token_off_the_allowlist_reverts(market, buyer, stranger):
    with brownie.reverts(err("JobMarketTokenNotAllowed", stranger)):
        _post(market, buyer, token=stranger)


def test_post_job_in_a_removed_token_reverts(market, governance, buyer, usdc):
    market.configureToken(usdc, False, 0, {"from": governance})

    with brownie.reverts(err("JobMarketTokenNotAllowed", usdc)):
        _post(market, buyer, token=usdc)


def test_post_job_by_a_blacklisted_buyer_reverts(
    market, reputation, reputation_writer, buyer, gmkt
):
    reputation.recordBuyerDispute(buyer, False, 1, {"from": reputation_writer})

    with brownie.reverts(err("JobMarketBuyerBlacklisted", buyer)):
        _post(market, buyer, token=gmkt)


@pytest.mark.parametrize(
    "spec",
    [
        JobSpec(gpu_count=0),
        JobSpec(duration=59),
        JobSpec(duration=365 * DAY + 1),
    ],
    ids=["zero-gpus", "duration-59s", "duration-over-365d"],
)
def test_post_job_with_an_invalid_spec_reverts(market, buyer, gmkt, spec):
    with brownie.reverts(err("JobMarketInvalidSpec")):
        _post(market, buyer, spec=spec, token=gmkt)


@pytest.mark.parametrize(
    "sizes",
    [(0, 8, 2), (96, 8, 2), (64, 0, 2), (64, 8, 0), (64, 7, 2)],
    ids=["n-zero", "n-not-multiple-of-64", "t-zero", "k-zero", "k-not-dividing-t"],
)
def test_post_job_with_benchmark_sizes_no_pogemm_has_reverts_with_the_registrys_error(
    market, buyer, gmkt, sizes
):
    # The registry's checkParameters is the one home of the sizes' rule; its error comes through.
    n, steps, interval = sizes
    spec = JobSpec(benchmark_required=True, benchmark_n=n, benchmark_t=steps, benchmark_k=interval)

    with brownie.reverts(err("BenchmarkRegistryInvalidParameters", *sizes)):
        _post(market, buyer, spec=spec, token=gmkt)


@pytest.mark.parametrize("bidding", [59, 30 * DAY + 1])
def test_post_job_with_a_bidding_period_out_of_bounds_reverts(market, buyer, gmkt, bidding):
    with brownie.reverts(err("JobMarketInvalidBiddingPeriod", bidding)):
        _post(market, buyer, token=gmkt, bidding=bidding)


def test_post_job_with_a_zero_max_price_reverts(market, buyer, gmkt):
    with brownie.reverts(err("JobMarketInvalidPrice", 0, 0)):
        _post(market, buyer, token=gmkt, max_price=0)


def test_post_job_whose_deposit_rounds_to_zero_reverts(market, buyer, gmkt):
    with brownie.reverts(err("JobMarketInvalidPrice", 59, 59)):
        _post(market, buyer, spec=JobSpec(duration=60), token=gmkt, max_price=59)


def test_post_job_whose_deposit_exceeds_128_bits_reverts(market, buyer, gmkt):
    # A job's amounts are stored in 128 bits; 2^128 is more than any token's supply here.
    price = 2**128 // 8 + 1

    with brownie.reverts(err("JobMarketInvalidPrice", price, price)):
        _post(market, buyer, spec=JobSpec(gpu_count=8), token=gmkt, max_price=price)


def test_post_job_with_a_max_price_over_128_bits_reverts(market, buyer, gmkt):
    # One GPU for one minute: the deposit (1/60 of the price) fits, the price does not.
    price = 2**128

    with brownie.reverts(err("JobMarketInvalidPrice", price, price)):
        _post(market, buyer, spec=JobSpec(duration=60), token=gmkt, max_price=price)


def test_post_job_in_a_fee_on_transfer_token_reverts(market, buyer, fee_token, fund):
    fund(buyer, fee_token, 9 * GMKT)
    fee_token.approve(market, 9 * GMKT, {"from": buyer})

    with brownie.reverts(err("JobMarketFeeOnTransfer", fee_token, 9 * GMKT, 9 * GMKT * 99 // 100)):
        _post(market, buyer, token=fee_token, max_price=3 * GMKT)


def test_post_job_while_paused_reverts(market, governance, buyer, gmkt):
    market.pause({"from": governance})

    with brownie.reverts(err("EnforcedPause")):
        _post(market, buyer, token=gmkt)
