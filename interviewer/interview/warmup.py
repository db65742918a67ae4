"""Fill a server process's caches of the offline reading before it takes its first request.

The scorer and the engine load their data (glossary, cues, patterns, stems, the paraphrase model)
lazily, once per process. Left to the first requests, two hundred students starting at once all
pay it together: every worker thread loads the same data at the same time and the first turns
take tens of seconds. `interviewer serve` pays it once, before it listens.
"""

from __future__ import annotations

import logging
import time
from typing import get_args

from interviewer.assessment import mentions, scoring
from interviewer.catalog.fields import Language
from interviewer.catalog.loading import Catalog

log = logging.getLogger("interviewer.warmup")


def warm_up(catalog: Catalog) -> float:
    """Read one answer per persona and language as a turn would (its question's reference answer,
    or the question itself); returns the seconds it took."""
    started = time.perf_counter()
    for persona in catalog.personas.values():
        rubric = catalog.rubric_for(persona)
        question = persona.questions[0]
        key = rubric.questions.get(question.id)
        for language in get_args(Language):
            asked = question.text.get(language)
            answer = key.reference_answer if key and key.reference_answer else asked
            scoring.assess(
                thread=answer, latest=answer, question=question, rubric=rubric, language=language,
                min_words=persona.min_answer_words,
            )
            # Its terms too: read only when asked for, and their glossary is the slowest load.
            _ = mentions.read_answer(answer, language=language, question=asked).terms
    seconds = time.perf_counter() - started
    log.info("offline reading warmed up in %.1f s", seconds)
    return seconds
