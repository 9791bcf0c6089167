def test_record_failure_counts_a_failed_job(reputation, writer, provider):
    reputation.recordFailure(provider, {"from": writer})

    reputation.recordFailure(provider, {"from": writer})

    assert reputation.providerRecord(provider)["failed"] == 2


def test_record_failure_emits_job_failed(reputation, writer, provider):
    tx = reputation.recordFailure(provider, {"from": writer})

    assert dict(tx.events["JobFailed"]) == {"provider": provider.address}


def test_record_failure_leaves_completed_jobs(reputation, writer, provider):
    reputation.recordFailure(provider, {"from": writer})

    assert reputation.providerRecord(provider)["completed"] == 0
