import pytest


@pytest.mark.parametrize(
    "price, gpus, duration, expected",
    [
        (3, 2, 5_400, 9),
        (10**18, 1, 3_600, 10**18),
        (10**6, 8, 86_400, 192 * 10**6),
        (0, 8, 3_600, 0),
    ],
)
def test_cost_of_is_price_times_gpu_hours(market, price, gpus, duration, expected):
    cost = market.costOf(price, gpus, duration)

    assert cost == expected


@pytest.mark.parametrize(
    "price, gpus, duration, expected",
    [(59, 1, 60, 0), (7, 1, 1_800, 3), (10**6 + 1, 3, 100, 83_333)],
)
def test_cost_of_rounds_down(market, price, gpus, duration, expected):
    cost = market.costOf(price, gpus, duration)

    assert cost == expected


def test_cost_of_the_largest_job_does_not_overflow(market):
    price = 10**40

    cost = market.costOf(price, 2**16 - 1, 2**32 - 1)

    assert cost == price * (2**16 - 1) * (2**32 - 1) // 3_600
