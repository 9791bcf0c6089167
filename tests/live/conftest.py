"""The live path runs against its own anvil, never Brownie's test chain."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def isolation():
    """Replaces the root conftest's `fn_isolation`: these tests neither read nor change the chain
    Brownie started for the session, so there is nothing of it to snapshot or revert."""
