"""The committed gas baseline (`benchmarks/gas-baseline.json`), and measured gas compared with it.

The baseline maps each operation to its gas, one key per line in sorted order, so a change to it
reads as a one-line diff per operation.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from gpumarket.runtime.envsettings import BaseSettings, SettingsConfigDict

#: Where the baseline lives, relative to the repository root.
BASELINE_PATH = Path("benchmarks/gas-baseline.json")
#: Where `scripts/bench_gas.py` writes the measured figures, relative to the repository root.
REPORT_PATH = Path("reports/gas.json")
#: Growth over the baseline that counts as a regression, and shrinkage worth mentioning.
TOLERANCE = 0.05


class BenchSettings(BaseSettings):
    """`GPUMARKET_BENCH_UPDATE_BASELINE=1` makes `scripts/bench_gas.py` rewrite the baseline."""

    model_config = SettingsConfigDict(env_prefix="GPUMARKET_BENCH_")

    update_baseline: bool = False


@dataclass(frozen=True)
class Comparison:
    """One operation: its measured gas and its baseline (None where either is missing)."""

    operation: str
    gas: int | None
    baseline: int | None

    @property
    def delta(self) -> float | None:
        """Relative change from the baseline (0.05 is 5% more gas)."""
        if self.gas is None or self.baseline is None or self.baseline == 0:
            return None
        return (self.gas - self.baseline) / self.baseline

    @property
    def regressed(self) -> bool:
        """More than `TOLERANCE` above the baseline."""
        return (
            self.gas is not None
            and self.baseline is not None
            and (self.gas > self.baseline * (1 + TOLERANCE))
        )

    @property
    def improved(self) -> bool:
        """More than `TOLERANCE` below the baseline."""
        return (
            self.gas is not None
            and self.baseline is not None
            and (self.gas < self.baseline * (1 - TOLERANCE))
        )


def load_baseline(path: Path) -> dict[str, int]:
    """The baseline at `path`: operation → gas. Raises ValueError on anything else."""
    data = json.loads(path.read_text())
    if not isinstance(data, dict) or not all(
        isinstance(k, str) and isinstance(v, int) and not isinstance(v, bool)
        for k, v in data.items()
    ):
        raise ValueError(f"{path}: expected a JSON object of operation names to integer gas")
    return data


def dump_gas(gas: dict[str, int]) -> str:
    """`gas` as the baseline file's text: sorted keys, one per line."""
    return json.dumps(dict(sorted(gas.items())), indent=2) + "\n"


def compare(gas: dict[str, int], baseline: dict[str, int]) -> list[Comparison]:
    """Every operation measured or in the baseline, sorted by name."""
    return [
        Comparison(name, gas.get(name), baseline.get(name))
        for name in sorted(set(gas) | set(baseline))
    ]


def format_delta(delta: float | None) -> str:
    return "-" if delta is None else f"{delta:+.2%}"
