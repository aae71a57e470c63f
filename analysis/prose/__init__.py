"""The claims layer: what a briefing says, computed once per section.

:mod:`analysis.prose.findings` turns a selection into typed :class:`~analysis.prose.findings.Finding`
objects (the rows a claim rests on, their labels, inferred flags and citations); the key point,
table, chart, map, alt text and index teaser of a section all render the same object, so a count
is the length of its list by construction. :mod:`analysis.prose.modality` words an engagement
from its ``modality`` field. :mod:`analysis.prose.ledger` reads every sentence a built page
prints, for the reviewed sentence ledger (``tests/ledger/sentences.tsv``).
"""
