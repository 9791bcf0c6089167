"""Only the job's provider itself submits its result: a contract that the provider calls (here a
token whose transfer hook calls the market) is not the provider, so its submission reverts with
JobMarketNotProvider and the job stays running. (Kills the mutant `msg.sender != job.provider`
-> `tx.origin != job.provider` in `submitResult`; see MUTATION.md.)"""

import pytest
from eth_abi import encode
from eth_utils import keccak
from jobmarket_helpers import RESULT_HASH, RESULT_URI

from gpumarket.chain.types import JobState
from gpumarket.testing.values import event

pytestmark = pytest.mark.usefixtures("registered_provider")

NOT_PROVIDER = keccak(text="JobMarketNotProvider(uint256,address)")[:4]


def test_a_submission_relayed_by_a_contract_the_provider_calls_reverts(
    market, reentrant_token, running_job, registered_provider
):
    hook = reentrant_token
    job_id = running_job(registered_provider)
    payload = market.submitResult.encode_input(job_id, RESULT_HASH, RESULT_URI)
    hook.arm(market, payload, {"from": registered_provider})

    tx = hook.transfer(registered_provider, 0, {"from": registered_provider})

    attempt = event(tx, "ReentryAttempted")
    assert attempt["success"] is False
    args = encode(["uint256", "address"], [job_id, hook.address])
    assert attempt["returnData"] == NOT_PROVIDER + args
    assert market.jobOf(job_id)["state"] == JobState.RUNNING
