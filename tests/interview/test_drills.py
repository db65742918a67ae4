"""The spaced-practice rules: who enters the schedule, how intervals move, what a drill asks."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from interviewer.interview import drills
from interviewer.interview.drills import CriterionScore, Review, Scheduled

T0 = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)


def day(n: float) -> datetime:
    return T0 + timedelta(days=n)


def test_only_a_score_of_two_or_lower_enters_the_schedule_due_a_day_later() -> None:
    assert drills.review(None, 3.0, T0) is None
    assert drills.review(None, 2.5, T0) is None
    entered = drills.review(None, 2.0, T0)
    assert entered == Scheduled(interval_days=1, due_at=day(1), last_score=2.0, reviews=1)


def test_good_scores_walk_the_intervals_then_graduate() -> None:
    item = drills.review(None, 1.0, T0)
    seen = []
    at = T0
    while item is not None:
        seen.append(item.interval_days)
        at = item.due_at
        item = drills.review(item, 4.5, at)
    assert seen == [1, 3, 7, 14]
    assert at == day(1 + 3 + 7 + 14)


def test_a_low_score_resets_to_one_day_and_three_keeps_the_interval() -> None:
    item = drills.review(drills.review(None, 2.0, T0), 5.0, day(1))
    assert item is not None and item.interval_days == 3
    kept = drills.review(item, 3.0, day(4))
    assert kept is not None and kept.interval_days == 3 and kept.due_at == day(7) and kept.reviews == 3
    reset = drills.review(kept, 1.5, day(7))
    assert reset is not None and reset.interval_days == 1 and reset.due_at == day(8) and reset.last_score == 1.5


def test_only_a_review_once_due_moves_the_schedule_on_but_a_low_score_always_resets() -> None:
    # Score 1, then four good answers an hour apart the same afternoon (offered as the weakest while
    # nothing was due): the question stays at 1 day, due tomorrow, instead of graduating.
    item = drills.review(None, 1.0, T0)
    for hour in range(1, 5):
        item = drills.review(item, 4.5, T0 + timedelta(hours=hour))
        assert item is not None and item.interval_days == 1 and item.due_at == day(1)
    assert item is not None and item.reviews == 5 and item.last_score == 4.5
    assert drills.schedule_of([Review(f"s{h}", T0 + timedelta(hours=h), 1.0 if h == 0 else 4.5) for h in range(5)]) == item
    # Once due, a good review lengthens the interval; early again, it keeps the interval and the due date.
    walked = drills.review(item, 4.5, day(1))
    assert walked == Scheduled(interval_days=3, due_at=day(4), last_score=4.5, reviews=6)
    early = drills.review(walked, 5.0, day(2))
    assert early == Scheduled(interval_days=3, due_at=day(4), last_score=5.0, reviews=7)
    assert drills.review(early, 3.0, day(3)) == Scheduled(interval_days=3, due_at=day(4), last_score=3.0, reviews=8)
    # A low score resets to one day even before it was due.
    assert drills.review(early, 2.0, day(2)) == Scheduled(interval_days=1, due_at=day(3), last_score=2.0, reviews=8)
    # At 14 days, only a good review once due graduates it.
    last = Scheduled(interval_days=14, due_at=day(30), last_score=4.0, reviews=4)
    assert drills.review(last, 5.0, day(29)) == Scheduled(interval_days=14, due_at=day(30), last_score=5.0, reviews=5)
    assert drills.review(last, 5.0, day(30)) is None


def test_the_schedule_is_a_fold_so_the_same_reviews_never_advance_it_twice() -> None:
    reviews = [Review("b", day(1), 4.0), Review("a", T0, 2.0)]
    once = drills.schedule_of(reviews)
    assert once == Scheduled(interval_days=3, due_at=day(4), last_score=4.0, reviews=2)
    # Rebuilt from the same scores (a report built again): unchanged, however many times.
    assert drills.schedule_of(reviews + []) == once
    # Rescored in place (the judge replaced an offline score): the review is replaced, not added.
    assert drills.schedule_of([Review("a", T0, 2.0), Review("b", day(1), 3.0)]) == Scheduled(1, day(2), 3.0, 2)


def test_a_question_scores_as_its_last_scored_answer_without_criteria_not_assessed() -> None:
    scores = [CriterionScore(10, 5), CriterionScore(12, 2), CriterionScore(12, 1), CriterionScore(12, 5, assessed=False)]
    assert drills.question_score(scores) == 1.5
    assert drills.question_score([CriterionScore(3, 4, assessed=False)]) is None
    assert drills.question_score([]) is None


def test_a_drill_asks_the_due_questions_most_overdue_first_and_only_the_rounds_own() -> None:
    schedule = {
        "q-late": Scheduled(1, day(1), 2.0, 1),
        "q-later": Scheduled(3, day(0.5), 1.0, 2),
        "q-not-yet": Scheduled(7, day(9), 3.0, 3),
        "claim-old-takehome": Scheduled(1, day(0), 1.0, 1),
    }
    plan = drills.plan_drill(schedule=schedule, latest={}, askable={"q-late", "q-later", "q-not-yet"}, now=day(2))
    assert plan.questions == ["q-later", "q-late"] and plan.due and plan.due_count == 2


def test_a_drill_is_capped_and_says_how_many_wait() -> None:
    schedule = {f"q{i}": Scheduled(1, day(i / 10), 2.0, 1) for i in range(7)}
    plan = drills.plan_drill(schedule=schedule, latest={}, askable=set(schedule), now=day(5), size=5)
    assert plan.questions == ["q0", "q1", "q2", "q3", "q4"] and plan.due_count == 7
    assert "2 more will wait" in drills.preface(plan, "en")
    assert "2 autres attendront" in drills.preface(plan, "fr")


def test_nothing_due_offers_the_weakest_questions_and_says_when_the_next_comes_due() -> None:
    schedule = {"q-weak": Scheduled(3, day(6), 2.0, 2)}
    latest = {
        "q-weak": Review("s2", day(3), 2.0),
        "q-fine": Review("s2", day(3), 3.5),
        "q-worst": Review("s1", T0, 1.0),
        "q-best": Review("s2", day(3), 5.0),
    }
    plan = drills.plan_drill(schedule=schedule, latest=latest, askable=set(latest), now=day(4), size=3)
    assert plan.questions == ["q-worst", "q-weak", "q-fine"] and not plan.due and plan.next_due_at == day(6)
    assert drills.preface(plan, "en") == (
        "Nothing is due for review today (the next one comes due on 2026-11-07). "
        "Here are your 3 questions with the lowest scores instead, the weakest first."
    )
    assert drills.preface(plan, "fr").startswith("Rien n'est à revoir aujourd'hui (la prochaine revient le 07/11/2026).")


def test_the_preface_says_what_is_due_in_the_sessions_language() -> None:
    plan = drills.DrillPlan(questions=["q1"], due=True, due_count=1, next_due_at=None)
    assert drills.preface(plan, "en") == "Drill: one question you found hard is due for review today."
    assert drills.preface(plan, "fr") == "Entraînement ciblé : une question que vous aviez mal réussie est à revoir aujourd'hui."
