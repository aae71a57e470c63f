"""The summary ``briefings draft`` prints: rows per table, inferred rows, what needs review."""
from __future__ import annotations

from .draft import CHAPTER_TABLES, TO_WRITE, Draft


def summary_lines(draft: Draft, counts: dict[str, int], out) -> list[str]:
    inferred = draft.inferred_count()
    label = f"{draft.symbol} {draft.part}".strip()
    lines = [f"drafted {label} ({draft.year}) into {out}: {len(draft.chapter.sections)} sections, "
             f"{len(draft.chapter.paragraphs)} paragraphs", "",
             f"{'table':<18}{'rows':>6}{'inferred':>10}"]
    chapter_tables = draft.chapter_tables or list(CHAPTER_TABLES)
    for name in chapter_tables:
        lines.append(f"{name:<18}{counts.get(name, 0):>6}{inferred.get(name, 0):>10}")
    total = sum(counts.get(n, 0) for n in chapter_tables)
    total_inferred = sum(inferred.get(n, 0) for n in chapter_tables)
    lines.append(f"{'total':<18}{total:>6}{total_inferred:>10}")
    context = [n for n in counts if n not in chapter_tables]
    lines += ["", f"context tables carried over: {len(context)} ({', '.join(context)})", "", "needs review:"]
    lines.append(f"- every chapter row is curation = draft: check it against its paragraph and set 'reviewed'")
    lines.append(f"- {total_inferred} inferred rows: confirm each inference_note")
    to_write = sum(1 for t in ("sections", "paragraphs") for r in draft.rows(t) if r.get("summary") == TO_WRITE)
    lines.append(f"- {to_write} section and paragraph summaries to write")
    lines.append(f"- {len(draft.rows('engagements'))} candidate engagements: keep the real ones, write their activity")
    lines.append(f"- {len(draft.rows('events'))} events and {len(draft.rows('figures'))} figures: "
                 "write descriptions and what each figure counts")
    lines.append(f"- {len(draft.rows('themes'))} themes, one per section: name the cross-cutting ones")
    if counts.get("public_figures"):
        lines.append(f"- {counts['public_figures']} public context figures carried over from the curated chapter: "
                     "keep only those that fit the new report's period")
    if draft.placeholders:
        lines.append(f"- fields the drafter cannot read, filled with a placeholder: {', '.join(sorted(set(draft.placeholders)))}")
    return lines
