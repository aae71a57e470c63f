"""Teaching kit: exercise checks and student/instructor editions of the training course.

- :mod:`.checks`: ``check.exercise_<lesson>_<n>(answer)`` for every exercise of the lessons in
  ``notebooks/training/``; feedback (:mod:`.feedback`) from comparisons in :mod:`.diagnose`.
- :mod:`.course`: the lessons and their conventions (solution cells tagged ``solution``).
- :mod:`.editions`: the student and instructor editions, written by ``briefings teach DIR``.
- :mod:`.execute`: runs a lesson in a fresh kernel (instructor edition).

Nothing heavy is imported here.
"""
