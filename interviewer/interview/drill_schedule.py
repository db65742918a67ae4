"""Drill use cases (issue 18): keep each user's spaced-practice schedule in step with their scores,
list what is due, and choose what a drill session asks. The rules are in interview/drills.py.

The schedule is derived data, like scores: rebuilt from the scores of the user's ended sessions
when it is read after they changed, and stored (table DrillItem) only where it changed. A
session's scores are final once it has ended; a score judged again later rebuilds the same fold.
"""

from __future__ import annotations

import weakref
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from interviewer.catalog.fields import Language
from interviewer.catalog.loading import Catalog
from interviewer.catalog.personas import Persona
from interviewer.interview import drills, transcripts
from interviewer.interview import errors
from interviewer.interview.drills import CriterionScore, Review, Scheduled
from interviewer.storage import database
from interviewer.storage import queries
from interviewer.storage import tables as store
from interviewer.storage.tables import DrillItem

Key = tuple[str, str]  # (persona id, question id)


class NothingToDrill(errors.ServiceError):
    def __init__(self, persona_id: str | None) -> None:
        what = f"for '{persona_id}' yet: no answer of yours to this round" if persona_id else "yet: no answer of yours"
        super().__init__(
            f"nothing to drill {what} has been scored in an ended session; practise the round first "
            "(mode 'interview'), then drill what went worst"
        )


@dataclass(frozen=True)
class Schedule:
    """A user's schedule, and each question's most recent review (for the weakest questions)."""

    items: dict[Key, Scheduled]
    latest: dict[Key, Review]

    def of(self, persona_id: str) -> tuple[dict[str, Scheduled], dict[str, Review]]:
        return (
            {q: s for (p, q), s in self.items.items() if p == persona_id},
            {q: r for (p, q), r in self.latest.items() if p == persona_id},
        )


def reviews_of(rows: Sequence[tuple[str, str, datetime, str, int, int, bool]]) -> dict[Key, list[Review]]:
    """Each question's reviews: one per ended session that scored it (not assessed: no review)."""
    threads: dict[tuple[str, str, datetime, str], list[CriterionScore]] = defaultdict(list)
    for session_id, persona_id, ended_at, question_id, turn_id, score, assessed in rows:
        threads[(session_id, persona_id, ended_at, question_id)].append(CriterionScore(turn_id, score, assessed))
    reviews: dict[Key, list[Review]] = defaultdict(list)
    for (session_id, persona_id, ended_at, question_id), scores in threads.items():
        score = drills.question_score(scores)
        if score is not None:
            reviews[(persona_id, question_id)].append(Review(session_id=session_id, at=ended_at, score=score))
    return reviews


# The schedules built, per database and by user and the fingerprint of their inputs: a page read
# twice rebuilds nothing. Per engine, so two apps in one process (tests) never share one.
_built: weakref.WeakKeyDictionary[Engine, transcripts.Lru[tuple[str, str], Schedule]] = weakref.WeakKeyDictionary()


def _built_on(db: Session) -> transcripts.Lru[tuple[str, str], Schedule]:
    return _built.setdefault(db.get_bind(), transcripts.Lru(1024))  # type: ignore[arg-type]


def refresh(*, db: Session, user_id: str) -> Schedule:
    """The user's schedule rebuilt from their scores; the stored rows are brought in step with it.

    Idempotent: the same scores give the same rows, so rebuilding never advances an interval twice.
    Rebuilt only when the user's ended sessions or their scores changed since the last build."""
    version = queries.ended_scores_version(db=db, user_id=user_id)
    built = _built_on(db).get((user_id, version))
    if built is not None:
        db.commit()
        return built
    reviews = reviews_of(queries.ended_session_scores(db=db, user_id=user_id))
    db.commit()  # the read ends here; the write below is a transaction of its own
    wanted = {key: item for key, rs in reviews.items() if (item := drills.schedule_of(rs)) is not None}
    latest = {key: max(rs, key=lambda r: (r.at, r.session_id)) for key, rs in reviews.items()}
    with database.writing(db):
        stored = {(row.persona_id, row.question_id): row for row in queries.drill_items(db=db, user_id=user_id)}
        changed = False
        for key, row in stored.items():
            if key not in wanted:
                db.delete(row)  # graduated, or its session was deleted
                changed = True
        for key, item in wanted.items():
            row = stored.get(key)
            values = {"interval_days": item.interval_days, "due_at": item.due_at, "last_score": item.last_score, "reviews": item.reviews}
            if row is None:
                db.add(DrillItem(user_id=user_id, persona_id=key[0], question_id=key[1], **values))
                changed = True
            elif any(getattr(row, name) != value for name, value in values.items()):
                for name, value in values.items():
                    setattr(row, name, value)
                row.updated_at = store.now()
                changed = True
        try:
            if changed:
                db.commit()
            else:
                db.rollback()
        except IntegrityError:
            # Another request rebuilt the same rows at the same moment: they are the same derived data.
            db.rollback()
    schedule = Schedule(items=wanted, latest=latest)
    _built_on(db).put((user_id, version), schedule)
    return schedule


@dataclass(frozen=True)
class DueQuestion:
    persona_id: str
    question_id: str
    question: str
    due_at: datetime
    interval_days: int
    last_score: float
    due: bool


def due_questions(
    *, db: Session, catalog: Catalog, user_id: str, now: datetime, languages: Mapping[str, Language] | None = None
) -> list[DueQuestion]:
    """Every scheduled question of the user, the most overdue first, with its text in its round's
    language (`languages` by round, else the persona's); a question no longer in its round, such as
    a past take-home's claim, is left out."""
    schedule = refresh(db=db, user_id=user_id)
    listed: list[DueQuestion] = []
    for (persona_id, question_id), item in sorted(schedule.items.items(), key=lambda kv: (kv[1].due_at, kv[0])):
        persona = catalog.personas.get(persona_id)
        question = next((q for q in persona.questions if q.id == question_id), None) if persona else None
        if question is None:
            continue
        listed.append(DueQuestion(
            persona_id=persona_id, question_id=question_id, due_at=item.due_at,
            question=question.text.get((languages or {}).get(persona_id, persona.language)),  # type: ignore[union-attr]
            interval_days=item.interval_days, last_score=item.last_score, due=item.due_at <= now,
        ))
    return listed


def drill_plan(*, db: Session, persona: Persona, user_id: str, now: datetime) -> drills.DrillPlan:
    """What a drill of `persona`'s round asks the user now; NothingToDrill when they have no scores yet."""
    schedule, latest = refresh(db=db, user_id=user_id).of(persona.id)
    plan = drills.plan_drill(schedule=schedule, latest=latest, askable={q.id for q in persona.questions}, now=now)
    if not plan.questions:
        raise NothingToDrill(persona.id)
    return plan


def round_to_drill(*, db: Session, user_id: str, now: datetime) -> str:
    """The round a drill without a round named should take: the one with the most overdue question,
    else the one with the lowest recent score; NothingToDrill when the user has no scores at all."""
    schedule = refresh(db=db, user_id=user_id)
    due = sorted((item.due_at, key) for key, item in schedule.items.items() if item.due_at <= now)
    if due:
        return due[0][1][0]
    if schedule.latest:
        return min(schedule.latest.items(), key=lambda kv: (kv[1].score, kv[1].at, kv[0]))[0][0]
    raise NothingToDrill(None)
