from .helpers import COLLATERAL, GMKT, JAIL_PERIOD, STAKE, plain


def test_provider_info_of_an_unknown_account_is_empty(registry, stranger):
    assert plain(registry.providerInfo(stranger)) == (0, 0, 0, 0, 0, 0, False)


def test_provider_info_reports_stake_lock_unbonding_jail_jobs_gpus_and_registration(
    registry, register_provider, lock, slasher, beneficiary, provider
):
    register_provider(provider)
    lock(provider, amount=COLLATERAL, gpus=3)
    registry.requestUnstake(500 * GMKT, {"from": provider})

    tx = registry.slash(provider, GMKT, beneficiary, 0, {"from": slasher})

    assert plain(registry.providerInfo(provider)) == (
        STAKE - 500 * GMKT - GMKT,
        COLLATERAL,
        500 * GMKT,
        tx.timestamp + JAIL_PERIOD,
        1,
        3,
        True,
    )
