"""Simulated candidates for measuring the interviewer: scripted profiles of known level, built from
the rubric's key points, its reference answers and the DSI bank, and a profile card for a model.

Pure functions: the answer to a turn depends only on the profile, the turn and the run's seed,
so a measurement is reproducible.
"""

from __future__ import annotations

import hashlib
import json
import random
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any, Literal

from interviewer.assessment.text import content_stems, sentences
from interviewer.catalog.fields import Language
from interviewer.catalog.personas import Persona
from interviewer.catalog.rubrics import Rubric

Profile = Literal["expert", "solid", "partial", "hedging", "bluffing", "off_topic"]
# The level each profile should get: the report's score is expected to rank rounds in this order.
LEVELS: dict[str, int] = {"expert": 5, "solid": 4, "partial": 3, "hedging": 2, "bluffing": 2, "off_topic": 1}
# Five profiles per persona and run; the level-2 profile alternates between hedging and bluffing.
def profiles_for_run(run: int) -> list[Profile]:
    return ["expert", "solid", "partial", "hedging" if run % 2 == 0 else "bluffing", "off_topic"]


# Share of the key points and of the reference answer each profile says.
_COVERAGE = {"expert": 1.0, "solid": 0.6, "partial": 0.3}
OFF_TOPIC_DRAWS = 8
_CLOSING_QUESTION = {
    "en": "What does a typical week look like for someone joining the team?",
    "fr": "À quoi ressemble une semaine type pour quelqu'un qui rejoint l'équipe ?",
}
_DONE = {"en": "That's all.", "fr": "C'est tout."}
_HEDGES = {
    "en": ["I'm not sure, to be honest.", "I don't really know.", "Maybe, I think, but I don't remember the details."],
    "fr": ["Je ne suis pas sûr, honnêtement.", "Je ne sais pas vraiment.", "Peut-être, je crois, mais je ne me souviens plus des détails."],
}
_BLUFF = {
    "en": [
        "This is obviously a classic problem and every serious team solves it the same way: take the biggest model "
        "available, add much more data and train longer, and the problem disappears. I have done this many times.",
        "Honestly it is straightforward. Modern deep learning makes these questions mostly irrelevant, because a large "
        "enough network learns whatever it needs, so the details you ask about do not matter in practice.",
        "Everybody in industry knows the answer: you automate it with the best available framework and tune until the "
        "dashboard is green. It always works, there is really nothing subtle about it.",
    ],
    "fr": [
        "C'est évidemment un problème classique et toutes les équipes sérieuses le résolvent de la même façon : on prend "
        "le plus gros modèle disponible, on ajoute des données et on entraîne plus longtemps. Je l'ai fait souvent.",
        "Honnêtement, c'est simple. Le deep learning moderne rend ces questions presque inutiles, car un réseau assez "
        "grand apprend ce dont il a besoin, donc ces détails ne comptent pas en pratique.",
        "Tout le monde dans l'industrie connaît la réponse : on automatise avec le meilleur framework et on ajuste jusqu'à "
        "ce que le tableau de bord soit vert. Cela marche toujours.",
    ],
}
_EVIDENCE = {
    "en": "For example, in my last project I chose {a} over {b}, and it cut the error by {n}% on the held-out set.",
    "fr": "Par exemple, dans mon dernier projet, j'ai choisi {a} plutôt que {b}, et l'erreur a baissé de {n} % sur le jeu de test.",
}
_POINT = {"en": "A key point here is {p}, together with {q}.", "fr": "Un point clé ici : {p}, avec {q}."}


@cache
def dsi_bank() -> tuple[dict[str, Any], ...]:
    text = resources.files("interviewer.data").joinpath("dsi_theory_qa.jsonl").read_text("utf-8")
    rows = (json.loads(line) for line in text.splitlines() if line.strip())
    # Only rows with a reference answer can stand in for an answer to another question.
    return tuple(row for row in rows if row.get("reference_answer"))


def _rng(*parts: object) -> random.Random:
    return random.Random(int(hashlib.sha256(":".join(map(str, parts)).encode()).hexdigest()[:16], 16))


@dataclass(frozen=True)
class Turn:
    """What the simulated candidate sees of the interviewer's latest turn."""

    kind: str
    question_id: str | None
    language: Language
    content: str


def _key_sentences(rubric: Rubric, question_id: str, language: Language, share: float, rng: random.Random) -> list[str]:
    key = rubric.questions.get(question_id)
    if key is None:
        return []
    points = list(key.key_points)
    count = max(1, round(len(points) * share))
    said = []
    for point in points[:count]:
        phrases = point.phrases(language)
        # Two phrases of one key point in one sentence: what a good answer to it sounds like.
        said.append(_POINT[language].format(p=phrases[0], q=phrases[min(1, len(phrases) - 1)]))
    rng.shuffle(said)
    return said


def _reference(rubric: Rubric, question_id: str, language: Language, share: float) -> list[str]:
    key = rubric.questions.get(question_id)
    if key is None or key.reference_answer is None or language != "en":
        return []
    found = [s.text for s in sentences(key.reference_answer, language)]
    return found[: max(1, round(len(found) * share))]


def _off_topic(rubric: Rubric, question_id: str, question: str, run: int, turn_number: int) -> str:
    """Another DSI question's answer: of a few drawn, the one sharing the fewest words with this question."""
    bank = dsi_bank()
    rng = _rng("off", question_id, run, turn_number)
    key = rubric.questions.get(question_id)
    topic = question + " " + (key.reference_answer or "" if key else "") + " " + " ".join(
        p for point in (key.key_points if key else []) for p in point.en
    )
    own = set(content_stems(topic, "en"))
    drawn = [bank[rng.randrange(len(bank))] for _ in range(OFF_TOPIC_DRAWS)]
    row = min(drawn, key=lambda r: len(own & set(content_stems(r["reference_answer"], "en"))))
    return " ".join(row["reference_answer"].split()[:90])


def _terms(rubric: Rubric, question_id: str, language: Language, rng: random.Random) -> tuple[str, str]:
    """Two of the question's key phrases, for a choice between them."""
    key = rubric.questions.get(question_id)
    if key is None or len(key.key_points) < 2:
        return ("the simpler approach", "a heavier one") if language == "en" else ("l'approche simple", "une plus lourde")
    first, second = rng.sample(list(key.key_points), 2)
    return first.phrases(language)[0], second.phrases(language)[0]


def answer(persona: Persona, rubric: Rubric, profile: Profile, turn: Turn, *, run: int, turn_number: int) -> str:
    """The profile's answer to the interviewer's turn."""
    language = turn.language
    rng = _rng(persona.id, profile, run, turn_number)
    if turn.kind in ("closing", "farewell") or turn.question_id is None:
        return _CLOSING_QUESTION[language]
    question_id = turn.question_id
    if turn.kind == "presentation_more":
        return _DONE[language]
    first = turn.kind in ("question", "language_switch")
    if profile == "off_topic":
        return _off_topic(rubric, question_id, turn.content, run, turn_number)
    if profile == "hedging":
        hedge = rng.choice(_HEDGES[language])
        said = _key_sentences(rubric, question_id, language, 0.2, rng)[:1] if first else []
        return " ".join([hedge, *said])
    if profile == "bluffing":
        return rng.choice(_BLUFF[language])
    share = _COVERAGE[profile]
    if first:
        # The reference answer's own prose when there is one; its key points said plainly otherwise.
        parts = _reference(rubric, question_id, language, share) or _key_sentences(rubric, question_id, language, share, rng)
    else:
        # A follow-up: the points not said yet, in other words.
        parts = _key_sentences(rubric, question_id, language, 1.0, rng)[: 2 if profile == "expert" else 1]
    if profile in ("expert", "solid"):
        a, b = _terms(rubric, question_id, language, rng)
        parts.append(_EVIDENCE[language].format(a=a, b=b, n=rng.randrange(5, 40)))
    text = " ".join(parts)
    if persona.takehome is not None and question_id == persona.takehome.presentation.question:
        text = f"{text} {_DONE[language]}"
    return text


def profile_card(persona: Persona, rubric: Rubric, profile: Profile, language: Language) -> str:
    """What a model playing the candidate is told: who it is, what it knows, how it answers."""
    known = {
        "expert": "You know every topic of this round in depth, with formulas, trade-offs and concrete results.",
        "solid": "You know most topics well but miss some finer points; you give concrete examples.",
        "partial": "You know the basics only: short answers that cover one or two points.",
        "hedging": "You are unsure of almost everything; you say so and give very little content.",
        "bluffing": "You know little but answer confidently with vague generalities and buzzwords, never admitting doubt.",
        "off_topic": "You do not listen to the questions: you talk about a different machine-learning subject each time.",
    }[profile]
    points = sorted({p.label for key in rubric.questions.values() for p in key.key_points})[:40]
    reference = "\n".join(f"- {p}" for p in points) if profile in ("expert", "solid") else "(none: do not use outside knowledge beyond your level)"
    return (
        f"You are a candidate in a mock interview: {persona.name}, {persona.role}. "
        f"Answer in {'French' if language == 'fr' else 'English'}, as a person speaking, in one message of at most 180 words.\n"
        f"Your level: {known}\n"
        f"Points you can draw on:\n{reference}\n"
        "Reply with a JSON object {\"message\": \"...\"}: only what you say to the interviewer. "
        "When the interviewer asks for your questions, ask one question about the team."
    )
