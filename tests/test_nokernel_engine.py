"""The kernel-less engine (``briefings build --kernel none``, analysis/builder/nokernel.py) gives
the kernel engine's outputs byte for byte, and fails as it does.

The default set is compared with the session's build (made with the default, no kernel) by
building it once with forked kernels, so that the suite adds one build of the default set, not
two. The fault tests of a build (SIGTERM, SIGKILL)
run against this engine too, in test_build_faults.py.
"""
from __future__ import annotations

import json
import re
from pathlib import Path

import nbformat
import pytest

pytestmark = pytest.mark.slow

#: Cells showing what a kernel turns into outputs: streams (stdout, stderr, several prints),
#: display ids updated, an execute_result, an inline figure, the working folder and the
#: environment the cells see, a blank and a comment-only cell (execution counts).
MIXED_CELLS = [
    "import os\nimport sys\nprint('to stdout')\nprint('to stderr', file=sys.stderr)\n"
    "print('more stdout')",
    "from IPython.display import HTML, display\nhandle = display(HTML('<b>first</b>'), "
    "display_id='d1')\nhandle.update(HTML('<b>updated</b>'))\ndisplay(HTML('<i>second</i>'))",
    "{'label': label, 'numbers': [1, 2], 'text': 'é'}",
    "import matplotlib.pyplot as plt\nplt.figure(figsize=(2, 1))\nplt.plot([1, 3, 2]);",
    "print(os.path.basename(os.getcwd()), os.environ.get('PAGER'), sys.stdout.isatty(), "
    "type(_).__name__, __name__)",
    "   ",
    "# a comment only\n",
    "label.upper()",
]


def mixed_notebook(path: Path) -> Path:
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}
    params = nbformat.v4.new_code_cell("label: str = 'mixed'  # a label\n")
    params.metadata["tags"] = ["parameters"]
    nb.cells = [nbformat.v4.new_markdown_cell("Outputs of every kind."), params]
    nb.cells += [nbformat.v4.new_code_cell(source) for source in MIXED_CELLS]
    for index, cell in enumerate(nb.cells):
        cell["id"] = f"mixed-{index}"
    path.write_text(nbformat.writes(nb), encoding="utf-8")
    return path


def test_outputs_and_failures_are_the_kernel_engines(tmp_path, briefings, snapshot, write_set,
                                                     fixture_notebooks):
    notebooks = {name: fixture_notebooks / f"{name}.ipynb" for name in ("ok", "boom", "die",
                                                                         "slow")}
    notebooks["mixed"] = mixed_notebook(tmp_path / "mixed.ipynb")
    the_set = write_set(tmp_path / "set.toml", notebooks,
                        [f'notebook = "{name}"' for name in notebooks])
    lines = {}
    for kernel in ("fork", "none"):
        result = briefings("build", "--set", str(the_set), "--out", str(tmp_path / kernel),
                           "--timeout", "3", "--kernel", kernel, "--no-progress")
        assert result.returncode == 1, result.stdout + result.stderr
        assert "2 built, 0 skipped (up to date), 3 failed" in result.stdout, result.stdout
        lines[kernel] = sorted(re.sub(r"/\S+/_failed/", "_failed/", line)
                               for line in result.stdout.splitlines() if "FAILED" in line
                               or "kept at" in line)
    assert lines["none"] == [line.replace("/fork/", "/none/") for line in lines["fork"]]
    failed = "\n".join(lines["none"])
    assert "exception in cell 4: ValueError: boom from fixture" in failed
    assert "FAILED die: notebook tests/fixtures/notebooks/die.ipynb, kernel died in cell 3" \
        in failed
    assert "FAILED slow: notebook tests/fixtures/notebooks/slow.ipynb, timeout in cell 3" \
        in failed
    fork, none = snapshot(tmp_path / "fork"), snapshot(tmp_path / "none")
    assert sorted(fork) == sorted(none)
    # A kernel that dies may die before its execute_input message reaches the client, and then
    # the dead cell has no execution count (a race of the kernel engine itself): compared
    # without the counts
    died = [json.loads(run.pop("_failed/die.ipynb")) for run in (fork, none)]
    for nb in died:
        for cell in nb["cells"]:
            cell.pop("execution_count", None)
    assert died[0] == died[1]
    assert [name for name in fork if fork[name] != none[name]] == []
    executed = nbformat.reads(none["mixed.ipynb"].decode(), as_version=4)
    outputs = {cell.source.split("\n")[0][:12]: cell.get("outputs") for cell in executed.cells
               if cell.cell_type == "code"}
    assert [o["output_type"] for o in outputs["import os"]] == ["stream", "stream"]
    assert outputs["import os"][0]["text"] == "to stdout\nmore stdout\n"
    assert "<b>updated</b>" in str(outputs["from IPython"][0]["data"])
    assert "image/png" in outputs["import matpl"][0]["data"]
    seen = outputs["print(os.pat"][0]["text"]
    assert seen == f"{tmp_path.name} cat False dict __main__\n"


def test_word_files_and_notes_are_the_kernel_engines(tmp_path, briefings, snapshot):
    for kernel in ("fork", "none"):
        result = briefings("build", "--only", "gender", "--only", "country-mali",
                           "--formats", "html,docx", "--out", str(tmp_path / kernel),
                           "--kernel", kernel, "--no-progress", timeout=600)
        assert result.returncode == 0, result.stdout + result.stderr
    fork, none = snapshot(tmp_path / "fork"), snapshot(tmp_path / "none")
    assert any(name.endswith(".docx") for name in none)
    assert sorted(fork) == sorted(none)
    assert [name for name in fork if fork[name] != none[name]] == []


def test_the_default_set_is_the_kernel_engines_byte_for_byte(default_reports, tmp_path,
                                                             briefings, snapshot):
    """Every page, notebook and note the kernel engine (``--kernel fork``) makes of the default
    set is the session's build's (the default: no kernel), byte for byte. It builds HTML only:
    the PDFs and the pack are rendered from those pages by the same code whichever engine ran
    the cells (its own index differs only by the PDF links, and a note is cut to fit two pages
    only where PDFs are made)."""
    out = tmp_path / "fork"
    # one briefing per core, as without a kernel: the suite keeps both cores busy already, and
    # a second kernel per core would only add CPU time (the bytes do not depend on it)
    result = briefings("build", "--out", str(out), "--kernel", "fork", "--jobs", "2",
                       "--no-progress", timeout=1500)
    assert result.returncode == 0, result.stdout + result.stderr
    none, kernel = snapshot(default_reports), snapshot(out)
    kernel.pop("index.html")
    assert set(kernel) <= set(none), sorted(set(kernel) - set(none))
    assert {name for name in none if name.endswith((".html", ".ipynb"))} - set(kernel) == {"index.html"}
    assert len([name for name in kernel if name.endswith(".ipynb")]) >= 40
    # a note is cut to its two PDF pages by measuring them, only in a build that makes the PDFs:
    # a note the session build cut may differ here, every other page and note may not
    cut = {name for name in kernel if name.endswith("-note.html") and b'class="cut"' in none[name]}
    assert [name for name in kernel if name not in cut and kernel[name] != none[name]] == []
