"""`gpumarket buyer post --dry-run`: the deposit, the collateral a provider must lock, the dispute
bond and the gas, from a simulation of the exact transactions the post would send (`eth_simulateV1`
then the market's `collateralOf` and `disputeBondOf` of the job it would create); nothing is
sent."""

from __future__ import annotations

from .conftest import GMKT, USDC, dev

POST = ("buyer", "post", "--gpus", "2", "--duration", "2h", "--max-price", "3", "--bidding", "5m")
BENCHMARK = ("--benchmark", "64,8,2")


def test_dry_run_quotes_what_the_post_then_locks_and_sends_nothing(
    cli_json, unchanged, buyer, funded, market
):
    funded(buyer, gmkt_amount=20 * GMKT)

    with unchanged(buyer):
        quote = cli_json(*POST, *BENCHMARK, "--dry-run", "--account", dev(buyer))
    job_id = cli_json(*POST, *BENCHMARK, "--account", dev(buyer))["job_id"]

    assert (quote["dry_run"], quote["approval"], quote["transactions"]) == (True, "permit", [])
    assert quote["deposit"] == "12"
    assert quote["collateral"] == str(market.collateralOf(job_id) / GMKT).removesuffix(".0")
    assert quote["dispute_bond"] == str(market.disputeBondOf(job_id) // GMKT)
    assert [s["step"] for s in quote["steps"]] == ["post a job escrowing 12 GMKT"]
    assert quote["gas"] == quote["steps"][0]["gas"] > 100_000
    assert float(quote["gas_cost_eth"]) > 0


def test_dry_run_of_a_token_without_permit_quotes_the_approve_step_too(
    cli_json, unchanged, buyer, funded, usdc, market
):
    funded(buyer, usdc_amount=20 * USDC)

    with unchanged(buyer):
        quote = cli_json(*POST, "--token", "USDC", "--dry-run", "--account", dev(buyer))

    assert quote["approval"] == "approve"
    assert [s["step"] for s in quote["steps"]] == [
        "approve 12 USDC for JobMarket",
        "post a job escrowing 12 USDC",
    ]
    assert all(s["gas"] > 20_000 for s in quote["steps"])
    assert quote["dispute_bond"] == "10"
    assert usdc.allowance(buyer, market) == 0


def test_dry_run_for_people_says_nothing_was_sent(cli, unchanged, buyer, funded):
    funded(buyer, gmkt_amount=20 * GMKT)

    with unchanged(buyer):
        result = cli(*POST, "--dry-run", "--account", dev(buyer))

    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == "dry run, nothing sent: the deposit is 12 GMKT (permit)"
    assert lines[1] == "a provider locks 40 GMKT of collateral; a dispute would post 10 GMKT"
