"""Stateful-test fixtures: one module-scoped world (the whole protocol with its oracle council as
the verdict source of the market and the benchmark registry, five oracle candidates of which three
sit with quorum 2, three providers with different offers, three buyers, and a slasher account
beside the market and the benchmark registry) that every run of the state machine starts from,
and the model parameters read from the deployed contracts."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

import pytest
from brownie import accounts

from gpumarket.chain.deploy import deploy_protocol, name32
from gpumarket.chain.types import HOUR, Offer
from gpumarket.testing.models.protocol import CAP_VALUES, Params

GMKT = 10**18
USDC = 10**6
MAX_ALLOWANCE = 2**256 - 1
JAIL_PERIOD = 6 * HOUR
MAX_BIDS = 1
MAX_TOPS_AGE = 24 * HOUR

#: Provider offers and stakes: a big H100 host, an A100 host in another region, and a small host
#: staked just above the minimum, so that capacity, collateral and listing limits all bite.
PROVIDER_SETUPS = (
    (Offer(), 5_000 * GMKT),
    (Offer(gpu_model="A100-SXM-80GB", gpu_count=4, vram_gib=80, region="US"), 3_000 * GMKT),
    (Offer(gpu_count=2), 1_200 * GMKT),
)
#: GMKT each provider keeps in its wallet to stake more.
PROVIDER_WALLET = 4_000 * GMKT
#: What each buyer can spend: far more than a 50-step run posts.
BUYER_FUNDS = {"gmkt": 1_000_000 * GMKT, "usdc": 1_000_000 * USDC}
#: Oracle candidates (dev accounts 13..17); the first three sit at the start, quorum 2.
ORACLES = range(13, 18)
SEATED, QUORUM = 3, 2


@dataclass
class World:
    """The deployed contracts, the actors by role and the state every run starts from."""

    market: Any
    registry: Any
    reputation: Any
    council: Any
    benchmark: Any
    oracles: list  # the candidates
    council_config: tuple  # (members, quorum, version) at the start
    governance: Any  # every admin and governor role, the oracle admin included
    gmkt: Any
    usdc: Any
    treasury: Any
    arbiter: Any
    slasher: Any
    stranger: Any
    providers: list
    buyers: list
    offers: list
    stakes: list
    params: Params
    start_wallets: Counter

    @property
    def tokens(self) -> list:
        return [self.gmkt, self.usdc]

    @property
    def wallet_holders(self) -> list:
        """Everyone whose balances the model predicts (a provider may also be a buyer)."""
        unique = {
            a.address: a for a in [self.treasury, self.stranger, *self.providers, *self.buyers]
        }
        return list(unique.values())


@pytest.fixture(scope="module")
def protocol(governance, treasury, arbiter):
    """The whole protocol, with the council as the verdict source (the default deployment)."""
    oracles = [accounts[i].address for i in ORACLES]
    return deploy_protocol(
        governance,
        treasury.address,
        arbiter=arbiter.address,
        oracles=oracles[:SEATED],
        quorum=QUORUM,
    )


@pytest.fixture(scope="module")
def world(
    market,
    registry,
    reputation,
    gmkt,
    usdc,
    protocol,
    governance,
    treasury,
    arbiter,
    benchmark_stand_in,
    stranger,
    buyer,
    buyer2,
    provider,
    provider2,
    provider3,
    make_provider,
    fund,
):
    council, benchmark = protocol.council, protocol.benchmark
    oracles = [accounts[i] for i in ORACLES]
    assert list(council.members()) == [o.address for o in oracles[:SEATED]]
    providers = [provider, provider2, provider3]
    for account, (offer, stake) in zip(providers, PROVIDER_SETUPS, strict=True):
        make_provider(account, stake=stake, offer=offer)
        fund(account, gmkt, PROVIDER_WALLET)
        gmkt.approve(registry, MAX_ALLOWANCE, {"from": account})
    # The small host also buys compute, so a buyer may be a provider (it never serves itself).
    buyers = [buyer, buyer2, provider3]
    for account in buyers:
        fund(account, gmkt, BUYER_FUNDS["gmkt"])
        fund(account, usdc, BUYER_FUNDS["usdc"])
        for token in (gmkt, usdc):
            token.approve(market, MAX_ALLOWANCE, {"from": account})
    # The slasher: an account with the registry's SLASHER_ROLE, standing in for the benchmark
    # registry.
    slasher = benchmark_stand_in
    registry.grantRole(registry.SLASHER_ROLE(), slasher, {"from": governance})
    # A slash jails for 3 days by default, which would bench a provider for most of a 50-step
    # run; a shorter jail keeps the machine reaching matched and settled jobs.
    registry.setParameter(name32("jailPeriod"), JAIL_PERIOD, {"from": governance})
    # Books of 2 bids, so that the third provider's bid exercises the eviction of the worst one.
    market.setParameter(name32("maxBidsPerJob"), MAX_BIDS, {"from": governance})
    # Verified TOPS (and passed attestations' bonds) last the least governance may set, a day, so
    # that a run sees them expire, filter bidders out and come free.
    reputation.setParameter(name32("maxTopsAge"), MAX_TOPS_AGE, {"from": governance})

    params = Params(
        protocol_fee_bps=market.protocolFeeBps(),
        slash_buyer_share_bps=market.slashBuyerShareBps(),
        dispute_bond_bps=market.disputeBondBps(),
        fraud_bounty_bps=market.fraudBountyBps(),
        collateral_per_gpu_hour=market.collateralPerGpuHour(),
        dispute_window=market.disputeWindow(),
        attest_timeout=market.attestTimeout(),
        result_grace=market.resultGrace(),
        arbitration_timeout=market.arbitrationTimeout(),
        min_bidding_period=market.minBiddingPeriod(),
        max_bidding_period=market.maxBiddingPeriod(),
        max_bids_per_job=market.maxBidsPerJob(),
        max_buyer_strikes=market.maxBuyerStrikes(),
        bid_forfeit_bps=market.bidForfeitBps(),
        min_stake=registry.minStake(),
        unbonding_period=registry.unbondingPeriod(),
        jail_period=registry.jailPeriod(),
        max_unbonding_entries=registry.MAX_UNBONDING_ENTRIES(),
        bond_min={t.address: market.tokenConfig(t)["disputeBondMin"] for t in (gmkt, usdc)},
        min_credited_value={t.address: reputation.minCreditedValue(t) for t in (gmkt, usdc)},
        benchmark_window=benchmark.benchmarkWindow(),
        attestation_slash=benchmark.attestationSlash(),
        finder_fee_bps=benchmark.finderFeeBps(),
        max_tops_age=reputation.maxTopsAge(),
        caps={cap: getattr(benchmark, cap)() for cap in CAP_VALUES},
    )
    assert params.max_bids_per_job == MAX_BIDS
    # The model starts from an empty, unpaused market whose verdicts come from the council.
    assert not market.paused() and not registry.paused() and market.jobCount() == 0
    assert market.verifier() == council == benchmark.verifier()
    assert market.benchmarkRegistry() == benchmark and benchmark.challengeCount() == 0
    assert market.hasRole(market.ARBITER_ROLE(), arbiter)

    world = World(
        market=market,
        registry=registry,
        reputation=reputation,
        council=council,
        benchmark=benchmark,
        oracles=oracles,
        council_config=(list(council.members()), council.quorum(), council.configVersion()),
        governance=governance,
        gmkt=gmkt,
        usdc=usdc,
        treasury=treasury,
        arbiter=arbiter,
        slasher=slasher,
        stranger=stranger,
        providers=providers,
        buyers=buyers,
        offers=[offer for offer, _ in PROVIDER_SETUPS],
        stakes=[stake for _, stake in PROVIDER_SETUPS],
        params=params,
        start_wallets=Counter(),
    )
    for holder in world.wallet_holders:
        for token in world.tokens:
            world.start_wallets[(holder.address, token.address)] = token.balanceOf(holder)
    return world
