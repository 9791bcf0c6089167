"""MarketToken: a fixed-supply ERC-20 with EIP-2612 permits, signed here with eth-account."""

import brownie
import pytest
from brownie import MarketToken, accounts, chain
from eth_account import Account

from gpumarket.chain.deploy import TOKEN_SUPPLY
from gpumarket.chain.permit import permit_message, sign_permit

HOUR = 3600
VALUE = 250 * 10**18


@pytest.fixture(scope="module")
def token(governance):
    """A MarketToken deployed alone, its whole supply held by `governance`."""
    return MarketToken.deploy(governance, TOKEN_SUPPLY, {"from": governance})


@pytest.fixture(scope="module")
def owner():
    """A local account, so that its private key can sign permits. It sends no transaction."""
    return accounts.add()


def _sign(token, key, owner, spender, value, deadline, nonce=None):
    """(v, r, s) of a permit from `owner` signed with `key`, at the owner's current nonce."""
    return sign_permit(token, key, owner.address, spender.address, value, deadline, nonce)


def _permit(token, owner, spender, value, deadline, signature, sender):
    return token.permit(owner, spender, value, deadline, *signature, {"from": sender})


def test_token_is_named_gpu_market_token(token):
    assert token.name() == "GPU Market Token"


def test_token_symbol_is_gmkt(token):
    assert token.symbol() == "GMKT"


def test_token_has_18_decimals(token):
    assert token.decimals() == 18


def test_whole_supply_is_minted_to_the_holder(token, governance):
    assert token.totalSupply() == TOKEN_SUPPLY
    assert token.balanceOf(governance) == TOKEN_SUPPLY


def test_token_has_no_mint_or_burn_function(token):
    names = {item.get("name") for item in token.abi if item["type"] == "function"}

    assert names.isdisjoint({"mint", "burn", "burnFrom"})


def test_transfers_leave_the_supply_fixed(token, governance, spender):
    token.transfer(spender, VALUE, {"from": governance})

    assert token.totalSupply() == TOKEN_SUPPLY


def test_permit_domain_is_the_token_name_version_one(token):
    domain = token.eip712Domain()

    assert (domain[1], domain[2], domain[3], domain[4]) == (
        "GPU Market Token",
        "1",
        chain.id,
        token.address,
    )


def test_permit_sets_the_allowance(token, owner, spender):
    deadline = chain.time() + HOUR
    signature = _sign(token, owner.private_key, owner, spender, VALUE, deadline)

    _permit(token, owner, spender, VALUE, deadline, signature, spender)

    assert token.allowance(owner, spender) == VALUE


def test_permit_increments_the_nonce(token, owner, spender):
    deadline = chain.time() + HOUR
    signature = _sign(token, owner.private_key, owner, spender, VALUE, deadline)

    _permit(token, owner, spender, VALUE, deadline, signature, spender)

    assert token.nonces(owner) == 1


def test_permit_emits_approval(token, owner, spender):
    deadline = chain.time() + HOUR
    signature = _sign(token, owner.private_key, owner, spender, VALUE, deadline)

    tx = _permit(token, owner, spender, VALUE, deadline, signature, spender)

    assert dict(tx.events["Approval"]) == {
        "owner": owner.address,
        "spender": spender.address,
        "value": VALUE,
    }


def test_permitted_spender_can_transfer_the_owners_tokens(token, governance, owner, spender):
    token.transfer(owner, VALUE, {"from": governance})
    deadline = chain.time() + HOUR
    _permit(
        token,
        owner,
        spender,
        VALUE,
        deadline,
        _sign(token, owner.private_key, owner, spender, VALUE, deadline),
        spender,
    )

    token.transferFrom(owner, spender, VALUE, {"from": spender})

    assert (token.balanceOf(owner), token.allowance(owner, spender)) == (0, 0)


def test_permit_after_its_deadline_reverts(token, owner, spender):
    deadline = chain[-1].timestamp - 1
    signature = _sign(token, owner.private_key, owner, spender, VALUE, deadline)

    with brownie.reverts(f"ERC2612ExpiredSignature: {deadline}"):
        _permit(token, owner, spender, VALUE, deadline, signature, spender)


def test_permit_signed_by_another_key_reverts(token, owner, spender):
    impostor = Account.create()
    deadline = chain.time() + HOUR
    signature = _sign(token, impostor.key, owner, spender, VALUE, deadline)

    with brownie.reverts(
        f"ERC2612InvalidSigner: {impostor.address.lower()}, {owner.address.lower()}"
    ):
        _permit(token, owner, spender, VALUE, deadline, signature, spender)


def test_replayed_permit_reverts(token, owner, spender):
    deadline = chain.time() + HOUR
    signature = _sign(token, owner.private_key, owner, spender, VALUE, deadline)
    _permit(token, owner, spender, VALUE, deadline, signature, spender)
    # The contract now checks the signature against nonce 1, so it recovers some other address.
    replayed = permit_message(token, owner.address, spender.address, VALUE, 1, deadline)
    recovered = Account.recover_message(replayed, vrs=signature)

    with brownie.reverts(f"ERC2612InvalidSigner: {recovered.lower()}, {owner.address.lower()}"):
        _permit(token, owner, spender, VALUE, deadline, signature, spender)
