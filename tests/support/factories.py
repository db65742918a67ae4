"""A small persona and rubric built in code, so engine and scoring tests do not depend on the
shipped content."""

from __future__ import annotations

from typing import Any

from interviewer.catalog.personas import Persona
from interviewer.catalog.rubrics import Rubric


def loc(en: str, fr: str | None = None) -> dict[str, str]:
    return {"en": en, "fr": fr or f"[fr] {en}"}


def make_rubric(**overrides: Any) -> Rubric:
    levels = {i: f"level {i} anchor" for i in range(1, 6)}
    data: dict[str, Any] = {
        "id": "mini",
        "name": "Mini rubric",
        "description": "For tests.",
        "criteria": [
            {"id": "correctness", "name": "Correctness", "description": "Right facts.", "weight": 0.4, "levels": levels, "content_weight": 1.0},
            {"id": "depth", "name": "Depth", "description": "Why and how.", "weight": 0.2, "levels": levels, "content_weight": 0.5,
             "signals": {"en": ["because", "derive", "intuition"], "fr": ["parce que", "dériver", "intuition"]}},
            {"id": "trade_offs", "name": "Trade-offs", "description": "Costs.", "weight": 0.2, "levels": levels, "content_weight": 0.3,
             "signals": {"en": ["trade-off", "downside", "at the cost of"], "fr": ["compromis", "inconvénient", "au prix de"]}},
            {"id": "clarity", "name": "Clarity", "description": "Structure.", "weight": 0.2, "levels": levels, "content_weight": 0.2,
             "signals": {"en": ["first", "then", "finally", "in short"], "fr": ["d'abord", "ensuite", "enfin", "bref"]}},
        ],
        "questions": {
            "q-backprop": {
                "key_points": [
                    {"label": "chain rule", "en": ["chain rule"], "fr": ["règle de la chaîne"]},
                    {"label": "gradients flow backwards", "en": ["backward pass", "propagate gradients backwards"], "fr": ["passe arrière"]},
                    {"label": "reuses intermediate values", "en": ["cache activations", "reuse intermediate"], "fr": ["activations stockées"]},
                ],
                "reference_answer": "Back-propagation applies the chain rule to compute gradients of the loss with respect to every weight, in a backward pass that reuses cached activations.",
            }
        },
    }
    data.update(overrides)
    return Rubric.model_validate(data)


def make_persona(**overrides: Any) -> Persona:
    probes = {c: [loc(f"{c} probe {i}") for i in range(3)] for c in ("correctness", "depth", "trade_offs", "clarity")}
    questions = [{"id": "q-backprop", "text": loc("Explain back-propagation."), "criteria": ["correctness", "depth", "trade_offs", "clarity"]}]
    questions += [{"id": f"q-{i}", "text": loc(f"Question {i}?")} for i in range(1, 10)]
    questions += [{"id": "q-english", "text": loc("Tell me in English about your team.")}]
    data: dict[str, Any] = {
        "id": "mini",
        "name": "Ada",
        "role": "Tester",
        "description": "A persona for tests.",
        "tone": "neutral",
        "rubric": "mini",
        "duration_minutes": 30,
        "max_follow_ups_per_question": 2,
        "min_answer_words": 12,
        "opening": loc("Welcome."),
        "closing": loc("Any questions for me?"),
        "farewell": loc("Goodbye."),
        "acknowledgements": [loc("Thanks."), loc("Okay.")],
        "lead_ins": {k: loc(f"<{k}>") for k in ("too_short", "hedge", "off_topic", "missing_evidence")},
        "stages": [
            {"id": "intro", "title": loc("Intro"), "minutes": 5, "questions": ["q-backprop"]},
            {"id": "pool", "title": loc("Pool"), "minutes": 20, "questions": [f"q-{i}" for i in range(1, 10)], "ask": 3},
            {"id": "english", "title": loc("English"), "minutes": 5, "questions": ["q-english"]},
        ],
        "questions": questions,
        "follow_ups": probes,
        "language_switch": {"when_language": "fr", "to": "en", "question": "q-english", "announce": loc("Switching to English.", "Passons à l'anglais.")},
    }
    data.update(overrides)
    return Persona.model_validate(data)
