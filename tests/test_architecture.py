"""The import directions of docs/architecture.md hold: each import-linter contract of
pyproject.toml, run as `lint-imports` runs it in `make lint`, one test a contract."""

import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CONTRACTS = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"][
    "contracts"
]
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def test_every_contract_has_an_id_to_run_it_by():
    assert all(contract.get("id") for contract in CONTRACTS)


@pytest.mark.parametrize("contract", [contract["id"] for contract in CONTRACTS])
def test_the_import_contract_is_kept(contract):
    result = subprocess.run(
        [str(LINT_IMPORTS), "--no-cache", "--contract", contract],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout[result.stdout.find("Broken contracts") :]


def test_no_python_file_of_the_four_apps_is_longer_than_600_lines():
    """A module past ~600 lines becomes a package or a room (docs/architecture.md)."""
    root = Path(__file__).resolve().parent.parent
    long = {
        str(path.relative_to(root)): count
        for app in ("covenant", "proposals", "notices", "volunteers")
        for path in (root / app).rglob("*.py")
        if "migrations" not in path.parts and (count := len(path.read_text().splitlines())) > 600
    }
    assert long == {}
