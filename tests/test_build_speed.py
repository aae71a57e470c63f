"""What keeps `briefings build` quick when there is little to do: options are checked before the
default set is expanded (a refused option loads no data), and the expanded, checked set is kept
in the cache folder under a digest of everything it depends on, so a build with nothing to do
never imports pandas. Figures (no-op rebuild, refused option against --version) are printed by
benchmarks/noop_speed.py; these tests check the mechanism, not the clock."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import PROJECT

#: Runs ``select`` (what a build does before anything runs) and reports the heavy modules loaded.
PROBE = ("import json, sys\n"
         "from pathlib import Path\n"
         "from analysis.builder.build import BuildRequest, select\n"
         "from analysis.errors import WorkbookError\n"
         "args = json.loads(sys.argv[1])\n"
         "request = BuildRequest(out=Path(args.pop('out')), jobs=1, **args)\n"
         "try:\n"
         "    chosen, ids, _ = select(request)\n"
         "    result = {'ids': [b.id for b in chosen], 'parameters': [b.parameters for b in chosen]}\n"
         "except WorkbookError as err:\n"
         "    result = {'error': str(err)}\n"
         "result['heavy'] = sorted(m for m in ('pandas', 'papermill', 'geopandas', 'jsonschema',\n"
         "                                 'analysis.briefings.base', 'analysis.prose.text')\n"
         "                        if m in sys.modules)\n"
         "print('PROBE=' + json.dumps(result))\n")


def probe(tmp_path: Path, env: dict | None = None, **request) -> dict:
    full_env = {**os.environ, "PSW_CACHE_DIR": str(tmp_path / "cache"), **(env or {})}
    request.setdefault("out", str(tmp_path / "reports"))
    done = subprocess.run([sys.executable, "-c", PROBE, json.dumps(request)], capture_output=True,
                          text=True, env=full_env, cwd=PROJECT, timeout=120)
    line = [x for x in done.stdout.splitlines() if x.startswith("PROBE=")]
    assert line, done.stdout + done.stderr
    return json.loads(line[0].partition("=")[2])


def test_a_refused_notebook_loads_no_data(tmp_path):
    result = probe(tmp_path, notebook="nope")
    assert "unknown notebook 'nope'" in result["error"]
    assert result["heavy"] == []


def test_the_checked_default_set_is_read_from_the_cache_until_an_input_changes(tmp_path):
    first = probe(tmp_path)
    assert "pandas" in first["heavy"] and "region-western-africa" in first["ids"]
    again = probe(tmp_path)
    assert "jsonschema" in first["heavy"] and "analysis.briefings.base" in first["heavy"]
    # nothing expanded, nothing checked (text rules, the kinds): read from the cache
    assert again["heavy"] == []
    assert again["ids"] == first["ids"] and again["parameters"] == first["parameters"]
    # the data change: the set is expanded and checked again
    data = tmp_path / "data"
    shutil.copytree(PROJECT / "data", data)
    with open(data / "events.csv", "a", encoding="utf-8") as fh:
        fh.write("")  # same rows ...
    (data / "extra.json").write_text("{}", encoding="utf-8")  # ... but a data file more
    changed = probe(tmp_path, env={"PSW_DATA_DIR": str(data)})
    assert "pandas" in changed["heavy"] and changed["ids"] == first["ids"]


def test_a_changed_set_file_is_expanded_again(tmp_path):
    the_set = tmp_path / "set.toml"
    the_set.write_text('[[briefing]]\nnotebook = "gender"\n', encoding="utf-8")
    assert probe(tmp_path, set_path=str(the_set))["ids"] == ["gender"]
    the_set.write_text('[[briefing]]\nnotebook = "funding"\n', encoding="utf-8")
    assert probe(tmp_path, set_path=str(the_set))["ids"] == ["funding"]


def test_a_problem_in_the_set_is_never_cached(tmp_path):
    the_set = tmp_path / "set.toml"
    the_set.write_text('[[briefing]]\nnotebook = "region"\nparameters = {region = "Atlantis"}\n',
                       encoding="utf-8")
    for _ in range(2):
        assert "Atlantis" in probe(tmp_path, set_path=str(the_set))["error"]
    assert not list((tmp_path / "cache").rglob("*.json")) or all(
        "Atlantis" not in p.read_text() for p in (tmp_path / "cache").rglob("*.json"))
