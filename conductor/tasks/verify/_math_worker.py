"""The math verifier's worker process: JSON lines in ({"gold", "answer"}), JSON lines out ({"ok", "detail"}).

Run as a script (`python -I _math_worker.py`) by math_verifier.py, so it imports nothing of the caller's:
no re-import of the caller's __main__ as multiprocessing's spawn would do. It handles one request at a
time on its main thread, where math-verify's own `signal.alarm` time limits work unchanged.
"""

from __future__ import annotations

import json
import logging
import sys

from math_verify import parse, verify

_DASHES = str.maketrans({"\u2212": "-", "\u2013": "-", "\u2014": "-", "\u00a0": " "})
_LATEX_MARKS = ("$", "\\boxed", "\\(", "\\[")


def _parse_first(candidates: list[str]) -> list:
    for text in candidates:
        parsed = parse(text)
        if parsed:
            return parsed
    return []


def check(gold: str, answer: str) -> tuple[bool, str]:
    """(equivalent, detail). detail names what could not be parsed, if anything."""
    gold = gold.translate(_DASHES).strip()
    answer = answer.translate(_DASHES).strip()
    gold_parsed = _parse_first([f"${gold}$", f"\\boxed{{{gold}}}", gold])
    if not gold_parsed:
        return False, "reference answer could not be parsed"
    if any(mark in answer for mark in _LATEX_MARKS):
        candidates = [answer, f"${answer}$"]
    else:
        candidates = [f"${answer}$", answer]
    answer_parsed = _parse_first(candidates)
    if not answer_parsed:
        return False, "answer could not be parsed"
    return bool(verify(gold_parsed, answer_parsed)), ""


def main() -> None:
    logging.disable(logging.WARNING)  # math-verify logs every unparseable answer
    out = sys.stdout
    for line in sys.stdin:
        if not line.strip():
            continue
        req = json.loads(line)
        try:
            ok, detail = check(req["gold"], req["answer"])
        except Exception as e:  # math-verify's own timeout or a parser bug: not shown equivalent
            ok, detail = False, f"math-verify error: {type(e).__name__}"
        out.write(json.dumps({"ok": ok, "detail": detail}) + "\n")
        out.flush()


if __name__ == "__main__":
    main()
