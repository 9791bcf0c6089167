def test_record_success_counts_a_completed_job(reputation, writer, provider, token_a):
    reputation.recordSuccess(provider, token_a, 100, {"from": writer})

    assert reputation.providerRecord(provider)["completed"] == 1


def test_record_success_adds_the_volume_in_the_token(reputation, writer, provider, token_a):
    reputation.recordSuccess(provider, token_a, 100, {"from": writer})

    reputation.recordSuccess(provider, token_a, 250, {"from": writer})

    assert reputation.volume(provider, token_a) == 350
    assert reputation.providerRecord(provider)["completed"] == 2


def test_record_success_keeps_volume_per_token(reputation, writer, provider, token_a, token_b):
    reputation.recordSuccess(provider, token_a, 100, {"from": writer})

    reputation.recordSuccess(provider, token_b, 7, {"from": writer})

    assert (reputation.volume(provider, token_a), reputation.volume(provider, token_b)) == (100, 7)


def test_record_success_emits_job_completed(reputation, writer, provider, token_a):
    tx = reputation.recordSuccess(provider, token_a, 100, {"from": writer})

    assert dict(tx.events["JobCompleted"]) == {
        "provider": provider.address,
        "token": token_a,
        "volume": 100,
        "credited": True,
    }


def test_record_success_leaves_other_counters(reputation, writer, provider, token_a):
    reputation.recordSuccess(provider, token_a, 100, {"from": writer})

    record = reputation.providerRecord(provider)
    assert (record["failed"], record["slashed"], record["disputesLost"]) == (0, 0, 0)
