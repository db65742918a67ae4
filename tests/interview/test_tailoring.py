"""What the candidate's documents make relevant, read without a model."""

from __future__ import annotations

from interviewer.catalog.loading import Catalog
from interviewer.interview import engine
from interviewer.interview.tailoring import focus_of


def test_cv_projects_come_from_action_lines_then_bullets_then_named_techniques() -> None:
    described = "Experience\n- Built a churn prediction model for a telecom operator using XGBoost.\n- Led a team of three students."
    assert focus_of(job_description=None, cv=described, language="en").projects[0] == "a churn prediction model for a telecom operator"
    bullets = "PROJECTS\n- Sentiment analysis of tweets with BERT (2023)\n- Real-time object detection on drones | PyTorch"
    assert focus_of(job_description=None, cv=bullets, language="en").projects == ("Sentiment analysis of tweets", "Real-time object detection on drones")
    french = "EXPÉRIENCE\n• J'ai développé un chatbot RAG pour le support client."
    assert focus_of(job_description=None, cv=french, language="fr").projects[0] == "un chatbot RAG pour le support client"
    skills_only = "Jane Doe. Skills: PyTorch, reinforcement learning, PPO."
    assert focus_of(job_description=None, cv=skills_only, language="en").projects, "a named technique is still something to ask about"


def test_no_document_means_no_focus_and_the_seeded_draw_is_unchanged(catalog: Catalog) -> None:
    persona = catalog.persona("technical-ml")
    empty = focus_of(job_description=None, cv=None, language="en")
    assert empty.empty
    assert engine.plan(persona, "s9", empty) == engine.plan(persona, "s9")


def test_a_cv_makes_the_manager_ask_a_cv_grounded_project_question(catalog: Catalog) -> None:
    persona = catalog.persona("manager-fit")
    focus = focus_of(job_description=None, cv="- Built a fraud detection service for card payments.", language="en")
    for seed in ("a", "b", "c", "d"):
        planned = engine.plan(persona, seed, focus)
        assert any(persona.question(q).cv_text is not None for q in planned), seed
