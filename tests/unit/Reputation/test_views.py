"""Every record reads as zero for an account nobody wrote about."""

ZERO_ADDRESS = "0x0000000000000000000000000000000000000000"


def test_provider_record_of_an_unknown_account_is_zero(reputation, stranger):
    assert tuple(reputation.providerRecord(stranger)) == (0, 0, 0, 0, 0, 0, 0, 0)


def test_buyer_record_of_an_unknown_account_is_zero(reputation, stranger):
    assert tuple(reputation.buyerRecord(stranger)) == (0, 0, 0, 0, False)


def test_volume_of_an_unknown_provider_is_zero(reputation, stranger):
    assert reputation.volume(stranger, ZERO_ADDRESS) == 0


def test_unknown_buyer_is_not_blacklisted(reputation, stranger):
    assert reputation.isBlacklisted(stranger) is False


def test_verified_tops_of_an_unknown_provider_is_zero(reputation, stranger):
    assert reputation.verifiedTops(stranger) == 0
