"""Under --json a failure is JSON too: `{"error": sentence, "code": kind}` on stdout, the same
sentence as without --json, a nonzero exit, nothing on stderr, and nothing sent. The code is a
contract's custom error name where one applies, else the kind of failure (cli/errors.py)."""

from __future__ import annotations

import json

import pytest

from gpumarket.chain.types import HOUR, JobSpec

from .conftest import GMKT, dev

POST = ("buyer", "post", "--gpus", "2", "--duration", "2h", "--max-price", "3")


def json_refused(result, message, code, exit_code=1):
    assert result.exit_code == exit_code, result.output
    assert result.stderr == ""
    assert json.loads(result.stdout) == {"error": message, "code": code}


@pytest.mark.parametrize(
    "args, message, code",
    [
        pytest.param(
            [*POST, "--max-price", "three"], "max price 'three' is not a number", "bad_input",
            id="bad-input",
        ),
        pytest.param(
            ["token", "transfer", "GMKT", "dev5", "1"],
            "{me} holds 0 GMKT; the transfer needs 1 GMKT",
            "insufficient_balance",
            id="balance",
        ),
        pytest.param(
            ["buyer", "cancel", "99"], "there is no job 99", "JobMarketUnknownJob", id="no-job"
        ),
        pytest.param(
            ["admin", "pause"],
            "{me} lacks PAUSER_ROLE on JobMarket; only a pauser may pause it",
            "missing_role",
            id="role",
        ),
    ],
)  # fmt: skip
def test_a_refusal_under_json_is_one_json_object(cli, unchanged, stranger, args, message, code):
    with unchanged(stranger):
        result = cli(*args, "--account", dev(stranger), "--json")

    json_refused(result, message.format(me=stranger.address), code)


def test_a_custom_error_keeps_its_name_as_the_code(
    cli, unchanged, buyer, provider, listed, post_job, gmkt, market
):
    listed(provider)
    job_id = post_job(buyer, gmkt, 3 * GMKT, JobSpec(gpu_count=2, duration=2 * HOUR))
    market.bid(job_id, 2 * GMKT, {"from": provider})
    market.acceptBid(job_id, provider, {"from": buyer})

    with unchanged(buyer):
        result = cli("buyer", "cancel", job_id, "--account", dev(buyer), "--json")

    json_refused(result, f"job {job_id} is RUNNING; this needs OPEN", "JobMarketWrongState")


def test_an_account_error_under_json_is_json(cli, unchanged, governance):
    with unchanged(governance):
        result = cli("provider", "stake", "1", "--account", "dev20", "--json")

    json_refused(result, "dev accounts are dev0 to dev19; dev20 is not one", "account")


def test_a_usage_error_under_json_is_json_with_exit_code_2(cli):
    result = cli("buyer", "post", "--max-pryce", "3", "--json")

    json_refused(
        result, "No such option '--max-pryce'. Did you mean '--max-price'?", "usage", exit_code=2
    )


def test_an_unreachable_node_under_json_is_json(cli, stranger):
    result = cli("provider", "status", "--address", stranger.address, "--rpc-url",
                 "http://127.0.0.1:9", "--json")  # fmt: skip

    assert result.exit_code == 1
    error = json.loads(result.stdout)
    assert error["code"] == "rpc_unavailable"
    assert error["error"].startswith("cannot reach the RPC endpoint http://127.0.0.1:9; ")


def test_a_dev_command_on_a_live_chain_under_json_is_json(cli, live_node):
    url, methods = live_node

    result = cli("dev", "time-travel", "1h", "--rpc-url", url, "--json")

    assert json.loads(result.stdout)["code"] == "not_a_dev_chain"
    assert methods == ["eth_chainId"]
