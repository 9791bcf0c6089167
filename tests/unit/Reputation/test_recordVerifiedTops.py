def test_record_verified_tops_sets_last_best_and_time(reputation, writer, provider):
    tx = reputation.recordVerifiedTops(provider, 800, {"from": writer})

    record = reputation.providerRecord(provider)
    assert (record["lastVerifiedTops"], record["bestVerifiedTops"], record["topsVerifiedAt"]) == (
        800,
        800,
        tx.timestamp,
    )


def test_lower_measurement_updates_last_but_keeps_best(reputation, writer, provider):
    reputation.recordVerifiedTops(provider, 800, {"from": writer})

    reputation.recordVerifiedTops(provider, 500, {"from": writer})

    record = reputation.providerRecord(provider)
    assert (record["lastVerifiedTops"], record["bestVerifiedTops"]) == (500, 800)


def test_higher_measurement_raises_best(reputation, writer, provider):
    reputation.recordVerifiedTops(provider, 800, {"from": writer})

    reputation.recordVerifiedTops(provider, 900, {"from": writer})

    assert reputation.providerRecord(provider)["bestVerifiedTops"] == 900


def test_verified_tops_reads_the_last_measurement(reputation, writer, provider):
    reputation.recordVerifiedTops(provider, 800, {"from": writer})

    reputation.recordVerifiedTops(provider, 500, {"from": writer})

    assert reputation.verifiedTops(provider) == 500


def test_record_verified_tops_emits_tops_verified(reputation, writer, provider):
    tx = reputation.recordVerifiedTops(provider, 800, {"from": writer})

    assert dict(tx.events["TopsVerified"]) == {"provider": provider.address, "tops": 800}
