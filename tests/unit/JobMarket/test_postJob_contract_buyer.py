"""A buyer may be a contract (a multisig, a DAO): the market takes the deposit from the account
that posts the job, never from the transaction's origin, even when the origin has approved the
market too. Here the buyer is a token contract whose transfer hook makes one call per transfer,
driven by `buyer`. (Kills the mutant `_pullIn(jobId, token, msg.sender, deposit)` ->
`_pullIn(jobId, token, tx.origin, deposit)` in `_postJob`; see MUTATION.md.)"""

from jobmarket_helpers import MAX_PRICE, market_event

from gpumarket.chain.types import JobSpec
from gpumarket.testing.values import event, plain

ZERO_ADDRESS = "0x0000000000000000000000000000000000000000"


def relay(hook, driver, call, *args):
    """`hook` makes `call(*args)` once, in a transfer sent by `driver`; asserts it worked."""
    hook.arm(call._address, call.encode_input(*args), {"from": driver})
    tx = hook.transfer(driver, 0, {"from": driver})
    assert event(tx, "ReentryAttempted")["success"] is True
    return tx


def test_a_contract_buyer_pays_the_deposit_itself(market, gmkt, fund, reentrant_token, buyer):
    hook = reentrant_token
    spec = JobSpec()
    deposit = market.costOf(MAX_PRICE, spec.gpu_count, spec.duration)
    fund(hook, gmkt, deposit)
    relay(hook, buyer, gmkt.approve, market, deposit)
    fund(buyer, gmkt, deposit)
    gmkt.approve(market, deposit, {"from": buyer})

    tx = relay(hook, buyer, market.postJob, spec.as_tuple(), gmkt, MAX_PRICE, 3600, ZERO_ADDRESS)

    job_id = market.jobCount()
    assert plain(dict(market_event(tx, "EscrowDeposited", market))) == {
        "jobId": job_id,
        "from": hook.address,
        "token": gmkt.address,
        "amount": deposit,
    }
    assert market.jobOf(job_id)["buyer"] == hook.address
    assert gmkt.balanceOf(hook) == 0
    assert gmkt.balanceOf(buyer) == deposit
