def test_record_provider_dispute_lost_counts_it(reputation, writer, provider):
    reputation.recordProviderDisputeLost(provider, {"from": writer})

    assert reputation.providerRecord(provider)["disputesLost"] == 1


def test_record_provider_dispute_lost_emits_provider_dispute_lost(reputation, writer, provider):
    tx = reputation.recordProviderDisputeLost(provider, {"from": writer})

    assert dict(tx.events["ProviderDisputeLost"]) == {"provider": provider.address}
