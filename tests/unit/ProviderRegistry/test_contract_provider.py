"""A provider may be a contract (a multisig, a staking pool): the registry keys everything on the
account that calls it, not on the transaction's origin. Here the provider is a token contract whose
transfer hook makes one call per transfer, so an account drives it call by call; deregistering
must clear the prices the contract set, not those of the account behind it. (Kills the mutant
`_pricedTokens[msg.sender]` -> `_pricedTokens[tx.origin]` in `_setOffer`; see MUTATION.md.)"""

from .helpers import OFFER, OTHER_TOKEN, PRICE, STAKE, event


def relay(hook, driver, target, call, *args):
    """`hook` calls `target.call(*args)` once, in a transfer sent by `driver`; asserts it worked."""
    hook.arm(target, call.encode_input(*args), {"from": driver})
    tx = hook.transfer(driver, 0, {"from": driver})
    assert event(tx, "ReentryAttempted")["success"] is True
    return tx


def test_deregistering_a_contract_provider_clears_the_prices_it_set(
    registry, gmkt, fund, reentrant_token, provider
):
    hook = reentrant_token
    fund(hook, gmkt, STAKE)
    relay(hook, provider, gmkt, gmkt.approve, registry, STAKE)
    relay(hook, provider, registry, registry.stake, STAKE)
    relay(
        hook,
        provider,
        registry,
        registry.register,
        OFFER.as_tuple(),
        [gmkt, OTHER_TOKEN],
        [PRICE, 2 * PRICE],
    )
    assert registry.priceOf(hook, gmkt) == PRICE
    assert registry.priceOf(hook, OTHER_TOKEN) == 2 * PRICE

    relay(hook, provider, registry, registry.deregister)

    assert registry.providerInfo(hook)["registered"] is False
    assert registry.priceOf(hook, gmkt) == 0
    assert registry.priceOf(hook, OTHER_TOKEN) == 0
