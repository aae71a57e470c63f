"""The layers of analysis/ (issue 21): import-linter's contracts in pyproject.toml, run in-process.

Highest layer first: cli; apps | teaching; builder; briefings; graphics; prose; model | drafting;
data; errors. A module imports only from its own layer or the ones below, and no two modules of
a package import each other, directly or through others.
"""
from __future__ import annotations

import pkgutil
import re
import tomllib
from pathlib import Path

import analysis

PYPROJECT = Path(__file__).resolve().parents[1] / "pyproject.toml"


def _contracts() -> dict[str, dict]:
    config = tomllib.loads(PYPROJECT.read_text(encoding="utf-8"))["tool"]["importlinter"]
    return {c["id"]: c for c in config["contracts"]}


def test_the_layers_and_acyclic_contracts_are_kept(capsys):
    from importlinter import configuration
    from importlinter.application.use_cases import lint_imports

    configuration.configure()
    kept = lint_imports(config_filename=str(PYPROJECT), cache_dir=None, no_logo=True)
    assert kept, capsys.readouterr().out


def test_every_part_of_the_package_sits_in_a_layer():
    """A new subpackage or top-level module must be given its place in the layers."""
    layered = {name for layer in _contracts()["layers"]["layers"]
               for name in re.split(r"\s*[|:]\s*", layer)}
    parts = {m.name for m in pkgutil.iter_modules(analysis.__path__)
             if not m.name.startswith("_")}
    assert parts == layered, (f"not in a layer: {sorted(parts - layered)}; "
                              f"a layer that does not exist: {sorted(layered - parts)}")


def test_each_exception_to_the_contracts_names_its_reason():
    text = PYPROJECT.read_text(encoding="utf-8")
    for contract in _contracts().values():
        for ignored in contract.get("ignore_imports", []):
            line = next(l for l in text.splitlines() if f'"{ignored}"' in l)
            before = text[: text.index(line)].splitlines()[-1]
            assert "#" in line or before.strip().startswith("#"), f"{ignored}: no reason given"
