"""Fit the drafted rows to the schema at hand: fields the recognisers do not produce get a value
that a curator reviews (the schema grows: a new required field must not break drafting).

Known fields get a meaningful value (a partner's relation to the UN from its kind, an operation's
status in the reporting period from the gazetteer's years, the reporting period itself); any
other required field gets "(to be written)" or, for a list of allowed values, its first value,
and is counted in the summary.
"""
from __future__ import annotations

from .draft import DRAFT, TO_WRITE, Draft

RELATION = {"UN principal organ": "UN system", "UN body": "UN system", "UN fund or programme": "UN system",
            "national government": "government", "group of Member States": "government",
            "armed group": "party to a conflict", "parties to a conflict": "party to a conflict"}


def _reporting_period(draft: Draft) -> list[dict]:
    from .draft import source_id_for

    para = next((p for p in draft.chapter.paragraphs if "reporting period" in p.text.lower()),
                draft.chapter.paragraphs[0])
    text = para.text
    at = text.lower().find("reporting period")
    evidence = text[at:at + len("reporting period")] if at >= 0 else " ".join(text.split()[:6])
    y = draft.year
    return [{"source_id": source_id_for(draft.symbol), "label": f"{y - 1} to {y} (to be checked)",
             "period_start": f"{y - 1}-01-01", "period_end": f"{y}-12-31", "precision": "approximate",
             "basis": "Not read from the text: the year of the report and the one before, to be narrowed by "
                      "a curator from the report's introduction and the chapter's dated events.",
             "paragraph": para.paragraph_id, "evidence": evidence, "inferred": "true",
             "inference_note": f"The bounds are those of any report of {y}; the chapter's own period is to be "
                               "checked.", "curation": DRAFT}]


def _operation_status(draft: Draft) -> list[dict]:
    rows = []
    y = draft.year
    for op in draft.rows("operations"):
        established, closed = draft.operation_years.get(op["operation_id"], (None, None))
        if established is not None and established >= y:
            status = "planned"
        elif closed is not None and closed < y - 1:
            status = "closed"
        elif closed is not None and closed <= y + 1:
            status = "closing"
        else:
            status = "active"
        years = f"{established or '?'}-{closed or 'today'}"
        rows.append({"operation_id": op["operation_id"], "status": status,
                     "basis": f"From the gazetteer's years ({years}) and the report's year {y}; to be checked "
                              "against the chapter.", "facts_source_id": "", "paragraph": op["paragraph"],
                     "evidence": op["evidence"], "inferred": "true",
                     "inference_note": f"Status read from peace_missions ({years}), not from the chapter.",
                     "curation": DRAFT})
    return rows


def complete_tables(draft: Draft, schema) -> tuple[dict[str, list[dict]], list[str]]:
    """Rows of every chapter table of ``schema``, with every required field filled; and the
    (table, field) pairs filled with a placeholder."""
    out, placeholders = {}, []
    for name, table in schema.tables.items():
        if table.layer != "chapter":
            continue
        rows = [dict(r) for r in draft.rows(name)]
        if not rows and name == "reporting_period":
            rows = _reporting_period(draft)
        if not rows and name == "operation_status":
            rows = _operation_status(draft)
        for field in table.fields:
            if field.enum:  # a drafted value the schema does not allow: blank where it may be
                for r in rows:
                    if r.get(field.name) and r[field.name] not in field.enum and not field.required:
                        r[field.name] = ""
            missing = [r for r in rows if field.name not in r]
            if not missing:
                continue
            if name == "partners" and field.name == "relation_to_un":
                for r in missing:
                    r[field.name] = RELATION.get(r.get("kind", ""), "outside the UN")
                continue
            if name == "partners" and field.name == "generic":  # one named body unless a curator says
                for r in missing:
                    r[field.name] = "false"
                continue
            if field.name == "curation":
                for r in missing:
                    r[field.name] = DRAFT
                continue
            value = ""
            if field.required:
                value = field.enum[0] if field.enum else TO_WRITE
                placeholders.append(f"{name}.{field.name}")
            for r in missing:
                r[field.name] = value
        out[name] = rows
    return out, placeholders
