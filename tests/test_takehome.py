"""Reading take-homes in four formats and extracting the claims an interviewer will probe."""

from __future__ import annotations

import json

import anyio
import httpx
import pytest

from interviewer import takehome
from interviewer.catalog import Catalog
from interviewer.llm import Models
from interviewer.settings import PROJECT_ROOT, Settings

from tests.fake_models import API_BASE, FakeOpenAI, openai_completion

EXAMPLES = PROJECT_ROOT / "examples" / "takehomes"
FORMATS = ["md", "txt", "ipynb", "pdf"]


def read(name: str, fmt: str) -> str:
    path = EXAMPLES / f"{name}.{fmt}"
    return takehome.read_document(path.name, path.read_bytes())


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize(("name", "expected"), [("rl-agent", {"rainbow", "distributional-rl", "dqn"}), ("slm-energy", {"codecarbon", "quantization"})])
def test_every_format_yields_the_same_claims(name: str, expected: set[str], fmt: str) -> None:
    text = read(name, fmt)
    claims = takehome.extract_claims(text)
    ids = {c.id for c in claims}
    assert expected <= ids, sorted(ids)
    assert any(c.kind == "result" for c in claims), "numeric results are claims too"
    for claim in claims:
        assert " ".join(claim.source.split()) in " ".join(text.split())
    assert [c.importance for c in claims] == sorted((c.importance for c in claims), reverse=True)


def test_notebook_keeps_markdown_and_code_but_drops_outputs() -> None:
    raw = json.loads((EXAMPLES / "rl-agent.ipynb").read_text())
    outputs = [o for cell in raw["cells"] if cell["cell_type"] == "code" for o in cell.get("outputs", [])]
    text = read("rl-agent", "ipynb")
    assert "```python" in text
    for output in outputs:
        printed = "".join(output.get("text", "")) if isinstance(output.get("text"), list) else output.get("text", "")
        if printed.strip():
            assert printed.strip() not in text


def test_unreadable_documents_say_what_to_send() -> None:
    with pytest.raises(takehome.DocumentError, match="unsupported file type '.docx'"):
        takehome.read_document("report.docx", b"PK...")
    with pytest.raises(takehome.DocumentError, match="not a readable PDF"):
        takehome.read_document("report.pdf", b"%PDF-1.4 broken")
    with pytest.raises(takehome.DocumentError, match="not a readable Jupyter notebook"):
        takehome.read_document("nb.ipynb", b"{not json")
    with pytest.raises(takehome.DocumentError, match="not UTF-8"):
        takehome.read_document("notes.md", "résumé".encode("latin-1"))


def test_claims_become_the_questions_of_the_deep_dive(catalog: Catalog) -> None:
    persona = catalog.persona("takehome-review")
    rubric = catalog.rubric_for(persona)
    claims = takehome.extract_claims(read("rl-agent", "md"))
    session_persona, session_rubric, records = takehome.with_claims(persona, rubric, claims)
    assert persona.takehome is not None
    probes = persona.takehome.claims
    stage = next(s for s in session_persona.stages if s.id == probes.stage)
    asked = [r["question_id"] for r in records if r["question_id"]]
    assert stage.questions == asked and len(asked) == probes.max_claims and len(records) == len(claims)
    top = records[0]
    question = session_persona.question(top["question_id"])
    assert top["claim"] in question.text.en and question.deepen
    key = session_rubric.questions[top["question_id"]]
    assert key.key_points
    assert persona.question("th-present") == session_persona.question("th-present")
    assert takehome.with_claims(persona, rubric, []) == (persona, rubric, [])


def test_presentation_timing_verdicts() -> None:
    assert takehome.presentation_minutes(1950) == 15.0
    assert takehome.timing_verdict(15, 15) == "fits"
    assert takehome.timing_verdict(5, 15) == "short"
    assert takehome.timing_verdict(20, 15) == "long"


def test_model_extraction_keeps_only_sentences_really_in_the_document(fake_openai: FakeOpenAI) -> None:
    document = read("rl-agent", "md")
    real = next(s for s in document.split("\n") if "Rainbow" in s).strip()
    answer = {"claims": [
        {"claim": "Rainbow", "kind": "paper", "source_sentence": real, "importance": 3},
        {"claim": "Transformers", "kind": "technique", "source_sentence": "We also fine-tuned a transformer on the replay buffer.", "importance": 3},
    ]}
    fake_openai.fail_next(httpx.Response(200, json=openai_completion(json.dumps(answer))))
    models = Models(Settings(model="openai/gpt-4o-mini", api_base=API_BASE, api_key="sk-test", model_retries=0))
    claims = anyio.run(lambda: takehome.extract_claims_with_model(models, document))
    assert [c.claim for c in claims] == ["Rainbow"]
    assert claims[0].definition, "a claim the glossary knows gets its definition"
    request = fake_openai.requests[0]
    assert request["messages"][1]["content"].startswith("<takehome>")
    assert request["response_format"]["json_schema"]["name"] == "takehome_claims"
