"""The tiny Conductor's thought line: the kind, and at most one worker, as one lead word."""

from __future__ import annotations

from conductor.tiny.thought import lead_word, thought_line


def test_thought_line_names_the_kind_and_at_most_one_worker():
    assert thought_line("math") == "This is a math question."
    assert thought_line("science", 3) == "This is a science question. Lead: ScienceThree."
    assert thought_line("code", 12) == "This is a code question. Lead: Code12."
    # the line never restates the pool: no list a larger evaluation pool could garble
    assert "[" not in thought_line("code", 0)


def test_lead_words_are_one_word_per_kind_and_worker():
    assert lead_word("math", 2) == "MathTwo"
    assert len({lead_word(d, w) for d in ("math", "science", "code") for w in range(10)}) == 30
