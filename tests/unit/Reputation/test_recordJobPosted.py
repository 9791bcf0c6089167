def test_record_job_posted_counts_the_buyers_jobs(reputation, writer, buyer):
    reputation.recordJobPosted(buyer, {"from": writer})

    reputation.recordJobPosted(buyer, {"from": writer})

    assert reputation.buyerRecord(buyer)["jobsPosted"] == 2


def test_record_job_posted_emits_buyer_job_posted(reputation, writer, buyer):
    tx = reputation.recordJobPosted(buyer, {"from": writer})

    assert dict(tx.events["BuyerJobPosted"]) == {"buyer": buyer.address}
