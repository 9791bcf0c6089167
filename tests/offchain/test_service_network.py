"""`oracle run --network` and `agent run --network`: the deployment file and the RPC URL come
from the network's name, unless an option or the service's environment gives them."""

from pathlib import Path

from gpumarket.cli.options import service_network_defaults

CONFIG = (
    "live:\n- name: L2\n  networks:\n"
    "  - id: base-gm\n    host: https://rpc.example\n    chainid: 8453\n"
)


def test_a_network_gives_its_deployment_and_rpc_url(tmp_path, monkeypatch):
    (tmp_path / ".brownie").mkdir()
    (tmp_path / ".brownie" / "network-config.yaml").write_text(CONFIG)
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("GPUMARKET_ORACLE_RPC_URL", raising=False)
    monkeypatch.delenv("GPUMARKET_ORACLE_DEPLOYMENT", raising=False)

    values = service_network_defaults("base-gm", "GPUMARKET_ORACLE_", {"network": "base-gm"})

    assert values == {
        "deployment": tmp_path / "deployments" / "base-gm.json",
        "rpc_url": "https://rpc.example",
    }


def test_options_and_environment_win_over_the_network(tmp_path, monkeypatch):
    (tmp_path / ".brownie").mkdir()
    (tmp_path / ".brownie" / "network-config.yaml").write_text(CONFIG)
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("GPUMARKET_AGENT_RPC_URL", "http://other")
    given = {"network": "base-gm", "deployment": Path("mine.json")}

    values = service_network_defaults("base-gm", "GPUMARKET_AGENT_", given)

    assert values == {"deployment": Path("mine.json")}  # the URL comes from the environment


def test_without_a_network_nothing_is_added():
    assert service_network_defaults(None, "GPUMARKET_AGENT_", {"port": 1}) == {"port": 1}
