"""How the offline scorer grades the technical round on answers written apart from the rubric's data,
by a helper who had not seen the rubric, for this project:

- `devset/presentations.jsonl`: "present an algorithm you know well", 14 algorithms, English and
  French, each a correct complete presentation (`right`), a fluent wrong one (`wrong`) and a
  correct thin one (`partial`);
- `devset/presentations-2.jsonl`: the 20 algorithms added as topics on 30 November 2026, written
  by the helpers who then wrote those topics (correct, fluent wrong, thin; and, marked
  `"late": true`, one correct and one wrong answer per algorithm and language written after);
- `devset/presentations-3-fr.jsonl`: French presentations of all 34 algorithms (two fluent wrong and
  one correct each), written by the two helpers who then added French wordings of the topics'
  classic mistakes on them;
- `devset/presentations-heldout.jsonl`: the same 20 algorithms, a correct and a fluent wrong
  presentation per language, written by two helpers who read neither the rubric nor any set, and
  scored without reading them;
- `devset/technical-answers.jsonl`: 16 other questions of the round, English and French, each a
  correct answer (`right`), a fluent wrong one (`wrong`) and a bare list of buzzwords (`keywords`);
- `devset/technical-heldout.jsonl`: a later set, held out then partly seen (see the README): 10
  algorithms presented and 14 other questions, correct and fluent wrong;
- `devset/technical-heldout-2.jsonl`: a set held out and scored without reading its failures: 8
  algorithms presented and the 19 questions no other set asks. Measure on it; never change the
  scorer by looking at it;
- `devset/technical-answers-3.jsonl`: a dev set for the 49 questions other than the presentation,
  written by the helpers who then fixed the rubric's phrases on it: two correct and one fluent wrong
  answer per question and language, and one more correct answer (`"late": true`) written after
  their fixes, to try them on answers they were not written for;
- `devset/technical-answers-4.jsonl`: a second dev set for the same 49 questions, mostly fluent wrong
  answers (two per question and language, with different mistakes), a correct one and a late one;
- `devset/technical-answers-5.jsonl`: a third dev set for the same 49 questions (30 November 2026),
  one correct and two fluent wrong answers per question and language written before the helpers
  fixed the rubric on them, and one of each (`"late": true`) written after;
- `devset/technical-answers-6-a.jsonl` to `-6-d.jsonl`: a fourth dev set for the same 49 questions,
  one quarter of the questions each, written by the four helpers of the fourth rubric pass: one
  correct and two fluent wrong answers per question and language before their fixes, and one of
  each (`"late": true`) after;
- `devset/technical-heldout-3.jsonl`: the newest clean set, written after those fixes by two helpers
  who read neither the rubric nor any other set: a correct and a fluent wrong answer per question
  and language for the same 49 questions. Scored without reading its failures, like heldout-2;
- `devset/technical-heldout-4.jsonl`: another clean set like it, written on 30 November 2026 while a
  third pass of helpers fixed the rubric on answers of their own;
- `devset/technical-heldout-5.jsonl`: another clean set like it, written in the session after heldout-4's by two
  helpers who read neither the rubric nor any set, before a fourth pass fixed the rubric on answers
  of its own (scored by counts only);
- `devset/technical-heldout-6.jsonl` and `devset/presentations-heldout-2.jsonl`: clean sets written in
  the last session of 30 November 2026 by three helpers who read only the questions (the second:
  presentations of 14 algorithms the first presentation sets cover), scored by counts only, once,
  after the overall's mistake cap;
- `devset/technical-heldout-7.jsonl`: a clean set for the 49 questions written in the next session,
  after the learned reader was built, by two helpers who read only the questions; scored once;
- `devset/technical-heldout-8.jsonl`: the same again, written in the session after, once the reader's
  thin-answer rule was committed; scored once;
- `devset/technical-heldout-9.jsonl`: the same again, written in that session while a second reader
  was trained on the clean sets up to -8; scored by counts once with each reader;
- `devset/technical-heldout-10.jsonl`: the same again, with answers of varied length (a third of
  them 40-80 words), written by two helpers who read only the questions; scored by counts once at
  each doubt threshold (0.2, then 0.1, chosen on heldout-2 to -7 before);
- `devset/technical-heldout-11.jsonl` and `-12.jsonl`: the same again, each by two helpers who read
  only the questions, written while a third reader was trained; the third reader was chosen on
  -11 (English only, or French too) and -12 scored after the choice, once with each reader;
- `devset/technical-heldout-13.jsonl` to `-15.jsonl`: the same again, written in the session after;
  -13 scored once, then read to fix the negation and list rules; -14 left unread and scored once
  with the code before those fixes and once after, then read for a second round; -15 left unread
  and scored once with the code of each round;
- `devset/technical-heldout-16.jsonl`: the same again, by four helpers who read only the questions,
  written in the session after and left unread: scored by counts with the code of that session's
  start and after each of its changes; then read (development data);
- `devset/technical-heldout-17.jsonl`: the same again, by four helpers who read only the questions,
  written at the start of the session after and left unread: scored by counts with the code of
  that session's start and after its changes; read in the session after (development data);
- `devset/technical-heldout-18.jsonl`: the same again, by four helpers who read only the questions,
  written at the start of the session of 1 December 2026 (morning) and left unread: scored by
  counts with the code of that session's start and after its changes;
- `devset/technical-heldout-19.jsonl`: the same again, by two helpers who read only the questions,
  written at the start of the session of 2 December 2026 with wrong answers wrong in varied ways
  ("X, not Y" contrasts, wrong directions, wrong definitions), left unread: scored by counts;
- `devset/technical-parity.jsonl`: parity pairs, written later that day by two helpers who read only
  the questions: per question a correct and a fluent wrong English answer (wrong in varied ways), each
  with a faithful French translation carrying the same claims and the same mistakes, so that the
  two languages can be compared answer for answer; a dev set (its failures were read).

Prints, per set and kind, the mean overall (held at the rubric's `mistake_cap` when the answer
states a mistake, the learned reader doubts it, or it scores 2 or less on every content criterion, as in the report) and how many meet the issue's bars: a correct complete
answer at least 3.5 with nothing called wrong; a fluent wrong one under 2.5 with correctness at
most 2; a bare list under 2.5. Then how many English and French answers of the same question and
kind differ by more than one level on a criterion (they are written apart, not translated). To
measure older code, put it first on the path:
`git archive REV | tar -x -C /tmp/before && PYTHONPATH=/tmp/before .venv/bin/python bench/answers.py`.

    .venv/bin/python bench/answers.py
"""

from __future__ import annotations

import json
import statistics
from pathlib import Path

from interviewer.assessment.scoring import assess
from interviewer.catalog.loading import load_catalog
from interviewer.ops.settings import PROJECT_ROOT

DEVSET = Path(__file__).resolve().parent / "devset"
SETS = ("presentations.jsonl", "presentations-2.jsonl", "presentations-3-fr.jsonl", "presentations-heldout.jsonl", "technical-answers.jsonl", "technical-heldout.jsonl", "technical-heldout-2.jsonl", "technical-answers-3.jsonl", "technical-answers-4.jsonl", "technical-answers-5.jsonl", "technical-answers-6-a.jsonl", "technical-answers-6-b.jsonl", "technical-answers-6-c.jsonl", "technical-answers-6-d.jsonl", "technical-heldout-3.jsonl", "technical-heldout-4.jsonl", "technical-heldout-5.jsonl", "technical-heldout-6.jsonl", "presentations-heldout-2.jsonl", "technical-heldout-7.jsonl", "technical-heldout-8.jsonl", "technical-heldout-9.jsonl", "technical-heldout-10.jsonl", "technical-heldout-11.jsonl", "technical-heldout-12.jsonl", "technical-heldout-13.jsonl", "technical-heldout-14.jsonl", "technical-heldout-15.jsonl", "technical-heldout-16.jsonl", "technical-heldout-17.jsonl", "technical-heldout-18.jsonl", "technical-heldout-19.jsonl", "technical-parity.jsonl")
BARS = {"right": "overall >= 3.5, nothing called wrong", "wrong": "overall < 2.5, correctness <= 2", "keywords": "overall < 2.5"}


def main() -> None:
    catalog = load_catalog(PROJECT_ROOT / "personas", PROJECT_ROOT / "rubrics")
    persona = catalog.personas["technical-ml"]
    rubric = catalog.rubric_for(persona)
    for name in SETS:
        rows = [json.loads(line) for line in (DEVSET / name).read_text(encoding="utf-8").splitlines() if line.strip()]
        results: dict[tuple[str, str, str, str], dict[str, int | None]] = {}
        by_kind: dict[str, list[tuple[float, bool]]] = {}
        for row in rows:
            question = persona.question(row["question_id"])
            a = assess(thread=row["text"], latest=row["text"], question=question, rubric=rubric, language=row["language"], min_words=persona.min_answer_words)
            # Older code has no `assessed`: every score was assessed then.
            scored = {s.criterion_id: (s.score if getattr(s, "assessed", True) else None) for s in a.scores}
            weights = {c: rubric.criterion(c).weight for c, v in scored.items() if v is not None}
            overall = sum(scored[c] * w for c, w in weights.items()) / sum(weights.values())  # type: ignore[operator]
            # As the report: an answer that states a mistake, or that the learned reader doubts,
            # counts at most the rubric's cap (older code has neither).
            doubted = getattr(a, "doubted", None) is not None
            # As the report, too: 2 or less on every content criterion counts at most the cap.
            content = [v for c, v in scored.items() if v is not None and getattr(rubric.criterion(c), "offline", "content") == "content"]
            fell_short = bool(content) and max(content) <= 2
            if getattr(rubric, "mistake_cap", None) is not None and (a.contradictions or a.misconceptions or doubted or fell_short):
                overall = min(overall, rubric.mistake_cap)
            correctness = scored.get("correctness")
            # As the report: no overall when whether the answer is right was not checked (an
            # algorithm the rubric has no topic for), so no bar is met either way.
            withheld = "correctness" in scored and correctness is None
            meets = {
                "right": not withheld and overall >= 3.5 and not a.contradictions and not a.misconceptions and not doubted,
                # A question without a correctness criterion (a case study) is held to the overall alone.
                "wrong": not withheld and overall < 2.5 and ("correctness" not in scored or (correctness is not None and correctness <= 2)),
                "keywords": overall < 2.5,
            }.get(row["kind"])
            by_kind.setdefault(row["kind"], []).append((overall, bool(meets) if meets is not None else False))
            results[(row["question_id"], row.get("algorithm", ""), row["language"], row["kind"])] = scored
        print(f"\n{name}: {len(rows)} answers to {len({r['question_id'] for r in rows})} question(s)\n")
        print("| kind | n | mean overall | meet the bar |\n|---|---|---|---|")
        for kind, found in by_kind.items():
            met = f"{sum(m for _, m in found)} ({BARS[kind]})" if kind in BARS else "no bar"
            print(f"| {kind} | {len(found)} | {statistics.fmean(o for o, _ in found):.2f} | {met} |")
        pairs = [(e, results[(q, alg, "fr", k)]) for (q, alg, lang, k), e in results.items() if lang == "en" and (q, alg, "fr", k) in results]
        def apart_by(more_than: float) -> int:
            return sum(
                any((e[c] is None) != (f[c] is None) or (e[c] is not None and abs(e[c] - f[c]) > more_than) for c in e)  # type: ignore[operator]
                for e, f in pairs
            )

        print(f"\nEnglish and French of the same question and kind more than one level apart on a criterion: {apart_by(1)} of {len(pairs)}")
        # Levels are whole numbers, so the parity bar (within 0.5) means the same level; it
        # applies to the same answer in both languages (technical-parity.jsonl), not to answers written apart.
        print(f"... at a different level on some criterion (the parity bar, within 0.5): {apart_by(0.5)} of {len(pairs)}")


if __name__ == "__main__":
    main()
