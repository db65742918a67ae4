"""The shipped personas and rubrics are complete, bilingual and consistent; a broken file
fails with its path and the path of the bad field."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import yaml

from interviewer.catalog.fields import LANGUAGES
from interviewer.catalog.loading import Catalog, CatalogError, load_catalog, snapshot
from interviewer.ops.settings import PROJECT_ROOT

ROUNDS = ["manager-fit", "recruiter-screen", "takehome-review", "technical-ml"]


def test_four_rounds_each_with_its_own_rubric(catalog: Catalog) -> None:
    assert sorted(catalog.personas) == ROUNDS
    assert {p.rubric for p in catalog.personas.values()} == set(ROUNDS)


@pytest.mark.parametrize("persona_id", ROUNDS)
def test_persona_is_complete(catalog: Catalog, persona_id: str) -> None:
    persona = catalog.persona(persona_id)
    rubric = catalog.rubric_for(persona)
    assert len(persona.questions) >= (30 if persona_id == "technical-ml" else 10)
    assert 4 <= len(rubric.criteria) <= 6
    assert all(set(c.levels) == {1, 2, 3, 4, 5} for c in rubric.criteria)
    assert set(persona.follow_ups) == {c.id for c in rubric.criteria}
    assert sum(s.minutes for s in persona.stages) <= persona.duration_minutes * 1.25
    for language in LANGUAGES:
        assert persona.opening.get(language) and persona.closing.get(language)
        assert all(q.text.get(language) for q in persona.questions)
    closing = persona.closing.en.lower()
    assert "question" in closing, "the closing invites the candidate's own questions"


@pytest.mark.parametrize("persona_id", ROUNDS)
def test_every_reference_answer_comes_with_key_points(catalog: Catalog, persona_id: str) -> None:
    rubric = catalog.rubric_for(catalog.persona(persona_id))
    for question_id, key in rubric.questions.items():
        if key.reference_answer:
            assert key.key_points, question_id


def test_technical_round_draws_on_the_dsi_bank_with_attribution(catalog: Catalog) -> None:
    rubric = catalog.rubrics["technical-ml"]
    dsi = [row for row in map(json.loads, (PROJECT_ROOT / "interviewer/data/dsi_theory_qa.jsonl").read_text().splitlines())]
    references = {row["reference_answer"] for row in dsi if row["reference_answer"]}
    quoted = [k for k in rubric.questions.values() if k.reference_answer in references]
    assert len(quoted) >= 20
    assert all(k.source and "CC BY 4.0" in k.source for k in quoted)


def test_manager_fit_in_french_switches_to_english(catalog: Catalog) -> None:
    switch = catalog.persona("manager-fit").language_switch
    assert switch is not None and (switch.when_language, switch.to) == ("fr", "en")


def test_snapshot_hash_changes_with_content(catalog: Catalog) -> None:
    persona = catalog.persona("technical-ml")
    content, digest = snapshot(persona)
    assert snapshot(persona) == (content, digest)
    edited = persona.model_copy(update={"tone": "harsh"})
    assert snapshot(edited)[1] != digest


def _copy_catalog(tmp_path: Path) -> tuple[Path, Path]:
    personas, rubrics = tmp_path / "personas", tmp_path / "rubrics"
    shutil.copytree(PROJECT_ROOT / "personas", personas)
    shutil.copytree(PROJECT_ROOT / "rubrics", rubrics)
    return personas, rubrics


def _edit(path: Path, change) -> None:  # type: ignore[no-untyped-def]
    data = yaml.safe_load(path.read_text())
    change(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True))


@pytest.mark.parametrize(
    ("file", "change", "expected"),
    [
        ("personas/technical-ml.yaml", lambda d: d.update(surprise=1), "surprise: Extra inputs are not permitted"),
        ("personas/technical-ml.yaml", lambda d: d["questions"][2]["text"].pop("fr"), "questions.2.text.fr: Field required"),
        ("rubrics/recruiter-screen.yaml", lambda d: d["criteria"][0]["levels"].pop(3), "levels: an anchor is required for every level 1-5; missing [3]"),
        ("rubrics/manager-fit.yaml", lambda d: d["criteria"][0].update(weight=0.9), "weights must add up to 1.0"),
        ("rubrics/technical-ml.yaml", lambda d: d["criteria"][1].pop("name_fr"), "criteria.1.name_fr: Field required"),
        ("personas/recruiter-screen.yaml", lambda d: d["stages"][0]["questions"].append("no-such-question"), "unknown question ids ['no-such-question']"),
        ("personas/takehome-review.yaml", lambda d: d.update(rubric="missing"), "rubric: no rubric 'missing'"),
        ("personas/takehome-review.yaml", lambda d: d["questions"][0].update(criteria=["charisma"]), "questions.0.criteria: not in rubric"),
    ],
)
def test_invalid_file_names_its_path_and_field(tmp_path: Path, file: str, change, expected: str) -> None:  # type: ignore[no-untyped-def]
    personas, rubrics = _copy_catalog(tmp_path)
    _edit(tmp_path / file, change)
    with pytest.raises(CatalogError) as error:
        load_catalog(personas, rubrics)
    message = str(error.value)
    assert str(tmp_path / file) in message
    assert expected in message


def test_broken_yaml_names_the_file(tmp_path: Path) -> None:
    personas, rubrics = _copy_catalog(tmp_path)
    (personas / "technical-ml.yaml").write_text("id: [unclosed\n")
    with pytest.raises(CatalogError, match="technical-ml.yaml: not valid YAML"):
        load_catalog(personas, rubrics)


def test_a_snapshot_is_computed_once_per_object_and_never_mixed_up(catalog: Catalog) -> None:
    persona = catalog.personas["technical-ml"]
    rubric = catalog.rubric_for(persona)
    first = snapshot(rubric)
    assert snapshot(rubric) is first  # the same object: reused, not serialised again
    # An equal copy is a different object: computed afresh, to the same canonical JSON and hash.
    assert snapshot(rubric.model_copy()) == first
    assert snapshot(persona)[1] != first[1]
    assert json.loads(snapshot(persona)[0])["id"] == "technical-ml"


def test_a_copy_with_other_questions_finds_them(catalog: Catalog) -> None:
    # A take-home round is a copy of its persona with the document's questions added: the copy
    # must not keep the original's question index or round words, once these were looked up.
    persona = catalog.personas["technical-ml"]
    first = persona.questions[0]
    assert persona.question(first.id) is first
    words_before = persona.round_texts
    added = first.model_copy(update={"id": "added-question", "terms": ["shapley values"]})
    copy = persona.model_copy(update={"questions": [*persona.questions, added]})
    assert copy.question("added-question") is added
    assert "shapley values" in copy.round_texts and "shapley values" not in words_before
    with pytest.raises(KeyError):
        persona.question("added-question")
