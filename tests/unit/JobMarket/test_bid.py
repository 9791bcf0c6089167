import brownie
import pytest
from brownie import chain
from jobmarket_helpers import GMKT, MAX_PRICE, PRICE, err

from gpumarket.chain.types import HOUR, JobSpec, JobState

pytestmark = pytest.mark.usefixtures("registered_provider")


@pytest.fixture(scope="module")
def job_id(open_job, registered_provider):
    """An open 1-GPU, 1-hour auction in GMKT at 2 GMKT per GPU-hour; `provider` is registered."""
    return open_job()


def test_bid_records_the_bid(market, job_id, provider):
    market.bid(job_id, PRICE, {"from": provider})

    (placed,) = market.bidsOf(job_id)
    assert (placed["provider"], placed["seq"], placed["price"]) == (provider, 1, PRICE)


def test_bid_emits_bid_placed(market, job_id, provider):
    tx = market.bid(job_id, PRICE, {"from": provider})

    assert tx.events["BidPlaced"] == {"jobId": job_id, "provider": provider, "price": PRICE}


def test_bid_at_the_max_price_is_accepted(market, job_id, provider):
    market.bid(job_id, MAX_PRICE, {"from": provider})

    assert market.bidsOf(job_id)[0]["price"] == MAX_PRICE


def test_bid_lowering_the_own_bid_updates_price_and_sequence(market, job_id, provider):
    market.bid(job_id, PRICE, {"from": provider})

    tx = market.bid(job_id, PRICE - 1, {"from": provider})

    assert tx.events["BidPlaced"]["price"] == PRICE - 1
    (lowered,) = market.bidsOf(job_id)
    assert (lowered["provider"], lowered["seq"], lowered["price"]) == (provider, 2, PRICE - 1)


@pytest.mark.parametrize("offered", [PRICE, PRICE + 1])
def test_bid_not_lower_than_the_own_bid_reverts(market, job_id, provider, offered):
    market.bid(job_id, PRICE, {"from": provider})

    with brownie.reverts(err("JobMarketBidNotLower", job_id, PRICE, offered)):
        market.bid(job_id, offered, {"from": provider})


def test_bid_on_an_unknown_job_reverts(market, job_id, provider):
    with brownie.reverts(err("JobMarketUnknownJob", 99)):
        market.bid(99, PRICE, {"from": provider})


def test_bid_on_a_running_job_reverts(market, job_id, provider, buyer):
    market.bid(job_id, PRICE, {"from": provider})
    market.acceptBid(job_id, provider, {"from": buyer})

    with brownie.reverts(err("JobMarketWrongState", job_id, JobState.RUNNING)):
        market.bid(job_id, PRICE - 1, {"from": provider})


def test_bid_on_a_cancelled_job_reverts(market, job_id, provider, buyer):
    market.cancel(job_id, {"from": buyer})

    with brownie.reverts(err("JobMarketWrongState", job_id, JobState.CANCELLED)):
        market.bid(job_id, PRICE, {"from": provider})


def test_bid_on_a_direct_assignment_reverts(market, open_job, registered_provider):
    direct_id = open_job(direct=registered_provider)

    with brownie.reverts(err("JobMarketDirectAssignment", direct_id)):
        market.bid(direct_id, PRICE, {"from": registered_provider})


def test_bid_after_the_end_of_bidding_reverts(market, job_id, provider):
    bidding_ends = market.jobOf(job_id)["biddingEnds"]
    chain.sleep(HOUR + 5)

    with brownie.reverts(err("JobMarketBiddingClosed", job_id, bidding_ends)):
        market.bid(job_id, PRICE, {"from": provider})


@pytest.mark.parametrize("price", [0, MAX_PRICE + 1])
def test_bid_at_zero_or_above_the_max_price_reverts(market, job_id, provider, price):
    with brownie.reverts(err("JobMarketInvalidPrice", price, MAX_PRICE)):
        market.bid(job_id, price, {"from": provider})


def test_bid_beyond_max_bids_per_job_reverts(
    market, param, job_id, provider, provider2, make_provider
):
    param(market, "maxBidsPerJob", 1)
    make_provider(provider2)
    market.bid(job_id, PRICE, {"from": provider})

    with brownie.reverts(err("JobMarketTooManyBids", job_id, 1)):
        market.bid(job_id, PRICE, {"from": provider2})


def test_bid_lowering_the_own_bid_is_allowed_at_max_bids(market, param, job_id, provider):
    param(market, "maxBidsPerJob", 1)
    market.bid(job_id, PRICE, {"from": provider})

    market.bid(job_id, PRICE - 1, {"from": provider})

    assert market.bidsOf(job_id)[0]["price"] == PRICE - 1


def test_bid_while_paused_reverts(market, governance, job_id, provider):
    market.pause({"from": governance})

    with brownie.reverts(err("EnforcedPause")):
        market.bid(job_id, PRICE, {"from": provider})


# ---------------------------------------------------------------- eligibility


def test_bid_by_an_unregistered_account_reverts(market, job_id, stranger):
    with brownie.reverts(err("JobMarketNotEligible", job_id, stranger)):
        market.bid(job_id, PRICE, {"from": stranger})


def test_bid_by_a_jailed_provider_reverts(
    market, registry, registry_slasher, treasury, job_id, provider
):
    registry.slash(provider, 1, treasury, 0, {"from": registry_slasher})

    with brownie.reverts(err("JobMarketNotEligible", job_id, provider)):
        market.bid(job_id, PRICE, {"from": provider})


def test_bid_by_a_provider_below_min_stake_reverts(market, registry, job_id, provider):
    registry.requestUnstake(4_001 * GMKT, {"from": provider})

    with brownie.reverts(err("JobMarketNotEligible", job_id, provider)):
        market.bid(job_id, PRICE, {"from": provider})


@pytest.mark.parametrize(
    "spec",
    [
        JobSpec(gpu_model="A100-SXM-80GB"),
        JobSpec(region="US"),
        JobSpec(min_vram_gib=81),
        JobSpec(gpu_count=9),
        JobSpec(min_reputation_bps=5_001),
        JobSpec(min_verified_tops=1),
    ],
    ids=["gpu-model", "region", "vram", "capacity", "min-reputation", "min-verified-tops"],
)
def test_bid_by_a_provider_that_does_not_match_the_spec_reverts(
    market, open_job, registered_provider, spec
):
    job_id = open_job(spec=spec)

    with brownie.reverts(err("JobMarketNotEligible", job_id, registered_provider)):
        market.bid(job_id, PRICE, {"from": registered_provider})


def test_bid_with_matching_model_region_and_vram_is_accepted(market, open_job, registered_provider):
    job_id = open_job(spec=JobSpec(gpu_model="H100-SXM-80GB", region="DE", min_vram_gib=80))

    market.bid(job_id, PRICE, {"from": registered_provider})

    assert market.bidsOf(job_id)[0]["provider"] == registered_provider


def test_bid_by_a_provider_whose_gpus_are_in_use_reverts(
    market, running_job, open_job, provider, job_id
):
    running_job(provider, spec=JobSpec(gpu_count=8))

    with brownie.reverts(err("JobMarketNotEligible", job_id, provider)):
        market.bid(job_id, PRICE, {"from": provider})


def test_bid_by_a_provider_without_free_stake_for_the_collateral_reverts(
    market, open_job, registered_provider
):
    # 501 GPU-hours need 5,010 GMKT of collateral; the provider has 5,000 staked.
    job_id = open_job(spec=JobSpec(duration=501 * HOUR))

    with brownie.reverts(err("JobMarketNotEligible", job_id, registered_provider)):
        market.bid(job_id, PRICE, {"from": registered_provider})


def test_bid_by_the_buyer_on_its_own_job_reverts(market, make_provider, buyer, job_id):
    make_provider(buyer)

    with brownie.reverts(err("JobMarketNotEligible", job_id, buyer)):
        market.bid(job_id, PRICE, {"from": buyer})


def test_bid_by_a_provider_that_does_not_price_the_token_reverts(
    market, make_provider, gmkt, usdc, open_job, provider2
):
    make_provider(provider2, prices={gmkt.address: GMKT})
    job_id = open_job(token=usdc, max_price=2 * 10**6)

    with brownie.reverts(err("JobMarketNotEligible", job_id, provider2)):
        market.bid(job_id, 10**6, {"from": provider2})
