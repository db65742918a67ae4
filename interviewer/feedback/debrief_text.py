"""The debrief's words, in English and French: its sentences, headings and band names."""

from __future__ import annotations

import re
from typing import Any


TEXTS: dict[str, dict[str, str]] = {
    "en": {
        "disclaimer": "Practice feedback from a rehearsed interview loop, not a hiring decision.",
        "partial": "Partial debrief: {ended} of {total} rounds ended; unfinished rounds are shown as they stand.",
        "figures_differ": "The same story with different figures: {first_round} heard {first_numbers}, {second_round} heard {second_numbers}. Check which is right and tell it the same way to everyone.",
        "not_confirmed": "You named {term} to {first_round}; when {second_round} asked about it, the answer scored {score:.1f} / 5. Either learn it well enough to explain it under follow-ups, or stop presenting it as a skill.",
        "confirmed": "You named {term} to {first_round}, and {second_round} confirmed it: the answer on it scored {score:.1f} / 5.",
        "asked": "You named {term} to {first_round}; {second_round} later asked about it, and that answer scored {score:.1f} / 5.",
        "note_not_confirmed": "{first_round} left a note to verify: {note} {second_round} followed it up and the answer scored {score:.1f} / 5: not confirmed.",
        "note_asked": "{first_round} left a note to verify: {note} {second_round} followed it up and the answer scored {score:.1f} / 5.",
        "note_confirmed": "{first_round} left a note to verify: {note} {second_round} followed it up and the answer scored {score:.1f} / 5: confirmed.",
        "note_unchecked": "{first_round} left a note to verify: {note} No later round followed it up, so it is not assessed here.",
        "worst_round": "Your weakest round ({round}, {score:.1f} / 5): start here.",
        "question_why": "Scored {score:.1f} / 5 in {round}.",
        "question_missing": "Left out: {points}.",
        "none_covered": "None of the key points was covered.",
        "unanswered_why": "Not answered in {round}.",
        "criterion_why": "{criterion} scored {score:.1f} / 5 in {rounds}.",
        "next_level": "Level {level} asks for: {anchor}",
        "and": "and",
    },
    "fr": {
        "disclaimer": "Retour d'entraînement sur une boucle d'entretiens simulés, pas une décision d'embauche.",
        "partial": "Bilan partiel : tours terminés : {ended} sur {total} ; les tours inachevés sont présentés en l'état.",
        "figures_differ": "La même histoire avec des chiffres différents : {first_round} a entendu {first_numbers}, {second_round} a entendu {second_numbers}. Vérifiez le bon chiffre et racontez-la de la même façon à chacun.",
        "not_confirmed": "Vous avez cité {term} devant {first_round} ; quand {second_round} vous a interrogé dessus, la réponse a obtenu {score:.1f} / 5. Apprenez-le assez pour l'expliquer sous les relances, ou cessez de le présenter comme une compétence.",
        "confirmed": "Vous avez cité {term} devant {first_round}, et {second_round} l'a confirmé : la réponse a obtenu {score:.1f} / 5.",
        "asked": "Vous avez cité {term} devant {first_round} ; {second_round} vous a ensuite interrogé dessus, et cette réponse a obtenu {score:.1f} / 5.",
        "note_not_confirmed": "{first_round} a laissé une note à vérifier : {note} {second_round} y est revenu et la réponse a obtenu {score:.1f} / 5 : non confirmé.",
        "note_asked": "{first_round} a laissé une note à vérifier : {note} {second_round} y est revenu et la réponse a obtenu {score:.1f} / 5.",
        "note_confirmed": "{first_round} a laissé une note à vérifier : {note} {second_round} y est revenu et la réponse a obtenu {score:.1f} / 5 : confirmé.",
        "note_unchecked": "{first_round} a laissé une note à vérifier : {note} Aucun tour suivant n'y est revenu : ce point n'est pas évalué ici.",
        "worst_round": "Votre tour le plus faible ({round}, {score:.1f} / 5) : commencez par lui.",
        "question_why": "{score:.1f} / 5 lors de {round}.",
        "question_missing": "Manquait : {points}.",
        "none_covered": "Aucun des points clés n'a été abordé.",
        "unanswered_why": "Sans réponse lors de {round}.",
        "criterion_why": "{criterion} : {score:.1f} / 5 lors de {rounds}.",
        "next_level": "Le niveau {level} demande : {anchor}",
        "and": "et",
    },
}


# Headings and labels of the rendered debrief (Markdown and HTML).
LABELS: dict[str, dict[str, str]] = {
    "en": {
        "title": "Loop debrief", "rounds": "Rounds", "round": "Round", "status": "Status", "score": "Score",
        "band": "Band", "questions": "Questions", "question": "Question", "not_scored": "not scored",
        "not_answered": "not answered", "not_started": "not started", "active": "in progress", "ended": "ended",
        "in_progress": "in progress", "done": "done",
        "consistency": "Across rounds", "no_signals": "Nothing to flag: no two rounds heard different figures for the same story, and no claim a later round asked about went unconfirmed.",
        "competencies": "Competencies", "shared": "shared by several rounds", "not_assessed": "not assessed",
        "plan": "Practice plan", "no_plan": "No question or criterion scored below 4: rehearse the whole loop again under time pressure.",
        "why": "Why", "strong": "A strong answer covers", "you_said": "You said", "rounds_chart": "Overall score of each round, out of 5",
        "competencies_chart": "Score of each competency, out of 5", "checked": "What was checked: figures told in two rounds about the same story, and claims a later round asked about; nothing else is asserted.",
        "criterion": "Criterion", "early": "ended early: no band",
    },
    "fr": {
        "title": "Bilan de la boucle", "rounds": "Tours", "round": "Tour", "status": "État", "score": "Score",
        "band": "Niveau", "questions": "Questions", "question": "Question", "not_scored": "non noté",
        "not_answered": "sans réponse", "not_started": "pas commencé", "active": "en cours", "ended": "terminé",
        "in_progress": "en cours", "done": "terminée",
        "consistency": "D'un tour à l'autre", "no_signals": "Rien à signaler : aucun chiffre différent pour la même histoire d'un tour à l'autre, et aucune affirmation reprise par un tour suivant sans être confirmée.",
        "competencies": "Compétences", "shared": "commune à plusieurs tours", "not_assessed": "non évalué",
        "plan": "Plan d'entraînement", "no_plan": "Aucune question ni aucun critère sous 4 : rejouez toute la boucle en temps limité.",
        "why": "Pourquoi", "strong": "Une bonne réponse couvre", "you_said": "Vous avez dit", "rounds_chart": "Score global de chaque tour, sur 5",
        "competencies_chart": "Score de chaque compétence, sur 5", "checked": "Ce qui a été vérifié : les chiffres donnés dans deux tours pour la même histoire, et les affirmations reprises par un tour suivant ; rien d'autre n'est affirmé.",
        "criterion": "Critère", "early": "terminé avant la fin : sans niveau",
    },
}


BAND_NAMES: dict[str, dict[str, str]] = {
    "en": {"ready": "ready", "nearly-there": "nearly there", "developing": "developing", "needs-groundwork": "needs groundwork"},
    "fr": {"ready": "prêt", "nearly-there": "presque prêt", "developing": "en progrès", "needs-groundwork": "bases à consolider"},
}


def band_name(language: str, key: str | None) -> str:
    return BAND_NAMES["fr" if language == "fr" else "en"].get(key or "", "")


def labels(language: str) -> dict[str, str]:
    return LABELS["fr" if language == "fr" else "en"]


def text(language: str, key: str, **values: Any) -> str:
    return TEXTS["fr" if language == "fr" else "en"][key].format(**values)
