"""The verifier is a contract in production (the oracle council), called by whichever member casts
the deciding vote: the market checks the account that calls it, not the transaction's origin.
Here the verifier is a token contract whose transfer hook makes one call per transfer, driven by
`buyer`. (Kills the mutant `msg.sender != verifier` -> `tx.origin != verifier` in
`recordVerdict`; see MUTATION.md.)"""

import pytest

from gpumarket.chain.deploy import name32
from gpumarket.chain.types import JobState
from gpumarket.testing.values import event

pytestmark = pytest.mark.usefixtures("registered_provider")


def test_a_contract_verifier_records_a_verdict(
    market, governance, reentrant_token, submitted_job, registered_provider, buyer
):
    hook = reentrant_token
    job_id = submitted_job(registered_provider)
    market.setAddress(name32("verifier"), hook, {"from": governance})
    hook.arm(market, market.recordVerdict.encode_input(job_id, True), {"from": buyer})

    tx = hook.transfer(buyer, 0, {"from": buyer})

    assert event(tx, "ReentryAttempted")["success"] is True
    assert event(tx, "VerdictRecorded") == {"jobId": job_id, "ok": True}
    assert market.jobOf(job_id)["state"] == JobState.VERIFIED
