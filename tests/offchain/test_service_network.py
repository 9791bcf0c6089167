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
    monkeypatch.delenv("GPUMARKET_DEPLOYMENTS_DIR", raising=False)
    monkeypatch.delenv("XDG_DATA_HOME", raising=False)

    values = service_network_defaults("base-gm", "GPUMARKET_ORACLE_", {"network": "base-gm"})

    # No checkout here: the deployments directory is the user's data directory's.
    assert values == {
        "deployment": tmp_path / ".local" / "share" / "gpumarket" / "deployments" / "base-gm.json",
        "rpc_url": "https://rpc.example",
    }

    # A working directory with a deployments directory (a checkout, a project) uses its own; the
    # setting wins over both.
    (tmp_path / "deployments").mkdir()
    values = service_network_defaults("base-gm", "GPUMARKET_ORACLE_", {"network": "base-gm"})
    assert values["deployment"] == tmp_path / "deployments" / "base-gm.json"
    monkeypatch.setenv("GPUMARKET_DEPLOYMENTS_DIR", str(tmp_path / "elsewhere"))
    values = service_network_defaults("base-gm", "GPUMARKET_ORACLE_", {"network": "base-gm"})
    assert values["deployment"] == tmp_path / "elsewhere" / "base-gm.json"


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
