def test_record_slash_counts_a_slash(reputation, writer, provider):
    reputation.recordSlash(provider, {"from": writer})

    assert reputation.providerRecord(provider)["slashed"] == 1


def test_record_slash_emits_provider_slashed(reputation, writer, provider):
    tx = reputation.recordSlash(provider, {"from": writer})

    assert dict(tx.events["ProviderSlashed"]) == {"provider": provider.address}


def test_record_slash_does_not_change_the_score(reputation, writer, provider):
    reputation.recordSlash(provider, {"from": writer})

    assert reputation.score(provider) == 5_000
