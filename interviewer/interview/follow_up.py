"""Choosing the parts of the interviewer's next words: which probe fits what the answer gave, and
which lead-in and acknowledgement to say, so that openings vary and none contradicts the answer.

Pure functions over the persona's data and the transcript's texts (see interview/engine.py for the moves).
"""

from __future__ import annotations

import hashlib
import random
from collections import Counter
from typing import Literal

from interviewer.assessment import mentions
from interviewer.assessment.scoring import Assessment
from interviewer.catalog.fields import Language
from interviewer.catalog.personas import Persona, Probe

AnswerFit = Literal["solid", "partial", "weak"]
# A slotted probe may be asked twice in a session, with different words of the candidate's.
MAX_PROBE_USES = 2
# A lead-in naming the answer is preferred only while it opens under a quarter of the follow-ups.
MAX_OPENING_SHARE = 4


def _rng(seed: str, salt: str) -> random.Random:
    return random.Random(int(hashlib.sha256(f"{seed}:{salt}".encode()).hexdigest()[:16], 16))


def answer_fit(assessment: Assessment | None) -> AnswerFit:
    if assessment is None:
        return "partial"
    if assessment.hedges or assessment.off_topic or assessment.too_short:
        return "weak"
    return "partial" if assessment.lacking else "solid"


def opening_of(template: str) -> str:
    """What a lead-in or acknowledgement starts with: its text before the first slot, lower-cased."""
    return template.split("{", 1)[0].strip().lower()


def uses(template: str, texts: list[str]) -> int:
    opening = opening_of(template)
    return sum(1 for text in texts if opening and text.lower().startswith(opening))


def least_used(options: list[int], templates: list[str], said_before: list[str], rng: random.Random) -> int | None:
    """The option said least often so far, never the one said last; ties drawn with the seed."""
    if not options:
        return None
    last = said_before[-1:] if said_before else []
    fresh = [i for i in options if not uses(templates[i], last)] or options
    rng.shuffle(fresh)
    return min(fresh, key=lambda i: uses(templates[i], said_before))


def lead_in(
    persona: Persona, reason: str, language: Language, slots: dict[str, str], follow_up_texts: list[str], rng: random.Random,
    *, prefer_slots: bool = False, avoid_slots: set[str] | None = None,
) -> int | None:
    """The lead-in said least so far; one naming the answer's words when the probe itself names none."""
    options = persona.lead_ins.of(reason)
    templates = [o.get(language) for o in options]
    fitting = [i for i, t in enumerate(templates) if mentions.slots_of(t) <= set(slots)]
    if avoid_slots:
        # The probe already names these words: a lead-in naming them again would only echo,
        # unless every other opening was already said (a repeated opening is worse than an echo).
        quiet = [i for i in fitting if not mentions.slots_of(templates[i]) & avoid_slots]
        if quiet and min(uses(templates[i], follow_up_texts) for i in quiet) <= min(uses(templates[i], follow_up_texts) for i in fitting):
            fitting = quiet
    if prefer_slots:
        naming = [i for i in fitting if mentions.slots_of(templates[i])]
        fresh = [i for i in naming if uses(templates[i], follow_up_texts) * MAX_OPENING_SHARE < len(follow_up_texts) + 1]
        fitting = fresh or fitting
    return least_used(fitting, templates, follow_up_texts, rng)


def fresh(probe_id: str, probe: Probe, language: Language, slots: dict[str, str], used: Counter[str], said_before: list[str]) -> bool:
    """Never the same follow-up twice: a probe with slots may come back once with other words of the answer."""
    if not used[probe_id]:
        return True
    template = probe.get(language)
    if not mentions.slots_of(template) or used[probe_id] >= MAX_PROBE_USES:
        return False
    filled = mentions.fill(template, slots)
    return filled is not None and not any(filled in text for text in said_before)


def acknowledgement(persona: Persona, fit: AnswerFit, language: Language, said_before: list[str], seed: str) -> int | None:
    templates = [a.get(language) for a in persona.acknowledgements]
    fitting = [i for i, a in enumerate(persona.acknowledgements) if fit in a.fits] or list(range(len(templates)))
    return least_used(fitting, templates, said_before, _rng(seed, f"ack:{len(said_before)}"))


def probe_fits(probe: Probe, language: Language, slots: dict[str, str], gave: set[str], reason: str) -> bool:
    if set(probe.asks) & gave:
        return False
    if reason == "hedge" and set(probe.asks) & {"truth", "precision", "result"}:
        # A hedge gets an invitation to reason aloud, not a demand for rigour.
        return False
    return mentions.slots_of(probe.get(language)) <= set(slots)
