"""`deployments/<network>.json`: a saved deployment loads back the same, and every broken file is a
`DeploymentError` that says what is wrong."""

from __future__ import annotations

import json

import pytest

from gpumarket.chain.deployment import Deployment, DeploymentError, deployment_path

ADDRESSES = {
    "MarketToken": "0x0000000000000000000000000000000000000001",
    "JobMarket": "0x0000000000000000000000000000000000000002",
    "OracleCouncil": "0x0000000000000000000000000000000000000003",
}


@pytest.fixture
def deployment() -> Deployment:
    return Deployment(network="development", chain_id=1337, deploy_block=12, addresses=ADDRESSES)


def test_save_then_load_gives_the_same_deployment(tmp_path, deployment):
    path = tmp_path / "deployments" / "development.json"

    deployment.save(path)

    assert Deployment.load(path) == deployment
    assert json.loads(path.read_text()) == {
        "network": "development",
        "chainId": 1337,
        "deployBlock": 12,
        "contracts": ADDRESSES,
    }
    assert sorted(p.name for p in path.parent.iterdir()) == ["development.json"]


def test_save_replaces_an_earlier_file(tmp_path, deployment):
    path = tmp_path / "development.json"
    deployment.save(path)
    redeployed = Deployment("development", 1337, 40, {"JobMarket": ADDRESSES["OracleCouncil"]})

    redeployed.save(path)

    assert Deployment.load(path) == redeployed


def test_address_of_a_deployed_contract(deployment):
    assert deployment.address("OracleCouncil") == "0x0000000000000000000000000000000000000003"


def test_address_of_a_missing_contract_says_which(deployment):
    with pytest.raises(DeploymentError) as raised:
        deployment.address("BenchmarkRegistry")

    assert str(raised.value) == (
        "the development deployment has no BenchmarkRegistry; redeploy or fix the file"
    )


def test_a_missing_file_says_to_deploy_first(tmp_path):
    path = tmp_path / "deployments" / "sepolia.json"

    with pytest.raises(DeploymentError) as raised:
        Deployment.load(path)

    assert str(raised.value) == (
        f"no deployment file {path}: run `gpumarket deploy` for this network first"
    )


def test_a_file_that_is_not_json_names_the_file(tmp_path):
    path = tmp_path / "development.json"
    path.write_text('{"network": "development",')

    with pytest.raises(DeploymentError) as raised:
        Deployment.load(path)

    assert str(raised.value) == (
        f"{path} is not valid JSON: Expecting property name enclosed in double quotes: "
        "line 1 column 27 (char 26)"
    )


@pytest.mark.parametrize(
    ("record", "message"),
    [
        (
            {"network": "development", "deployBlock": 1, "contracts": {}},
            "malformed deployment record: 'chainId'",
        ),
        (
            {"network": "development", "chainId": "mainnet", "deployBlock": 1, "contracts": {}},
            "malformed deployment record: invalid literal for int() with base 10: 'mainnet'",
        ),
        (
            {"network": "development", "chainId": 1, "deployBlock": 1, "contracts": None},
            "malformed deployment record: 'NoneType' object is not iterable",
        ),
        (
            ["development", 1337],
            "malformed deployment record: list indices must be integers or slices, not str",
        ),
    ],
)
def test_a_json_file_without_the_expected_fields_is_malformed(tmp_path, record, message):
    path = tmp_path / "development.json"
    path.write_text(json.dumps(record))

    with pytest.raises(DeploymentError) as raised:
        Deployment.load(path)

    assert str(raised.value) == message


def test_deployment_error_is_a_value_error_so_the_cli_reports_it():
    assert issubclass(DeploymentError, ValueError)


def test_deployment_path_is_under_deployments(tmp_path):
    assert deployment_path("sepolia", tmp_path) == tmp_path / "deployments" / "sepolia.json"
