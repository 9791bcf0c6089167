"""score = (credited + 1) × 10000 / (credited + 3 × failed + 2), rounded down, where credited counts
the settled jobs worth at least their token's `minCreditedValue` (here every job in `token_a`)."""

import pytest

CASES = [
    (0, 0, 5_000),
    (1, 0, 6_666),
    (0, 1, 2_000),
    (3, 1, 5_000),
    (2, 2, 3_000),
    (9, 0, 9_090),
    (9, 1, 7_142),
]


@pytest.mark.parametrize(
    "completed, failed, expected", CASES, ids=[f"c{c}-f{f}" for c, f, _ in CASES]
)
def test_score_is_the_bayesian_success_rate(
    reputation, writer, provider, token_a, completed, failed, expected
):
    for _ in range(completed):
        reputation.recordSuccess(provider, token_a, 1, {"from": writer})
    for _ in range(failed):
        reputation.recordFailure(provider, {"from": writer})

    score = reputation.score(provider)

    assert score == expected == (completed + 1) * 10_000 // (completed + 3 * failed + 2)


def test_new_provider_scores_five_thousand(reputation, stranger):
    assert reputation.score(stranger) == 5_000


def test_disputes_lost_do_not_change_the_score(reputation, writer, provider):
    reputation.recordProviderDisputeLost(provider, {"from": writer})

    assert reputation.score(provider) == 5_000


@pytest.mark.parametrize(
    "completed, failed, expected", CASES, ids=[f"c{c}-f{f}" for c, f, _ in CASES]
)
def test_standing_is_the_score_and_the_verified_tops_in_one_call(
    reputation, writer, provider, token_a, completed, failed, expected
):
    for _ in range(completed):
        reputation.recordSuccess(provider, token_a, 1, {"from": writer})
    for _ in range(failed):
        reputation.recordFailure(provider, {"from": writer})
    reputation.recordVerifiedTops(provider, 1_234, {"from": writer})

    score, tops = reputation.standing(provider)

    assert (score, tops) == (expected, 1_234)
    assert (score, tops) == (reputation.score(provider), reputation.verifiedTops(provider))


def test_standing_of_a_new_provider(reputation, stranger):
    assert tuple(reputation.standing(stranger)) == (5_000, 0)
