import brownie
import pytest
from brownie import accounts, chain
from jobmarket_helpers import MAX_PRICE, ZERO_ADDRESS, err

from gpumarket.chain.permit import sign_permit
from gpumarket.chain.types import HOUR, JobSpec, JobState

SPEC = JobSpec()
DEPOSIT = MAX_PRICE  # 1 GPU for 1 hour


@pytest.fixture(scope="module")
def signer(governance, gmkt):
    """A local account (so its key can sign a permit) holding the deposit and some gas money."""
    account = accounts.add()
    governance.transfer(account, "1 ether")
    gmkt.transfer(account, DEPOSIT, {"from": governance})
    return account


def _sign_permit(token, owner, spender, value, deadline):
    return sign_permit(token, owner.private_key, owner.address, spender.address, value, deadline)


def _post_with_permit(market, sender, token, permit, deadline):
    v, r, s = permit
    return market.postJobWithPermit(
        SPEC.as_tuple(), token, MAX_PRICE, HOUR, ZERO_ADDRESS, deadline, v, r, s, {"from": sender}
    )


def test_post_job_with_permit_escrows_the_deposit_without_an_approval(market, gmkt, signer):
    deadline = chain.time() + HOUR
    permit = _sign_permit(gmkt, signer, market, DEPOSIT, deadline)

    tx = _post_with_permit(market, signer, gmkt, permit, deadline)

    assert tx.events["EscrowDeposited"]["amount"] == DEPOSIT
    assert gmkt.balanceOf(signer) == 0
    assert gmkt.balanceOf(market) == DEPOSIT
    assert market.jobOf(tx.return_value)["state"] == JobState.OPEN


def test_post_job_with_permit_uses_up_the_permitted_allowance(market, gmkt, signer):
    deadline = chain.time() + HOUR
    permit = _sign_permit(gmkt, signer, market, DEPOSIT, deadline)

    _post_with_permit(market, signer, gmkt, permit, deadline)

    assert gmkt.allowance(signer, market) == 0
    assert gmkt.nonces(signer) == 1


def test_post_job_with_a_front_run_permit_still_posts(market, gmkt, signer, stranger):
    deadline = chain.time() + HOUR
    permit = _sign_permit(gmkt, signer, market, DEPOSIT, deadline)
    gmkt.permit(signer, market, DEPOSIT, deadline, *permit, {"from": stranger})

    tx = _post_with_permit(market, signer, gmkt, permit, deadline)

    assert tx.events["JobPosted"]["deposit"] == DEPOSIT
    assert gmkt.balanceOf(market) == DEPOSIT


def test_post_job_with_an_invalid_permit_uses_an_existing_allowance(market, gmkt, signer):
    gmkt.approve(market, DEPOSIT, {"from": signer})
    deadline = chain.time() + HOUR
    v, r, s = _sign_permit(gmkt, signer, market, DEPOSIT, deadline)

    tx = _post_with_permit(market, signer, gmkt, (v, s, r), deadline)

    assert tx.events["EscrowDeposited"]["amount"] == DEPOSIT
    assert gmkt.nonces(signer) == 0


def test_post_job_with_permit_on_a_token_without_permit_uses_the_allowance(
    market, usdc, buyer, fund
):
    fund(buyer, usdc, 2 * 10**6)
    usdc.approve(market, 2 * 10**6, {"from": buyer})

    tx = market.postJobWithPermit(
        SPEC.as_tuple(),
        usdc,
        2 * 10**6,
        HOUR,
        ZERO_ADDRESS,
        0,
        27,
        b"\0" * 32,
        b"\0" * 32,
        {"from": buyer},
    )

    assert tx.events["EscrowDeposited"]["amount"] == 2 * 10**6


def test_post_job_with_an_invalid_permit_and_no_allowance_reverts(market, gmkt, signer):
    deadline = chain.time() + HOUR
    v, r, s = _sign_permit(gmkt, signer, market, DEPOSIT, deadline)

    with brownie.reverts(err("ERC20InsufficientAllowance", market, 0, DEPOSIT)):
        _post_with_permit(market, signer, gmkt, (v, s, r), deadline)


def test_post_job_with_permit_checks_the_spec(market, gmkt, signer):
    deadline = chain.time() + HOUR
    v, r, s = _sign_permit(gmkt, signer, market, 0, deadline)

    with brownie.reverts(err("JobMarketInvalidSpec")):
        market.postJobWithPermit(
            JobSpec(gpu_count=0).as_tuple(),
            gmkt,
            MAX_PRICE,
            HOUR,
            ZERO_ADDRESS,
            deadline,
            v,
            r,
            s,
            {"from": signer},
        )


def test_post_job_with_permit_in_a_token_off_the_allowlist_reverts(
    market, governance, usdc, signer
):
    market.configureToken(usdc, False, 0, {"from": governance})

    with brownie.reverts(err("JobMarketTokenNotAllowed", usdc)):
        _post_with_permit(market, signer, usdc, (27, b"\0" * 32, b"\0" * 32), 0)


def test_post_job_with_permit_in_a_token_without_code_reverts_as_not_allowed(
    market, signer, stranger
):
    # The allowlist must be checked before the permit call: try/catch does not catch the revert
    # of a call to an address without code.
    with brownie.reverts(err("JobMarketTokenNotAllowed", stranger)):
        _post_with_permit(market, signer, stranger, (27, b"\0" * 32, b"\0" * 32), 0)


def test_post_job_with_permit_while_paused_reverts(market, governance, gmkt, signer):
    market.pause({"from": governance})
    deadline = chain.time() + HOUR
    permit = _sign_permit(gmkt, signer, market, DEPOSIT, deadline)

    with brownie.reverts(err("EnforcedPause")):
        _post_with_permit(market, signer, gmkt, permit, deadline)


def test_post_job_with_permit_by_a_blacklisted_buyer_reverts(
    market, reputation, reputation_writer, gmkt, signer
):
    reputation.recordBuyerDispute(signer, False, 1, {"from": reputation_writer})
    deadline = chain.time() + HOUR
    permit = _sign_permit(gmkt, signer, market, DEPOSIT, deadline)

    with brownie.reverts(err("JobMarketBuyerBlacklisted", signer)):
        _post_with_permit(market, signer, gmkt, permit, deadline)
