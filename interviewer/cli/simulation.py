"""`interviewer eval interviewer`: whole rounds through the HTTP API with simulated candidates, and
figures about the interviewer itself (does the report rank the candidates, do follow-ups listen).

The figures come from the transcripts alone (what a candidate would read), not from the engine's
internals, so they measure the offline voice and a model interviewer the same way.
"""

from __future__ import annotations

import asyncio
import json
import re
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from interviewer.assessment import candidates
from interviewer.assessment.candidates import Profile
from interviewer.assessment.evaluation import spearman
from interviewer.assessment.text import content_stems
from interviewer.catalog.fields import Language
from interviewer.catalog.loading import Catalog

# A follow-up asks for what the answer gave: a result after numbers, an example after one, rigour after "I don't know".
_ASKS_RESULT = re.compile(r"measurable (?:result|outcome)|what was the (?:result|outcome)|quel (?:a été le |était le )?résultat", re.IGNORECASE)
_ASKS_EXAMPLE = re.compile(r"\b(?:give|donner|donnez)\b[^.?]{0,40}\b(?:example|exemple)\b|concrete example would", re.IGNORECASE)
_ASKS_TRUTH = re.compile(r"always true|toujours vrai", re.IGNORECASE)
_GAVE_NUMBER = re.compile(r"\d")
_GAVE_EXAMPLE = re.compile(r"\b(?:for example|for instance|par exemple|in my (?:last )?project|dans mon (?:dernier )?projet)\b", re.IGNORECASE)
_DONT_KNOW = re.compile(r"\b(?:don'?t know|not sure|ne sais pas|pas sûr)\b", re.IGNORECASE)
OPENING_WORDS = 3
# A round needs this many follow-ups before "a quarter of its follow-ups" means anything.
MIN_FOLLOW_UPS_FOR_REPETITION = 4
MAX_TURNS = 120


def opening(text: str) -> str:
    """The first words of a follow-up, as a candidate would notice a repeated opening."""
    return " ".join(re.findall(r"[^\W_]+(?:'[^\W_]+)?", text.lower())[:OPENING_WORDS])


def takes_up(follow_up: str, answer: str, question: str, language: Language) -> bool:
    """True when the follow-up reuses a word of the answer that the question did not already use."""
    own = set(content_stems(answer, language)) - set(content_stems(question, language))
    return bool(own & set(content_stems(follow_up, language)))


def contradicts(follow_up: str, answer: str) -> bool:
    """True when the follow-up asks for what the answer already gave."""
    return bool(
        (_ASKS_RESULT.search(follow_up) and _GAVE_NUMBER.search(answer))
        or (_ASKS_EXAMPLE.search(follow_up) and _GAVE_EXAMPLE.search(answer))
        or (_ASKS_TRUTH.search(follow_up) and _DONT_KNOW.search(answer))
    )


@dataclass
class RoundFigures:
    """What one round shows about the interviewer."""

    follow_ups: int = 0
    taken_up: int = 0
    contradictions: int = 0
    openings: Counter[str] = field(default_factory=Counter)
    questions: int = 0

    @property
    def repetition(self) -> float | None:
        if self.follow_ups < MIN_FOLLOW_UPS_FOR_REPETITION:
            return None
        return max(self.openings.values()) / self.follow_ups


def round_figures(turns: list[dict[str, Any]]) -> RoundFigures:
    """Figures of one transcript (the API's turns, in order)."""
    figures = RoundFigures()
    questions: dict[str, str] = {}
    for i, turn in enumerate(turns):
        if turn["role"] != "interviewer":
            continue
        if turn["kind"] in ("question", "language_switch"):
            figures.questions += 1
            questions[turn["question_id"]] = turn["content"]
        if turn["kind"] != "follow_up" or i == 0 or turns[i - 1]["role"] != "candidate":
            continue
        answer = turns[i - 1]["content"]
        question = questions.get(turn["question_id"], "")
        figures.follow_ups += 1
        figures.taken_up += takes_up(turn["content"], answer, question, turn["language"])
        figures.contradictions += contradicts(turn["content"], answer)
        figures.openings[opening(turn["content"])] += 1
    return figures


@dataclass
class PersonaFigures:
    persona_id: str
    levels: list[int] = field(default_factory=list)
    scores: list[float] = field(default_factory=list)
    rounds: list[RoundFigures] = field(default_factory=list)
    seconds: list[float] = field(default_factory=list)

    @property
    def spearman(self) -> float | None:
        return spearman([float(x) for x in self.levels], self.scores)

    @property
    def relevance(self) -> float | None:
        total = sum(r.follow_ups for r in self.rounds)
        return sum(r.taken_up for r in self.rounds) / total if total else None

    @property
    def repetition(self) -> float | None:
        shares = [s for r in self.rounds if (s := r.repetition) is not None]
        return max(shares) if shares else None

    @property
    def contradiction_rate(self) -> float | None:
        total = sum(r.follow_ups for r in self.rounds)
        return sum(r.contradictions for r in self.rounds) / total if total else None

    @property
    def questions_per_round(self) -> float:
        return sum(r.questions for r in self.rounds) / max(1, len(self.rounds))

    @property
    def wall_seconds(self) -> float:
        return sum(self.seconds) / max(1, len(self.seconds))


# The candidate's next message, given the interviewer's latest turn and the conversation so far.
Speaker = Callable[[candidates.Turn, list[dict[str, Any]]], str]


def scripted_speaker(catalog: Catalog, persona_id: str, profile: Profile, run: int) -> Speaker:
    persona = catalog.persona(persona_id)
    rubric = catalog.rubric_for(persona)
    count = 0

    def speak(turn: candidates.Turn, _history: list[dict[str, Any]]) -> str:
        nonlocal count
        count += 1
        return candidates.answer(persona, rubric, profile, turn, run=run, turn_number=count)

    return speak


def model_speaker(models: Any, model: str, catalog: Catalog, persona_id: str, profile: Profile, language: Language, loop: asyncio.AbstractEventLoop) -> Speaker:
    """A model plays the candidate from a profile card; the interviewer's words are data, in delimiters."""
    persona = catalog.persona(persona_id)
    card = candidates.profile_card(persona, catalog.rubric_for(persona), profile, language)

    def speak(turn: candidates.Turn, history: list[dict[str, Any]]) -> str:
        messages = [{"role": "system", "content": card}]
        for item in history[-12:]:
            # The candidate is the assistant here; the interviewer speaks as the user.
            messages.append({"role": "assistant" if item["role"] == "candidate" else "user", "content": item["content"]})
        completion = loop.run_until_complete(models.complete(model=model, messages=messages, temperature=0.7, purpose="reply"))
        return _message(completion.text)

    return speak


def _message(text: str) -> str:
    """The candidate's words from a model reply: the JSON `message`, or the text itself."""
    stripped = text.strip()
    try:
        data = json.loads(stripped)
    except json.JSONDecodeError:
        return stripped or "..."
    message = data.get("message") if isinstance(data, dict) else None
    return str(message).strip() if message else stripped


def play_round(client: Any, persona_id: str, speak: Speaker, *, language: Language, extra: dict[str, str] | None = None) -> tuple[str, list[dict[str, Any]]]:
    """One whole round through the API; returns the session id and its turns."""
    created = client.post("/api/sessions", json={"persona_id": persona_id, "language": language, **(extra or {})})
    if created.status_code != 201:
        raise RuntimeError(f"could not start a {persona_id} round: {created.status_code} {created.text}")
    session = created.json()
    history = list(session["turns"])
    turn = history[-1]
    for i in range(MAX_TURNS):
        content = speak(candidates.Turn(turn["kind"], turn["question_id"], turn["language"], turn["content"]), history)
        response = client.post(f"/api/sessions/{session['id']}/answers", json={"content": content}, headers={"Idempotency-Key": f"sim-{i}"})
        if response.status_code != 200:
            raise RuntimeError(f"answer {i} of a {persona_id} round failed: {response.status_code} {response.text}")
        body = response.json()
        history += [body["answer"], body["reply"]]
        turn = body["reply"]
        if body["status"] == "ended":
            return session["id"], history
    raise RuntimeError(f"a {persona_id} round did not end after {MAX_TURNS} answers")


def overall_score(client: Any, session_id: str) -> float:
    report = client.get(f"/api/sessions/{session_id}/report")
    if report.status_code != 200:
        raise RuntimeError(f"report of {session_id} failed: {report.status_code} {report.text}")
    score = report.json()["overall"]["score"]
    return float(score) if score is not None else 1.0


def evaluate(
    *, persona_ids: list[str], runs: int, candidate_model: str | None = None, interviewer_model: str = "offline",
    settings_update: dict[str, Any] | None = None, progress: Callable[[str], None] = lambda _line: None,
) -> list[PersonaFigures]:
    """Play `runs` x five profiles per persona and measure each round."""
    from fastapi.testclient import TestClient

    from interviewer.api.app import create_app
    from interviewer.models import llm
    from interviewer.ops.settings import get_settings

    with tempfile.TemporaryDirectory() as folder:
        update = {
            "database_url": f"sqlite:///{Path(folder) / 'eval.db'}", "model": interviewer_model, "rate_limit_per_minute": 0,
            **(settings_update or {}),
        }
        base = get_settings()
        # Validated, so a key given as text becomes a secret as it does from the environment.
        settings = type(base).model_validate({**base.model_dump(), **update})
        loop = asyncio.new_event_loop()
        # The candidate's model has a client of its own: the app's models serve the interviewer and the judge.
        models = llm.Models(settings.model_copy(update={"model": candidate_model, "judge_model": None})) if candidate_model else None
        results: list[PersonaFigures] = []
        try:
            with TestClient(create_app(settings)) as client:
                catalog: Catalog = client.app.state.catalog  # type: ignore[attr-defined]
                for persona_id in persona_ids:
                    figures = PersonaFigures(persona_id)
                    language: Language = catalog.persona(persona_id).language
                    for run in range(runs):
                        for profile in candidates.profiles_for_run(run):
                            if models is not None and candidate_model:
                                speak = model_speaker(models, candidate_model, catalog, persona_id, profile, language, loop)
                            else:
                                speak = scripted_speaker(catalog, persona_id, profile, run)
                            started = time.perf_counter()
                            session_id, turns = play_round(client, persona_id, speak, language=language)
                            figures.seconds.append(time.perf_counter() - started)
                            figures.levels.append(candidates.LEVELS[profile])
                            figures.scores.append(overall_score(client, session_id))
                            figures.rounds.append(round_figures(turns))
                            progress(f"{persona_id} run {run + 1} {profile}: score {figures.scores[-1]:.2f}")
                    results.append(figures)
        finally:
            close_loop(loop)
        return results


def close_loop(loop: asyncio.AbstractEventLoop) -> None:
    """Close as asyncio.run does: cancel what is left (litellm's logging worker), then close."""
    pending = asyncio.all_tasks(loop)
    for task in pending:
        task.cancel()
    if pending:
        loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
    loop.run_until_complete(loop.shutdown_asyncgens())
    loop.close()


def _fmt(value: float | None, digits: int = 2) -> str:
    return "n/a" if value is None else f"{value:.{digits}f}"


def summary_lines(results: list[PersonaFigures]) -> list[str]:
    """One line per persona, then the line CI reads: worst Spearman, worst relevance, worst repetition."""
    lines = []
    for f in results:
        lines.append(
            f"{f.persona_id}: spearman={_fmt(f.spearman)} relevance={_fmt(f.relevance)} repetition={_fmt(f.repetition)} "
            f"contradictions={_fmt(f.contradiction_rate)} questions/round={f.questions_per_round:.1f} wall={f.wall_seconds:.2f}s "
            f"rounds={len(f.rounds)}"
        )
    spearmans = [s for f in results if (s := f.spearman) is not None]
    relevances = [r for f in results if (r := f.relevance) is not None]
    repetitions = [r for f in results if (r := f.repetition) is not None]
    lines.append(
        f"spearman={_fmt(min(spearmans) if spearmans else None)} "
        f"relevance={_fmt(min(relevances) if relevances else None)} "
        f"repetition={_fmt(max(repetitions) if repetitions else None)}"
    )
    return lines
