"""Which briefings to build again, and why: inputs compared, the data diffed row by row.

A briefing is built again when it was never built, failed, was asked for (``--force``), its
notebook, parameters, the package's code or the data folder's non-table files (schema, map
geometry) changed, an output is missing or altered, or a row it read changed. For the last, the
data of the last build (``rows.json``: per table, each row's values and hash keyed by its
primary key) is diffed against the data now; each changed, added or removed row, in its old and
its new version, is tested against the selections the briefing recorded
(:func:`analysis.data.recording.covers`). When rows cannot be compared (no or a damaged
``rows.json``, a table new or gone, a schema change, a repeated key, a recording that cannot be
read, data that does not load), every briefing is built again and one line says why.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .staging import Outputs, outputs_of
from .store import ROWS, outputs_intact

# analysis.data.recording (pandas) is imported only when rows are compared: a build with nothing to
# do imports nothing heavy.

#: Input keys, and what a change of each means, in the order they are tested.
_INPUTS = (("notebook", "its notebook changed"), ("parameters", "its parameters changed"),
           ("code", "the package's code or a library's version changed"),
           ("files", "the data's schema or map geometry changed"))


@dataclass
class DataCheck:
    """The data now against the data of the last build."""

    #: digest of the data folder's files now
    digest: str
    #: the data's rows now (loaded only when needed)
    state: "recording.DataState | None" = None
    #: the digest ``rows.json`` records, and the rows that changed since then
    since: str | None = None
    changes: "list[recording.RowChange]" = field(default_factory=list)
    #: why rows cannot be compared: every briefing is built again
    problem: str | None = None


@dataclass
class Plan:
    """What a build will do: ``todo`` (id -> reason), ``fresh`` ids, and the data check."""

    todo: dict[str, str]
    fresh: list[str]
    data: DataCheck


def rows_digest(out: Path) -> str | None:
    """The data digest ``rows.json`` names (None when there is none, or it cannot be read),
    without loading the recorder (a build with nothing to do loads no pandas)."""
    try:
        data = json.loads((Path(out) / ROWS).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError, RecursionError):
        return None
    digest = data.get("data") if isinstance(data, dict) else None
    return digest if isinstance(digest, str) else None


def read_rows(out: Path) -> tuple[str | None, recording.DataState | None, str | None]:
    """(digest, state, problem) of ``rows.json``; (None, None, None) when there is none."""
    from ..data import recording

    path = Path(out) / ROWS
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None, None, None
    except (OSError, UnicodeDecodeError, ValueError, RecursionError) as err:
        return None, None, f"{path} cannot be read ({type(err).__name__})"
    try:
        if not isinstance(data, dict) or not isinstance(data.get("data"), str):
            raise recording.RecordingProblem("it names no data digest")
        return data["data"], recording.DataState.from_json(data.get("state")), None
    except recording.RecordingProblem as err:
        return None, None, f"{path} is damaged ({err})"


def write_rows(out: "Outputs | Path", digest: str, state: recording.DataState) -> None:
    from ..data import recording

    data = {"data": digest, "state": state.to_json()}
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
    outputs_of(out).write_if_changed(ROWS, (text + "\n").encode("utf-8"))


def current_state(folder: Path | None = None) -> recording.DataState:
    """The data's rows now (DataError when the data does not load)."""
    from ..data import recording
    from ..data.dataset import load

    return recording.state_of(load(folder))


def check_data(out: Path, digest: str, entries: dict[str, dict]) -> DataCheck:
    """Compare the data now with ``rows.json`` when some built briefing was built from other
    data; nothing heavy is loaded when none was."""
    check = DataCheck(digest)
    stale = [e for e in entries.values() if e.get("status") == "built"
             and e.get("data") != digest and not e.get("stale")]
    if not stale:
        return check
    from ..data import recording  # pandas: only when some briefing's data may have changed

    since, old, problem = read_rows(out)
    if problem is None and old is None:
        problem = f"{Path(out) / ROWS} is missing"
    if problem is None:
        problem = _recordings_problem(stale)
    if problem is None:
        try:
            check.state = current_state()
        except Exception as err:  # noqa: BLE001 - a DataError, or a file that went away
            problem = f"the data does not load ({str(err).splitlines()[0][:160]})"
    if problem is None:
        check.changes, problem = recording.diff(old, check.state)
    check.since, check.problem = since, problem
    return check


def _recordings_problem(entries: list[dict]) -> str | None:
    from ..data import recording

    for entry in entries:
        reads = entry.get("reads")
        try:
            if not isinstance(reads, dict) or not isinstance(reads.get("selections"), list):
                raise recording.RecordingProblem("it has none")
            for selection in reads["selections"]:
                recording.check_selection(selection)
        except recording.RecordingProblem as err:
            return f"the recording of what {entry.get('notebook')} briefing " \
                   f"{entry.get('path') or ''} read cannot be read ({err})".replace("  ", " ")
    return None


def data_reason(entry: dict, check: DataCheck) -> str | None:
    """Why the data now asks for ``entry`` to be built again, or None."""
    if entry.get("stale"):
        return str(entry["stale"])
    if entry.get("data") == check.digest:
        return None
    if check.problem:
        return check.problem
    if entry.get("data") != check.since:
        return "it was built from data the last build did not keep"
    from ..data import recording  # pandas: only for a briefing built from other data

    selections = entry["reads"]["selections"]
    hits = [c for c in check.changes
            if any(recording.covers_change(s, c) for s in selections)]
    if not hits:
        return None
    more = f" (and {len(hits) - 1} more row{'s' if len(hits) > 2 else ''})" if len(hits) > 1 \
        else ""
    return hits[0].describe() + more


def plan(out: Path, briefings, records: dict[str, dict], inputs: dict[str, dict],
         data_digest: str, *, force: bool = False, pdf: bool = False) -> Plan:
    """Which of ``briefings`` to build and why; the rest are up to date."""
    check = check_data(out, data_digest, records)
    todo, fresh = {}, []
    for b in briefings:
        reason = _reason(b.id, records.get(b.id) or {}, inputs[b.id], out, check,
                         force=force, pdf=pdf)
        if reason is None:
            fresh.append(b.id)
        else:
            todo[b.id] = reason
    return Plan(todo, fresh, check)


def _reason(bid: str, entry: dict, inputs: dict, out: Path, check: DataCheck, *,
            force: bool, pdf: bool) -> str | None:
    if force:
        return "--force"
    if not entry:
        return "not built before"
    if entry.get("status") != "built":
        return "its last build failed"
    recorded = entry.get("inputs") or {}
    for key, why in _INPUTS:
        if recorded.get(key) != inputs.get(key):
            return why
    if not outputs_intact(out, entry.get("outputs") or {}):
        return "an output is missing or was changed"
    if pdf and f"{bid}.pdf" not in (entry.get("outputs") or {}):
        return "it has no PDF yet"
    return data_reason(entry, check)


def settle(plan_: Plan, records: dict[str, dict], built: set[str]) -> None:
    """After a build that ran to its end: every briefing of the record, asked for or not,
    is now known to be current for the data now (``data``), or ``stale`` with its reason."""
    check = plan_.data
    for bid, entry in records.items():
        if bid in built or entry.get("status") != "built":
            continue
        reason = data_reason(entry, check)
        if reason is None:
            entry["data"] = check.digest
        elif bid not in plan_.todo or not entry.get("stale"):
            entry["stale"] = reason
            entry["data"] = None


def summary_reasons(todo: dict[str, str], limit: int = 4) -> list[str]:
    """Lines grouping the briefings to build by their reason (largest group first)."""
    groups: dict[str, list[str]] = {}
    for bid, reason in todo.items():
        groups.setdefault(reason, []).append(bid)
    lines = []
    for reason, ids in sorted(groups.items(), key=lambda kv: (-len(kv[1]), kv[0]))[:limit]:
        shown = ", ".join(ids[:3]) + (f" and {len(ids) - 3} more" if len(ids) > 3 else "")
        lines.append(f"  {reason}: {shown}")
    if len(groups) > limit:
        lines.append(f"  … and {len(groups) - limit} other reasons (`briefings build --dry-run`)")
    return lines


def stale_entries(records: dict[str, Any]) -> list[str]:
    return [bid for bid, e in records.items() if e.get("stale")]
