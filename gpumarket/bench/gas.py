"""Exact gas of every protocol operation, measured on a fresh local chain (`make bench`).

`measure_gas()` runs inside a Brownie session on the development network (anvil). It deploys the
protocol with `deploy_protocol`, a council of three oracles with a quorum of three (3-of-3, so the
lifecycle counts three votes, as issue 7 defines it), and a 6-decimal MockERC20 ("usdc6")
allowlisted beside GMKT, with a `minCreditedValue` of 1 token in both (every job here counts toward
reputation). It returns `gasUsed` per operation, keyed like `postJob[gmkt]`; keys
without a token are token-independent (staking, attestations, batched votes on GMKT jobs).

Gas is deterministic, but it depends on storage warmth (a slot written from zero costs 17,100 more
than a rewrite, and zeroing one refunds) and on the zero bytes of the calldata (4 gas against 16).
Every figure is therefore taken in a fixed state:

* Fixed actors and calldata. Every account comes from a key derived from a fixed label
  (`bench_account`) and the deployer starts at nonce 0, so every address, id and calldata byte is
  the same on every run. Commitments are fixed roots, and the fraud proof is a fixed forged
  checkpoint-0 row with a fixed Merkle path (`forged_commitment`): the registry sees only the row
  and the path, and a real tree's random sibling hashes would move the calldata cost by a few gas.
* A busy market. Every account that pays or is paid holds some of both tokens, so a payout never
  creates a balance and a payment never empties one (deposits and bonds follow an exact approve).
  Every provider runs one job throughout, paid in GMKT or usdc6 by turns, and one provider has an
  unstake pending, so the market's balances, the per-token escrow totals, each provider's locked
  collateral and the registry's unbonding total never start from or fall back to zero.
* Repeat customers. Each scenario runs twice with the same actors and only the second run is
  measured: the first writes what a returning buyer or provider has written before (reputation
  records, strikes and disputes, jail times, the market's bid sequence), so the only storage an
  operation creates is its own job, bid, challenge or vote tally. Batched votes and staking are
  measured once (`_Bench.vote_batches` and `_Bench.staking` say why).
* Fixed order. Scenarios run in the order `measure_gas` lists them; one that slashes waits out the
  jail period afterwards, so every provider is eligible for the next.

Every job needs 1 GPU for 1 hour and a PoGEMM proof at n=64, T=8, K=2 (`JOB_SPEC`), at a maximum
of 2 tokens per GPU-hour. Bids undercut each other by 0.01 token, so `closeAuction` ranks every bid
(its most expensive case) and every match refunds part of the deposit.

The lifecycle total is postJob + 3 bids + closeAuction + commit + submitResult + 3 votes +
finalize; `lifecycle.batched10` replaces the three votes by the per-job share of three batches of
ten (one per oracle). The buyer's ERC20 approve is in neither. The commitment stores the challenge
seed (the hash of the block after the opening, so one block is mined before it); `seeds` measures
the other order too, `storeChallengeSeed` then `commit.seedStored`, and an oracle's
`storeSamplingSeed`, which the lifecycle leaves out like the oracles' other costs.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from web3.types import RPCEndpoint

from gpumarket.chain.deploy import deploy_protocol
from gpumarket.chain.types import HOUR, JobSpec, Offer
from gpumarket.pogemm import merkle, spec

ZERO_ADDRESS = "0x" + "00" * 20

#: Payment tokens, by the suffix of their keys: GMKT (18 decimals) and a 6-decimal MockERC20.
TOKENS = ("gmkt", "usdc6")
GMKT_KEY = TOKENS[0]
DECIMALS = {"gmkt": 18, "usdc6": 6}

#: Targets of issue 12 (issue 7 set 1,000,000 for the lifecycle).
LIFECYCLE_TARGET = 900_000
BATCH_VOTE_TARGET = 30_000

#: The council: three oracles, all three needed for a verdict.
ORACLES = 3
QUORUM = 3
#: Provider accounts: enough for an auction of `maxBidsPerJob` (32) bids.
PROVIDERS = 32
#: Batch sizes of the voteBatch figures.
BATCH_SIZES = (10, 32)
#: The three oracles' votes on a job, in order: the third reaches the quorum.
VOTE_NAMES = ("first", "second", "quorum")

GMKT = 10**18
PROVIDER_STAKE = 5_000 * GMKT
#: ETH each sending bench account is given (anvil_setBalance) to pay for gas.
ETH_PER_ACCOUNT = 100 * GMKT
#: Gas limit of every bench transaction: room for a quorum batch of 32 applied verdicts.
TX_GAS_LIMIT = 20_000_000
#: What every actor holds of each token before it acts, in token units.
DUST = 1
#: What each buyer starts with, in whole tokens of its payment token.
BUYER_FUNDS = 1_000_000
#: Staking scenario: first stake, top-up and unstake, in GMKT.
FIRST_STAKE = 2_000 * GMKT
TOP_UP = 1_000 * GMKT
UNSTAKE = 500 * GMKT

VERDICT_OK = 1
VERDICT_FAIL = 2
MEASURED_TOPS = 1_500
#: The three oracles' TOPS on an attestation, in voting order: the council records their lower
#: median, 1,500.
ATTESTATION_TOPS = (1_400, 1_600, 1_500)
EVIDENCE = hashlib.sha256(b"gpumarket.bench.gas/evidence").digest()
COMMITTED_ROOT = hashlib.sha256(b"gpumarket.bench.gas/root").digest()
RESULT_HASH = hashlib.sha256(b"gpumarket.bench.gas/result").digest()
RESULT_URI = "ipfs://bench-result"
#: Seconds past a deadline when crossing it is the set-up.
MARGIN = 60

#: The job every scenario posts: 1 GPU for 1 hour, with a PoGEMM proof at the test sizes.
JOB_SPEC = JobSpec(benchmark_required=True, benchmark_n=64, benchmark_t=8, benchmark_k=2)
BIDDING_PERIOD = HOUR

# Provider roles (indexes into the provider accounts).
LIFECYCLE_BIDDERS = (0, 1, 2)
TIMEOUT_PROVIDER = 3
DISPUTE_PROVIDER = 4
FRAUD_PROVIDER = 5
ATTESTER = 6
SEED_PROVIDER = 7
#: Providers of the submitted jobs the voteBatch figures vote on.
BATCH_PROVIDERS = range(8, PROVIDERS - 1)


class BenchError(RuntimeError):
    """A scenario did not do what it measures (a wrong winner, no verdict): its gas is no figure."""


@dataclass(frozen=True)
class Commitment:
    """A PoGEMM commitment as `proveFraud` sees it: the root and one checkpoint-0 row's path."""

    root: bytes
    row: int
    values: bytes
    proof: tuple[bytes, ...]


@dataclass(frozen=True)
class Sent:
    """A mined transaction: its function, hash, gas used and decoded events (a Brownie
    EventDict)."""

    name: str
    txid: str
    gas_used: int
    events: Any


def forged_commitment(n: int = 64, steps: int = 8, interval: int = 2, row: int = 5) -> Commitment:
    """A commitment whose checkpoint-0 row `row` is made up (fixed int8 values in [-8, 7], not the
    generator's) with fixed sibling hashes: the same calldata on every run."""
    stream = b"".join(
        hashlib.sha256(f"gpumarket.bench.gas/row/{k}".encode()).digest() for k in range(n // 32 + 1)
    )
    entries = [(byte & 15) - 8 for byte in stream[:n]]
    values = bytes(v & 0xFF for v in entries)
    depth = merkle.tree_depth((steps // interval + 1) * n)
    proof = tuple(
        hashlib.sha256(f"gpumarket.bench.gas/sibling/{level}".encode()).digest()
        for level in range(depth)
    )
    leaf = spec.leaf(0, row, entries)
    return Commitment(merkle.root_from_proof(leaf, row, proof), row, values, proof)


def bench_account(role: str, index: int = 0) -> Any:
    """The Brownie account of `role` (number `index`), from a key derived from a fixed label."""
    from brownie import accounts

    key = hashlib.sha256(f"gpumarket.bench.gas/{role}/{index}".encode()).hexdigest()
    return accounts.add("0x" + key)


def per_job(total: int, jobs: int) -> int:
    """A batch's gas per job, rounded up."""
    return -(-total // jobs)


def measure_gas() -> dict[str, int]:
    """Deploy the protocol on the connected development chain and measure the gas of every
    operation in the fixed state the module docstring describes. Keys are sorted."""
    bench = _Bench()
    for token in TOKENS:
        for scenario in (
            bench.lifecycle,
            bench.bid_lowered,
            bench.cancel,
            bench.accept_bid,
            lambda t: bench.close_auction(t, 1),
            lambda t: bench.close_auction(t, 8),
            lambda t: bench.close_auction(t, 32),
            lambda t: bench.close_auction(t, 32, tied=True),
            bench.claim_timeout,
            lambda t: bench.dispute(t, provider_at_fault=True),
            lambda t: bench.dispute(t, provider_at_fault=False),
            bench.prove_fraud_job,
            bench.seeds,
        ):
            bench.twice(scenario, token)
    bench.record(bench.vote_batches())  # no warm-up: see vote_batches
    bench.twice(bench.prove_fraud_attestation)
    bench.twice(bench.attestation_passed)
    bench.twice(bench.attestation_failed)
    bench.record(bench.staking())  # no warm-up: see staking
    return _with_totals(bench.gas)


def _with_totals(gas: dict[str, int]) -> dict[str, int]:
    totals = dict(gas)
    for token in TOKENS:
        votes = sum(gas[f"vote.{which}[{token}]"] for which in VOTE_NAMES)
        lifecycle = (
            gas[f"postJob[{token}]"]
            + gas[f"bid.first[{token}]"]
            + gas[f"bid.second[{token}]"]
            + gas[f"bid.third[{token}]"]
            + gas[f"closeAuction.3bids[{token}]"]
            + gas[f"commit[{token}]"]
            + gas[f"submitResult[{token}]"]
            + votes
            + gas[f"finalize[{token}]"]
        )
        batched = sum(gas[f"voteBatch.10.{which}.perJob"] for which in VOTE_NAMES)
        totals[f"lifecycle[{token}]"] = lifecycle
        totals[f"lifecycle.batched10[{token}]"] = lifecycle - votes + batched
    return dict(sorted(totals.items()))


class _Bench:
    """The deployed protocol, its actors, and one method per scenario. A scenario returns the
    measured transactions by operation name; `twice` runs it twice and records the second run."""

    def __init__(self) -> None:
        from brownie import chain, project, web3

        if not web3.client_version.lower().startswith("anvil"):
            raise BenchError(
                f"the gas baseline is measured on anvil (the development network), "
                f"not on {web3.client_version}"
            )
        self.chain = chain
        self.gas: dict[str, int] = {}
        self.gas_price = web3.eth.gas_price
        self.chain_id = web3.eth.chain_id
        self._nonces: dict[str, int] = {}
        self.admin = bench_account("admin")
        if web3.eth.get_transaction_count(self.admin.address) != 0:
            raise BenchError(
                "the bench deployer has sent transactions on this chain: measure_gas needs a "
                "fresh chain (a new launcher run, or a module reset) for reproducible addresses"
            )
        self.treasury = bench_account("treasury")
        self.arbiter = bench_account("arbiter")
        self.finder = bench_account("finder")
        self.buyers = {token: bench_account("buyer", k) for k, token in enumerate(TOKENS)}
        self.oracles = [bench_account("oracle", k) for k in range(ORACLES)]
        self.providers = [bench_account("provider", k) for k in range(PROVIDERS)]
        self.staker = bench_account("staker")
        senders = [
            self.admin,
            self.arbiter,
            self.finder,
            *self.buyers.values(),
            *self.oracles,
            *self.providers,
            self.staker,
        ]
        set_balance = RPCEndpoint("anvil_setBalance")
        for account in senders:
            web3.provider.make_request(set_balance, [account.address, hex(ETH_PER_ACCOUNT)])

        protocol = deploy_protocol(
            self.admin,
            self.treasury.address,
            arbiter=self.arbiter.address,
            oracles=[o.address for o in self.oracles],
            quorum=QUORUM,
            silent=True,
        )
        self.market = protocol.market
        self.registry = protocol.registry
        self.benchmark = protocol.benchmark
        self.council = protocol.council
        self.reputation = protocol.reputation
        contracts: Any = project.get_loaded_projects()[0]
        usdc6 = contracts.MockERC20.deploy("USD Coin", "USDC", 6, {"from": self.admin}, silent=True)
        deployed = [*vars(protocol).values(), usdc6]
        self._contracts = {contract.address: contract for contract in deployed}
        self.send(self.market.configureToken, usdc6, True, 10 * 10**6, sender=self.admin)
        # Every job here (at most 2 tokens) counts toward reputation, as a real market's jobs
        # would: the settlements pay for the credit, and tied auctions rank real records.
        for token, unit in ((protocol.token, 10**18), (usdc6, 10**6)):
            self.send(protocol.reputation.setMinCreditedValue, token, unit, sender=self.admin)
        self.tokens = {"gmkt": protocol.token, "usdc6": usdc6}
        self.version = self.council.configVersion()
        self.forged = forged_commitment()

        for account in [self.treasury, self.finder, self.staker]:
            self.give(account, "gmkt", DUST)
        for account in [self.treasury, self.finder, *self.providers, self.staker]:
            self.give(account, "usdc6", DUST)
        for token, buyer in self.buyers.items():
            for other in TOKENS:
                self.give(buyer, other, DUST)
            self.give(buyer, token, BUYER_FUNDS * self.unit(token))
        for provider in self.providers:
            self.give(provider, "gmkt", PROVIDER_STAKE + DUST)
            self.approve(provider, "gmkt", self.registry, PROVIDER_STAKE)
            self.send(self.registry.stake, PROVIDER_STAKE, sender=provider)
            self.register(provider)
        # A busy market: every provider runs a job throughout, paid in GMKT or usdc6 by turns,
        # and one provider's unstake is pending (see the module docstring).
        for k, provider in enumerate(self.providers):
            job_id, _ = self.post(TOKENS[k % len(TOKENS)], provider)
            self.send(self.market.acceptJob, job_id, sender=provider)
        self.send(self.registry.requestUnstake, GMKT, sender=self.providers[-1])

    # ------------------------------------------------------------ plumbing

    def send(self, method: Any, *args: Any, sender: Any) -> Sent:
        """Sign, send and wait for one transaction with web3 directly.

        Brownie's own path polls for the receipt once a second and, when anvil on a busy machine
        shows the sender's new nonce a moment before the receipt, calls the mined transaction
        dropped and raises (up to 2 in 100 transactions on a loaded 2-core machine). Every bench
        account is a local key, so the nonce is tracked here.
        """
        from brownie import web3
        from brownie.network.event import _decode_logs

        address = sender.address
        if address not in self._nonces:
            self._nonces[address] = web3.eth.get_transaction_count(address)
        tx = {
            "to": method._address,
            "data": method.encode_input(*args),
            "value": 0,
            "gas": TX_GAS_LIMIT,
            "gasPrice": self.gas_price,
            "nonce": self._nonces[address],
            "chainId": self.chain_id,
        }
        signed = sender._acct.sign_transaction(tx)
        self._nonces[address] += 1
        txid = web3.eth.send_raw_transaction(signed.raw_transaction)
        receipt = web3.eth.wait_for_transaction_receipt(txid, timeout=120, poll_latency=0.002)
        if receipt["status"] != 1:
            # Replay as a call for the revert reason: the state is what the transaction saw.
            method.call(*args, {"from": sender})
            raise BenchError(f"{method._name} reverted: {txid.hex()}")
        logs: Any = receipt["logs"]
        events = _decode_logs(logs, contracts=self._contracts)
        return Sent(method._name, txid.hex(), int(receipt["gasUsed"]), events)

    def unit(self, token: str) -> int:
        return int(10 ** DECIMALS[token])

    def give(self, account: Any, token: str, amount: int) -> None:
        contract = self.tokens[token]
        if token == GMKT_KEY:
            self.send(contract.transfer, account, amount, sender=self.admin)
        else:
            self.send(contract.mint, account, amount, sender=self.admin)

    def approve(self, owner: Any, token: str, spender: Any, amount: int) -> None:
        self.send(self.tokens[token].approve, spender, amount, sender=owner)

    def register(self, provider: Any) -> Sent:
        return self.send(
            self.registry.register,
            Offer().as_tuple(),
            [self.tokens[t] for t in TOKENS],
            [self.unit(t) for t in TOKENS],
            sender=provider,
        )

    def max_price(self, token: str) -> int:
        """What every job offers per GPU-hour: 2 tokens."""
        return 2 * self.unit(token)

    def bid_price(self, token: str, rank: int) -> int:
        """The price of the bid that undercuts `rank` others: 0.01 token per rank below the
        maximum, and below it at rank 0 too, so every match refunds part of the deposit."""
        return self.max_price(token) - (rank + 1) * self.unit(token) // 100

    def record(self, txs: Mapping[str, Sent | int], suffix: str = "") -> None:
        for name, tx in txs.items():
            key = f"{name}{suffix}"
            if key in self.gas:
                raise BenchError(f"{key} measured twice")
            self.gas[key] = tx if isinstance(tx, int) else tx.gas_used

    def twice(self, scenario: Callable[..., dict[str, Sent]], *token: str) -> None:
        scenario(*token)
        self.record(scenario(*token), f"[{token[0]}]" if token else "")

    def sleep(self, seconds: int) -> None:
        self.chain.sleep(seconds)

    def sleep_past(self, deadline: int) -> None:
        """Move the clock `MARGIN` seconds past `deadline` (a timestamp the market reports)."""
        self.sleep(max(0, deadline - self.chain[-1].timestamp) + MARGIN)

    # ------------------------------------------------------------ job steps

    def post(self, token: str, provider: Any = None) -> tuple[int, Sent]:
        buyer = self.buyers[token]
        max_price = self.max_price(token)
        deposit = self.market.costOf(max_price, JOB_SPEC.gpu_count, JOB_SPEC.duration)
        self.approve(buyer, token, self.market, deposit)
        tx = self.send(
            self.market.postJob,
            JOB_SPEC.as_tuple(),
            self.tokens[token],
            max_price,
            BIDDING_PERIOD,
            provider or ZERO_ADDRESS,
            sender=buyer,
        )
        return tx.events["JobPosted"]["jobId"], tx

    def bid(self, job_id: int, token: str, provider_index: int, rank: int) -> Sent:
        provider = self.providers[provider_index]
        return self.send(self.market.bid, job_id, self.bid_price(token, rank), sender=provider)

    def accept(self, job_id: int, token: str, provider_index: int) -> Sent:
        provider = self.providers[provider_index]
        tx = self.send(self.market.acceptBid, job_id, provider, sender=self.buyers[token])
        _expect_winner(tx, provider)
        return tx

    def running(self, token: str, provider_index: int) -> tuple[int, Sent]:
        """A job `provider_index` bid on alone and the buyer accepted: (id, acceptBid tx)."""
        job_id, _ = self.post(token)
        self.bid(job_id, token, provider_index, 0)
        return job_id, self.accept(job_id, token, provider_index)

    def commit(self, job_id: int, provider: Any, root: bytes = COMMITTED_ROOT) -> Sent:
        challenge_id = self.market.challengeOfJob(job_id)
        self.seed_ready(challenge_id)
        return self.send(self.benchmark.commit, challenge_id, root, sender=provider)

    def seed_ready(self, challenge_id: int) -> None:
        """Mine until a transaction may read the seed fixed by the block after the challenge's
        anchor (its opening, or its commitment): that block must be mined first."""
        anchor = self.benchmark.challengeOf(challenge_id)["anchorBlock"]
        if self.chain.height <= anchor:
            self.chain.mine(anchor + 1 - self.chain.height)

    def submit(self, job_id: int, provider: Any) -> Sent:
        return self.send(self.market.submitResult, job_id, RESULT_HASH, RESULT_URI, sender=provider)

    def vote(
        self, subject: int, oracle_index: int, verdict: int = VERDICT_OK, tops: int = MEASURED_TOPS
    ) -> Sent:
        return self.send(
            self.council.vote,
            subject,
            self.version,
            verdict,
            tops,
            EVIDENCE,
            sender=self.oracles[oracle_index],
        )

    def verify(self, job_id: int) -> dict[str, Sent]:
        """The three oracles vote OK on the job; the last vote makes it VERIFIED."""
        txs = {f"vote.{which}": self.vote(job_id, k) for k, which in enumerate(VOTE_NAMES)}
        _expect_applied(txs["vote.quorum"], 1)
        return txs

    def wait_out_jail(self) -> None:
        self.sleep(self.registry.jailPeriod() + MARGIN)

    # ------------------------------------------------------------ scenarios

    def lifecycle(self, token: str) -> dict[str, Sent]:
        """Post, three undercutting bids, closeAuction (the last bidder wins), commit, submit,
        three votes, and finalize after the dispute window."""
        job_id, posted = self.post(token)
        bids = [self.bid(job_id, token, p, rank) for rank, p in enumerate(LIFECYCLE_BIDDERS)]
        self.sleep(BIDDING_PERIOD + MARGIN)
        winner = self.providers[LIFECYCLE_BIDDERS[-1]]
        closed = self.send(self.market.closeAuction, job_id, sender=self.buyers[token])
        _expect_winner(closed, winner)
        committed = self.commit(job_id, winner)
        submitted = self.submit(job_id, winner)
        votes = self.verify(job_id)
        self.sleep_past(self.market.windowEndOf(job_id))
        finalized = self.send(self.market.finalize, job_id, sender=winner)
        if "JobSettled" not in finalized.events:
            raise BenchError(f"job {job_id} did not settle")
        return {
            "postJob": posted,
            "bid.first": bids[0],
            "bid.second": bids[1],
            "bid.third": bids[2],
            "closeAuction.3bids": closed,
            "commit": committed,
            "submitResult": submitted,
            **votes,
            "finalize": finalized,
        }

    def bid_lowered(self, token: str) -> dict[str, Sent]:
        """A provider lowers its own bid (the job stays open)."""
        job_id, _ = self.post(token)
        self.bid(job_id, token, 0, 0)
        return {"bid.lowered": self.bid(job_id, token, 0, 1)}

    def cancel(self, token: str) -> dict[str, Sent]:
        """The buyer cancels a job with no bids for a full refund."""
        job_id, _ = self.post(token)
        tx = self.send(self.market.cancel, job_id, sender=self.buyers[token])
        return {"cancel": tx}

    def accept_bid(self, token: str) -> dict[str, Sent]:
        """Three undercutting bids; the buyer accepts the middle one (its challenge opens)."""
        job_id, _ = self.post(token)
        for rank, p in enumerate(LIFECYCLE_BIDDERS):
            self.bid(job_id, token, p, rank)
        return {"acceptBid": self.accept(job_id, token, LIFECYCLE_BIDDERS[1])}

    def close_auction(self, token: str, bids: int, tied: bool = False) -> dict[str, Sent]:
        """`bids` providers bid, each undercutting the last, so the last alone has the lowest
        price and wins without a scan. `tied`: all bid the same price, the worst case, in which
        every bid is ranked. The job stays running."""
        job_id, _ = self.post(token)
        for p in range(bids):
            self.bid(job_id, token, p, 0 if tied else p)
        self.sleep(BIDDING_PERIOD + MARGIN)
        tx = self.send(self.market.closeAuction, job_id, sender=self.buyers[token])
        if tied:  # the best reputation wins the tie: earlier scenarios gave some a record
            _expect_event(tx, "JobMatched")
        else:
            _expect_winner(tx, self.providers[bids - 1])
        name = f"closeAuction.{bids}bid{'s' if bids > 1 else ''}{'.tied' if tied else ''}"
        return {name: tx}

    def claim_timeout(self, token: str) -> dict[str, Sent]:
        """A running job past its result deadline: refund, collateral slashed two ways."""
        job_id, _ = self.running(token, TIMEOUT_PROVIDER)
        self.sleep_past(self.market.resultDeadlineOf(job_id))
        tx = self.send(self.market.claimTimeout, job_id, sender=self.buyers[token])
        _expect_event(tx, "JobFailed")
        self.wait_out_jail()
        return {"claimTimeout": tx}

    def dispute(self, token: str, provider_at_fault: bool) -> dict[str, Sent]:
        """A verified job disputed by its buyer (bond approved exactly) and resolved."""
        buyer = self.buyers[token]
        provider = self.providers[DISPUTE_PROVIDER]
        job_id, _ = self.running(token, DISPUTE_PROVIDER)
        self.commit(job_id, provider)
        self.submit(job_id, provider)
        self.verify(job_id)
        bond = self.market.disputeBondOf(job_id)
        self.approve(buyer, token, self.market, bond)
        disputed = self.send(self.market.dispute, job_id, sender=buyer)
        resolved = self.send(
            self.market.resolveDispute, job_id, provider_at_fault, sender=self.arbiter
        )
        _expect_event(resolved, "JobFailed" if provider_at_fault else "JobSettled")
        if provider_at_fault:
            self.wait_out_jail()
            return {"dispute": disputed, "resolveDispute.providerAtFault": resolved}
        return {"resolveDispute.buyerAtFault": resolved}

    def prove_fraud_job(self, token: str) -> dict[str, Sent]:
        """A running job's provider commits a forged checkpoint-0 row; the finder proves it:
        the job fails, the buyer is refunded, the collateral goes to the buyer and the finder."""
        provider = self.providers[FRAUD_PROVIDER]
        job_id, _ = self.running(token, FRAUD_PROVIDER)
        self.commit(job_id, provider, self.forged.root)
        tx = self._prove(self.market.challengeOfJob(job_id))
        _expect_event(tx, "JobFailed")
        self.wait_out_jail()
        return {"proveFraud.job": tx}

    def prove_fraud_attestation(self) -> dict[str, Sent]:
        """A provider's own hardware attestation (`open.attestation`: it locks the bond and the
        fraud bounty) with a forged checkpoint-0 row, proven by the finder: the bond to the
        treasury, the bounty to the finder."""
        attester = self.providers[ATTESTER]
        challenge_id, opened = self.open_attestation()
        self.seed_ready(challenge_id)
        self.send(self.benchmark.commit, challenge_id, self.forged.root, sender=attester)
        tx = self._prove(challenge_id)
        self.wait_out_jail()
        return {"open.attestation": opened, "proveFraud.attestation": tx}

    def seeds(self, token: str) -> dict[str, Sent]:
        """A running job's challenge seed stored apart (anyone may) before the commitment, which
        then stores none; then the sampling seed, as the first oracle to see it stores it."""
        provider = self.providers[SEED_PROVIDER]
        job_id, _ = self.running(token, SEED_PROVIDER)
        challenge_id = self.market.challengeOfJob(job_id)
        self.seed_ready(challenge_id)
        stored = self.send(self.benchmark.storeChallengeSeed, challenge_id, sender=self.finder)
        _expect_event(stored, "ChallengeSeedStored")
        committed = self.send(self.benchmark.commit, challenge_id, COMMITTED_ROOT, sender=provider)
        if "ChallengeSeedStored" in committed.events:
            raise BenchError("commit stored a challenge seed that was stored already")
        self.seed_ready(challenge_id)
        sampled = self.send(self.benchmark.storeSamplingSeed, challenge_id, sender=self.oracles[0])
        _expect_event(sampled, "SamplingSeedStored")
        self.submit(job_id, provider)
        self.verify(job_id)
        return {
            "storeChallengeSeed": stored,
            "commit.seedStored": committed,
            "storeSamplingSeed": sampled,
        }

    def open_attestation(self) -> tuple[int, Sent]:
        """The attester opens a hardware attestation of itself, locking its bond: (id, tx)."""
        attester = self.providers[ATTESTER]
        opened = self.send(self.benchmark.open, 0, attester, 64, 8, 2, sender=attester)
        return opened.events["ChallengeOpened"]["challengeId"], opened

    def attestation_passed(self) -> dict[str, Sent]:
        """The attester opens and commits an attestation; the three oracles vote OK with
        `ATTESTATION_TOPS` (the last vote records their lower median); once the TOPS are older
        than `maxTopsAge`, the finder releases the bond."""
        attester = self.providers[ATTESTER]
        challenge_id, _ = self.open_attestation()
        self.seed_ready(challenge_id)
        self.send(self.benchmark.commit, challenge_id, COMMITTED_ROOT, sender=attester)
        subject = self.council.attestationSubject(challenge_id)
        txs = {
            f"vote.attestation.{which}": self.vote(subject, k, tops=ATTESTATION_TOPS[k])
            for k, which in enumerate(VOTE_NAMES)
        }
        _expect_applied(txs["vote.attestation.quorum"], 1)
        self.sleep(self.reputation.maxTopsAge() + MARGIN)
        released = self.send(self.benchmark.releaseBond, challenge_id, sender=self.finder)
        _expect_event(released, "BondReleased")
        return {**txs, "releaseBond": released}

    def attestation_failed(self) -> dict[str, Sent]:
        """The attester opens an attestation and never commits; after the window the three
        oracles vote FAIL, and the last vote slashes the bond to the treasury."""
        challenge_id, _ = self.open_attestation()
        self.sleep(self.benchmark.benchmarkWindow() + MARGIN)
        subject = self.council.attestationSubject(challenge_id)
        last = len(VOTE_NAMES) - 1
        for k in range(last):
            self.vote(subject, k, VERDICT_FAIL, 0)
        failed = self.vote(subject, last, VERDICT_FAIL, 0)
        _expect_applied(failed, 1)
        self.wait_out_jail()
        return {"vote.attestation.failQuorum": failed}

    def _prove(self, challenge_id: int) -> Sent:
        f = self.forged
        tx = self.send(
            self.benchmark.proveFraud,
            challenge_id,
            f.row,
            f.values,
            list(f.proof),
            sender=self.finder,
        )
        _expect_event(tx, "FraudProven")
        return tx

    def vote_batches(self) -> dict[str, int]:
        """Submitted GMKT jobs (direct assignments); for each batch size, each oracle votes OK on
        all of them in one voteBatch: the first two batches reach no verdict, the third reaches
        the quorum on every job and applies it. Figures are gas per job, rounded up. Measured
        once, without a warm-up run: a vote writes only its subject's fresh tally, and applying
        an OK verdict only the job's own state."""
        token = GMKT_KEY
        providers = [self.providers[p] for p in BATCH_PROVIDERS]
        figures: dict[str, int] = {}
        made = 0
        for size in BATCH_SIZES:
            jobs = []
            for _ in range(size):
                provider = providers[made % len(providers)]
                made += 1
                job_id, _ = self.post(token, provider)
                self.send(self.market.acceptJob, job_id, sender=provider)
                self.submit(job_id, provider)
                jobs.append(job_id)
            ballots = [(job_id, VERDICT_OK, MEASURED_TOPS, EVIDENCE) for job_id in jobs]
            for k, which in enumerate(VOTE_NAMES):
                tx = self.send(
                    self.council.voteBatch, self.version, ballots, sender=self.oracles[k]
                )
                _expect_applied(tx, size if which == "quorum" else 0)
                figures[f"voteBatch.{size}.{which}.perJob"] = per_job(tx.gas_used, size)
        return figures

    def staking(self) -> dict[str, Sent]:
        """A new account stakes, tops up, registers, requests an unstake and withdraws it after
        the unbonding period. Measured once, without a warm-up run: what a first stake, a first
        offer and a first unbonding entry write is the account's own by definition, and the
        registry's totals are never zero (see the module docstring)."""
        staker = self.staker
        self.give(staker, GMKT_KEY, FIRST_STAKE + TOP_UP)
        self.approve(staker, GMKT_KEY, self.registry, FIRST_STAKE)
        first = self.send(self.registry.stake, FIRST_STAKE, sender=staker)
        self.approve(staker, GMKT_KEY, self.registry, TOP_UP)
        top_up = self.send(self.registry.stake, TOP_UP, sender=staker)
        registered = self.register(staker)
        unstake = self.send(self.registry.requestUnstake, UNSTAKE, sender=staker)
        self.sleep(self.registry.unbondingPeriod() + MARGIN)
        withdrawn = self.send(self.registry.withdraw, sender=staker)
        return {
            "stake.first": first,
            "stake.topUp": top_up,
            "register": registered,
            "requestUnstake": unstake,
            "withdraw": withdrawn,
        }


def _expect_event(tx: Sent, name: str) -> None:
    if name not in tx.events:
        raise BenchError(f"{tx.name}: no {name} event")


def _expect_winner(tx: Sent, provider: Any) -> None:
    _expect_event(tx, "JobMatched")
    if tx.events["JobMatched"]["provider"] != provider.address:
        raise BenchError(f"{tx.name}: the job went to {tx.events['JobMatched']['provider']}")


def _expect_applied(tx: Sent, verdicts: int) -> None:
    reached = list(tx.events["VerdictReached"]) if "VerdictReached" in tx.events else []
    if len(reached) != verdicts or not all(event["applied"] for event in reached):
        raise BenchError(f"{tx.name}: {len(reached)} verdicts reached, {verdicts} expected")


#: closeAuction at 32 bids costs at most this many times its cost at one bid.
CLOSE_AUCTION_RATIO = 2


def targets(gas: Mapping[str, int] | None = None) -> dict[str, int]:
    """The figures with a target, and the target: the lifecycle totals, the gas per job of
    batched votes (the quorum batch also pays for the market applying each verdict), and, given
    measured `gas`, closeAuction at 32 bids against `CLOSE_AUCTION_RATIO` × its 1-bid cost."""
    lifecycle = {
        f"{name}[{token}]": LIFECYCLE_TARGET
        for token in TOKENS
        for name in ("lifecycle", "lifecycle.batched10")
    }
    batches = {
        f"voteBatch.{size}.{which}.perJob": BATCH_VOTE_TARGET
        for size in BATCH_SIZES
        for which in VOTE_NAMES
    }
    ratio = {}
    if gas is not None:
        for token in TOKENS:
            one = gas.get(f"closeAuction.1bid[{token}]")
            if one is not None:
                ratio[f"closeAuction.32bids[{token}]"] = CLOSE_AUCTION_RATIO * one
    return {**lifecycle, **batches, **ratio}
