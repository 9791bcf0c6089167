"""What the provider agent reads on-chain, as typed views (`gpumarket.chain.views`).

Every read is at the latest block: the agent acts on the chain as it is now, and checks it again
before each action (the scanner's confirmations only delay what it learns from logs).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from web3.types import RPCEndpoint, TxReceipt

from gpumarket.chain import views
from gpumarket.chain.client import ChainClient, ChainError
from gpumarket.chain.types import Ineligibility, JobSpec, Offer

#: Sends a contract function call as a transaction and returns its receipt: `Agent._send`.
Send = Callable[[Any], TxReceipt]

#: Blocks over which `block_seconds` measures the chain's block time.
BLOCK_TIME_SPAN = 64
#: The block time taken on a chain too young to measure one.
DEFAULT_BLOCK_SECONDS = 12.0


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

    def challenge_seed(self, challenge_id: int) -> bytes | None:
        """`challengeSeed`: the challenge seed, or None once it has expired unstored. Raises
        ChainError before it is ready (block openBlock + 2)."""
        try:
            return bytes(self.client.call(self.benchmark.functions.challengeSeed(challenge_id)))
        except ChainError as exc:
            if exc.error is not None and exc.error[0] == "BenchmarkRegistryChallengeSeedExpired":
                return None
            raise

    def head(self) -> int:
        return self.client.head()

    @property
    def dev_chain(self) -> bool:
        """A local chain (chain id 1337 or 31337), which may mine only on transactions."""
        return self.client.deployment.dev_chain

    def mine(self, blocks: int) -> None:
        """Mine `blocks` empty blocks (`evm_mine`; dev chains only)."""
        if not self.dev_chain:
            raise ChainError("mining is for dev chains only")
        method = RPCEndpoint("evm_mine")
        for _ in range(blocks):
            self.client.rpc("evm_mine", lambda: self.client.w3.provider.make_request(method, []))

    def block_seconds(self) -> float:
        """The chain's mean block time over the last BLOCK_TIME_SPAN blocks (a dev chain that
        mines on transactions reads long, which is right: its blocks come as slowly)."""
        head = self.head()
        span = min(BLOCK_TIME_SPAN, head)
        if span == 0:
            return DEFAULT_BLOCK_SECONDS
        times = [self._timestamp(b) for b in (head - span, head)]
        return max(times[1] - times[0], 1) / span

    def _timestamp(self, number: int) -> int:
        block = self.client.rpc("eth_getBlock", lambda: self.client.w3.eth.get_block(number))
        return int(block["timestamp"])

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
