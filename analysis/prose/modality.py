"""How an engagement is worded from its ``modality`` field (never from its description).

A description (``engagements.activity``) is a noun phrase; the words that say how far the thing
has gone come from the modality, and the phrase of the chapter that carries it
(``modality_evidence``) is quoted beside them, so no paraphrase can strengthen the chapter:
"UNRCCA in Central Asia: good offices for negotiations on transnational water resources —
a commitment (“is committed to offering his good offices”)".
"""
from __future__ import annotations

#: The seven modalities, as the words a sentence uses for each.
MODALITY_WORDS = {
    "done": "done",
    "ongoing": "under way",
    "committed": "a commitment",
    "planned": "planned",
    "proposed": "proposed or called for",
    "struggling": "under way, with difficulty",
    "stalled": "stalled",
}
MODALITIES = tuple(MODALITY_WORDS)


def modality_words(modality) -> str:
    """The words for ``modality`` ('' for an unknown value)."""
    return MODALITY_WORDS.get(str(modality), "")


def quoted(phrase) -> str:
    """The chapter's phrase in quotation marks ('' when there is none)."""
    phrase = " ".join(str(phrase).split()) if isinstance(phrase, str) else ""
    return f"\u201c{phrase}\u201d" if phrase else ""


def status_clause(row) -> str:
    """'a commitment (“is committed to offering his good offices”)': the modality's words and the
    quoted phrase that carries it."""
    words = modality_words(row.get("modality"))
    phrase = quoted(row.get("modality_evidence"))
    if words and phrase:
        return f"{words} ({phrase})"
    return words or phrase
