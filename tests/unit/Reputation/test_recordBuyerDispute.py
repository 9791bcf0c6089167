import pytest

MAX_STRIKES = 3


@pytest.fixture(scope="module")
def struck(reputation, writer, buyer):
    """`buyer` with MAX_STRIKES - 1 lost disputes."""
    for _ in range(MAX_STRIKES - 1):
        reputation.recordBuyerDispute(buyer, False, MAX_STRIKES, {"from": writer})
    return buyer


def test_won_dispute_counts_a_win_and_no_strike(reputation, writer, buyer2):
    reputation.recordBuyerDispute(buyer2, True, MAX_STRIKES, {"from": writer})

    record = reputation.buyerRecord(buyer2)
    assert (record["disputesWon"], record["disputesLost"], record["strikes"]) == (1, 0, 0)


def test_lost_dispute_counts_a_loss_and_a_strike(reputation, writer, buyer2):
    reputation.recordBuyerDispute(buyer2, False, MAX_STRIKES, {"from": writer})

    record = reputation.buyerRecord(buyer2)
    assert (record["disputesWon"], record["disputesLost"], record["strikes"]) == (0, 1, 1)


def test_record_buyer_dispute_emits_the_strikes(reputation, writer, struck):
    tx = reputation.recordBuyerDispute(struck, False, MAX_STRIKES, {"from": writer})

    assert dict(tx.events["BuyerDisputeSettled"]) == {
        "buyer": struck.address,
        "won": False,
        "strikes": MAX_STRIKES,
    }


def test_buyer_below_max_strikes_is_not_blacklisted(reputation, struck):
    assert reputation.isBlacklisted(struck) is False
    assert reputation.buyerRecord(struck)["strikes"] == MAX_STRIKES - 1


def test_strike_reaching_max_strikes_blacklists_the_buyer(reputation, writer, struck):
    tx = reputation.recordBuyerDispute(struck, False, MAX_STRIKES, {"from": writer})

    assert tx.return_value is True
    assert reputation.isBlacklisted(struck) is True
    assert reputation.buyerRecord(struck)["blacklisted"] is True


def test_blacklisting_emits_buyer_blacklisted(reputation, writer, struck):
    tx = reputation.recordBuyerDispute(struck, False, MAX_STRIKES, {"from": writer})

    assert dict(tx.events["BuyerBlacklisted"]) == {"buyer": struck.address}


def test_strike_below_max_strikes_returns_false(reputation, writer, buyer2):
    tx = reputation.recordBuyerDispute(buyer2, False, MAX_STRIKES, {"from": writer})

    assert tx.return_value is False
    assert "BuyerBlacklisted" not in tx.events


def test_won_dispute_does_not_blacklist_a_buyer_one_strike_short(reputation, writer, struck):
    tx = reputation.recordBuyerDispute(struck, True, MAX_STRIKES, {"from": writer})

    assert tx.return_value is False
    assert reputation.isBlacklisted(struck) is False


def test_blacklisted_buyer_is_blacklisted_once(reputation, writer, struck):
    reputation.recordBuyerDispute(struck, False, MAX_STRIKES, {"from": writer})

    tx = reputation.recordBuyerDispute(struck, False, MAX_STRIKES, {"from": writer})

    assert tx.return_value is True
    assert "BuyerBlacklisted" not in tx.events
    assert reputation.buyerRecord(struck)["strikes"] == MAX_STRIKES + 1


def test_lower_max_strikes_blacklists_at_the_next_dispute(reputation, writer, struck):
    tx = reputation.recordBuyerDispute(struck, True, MAX_STRIKES - 1, {"from": writer})

    assert tx.return_value is True
