"""Shared fixtures: the real data beside the project, and small hand-made layers."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED_DATA = ROOT.parent / "shared" / "data"
MALI = ROOT / "layers" / "mali_2025"


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """The real layers in ../shared/data: skipped where absent, a failure when CI=true."""
    if not (SHARED_DATA / "PROVENANCE.md").is_file():
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"CI=true but the real data folder {SHARED_DATA} is missing")
        pytest.skip(f"the real data folder {SHARED_DATA} is absent (it lies beside the project root)")
    return SHARED_DATA
