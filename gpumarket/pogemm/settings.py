"""PoGEMM settings, read from the environment (prefix GPUMARKET_POGEMM_)."""

from __future__ import annotations

import os

from pydantic import Field

from gpumarket.pogemm.spec import DEFAULT_SAMPLES
from gpumarket.runtime.envsettings import BaseSettings, SettingsConfigDict


def _default_hash_workers() -> int:
    return max(1, min(8, os.cpu_count() or 1))


class PoGemmSettings(BaseSettings):
    """`GPUMARKET_POGEMM_BACKEND=numpy|torch-cpu|torch-cuda` forces a backend."""

    model_config = SettingsConfigDict(env_prefix="GPUMARKET_POGEMM_")

    backend: str | None = None
    hash_workers: int = Field(default_factory=_default_hash_workers, ge=1, le=256)
    # Rows hashed by one thread-pool task: large enough that task overhead is noise.
    hash_batch_rows: int = Field(default=256, ge=1)
    samples: int = Field(default=DEFAULT_SAMPLES, ge=1, le=4096)
