"""Bad input ends with one sentence on stderr, exit code 1, and no transaction: the chain height
and the sender's nonce are the same after the command as before it.

The first table needs only funded accounts; the tests after it set up the job, stake or pause
that the refusal is about. Local checks catch most of it; the last tests show a refusal that
only the pre-flight `eth_estimateGas` can see, decoded from the contract's custom error.
"""

from __future__ import annotations

import pytest
from brownie import accounts, chain
from eth_account import Account

from gpumarket.chain.deployment import Deployment
from gpumarket.chain.types import HOUR, JobSpec, Offer
from gpumarket.cli.units import format_time

from .conftest import GMKT, REGISTER, STAKE, USDC, dev

KNOWN_GPUS = (
    "A100, A100-40GB, A100-80GB, B200, H100-NVL-94GB, H100-PCIE-80GB, H100-SXM-80GB, H200, "
    "H200-NVL, L4, L40S, MI300X, RTX-4090"
)
POST = ("buyer", "post", "--gpus", "2", "--duration", "2h", "--max-price", "3")


def refused(result, message):
    assert result.exit_code == 1, result.output
    assert result.stdout == ""
    assert result.stderr == f"Error: {message}\n"


def replace_option(args, option, value):
    args = list(args)
    args[args.index(option) + 1] = value
    return args


@pytest.fixture
def rich_buyer(buyer, funded):
    return funded(buyer, gmkt_amount=100 * GMKT, usdc_amount=100 * USDC)


@pytest.fixture
def staked(provider, funded, gmkt, registry):
    funded(provider, gmkt_amount=STAKE)
    gmkt.approve(registry, STAKE, {"from": provider})
    registry.stake(STAKE, {"from": provider})
    return provider


# ------------------------------------------------------------------ input the CLI parses


INPUT_CASES = [
    pytest.param(
        replace_option(POST, "--max-price", "-1"), "max price -1 is negative", id="negative-price"
    ),
    pytest.param(
        replace_option(POST, "--max-price", "0"),
        "max price must be more than zero",
        id="zero-price",
    ),
    pytest.param(
        replace_option(POST, "--max-price", "three"),
        "max price 'three' is not a number",
        id="non-numeric-price",
    ),
    pytest.param(
        replace_option(POST, "--max-price", "1e3"), "max price '1e3' is not a number", id="exponent"
    ),
    pytest.param(
        [*POST, "--token", "USDC", "--max-price", "1.0000001"],
        "max price 1.0000001 has more decimals than USDC allows (6)",
        id="over-precise-usdc",
    ),
    pytest.param(
        [*POST, "--token", "DAI"],
        "unknown token 'DAI': the allowlisted tokens are GMKT, USDC",
        id="unknown-token",
    ),
    pytest.param(
        [*POST, "--gpu", "H900"],
        f"unknown GPU model 'H900'; known models are {KNOWN_GPUS}",
        id="unknown-gpu-post",
    ),
    pytest.param(
        [*POST, "--region", "Germany"],
        "region 'Germany' is not an ISO 3166 alpha-2 code such as DE or US",
        id="bad-region",
    ),
    pytest.param(
        replace_option(POST, "--duration", "2 hours"),
        "duration '2 hours' is not a duration such as 90s, 15m, 1.5h or 1d",
        id="bad-duration",
    ),
    pytest.param(
        replace_option(POST, "--duration", "30s"),
        "duration 30s must be between 1 minute and 365 days",
        id="short-duration",
    ),
    pytest.param(
        [*POST, "--bidding", "10s"],
        "bidding period 10s must be between 1m and 30d",
        id="short-bidding",
    ),
    pytest.param(
        [*POST, "--benchmark", "64,8"],
        "benchmark '64,8' must be N,T,K: three whole numbers, such as 64,8,2",
        id="bad-benchmark",
    ),
    # The sizes' rules and caps are the benchmark registry's, read on-chain (checkParameters).
    pytest.param(
        [*POST, "--benchmark", "100,8,2"],
        "benchmark N=100, T=8, K=2 is not a PoGEMM: N must be a positive multiple of 64, and K "
        "a positive divisor of T",
        id="benchmark-shape",
    ),
    pytest.param(
        [*POST, "--benchmark", "16448,8,2"],
        "benchmark N is 16,448, over the benchmark registry's cap maxN of 16,384",
        id="benchmark-over-max-n",
    ),
    pytest.param(
        [*POST, "--benchmark", "64,2048,2048"],
        "benchmark K is 2,048, over the benchmark registry's cap maxInterval of 1,024",
        id="benchmark-over-max-interval",
    ),
    pytest.param(
        [*POST, "--benchmark", "16384,1048576,64"],
        "benchmark T x N^3, the prover's multiply-adds within the benchmark window, is "
        "4,611,686,018,427,387,904, over the benchmark registry's cap maxProverOps of "
        "288,230,376,151,711,744",
        id="benchmark-unprovable",
    ),
    pytest.param(
        [*POST, "--provider", "0x1234"], "provider '0x1234' is not an address", id="bad-provider"
    ),
]


@pytest.mark.parametrize("args, message", INPUT_CASES)
def test_post_input_is_refused(cli, unchanged, rich_buyer, args, message):
    with unchanged(rich_buyer):
        result = cli(*args, "--account", dev(rich_buyer))

    refused(result, message)


STAKE_CASES = [
    pytest.param(["--", "-5"], "amount -5 is negative", id="negative"),
    pytest.param(["0"], "amount must be more than zero", id="zero"),
    pytest.param(["ten"], "amount 'ten' is not a number", id="non-numeric"),
    pytest.param(
        ["0.0000000000000000001"],
        "amount 0.0000000000000000001 has more decimals than GMKT allows (18)",
        id="over-precise",
    ),
]


@pytest.mark.parametrize("args, message", STAKE_CASES)
def test_stake_amount_is_refused(cli, unchanged, provider, funded, args, message):
    funded(provider, gmkt_amount=STAKE)

    with unchanged(provider):
        result = cli("provider", "stake", "--account", dev(provider), *args)

    refused(result, message)


REGISTER_CASES = [
    pytest.param(
        replace_option(REGISTER, "--gpu", "H900"),
        f"unknown GPU model 'H900'; known models are {KNOWN_GPUS}",
        id="unknown-gpu",
    ),
    pytest.param(
        replace_option(REGISTER, "--price", "GMKT2.5"),
        "price 'GMKT2.5' must be TOKEN=AMOUNT, e.g. GMKT=2.5",
        id="price-format",
    ),
    pytest.param(
        replace_option(REGISTER, "--price", "GMKT=-2"),
        "the GMKT price -2 is negative",
        id="negative-price",
    ),
    pytest.param(
        replace_option(REGISTER, "--endpoint", "ftp://10.0.0.7"),
        "endpoint 'ftp://10.0.0.7' is not an http(s) URL",
        id="endpoint",
    ),
]


@pytest.mark.parametrize("args, message", REGISTER_CASES)
def test_register_input_is_refused(cli, unchanged, staked, args, message):
    with unchanged(staked):
        result = cli(*args, "--account", dev(staked))

    refused(result, message)


# ------------------------------------------------------------------ balances and allowances


def test_post_without_the_deposit_is_refused(cli, unchanged, buyer):
    with unchanged(buyer):
        result = cli(*POST, "--account", dev(buyer))

    refused(result, f"{buyer.address} holds 0 GMKT; the deposit needs 12 GMKT")


def test_stake_beyond_the_balance_is_refused(cli, unchanged, provider, funded):
    funded(provider, gmkt_amount=10 * GMKT)

    with unchanged(provider):
        result = cli("provider", "stake", "10.5", "--account", dev(provider))

    refused(result, f"{provider.address} holds 10 GMKT; the stake needs 10.5 GMKT")


def test_post_without_allowance_and_no_approve_is_refused(cli, unchanged, rich_buyer):
    with unchanged(rich_buyer):
        result = cli(
            "buyer",
            "post",
            "--token",
            "USDC",
            "--max-price",
            "2",
            "--no-approve",
            "--account",
            dev(rich_buyer),
        )

    refused(
        result,
        "the allowance of JobMarket for USDC is 0 USDC; the deposit needs 2 USDC "
        "(run without --no-approve to approve it)",
    )


def test_an_account_without_gas_money_is_refused(cli, unchanged, funded):
    poor = Account.create()
    funded(poor.address, gmkt_amount=STAKE)

    with unchanged(poor.address):
        result = cli("provider", "stake", "1000", env={"GPUMARKET_PRIVATE_KEY": poor.key.hex()})

    refused(result, f"{poor.address} has no ETH to pay for gas on chain {chain.id}")


# ------------------------------------------------------------------ jobs: unknown, state, roles


@pytest.fixture
def open_job(rich_buyer, post_job, gmkt):
    """An auction job: 2 GPUs for 2 hours at most 3 GMKT per GPU-hour, bidding for an hour."""
    return post_job(rich_buyer, gmkt, 3 * GMKT, JobSpec(gpu_count=2, duration=2 * HOUR))


@pytest.fixture
def running_job(open_job, rich_buyer, provider, listed, market):
    listed(provider)
    market.bid(open_job, 25 * GMKT // 10, {"from": provider})
    market.acceptBid(open_job, provider, {"from": rich_buyer})
    return open_job


@pytest.mark.parametrize(
    "command", [["provider", "bid", "99", "1"], ["buyer", "cancel", "99"], ["buyer", "status", "0"]]
)
def test_an_unknown_job_is_refused(cli, unchanged, rich_buyer, command):
    with unchanged(rich_buyer):
        result = cli(*command, "--account", dev(rich_buyer))

    refused(result, f"there is no job {command[2]}")


def test_cancel_of_a_running_job_names_its_state(cli, unchanged, rich_buyer, running_job):
    with unchanged(rich_buyer):
        result = cli("buyer", "cancel", running_job, "--account", dev(rich_buyer))

    refused(result, f"job {running_job} is RUNNING; this needs OPEN")


def test_finalize_of_an_open_job_names_the_states_it_needs(cli, unchanged, rich_buyer, open_job):
    with unchanged(rich_buyer):
        result = cli("buyer", "finalize", open_job, "--account", dev(rich_buyer))

    refused(result, f"job {open_job} is OPEN; this needs SUBMITTED or VERIFIED or DISPUTED")


def test_dispute_of_a_running_job_is_refused(cli, unchanged, rich_buyer, running_job):
    with unchanged(rich_buyer):
        result = cli("buyer", "dispute", running_job, "--account", dev(rich_buyer))

    refused(result, f"job {running_job} is RUNNING; this needs SUBMITTED or VERIFIED")


def test_accept_by_someone_else_than_the_buyer_is_refused(
    cli, unchanged, stranger, provider, open_job
):
    with unchanged(stranger):
        result = cli("buyer", "accept", open_job, provider.address, "--account", dev(stranger))

    refused(result, f"{stranger.address} is not the buyer of job {open_job}")


def test_accept_of_a_provider_without_a_bid_is_refused(
    cli, unchanged, rich_buyer, provider, open_job
):
    with unchanged(rich_buyer):
        result = cli("buyer", "accept", open_job, provider.address, "--account", dev(rich_buyer))

    refused(result, f"{provider.address} has no bid on job {open_job}")


def test_close_while_bidding_is_open_is_refused(cli, unchanged, stranger, open_job, market):
    ends = market.jobOf(open_job)["biddingEnds"]

    with unchanged(stranger):
        result = cli("buyer", "close", open_job, "--account", dev(stranger))

    refused(
        result,
        f"bidding on job {open_job} is open until {format_time(ends)}; close the auction after "
        "that",
    )


def test_finalize_before_the_dispute_window_ends_is_refused(
    cli, unchanged, stranger, provider, verifier, running_job, market
):
    market.submitResult(running_job, b"\x01" * 32, "http://r", {"from": provider})
    market.recordVerdict(running_job, True, {"from": verifier})
    ready = market.jobOf(running_job)["windowStart"] + market.disputeWindow()

    with unchanged(stranger):
        result = cli("buyer", "finalize", running_job, "--account", dev(stranger))

    refused(result, f"job {running_job} cannot be settled before {format_time(ready)}")


# ------------------------------------------------------------------ bids


def test_bid_above_the_max_price_is_refused(cli, unchanged, provider, listed, open_job):
    listed(provider)

    with unchanged(provider):
        result = cli("provider", "bid", open_job, "3.01", "--account", dev(provider))

    refused(
        result,
        "price 3.01 GMKT is not allowed: it must be more than zero and at most the max price "
        "3 GMKT",
    )


def test_bid_by_an_unregistered_account_is_refused(cli, unchanged, stranger, open_job):
    with unchanged(stranger):
        result = cli("provider", "bid", open_job, "2", "--account", dev(stranger))

    refused(
        result,
        f"{stranger.address} is not a registered provider; register with "
        "`gpumarket provider register`",
    )


def test_bid_with_the_wrong_gpu_model_says_what_the_job_needs(
    cli, unchanged, rich_buyer, provider, listed, post_job, gmkt
):
    listed(provider)
    job_id = post_job(rich_buyer, gmkt, 3 * GMKT, JobSpec(gpu_model="A100"))

    with unchanged(provider):
        result = cli("provider", "bid", job_id, "2", "--account", dev(provider))

    refused(result, f"job {job_id} needs A100 GPUs; {provider.address} offers H100-SXM-80GB")


def test_bid_without_verified_tops_says_what_the_job_needs(
    cli, unchanged, rich_buyer, provider, listed, post_job, gmkt
):
    listed(provider)
    job_id = post_job(rich_buyer, gmkt, 3 * GMKT, JobSpec(min_verified_tops=1_000))

    with unchanged(provider):
        result = cli("provider", "bid", job_id, "2", "--account", dev(provider))

    refused(result, f"job {job_id} needs 1000 verified TOPS; {provider.address} has 0")


def test_bid_with_expired_tops_says_they_expired(
    cli, unchanged, rich_buyer, provider, listed, post_job, gmkt, reputation, governance
):
    listed(provider)
    reputation.grantRole(reputation.WRITER_ROLE(), governance, {"from": governance})
    verified = reputation.recordVerifiedTops(provider, 1_500, {"from": governance}).timestamp
    chain.sleep(reputation.maxTopsAge() + 1)
    job_id = post_job(rich_buyer, gmkt, 3 * GMKT, JobSpec(min_verified_tops=1_000))

    with unchanged(provider):
        result = cli("provider", "bid", job_id, "2", "--account", dev(provider))

    refused(
        result,
        f"job {job_id} needs 1000 verified TOPS; {provider.address}'s 1500 TOPS, verified "
        f"{format_time(verified)}, have expired (verified TOPS count for 30d): attest again "
        "with `gpumarket agent attest`",
    )


def test_a_bid_that_is_not_lower_is_refused(cli, unchanged, provider, listed, open_job, market):
    listed(provider)
    market.bid(open_job, 25 * GMKT // 10, {"from": provider})

    with unchanged(provider):
        result = cli("provider", "bid", open_job, "2.5", "--account", dev(provider))

    refused(
        result,
        f"a new bid on job {open_job} must be lower than the current one (2.5 GMKT); 2.5 GMKT is "
        "not",
    )


def test_bid_on_a_direct_assignment_is_refused(
    cli, unchanged, rich_buyer, provider, provider2, listed, post_job, gmkt
):
    listed(provider2)
    job_id = post_job(rich_buyer, gmkt, 3 * GMKT, provider=provider.address)

    with unchanged(provider2):
        result = cli("provider", "bid", job_id, "2", "--account", dev(provider2))

    refused(
        result,
        f"job {job_id} is a direct assignment: only its provider can take it, with "
        "`gpumarket provider accept`",
    )


# ------------------------------------------------------------------ stake and registration


def test_register_twice_is_refused(cli, unchanged, provider, listed):
    listed(provider)

    with unchanged(provider):
        result = cli(*REGISTER, "--account", dev(provider))

    refused(
        result,
        f"{provider.address} is already registered; change the offer with "
        "`gpumarket provider update`",
    )


def test_register_below_the_minimum_stake_is_refused(
    cli, unchanged, provider, funded, gmkt, registry
):
    funded(provider, gmkt_amount=500 * GMKT)
    gmkt.approve(registry, 500 * GMKT, {"from": provider})
    registry.stake(500 * GMKT, {"from": provider})

    with unchanged(provider):
        result = cli(*REGISTER, "--account", dev(provider))

    refused(
        result,
        f"{provider.address} has 500 GMKT staked, below the minimum of 1000 GMKT; stake more "
        "with `gpumarket provider stake`",
    )


def test_unstake_beyond_the_free_stake_is_refused(cli, unchanged, staked):
    with unchanged(staked):
        result = cli("provider", "unstake", "2000.5", "--account", dev(staked))

    refused(result, f"{staked.address} has 2000 GMKT of free stake; 2000.5 GMKT is needed")


def test_withdraw_with_nothing_unbonding_is_refused(cli, unchanged, staked):
    with unchanged(staked):
        result = cli("provider", "withdraw", "--account", dev(staked))

    refused(result, f"{staked.address} has nothing unbonding to withdraw")


def test_withdraw_before_the_release_is_refused(cli, unchanged, staked, registry):
    registry.requestUnstake(100 * GMKT, {"from": staked})
    release = registry.unbondingEntries(staked)[0][1]

    with unchanged(staked):
        result = cli("provider", "withdraw", "--account", dev(staked))

    refused(result, f"nothing to withdraw yet: 100 GMKT is released at {format_time(release)}")


def test_update_below_the_gpus_in_use_is_refused(cli, unchanged, provider, running_job):
    with unchanged(provider):
        result = cli("provider", "update", "--gpus", "1", "--account", dev(provider))

    refused(result, f"{provider.address} has 2 GPUs in use; the offer cannot drop to 1")


def test_claim_with_nothing_to_claim_is_refused(cli, unchanged, rich_buyer):
    with unchanged(rich_buyer):
        result = cli("buyer", "claim", "USDC", "--account", dev(rich_buyer))

    refused(result, f"{rich_buyer.address} has nothing to claim in USDC")


# ------------------------------------------------------------------ paused contracts


def test_post_while_the_market_is_paused_is_refused(cli, unchanged, rich_buyer, market, governance):
    market.pause({"from": governance})

    with unchanged(rich_buyer):
        result = cli(*POST, "--account", dev(rich_buyer))

    refused(result, "the market is paused; try again once it is unpaused")


def test_stake_while_the_registry_is_paused_is_refused(
    cli, unchanged, provider, funded, registry, governance
):
    funded(provider, gmkt_amount=STAKE)
    registry.pause({"from": governance})

    with unchanged(provider):
        result = cli("provider", "stake", "1000", "--account", dev(provider))

    refused(result, "the provider registry is paused; try again once it is unpaused")


# ------------------------------------------------------------------ network and accounts


def test_a_deployment_of_another_chain_is_the_wrong_network(
    cli, unchanged, rich_buyer, deployment_file, rpc_url, tmp_path
):
    other = Deployment.load(deployment_file)
    path = tmp_path / "sepolia.json"
    Deployment("sepolia", 11155111, other.deploy_block, other.addresses).save(path)

    with unchanged(rich_buyer):
        result = cli(*POST, "--deployment", path, "--account", dev(rich_buyer))

    refused(
        result,
        f"wrong network: the RPC endpoint {rpc_url} serves chain {chain.id}, but {path} was "
        "deployed on chain 11155111",
    )


def test_a_missing_deployment_file_says_how_to_make_one(cli, unchanged, rich_buyer, tmp_path):
    path = tmp_path / "nowhere.json"

    with unchanged(rich_buyer):
        result = cli(*POST, "--deployment", path, "--account", dev(rich_buyer))

    refused(result, f"no deployment file {path}: run `gpumarket deploy` for this network first")


def test_an_unknown_keystore_account_is_refused(cli, unchanged, rich_buyer, tmp_path):
    with unchanged(rich_buyer):
        result = cli(*POST, "--account", "alice")

    refused(
        result,
        f"there is no account 'alice': no keystore {tmp_path / 'keystores' / 'alice.json'} "
        "(create one with `brownie accounts new alice`)",
    )


def test_a_dev_account_beyond_the_twenty_is_refused(cli, unchanged):
    with unchanged(accounts[0]):
        result = cli(*POST, "--account", "dev20")

    refused(result, "dev accounts are dev0 to dev19; dev20 is not one")


def test_a_sending_command_without_an_account_is_refused(cli, unchanged, rich_buyer):
    with unchanged(rich_buyer):
        result = cli(*POST)

    refused(
        result,
        "this command sends a transaction: name the sender with --account (dev0..dev19 on a dev "
        "chain, or a Brownie keystore account) or set GPUMARKET_PRIVATE_KEY",
    )


# ------------------------------------------------------------------ refused by the pre-flight


def test_close_without_an_eligible_bid_cancels_and_names_the_forfeit(
    cli_json, stranger, provider, listed, open_job, market, registry
):
    """The only bidder unstaked below the minimum after bidding: closing cancels the job, and
    the walked-away bidder forfeits half the job's 40 GMKT collateral to the buyer."""
    listed(provider)
    market.bid(open_job, 2 * GMKT, {"from": provider})
    registry.requestUnstake(STAKE - 10 * GMKT, {"from": provider})
    chain.sleep(HOUR)
    chain.mine()

    out = cli_json("buyer", "close", open_job, "--account", dev(stranger))

    assert (out["cancelled"], out["forfeited_by"], out["forfeit"]) == (True, provider.address, "20")


def test_cancel_with_bids_is_refused(
    cli, unchanged, rich_buyer, provider, listed, open_job, market
):
    listed(provider)
    market.bid(open_job, 2 * GMKT, {"from": provider})

    with unchanged(rich_buyer):
        result = cli("buyer", "cancel", open_job, "--account", dev(rich_buyer))

    refused(
        result,
        f"job {open_job} has bids: accept one, or `gpumarket buyer close {open_job}` after the "
        "bidding ends (it cancels the job with a full refund if no bid is eligible)",
    )


def test_register_with_a_region_that_is_not_alpha_2_is_refused(cli, unchanged, staked):
    with unchanged(staked):
        result = cli(*replace_option(REGISTER, "--region", "D1"), "--account", dev(staked))

    refused(result, "region 'D1' is not an ISO 3166 alpha-2 code such as DE or US")


def test_direct_accept_by_another_provider_is_refused(
    cli, unchanged, rich_buyer, provider, provider2, post_job, gmkt
):
    job_id = post_job(rich_buyer, gmkt, 3 * GMKT, provider=provider.address)

    with unchanged(provider2):
        result = cli("provider", "accept", job_id, "--account", dev(provider2))

    refused(result, f"{provider2.address} is not the provider of job {job_id}")


def test_offer_of_a_provider_in_another_region_is_not_eligible(
    cli, unchanged, rich_buyer, provider, listed, post_job, gmkt
):
    listed(provider, offer=Offer(region="US"))
    job_id = post_job(rich_buyer, gmkt, 3 * GMKT, JobSpec(region="DE"))

    with unchanged(provider):
        result = cli("provider", "bid", job_id, "1", "--account", dev(provider))

    refused(result, f"job {job_id} must run in DE; {provider.address} is in US")


# ------------------------------------------------------------------ tokens and dev chains

TOKEN_AND_DEV_CASES = [
    pytest.param(
        ["token", "transfer", "GMKT", "dev5", "1"],
        "{me} holds 0 GMKT; the transfer needs 1 GMKT",
        id="transfer-beyond-balance",
    ),
    pytest.param(
        ["token", "transfer", "GMKT", "0x12", "1"],
        "recipient '0x12' is not an address",
        id="transfer-to-a-bad-address",
    ),
    pytest.param(
        ["token", "transfer", "GMKT", "dev5", "0"],
        "amount must be more than zero",
        id="transfer-of-zero",
    ),
    pytest.param(
        ["token", "approve", "DAI", "JobMarket", "1"],
        "unknown token 'DAI': the allowlisted tokens are GMKT, USDC",
        id="approve-unknown-token",
    ),
    pytest.param(
        ["token", "approve", "GMKT", "JobMarket", "0"],
        "the allowance of JobMarket for GMKT is already 0 GMKT",
        id="approve-unchanged",
    ),
    pytest.param(
        ["dev", "fund", "dev5", "--gmkt", "1"],
        "{me} holds 0 GMKT; funding needs 1 GMKT",
        id="fund-beyond-balance",
    ),
    pytest.param(
        ["dev", "time-travel", "soon"],
        "duration 'soon' is not a duration such as 90s, 15m, 1.5h or 1d",
        id="time-travel-not-a-duration",
    ),
    pytest.param(
        ["dev", "time-travel", "0s"], "duration 0s must be more than zero", id="time-travel-zero"
    ),
    pytest.param(
        ["dev", "time-travel", "53w"],
        "duration 53w is more than a year; travel in smaller steps",
        id="time-travel-too-far",
    ),
]


@pytest.mark.parametrize("args, message", TOKEN_AND_DEV_CASES)
def test_token_and_dev_input_is_refused(cli, unchanged, stranger, args, message):
    sender = [] if args[1] == "time-travel" else ["--account", dev(stranger)]

    with unchanged(stranger):
        result = cli(*args, *sender)

    refused(result, message.format(me=stranger.address))


def test_dev_fund_of_an_over_precise_stablecoin_amount_is_refused(
    cli, unchanged, governance, stranger, stablecoin_deployment
):
    with unchanged(governance):
        result = cli(
            "dev", "fund", dev(stranger), "--usdc", "1.0000001", "--account", dev(governance),
            "--deployment", stablecoin_deployment,
        )  # fmt: skip

    refused(result, "the USDC amount 1.0000001 has more decimals than USDC allows (6)")


def test_dev_fund_of_the_stablecoin_without_one_in_the_deployment_is_refused(
    cli, unchanged, governance, stranger, deployment_file
):
    with unchanged(governance):
        result = cli("dev", "fund", dev(stranger), "--usdc", "5", "--account", dev(governance))

    refused(
        result,
        f"{deployment_file} records no test stablecoin; deploy again on the dev chain without "
        "--no-test-stablecoin",
    )


# ------------------------------------------------------------------ roles: submit, resolve, admin


@pytest.fixture
def disputed_job(running_job, rich_buyer, provider, market, gmkt):
    market.submitResult(running_job, b"\x11" * 32, "http://r", {"from": provider})
    gmkt.approve(market, 10 * GMKT, {"from": rich_buyer})
    market.dispute(running_job, {"from": rich_buyer})
    return running_job


SUBMIT = ("--hash", "0x" + "11" * 32, "--uri", "http://10.0.0.7:9000/results/1")

SUBMIT_CASES = [
    pytest.param(
        ["--uri", "http://r/1"],
        "name the result with exactly one of --file PATH and --hash 0x...",
        id="no-result",
    ),
    pytest.param(
        ["--hash", "0x12", "--uri", "http://r/1"],
        "result hash '0x12' is not 32 bytes of hex",
        id="short-hash",
    ),
    pytest.param(
        ["--file", "/nonexistent/result.bin", "--uri", "http://r/1"],
        "cannot read the result /nonexistent/result.bin: No such file or directory",
        id="missing-file",
    ),
    pytest.param(
        replace_option(SUBMIT, "--uri", "http://r example/1"),
        "result URI 'http://r example/1' is not an http(s) URL: it contains a space",
        id="uri-with-a-space",
    ),
    pytest.param(
        replace_option(SUBMIT, "--uri", "ftp://r/1"),
        "result URI 'ftp://r/1' is not an http(s) URL",
        id="uri-not-http",
    ),
    pytest.param(
        replace_option(SUBMIT, "--uri", "http:///1"),
        "result URI 'http:///1' is not an http(s) URL: it names no host",
        id="uri-without-host",
    ),
]


@pytest.mark.parametrize("args, message", SUBMIT_CASES)
def test_submit_input_is_refused(cli, unchanged, provider, running_job, args, message):
    with unchanged(provider):
        result = cli("provider", "submit", running_job, *args, "--account", dev(provider))

    refused(result, message)


def test_submit_by_another_account_than_the_provider_is_refused(
    cli, unchanged, stranger, running_job
):
    with unchanged(stranger):
        result = cli("provider", "submit", running_job, *SUBMIT, "--account", dev(stranger))

    refused(result, f"{stranger.address} is not the provider of job {running_job}")


def test_submit_after_the_result_deadline_is_refused(cli, unchanged, provider, running_job, market):
    deadline = market.resultDeadlineOf(running_job)
    chain.sleep(deadline - chain.time() + 10)
    chain.mine()

    with unchanged(provider):
        result = cli("provider", "submit", running_job, *SUBMIT, "--account", dev(provider))

    refused(result, f"the deadline of job {running_job} passed at {format_time(deadline)}")


def test_resolve_by_someone_without_the_arbiter_role_is_refused(
    cli, unchanged, stranger, disputed_job
):
    with unchanged(stranger):
        result = cli(
            "arbiter", "resolve", disputed_job, "--buyer-at-fault", "--account", dev(stranger)
        )

    refused(
        result,
        f"{stranger.address} lacks ARBITER_ROLE on JobMarket; only an arbiter resolves disputes",
    )


def test_resolve_without_saying_who_is_at_fault_is_refused(cli, unchanged, arbiter, disputed_job):
    with unchanged(arbiter):
        result = cli("arbiter", "resolve", disputed_job, "--account", dev(arbiter))

    refused(result, "say who is at fault: --provider-at-fault or --buyer-at-fault")


def test_resolve_of_a_job_that_is_not_disputed_is_refused(cli, unchanged, arbiter, running_job):
    with unchanged(arbiter):
        result = cli(
            "arbiter", "resolve", running_job, "--provider-at-fault", "--account", dev(arbiter)
        )

    refused(result, f"job {running_job} is RUNNING; this needs DISPUTED")


ADMIN_CASES = [
    pytest.param(
        ["set-parameter", "protocolFeeBps", "2000"],
        "protocolFeeBps 2000 bps is out of bounds: it must be between 0 bps and 1500 bps",
        id="parameter-out-of-bounds",
    ),
    pytest.param(
        ["set-parameter", "resultGrace", "30s"],
        "resultGrace 30s is out of bounds: it must be between 1m and 1w",
        id="duration-out-of-bounds",
    ),
    pytest.param(
        ["set-parameter", "feeBps", "1"],
        "unknown parameter 'feeBps'; the known ones are {known} (name the contract with "
        "--contract for another)",
        id="unknown-parameter",
    ),
    pytest.param(
        ["set-parameter", "feeBps", "1", "--contract", "JobMarket"],
        "JobMarket has no parameter 'feeBps'",
        id="unknown-parameter-of-a-contract",
    ),
    pytest.param(
        ["set-parameter", "disputeWindow", "soon"],
        "value 'soon' is not a duration such as 90s, 15m, 1.5h or 1d",
        id="parameter-not-a-duration",
    ),
    pytest.param(
        ["set-parameter", "maxBidsPerJob", "2.5"],
        "value '2.5' is not a whole number",
        id="parameter-not-whole",
    ),
    pytest.param(
        ["allow-token", "USDC"],
        "allowing a token needs its minimum dispute bond: --bond-min AMOUNT",
        id="allow-without-bond",
    ),
    pytest.param(
        ["allow-token", "USDC", "--bond-min", "10"],
        "USDC is already allowlisted with a bond minimum of 10 USDC",
        id="allow-unchanged",
    ),
    pytest.param(["unpause", "market"], "the market is already unpaused", id="unpause-unpaused"),
]


@pytest.mark.parametrize("args, message", ADMIN_CASES)
def test_admin_input_is_refused(cli, unchanged, governance, usdc, args, message):
    from gpumarket.cli.admin import PARAMETERS

    with unchanged(governance):
        result = cli("admin", *args, "--account", dev(governance))

    refused(result, message.format(known=", ".join(sorted(PARAMETERS))))


@pytest.mark.parametrize(
    "args, role",
    [(["pause"], "PAUSER_ROLE"), (["set-parameter", "protocolFeeBps", "100"], "GOVERNOR_ROLE")],
)
def test_admin_without_the_role_is_refused(cli, unchanged, stranger, args, role):
    with unchanged(stranger):
        result = cli("admin", *args, "--account", dev(stranger))

    what = (
        "only a pauser may pause it" if role == "PAUSER_ROLE" else "only governance sets parameters"
    )
    refused(result, f"{stranger.address} lacks {role} on JobMarket; {what}")


# ------------------------------------------------------------ regions, URLs, negatives, fractions

NEW_INPUT_CASES = [
    pytest.param(
        [*POST, "--region", "XX"],
        "region 'XX' is no country's ISO 3166 alpha-2 code; codes are such as DE or US",
        id="post-made-up-region",
    ),
    pytest.param(
        replace_option(POST, "--duration", "0.5s"),
        "duration 0.5s is not a whole number of seconds",
        id="post-fraction-of-a-second",
    ),
    pytest.param(
        replace_option(POST, "--duration", "-2h"), "duration -2h is negative", id="post-negative"
    ),
    pytest.param(
        ["token", "transfer", "GMKT", "dev5", "-1"], "amount -1 is negative", id="transfer-negative"
    ),
    pytest.param(
        ["buyer", "claim", "USDC", "--to", "0xfeed"],
        "'0xfeed' is not an address",
        id="claim-to-a-bad-address",
    ),
]


@pytest.mark.parametrize("args, message", NEW_INPUT_CASES)
def test_new_input_is_refused(cli, unchanged, rich_buyer, args, message):
    with unchanged(rich_buyer):
        result = cli(*args, "--account", dev(rich_buyer))

    refused(result, message)


NEW_REGISTER_CASES = [
    pytest.param(
        replace_option(REGISTER, "--region", "XX"),
        "region 'XX' is no country's ISO 3166 alpha-2 code; codes are such as DE or US",
        id="made-up-region",
    ),
    pytest.param(
        replace_option(REGISTER, "--endpoint", "http://my agent:9000"),
        "endpoint 'http://my agent:9000' is not an http(s) URL: it contains a space",
        id="endpoint-with-a-space",
    ),
    pytest.param(
        replace_option(REGISTER, "--endpoint", "http://:9000"),
        "endpoint 'http://:9000' is not an http(s) URL: it names no host",
        id="endpoint-without-a-host",
    ),
    pytest.param(
        replace_option(REGISTER, "--endpoint", "http://10.0.0.7:99999"),
        "endpoint 'http://10.0.0.7:99999' is not an http(s) URL: its port is invalid",
        id="endpoint-port",
    ),
    pytest.param(["provider", "stake", "-5"], "amount -5 is negative", id="stake-negative"),
]


@pytest.mark.parametrize("args, message", NEW_REGISTER_CASES)
def test_new_provider_input_is_refused(cli, unchanged, staked, args, message):
    with unchanged(staked):
        result = cli(*args, "--account", dev(staked))

    refused(result, message)


def test_a_negative_bid_reaches_its_sentence(cli, unchanged, provider, listed, open_job):
    listed(provider)

    with unchanged(provider):
        result = cli("provider", "bid", open_job, "-2", "--account", dev(provider))

    refused(result, "price -2 is negative")


def test_market_with_a_made_up_region_is_refused(cli):
    result = cli("market", "--region", "XX")

    refused(result, "region 'XX' is no country's ISO 3166 alpha-2 code; codes are such as DE or US")


@pytest.mark.parametrize(
    "args, message",
    [
        (["admin", "set-parameter", "protocolFeeBps", "-1"], "value -1 is negative"),
        (["dev", "time-travel", "-1h"], "duration -1h is negative"),
    ],
)
def test_negative_values_of_admin_and_dev_reach_their_sentence(
    cli, unchanged, governance, args, message
):
    sender = [] if args[0] == "dev" else ["--account", dev(governance)]

    with unchanged(governance):
        result = cli(*args, *sender)

    refused(result, message)
