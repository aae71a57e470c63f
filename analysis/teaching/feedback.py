"""What a learner sees after a check: a verdict, a short message and a hint, never the answer.

A :class:`Feedback` is truthy when the answer is right, so tests (and learners) can write
``assert check.exercise_1_1(answer)``. Jupyter shows it as Markdown; ``print`` shows plain text.
"""
from __future__ import annotations

import re
from dataclasses import dataclass


#: The slip of an answer not given yet, and the one short line that invites it.
UNANSWERED_SLIP = "unanswered"
INVITATION = "your turn. Replace the `...` in the cell above with your answer, run it, then run this check."
#: The slip of an answer cell that stopped with an error (the check does not judge it).
FAILED_CELL_SLIP = "answer_cell_failed"


@dataclass(frozen=True)
class Feedback:
    """The verdict on one answer.

    ``slip`` names the common mistake that was recognised (e.g. ``"share_for_percent"``), so that
    tests and facilitators can tell which hint was given; it is ``None`` for a right answer and for
    a wrong one without a recognised pattern.
    """

    exercise: str
    ok: bool
    message: str
    hint: str = ""
    slip: str | None = None

    def __bool__(self) -> bool:
        return self.ok

    @property
    def text(self) -> str:
        """Message and hint together: everything the learner reads."""
        return f"{self.message} {self.hint}".strip()

    @property
    def pending(self) -> bool:
        """True before the learner has answered (the answer is still ``...``)."""
        return self.slip == UNANSWERED_SLIP

    def __str__(self) -> str:
        if self.pending:
            return f"Exercise {self.exercise}: {INVITATION}"
        verdict = "Correct" if self.ok else "Not yet"
        lines = [f"Exercise {self.exercise}: {verdict}. {self.message}"]
        if self.hint:
            lines.append(f"Hint: {self.hint}")
        return "\n".join(lines)

    def _repr_markdown_(self) -> str:
        # Text marks only: an emoji shows as an empty box where no emoji font is installed.
        if self.pending:
            return f"*Exercise {self.exercise}: {_md(INVITATION)}*"
        if self.ok:
            head = f"**Exercise {self.exercise}: correct.** {_md(self.message)}"
        else:
            head = f"**Exercise {self.exercise}: not yet.** {_md(self.message)}"
        if self.hint:
            return f"{head}\n\n*Hint:* {_md(self.hint)}"
        return head

    def __repr__(self) -> str:
        return f"<Feedback {self.exercise} {'correct' if self.ok else 'not yet'}" + (
            f" ({self.slip})>" if self.slip else ">")


def _md(text: str) -> str:
    """Feedback as Markdown: its `code` spans stay, the rest shows as plain text."""
    from ..data.escaping import data_text

    parts = text.split("`")
    if len(parts) % 2 == 0:  # an unmatched backtick: no code spans at all
        return data_text(text)
    return "`".join(part if i % 2 else data_text(part) for i, part in enumerate(parts))


def textual_forms(value) -> list[str]:
    """The ways an expected value could show up in a hint (used to make sure none does)."""
    if isinstance(value, bool) or value is None:
        return []
    if isinstance(value, (set, frozenset, list, tuple)):
        forms = []
        for item in value:
            forms.extend(textual_forms(item))
        return forms
    if isinstance(value, (int, float)):
        number = float(value)
        forms = {repr(number), f"{number:g}"}
        if number.is_integer():
            forms.add(str(int(number)))
        else:
            forms.update({f"{number:.1f}", f"{number:.2f}"})
        return sorted(forms)
    return [str(value)]


def mentions(text: str, value) -> bool:
    """True when ``text`` contains a textual form of ``value`` as a whole word or number."""
    for form in textual_forms(value):
        if not form:
            continue
        if re.search(rf"(?<![\w.]){re.escape(form)}(?![\w]|\.\d)", text, flags=re.IGNORECASE):
            return True
    return False
