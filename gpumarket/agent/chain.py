"""What the provider agent reads on-chain, as typed views (`gpumarket.chain.views`).

Every read is at the latest block: the agent acts on the chain as it is now, and checks it again
before each action (the scanner's confirmations only delay what it learns from logs).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from web3.types import TxReceipt

from gpumarket.chain import views
from gpumarket.chain.client import ChainClient
from gpumarket.chain.types import Ineligibility, JobSpec, Offer

#: Sends a contract function call as a transaction and returns its receipt: `Agent._send`.
Send = Callable[[Any], TxReceipt]


class AgentChain:
    """One provider's reads of the market, the benchmark registry and the provider registry."""

    def __init__(self, client: ChainClient, address: str) -> None:
        self.client = client
        self.address = address
        self.market = client["JobMarket"]
        self.benchmark = client["BenchmarkRegistry"]
        self._specs: dict[int, JobSpec] = {}

    def ours(self, provider: str) -> bool:
        """Whether `provider` is this agent's provider."""
        return provider.lower() == self.address.lower()

    def job(self, job_id: int) -> views.Job:
        fn = self.market.functions.jobOf(job_id)
        return views.Job.of(fn, self.client.call(fn))

    def challenge(self, challenge_id: int) -> views.Challenge:
        fn = self.benchmark.functions.challengeOf(challenge_id)
        return views.Challenge.of(fn, self.client.call(fn))

    def spec(self, job_id: int) -> JobSpec:
        """The job's spec, read once: it never changes once posted (but see `forget_specs`)."""
        if job_id not in self._specs:
            fn = self.market.functions.specOf(job_id)
            self._specs[job_id] = views.job_spec(fn, self.client.call(fn))
        return self._specs[job_id]

    def forget_specs(self) -> None:
        """After a reorg: the replacement branch may have posted other jobs under the same ids."""
        self._specs.clear()

    def check_benchmark(self, n: int, steps: int, interval: int) -> None:
        """Raise ChainError (the registry's custom error, decoded) unless a challenge of these
        sizes may open now: `BenchmarkRegistry.checkParameters`, the one home of the rule."""
        fn = self.client["BenchmarkRegistry"].functions.checkParameters(n, steps, interval)
        self.client.call(fn)

    def offer(self) -> Offer:
        """This provider's offer in the ProviderRegistry."""
        fn = self.client["ProviderRegistry"].functions.offerOf(self.address)
        return views.offer(fn, self.client.call(fn))

    def council_members(self) -> list[str]:
        """The oracle council's current members (`OracleCouncil.members()`)."""
        return [str(m) for m in self.client.call(self.client["OracleCouncil"].functions.members())]

    def price_in(self, token: str) -> int:
        """This provider's registered price in `token` (0: none)."""
        registry = self.client["ProviderRegistry"]
        return int(self.client.call(registry.functions.priceOf(self.address, token)))

    def is_eligible(self, job_id: int) -> bool:
        """Whether this provider may bid on (or accept) the job now: no reason against it."""
        fn = self.market.functions.eligibilityOf(job_id, self.address)
        return Ineligibility(int(self.client.call(fn))) == Ineligibility.NONE

    def result_deadline(self, job_id: int) -> int:
        return int(self.client.call(self.market.functions.resultDeadlineOf(job_id)))

    def challenge_of_job(self, job_id: int) -> int:
        """The job's benchmark challenge; 0 when none was opened."""
        return int(self.client.call(self.market.functions.challengeOfJob(job_id)))

    def now(self) -> int:
        """The latest block's timestamp: the clock every deadline is checked against."""
        block = self.client.rpc("eth_getBlock", lambda: self.client.w3.eth.get_block("latest"))
        return int(block["timestamp"])
