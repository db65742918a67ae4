"""Spaced practice of the questions a candidate answered worst (issue 18): the rules, no I/O.

A question scored 2 or lower enters the schedule, due again 1 day later. Each later review moves it
along 1, 3, 7 and 14 days: a low score (2 or lower) starts again at 1 day, a good one (4 or higher)
moves to the next interval, and a good score at 14 days graduates it (it leaves the schedule); 3 keeps
the interval. Only a review at or after the due date moves the schedule on: an earlier one (a question
offered among the weakest while nothing was due) keeps the interval and the due date, unless its score
is low. The schedule is a fold over the reviews in the order they happened, so rebuilding it
from the same scores (a rescore, a report built twice) gives the same schedule: nothing advances twice.
Time is always passed in, never read here.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from interviewer.catalog.fields import Language
from interviewer.catalog.personas import Persona

INTERVALS: tuple[int, ...] = (1, 3, 7, 14)
LOW = 2.0
GOOD = 4.0
# A drill is short: at most this many questions, the most overdue (or the weakest) first.
DRILL_SIZE = 5


@dataclass(frozen=True)
class Review:
    """One ended session's final score for one question: the mean of its assessed criterion scores."""

    session_id: str
    at: datetime
    score: float


@dataclass(frozen=True)
class Scheduled:
    """Where a question stands in the schedule."""

    interval_days: int
    due_at: datetime
    last_score: float
    # Reviews since it last entered the schedule, the one that put it there included.
    reviews: int


def review(item: Scheduled | None, score: float, at: datetime) -> Scheduled | None:
    """The schedule after one review; None when the question is not (or no longer) scheduled."""
    if item is None:
        if score > LOW:
            return None
        interval = INTERVALS[0]
        return Scheduled(interval_days=interval, due_at=at + timedelta(days=interval), last_score=score, reviews=1)
    if score <= LOW:
        interval = INTERVALS[0]
    elif at < item.due_at:
        # Reviewed before it was due: practice, not a spaced review; the schedule stays as it was.
        return Scheduled(interval_days=item.interval_days, due_at=item.due_at, last_score=score, reviews=item.reviews + 1)
    elif score >= GOOD:
        later = [i for i in INTERVALS if i > item.interval_days]
        if not later:
            return None  # graduated: a good answer after the longest interval
        interval = later[0]
    else:
        interval = item.interval_days
    return Scheduled(interval_days=interval, due_at=at + timedelta(days=interval), last_score=score, reviews=item.reviews + 1)


def schedule_of(reviews: Iterable[Review]) -> Scheduled | None:
    """A question's schedule from all its reviews, applied oldest first (ties in session order)."""
    item: Scheduled | None = None
    for r in sorted(reviews, key=lambda r: (r.at, r.session_id)):
        item = review(item, r.score, r.at)
    return item


@dataclass(frozen=True)
class CriterionScore:
    """One stored criterion score of an answer turn (the columns a question's score needs)."""

    turn_id: int
    score: int
    assessed: bool = True


def question_score(scores: Sequence[CriterionScore]) -> float | None:
    """A question's final score in one session, as the report takes it: the scores of its last scored
    answer (judged on the whole thread), assessed ones only, averaged; None when none was assessed."""
    if not scores:
        return None
    last = max(s.turn_id for s in scores)
    final = [s.score for s in scores if s.turn_id == last and s.assessed]
    return round(sum(final) / len(final), 2) if final else None


def overdue(schedule: Mapping[str, Scheduled], now: datetime) -> list[str]:
    """The questions due at `now`, the most overdue first."""
    due = [(item.due_at, question_id) for question_id, item in schedule.items() if item.due_at <= now]
    return [question_id for _, question_id in sorted(due)]


def weakest(latest: Mapping[str, Review]) -> list[str]:
    """Questions by their most recent score, lowest first (the older review first on a tie)."""
    return [q for q, _ in sorted(latest.items(), key=lambda kv: (kv[1].score, kv[1].at, kv[0]))]


@dataclass(frozen=True)
class DrillPlan:
    questions: list[str]
    # True: these questions are due; False: nothing was due and these are the weakest instead.
    due: bool
    # How many questions of the round are due in all (a drill asks at most DRILL_SIZE of them).
    due_count: int
    # When nothing is due: when the next scheduled question comes due (None: nothing is scheduled).
    next_due_at: datetime | None


def plan_drill(
    *, schedule: Mapping[str, Scheduled], latest: Mapping[str, Review], askable: Collection[str], now: datetime,
    size: int = DRILL_SIZE,
) -> DrillPlan:
    """What a drill asks: the due questions, most overdue first; if none is due, the weakest ones.
    Only `askable` questions (the round's own, not a past take-home's claims) are ever chosen."""
    mine = {q: item for q, item in schedule.items() if q in askable}
    due = overdue(mine, now)
    if due:
        return DrillPlan(questions=due[:size], due=True, due_count=len(due), next_due_at=None)
    weak = weakest({q: r for q, r in latest.items() if q in askable})
    next_due = min((item.due_at for item in mine.values()), default=None)
    return DrillPlan(questions=weak[:size], due=False, due_count=0, next_due_at=next_due)


def preface(plan: DrillPlan, language: Language) -> str:
    """What the interviewer says first in a drill: what is due, or that nothing is and what instead."""
    n = len(plan.questions)
    if plan.due:
        more = plan.due_count - n
        if language == "fr":
            what = "une question que vous aviez mal réussie est" if n == 1 else f"{n} questions que vous aviez mal réussies sont"
            order = "" if n == 1 else ", la plus en retard d'abord"
            rest = f" ({more} autres attendront le prochain entraînement)" if more > 0 else ""
            return f"Entraînement ciblé : {what} à revoir aujourd'hui{order}{rest}."
        what = "one question you found hard is" if n == 1 else f"{n} questions you found hard are"
        order = "" if n == 1 else ", the most overdue first"
        rest = f" ({more} more will wait for the next drill)" if more > 0 else ""
        return f"Drill: {what} due for review today{order}{rest}."
    if language == "fr":
        when = f" (la prochaine revient le {plan.next_due_at:%d/%m/%Y})" if plan.next_due_at else ""
        instead = "Voici plutôt votre question la moins bien notée." if n == 1 else f"Voici plutôt vos {n} questions les moins bien notées, la plus faible d'abord."
        return f"Rien n'est à revoir aujourd'hui{when}. {instead}"
    when = f" (the next one comes due on {plan.next_due_at:%Y-%m-%d})" if plan.next_due_at else ""
    instead = "Here is your question with the lowest score instead." if n == 1 else f"Here are your {n} questions with the lowest scores instead, the weakest first."
    return f"Nothing is due for review today{when}. {instead}"


def question_words(persona: Persona, question_id: str, *, asked_in: Language, session_language: Language) -> str:
    """A drill's first question as the offline engine says it: no greeting (this round was met
    before) and no acknowledgement, only the question, announced when it switches language."""
    text = persona.question(question_id).text.get(asked_in)
    switch = persona.language_switch
    if asked_in != session_language and switch is not None:
        return f"{switch.announce.get(session_language)}\n\n{text}"
    return text
