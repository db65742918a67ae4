"""Reading take-homes in four formats and extracting the claims an interviewer will probe."""

from __future__ import annotations

import json
import re

import anyio
import httpx
import pytest

from interviewer.assessment import turns
from interviewer.catalog.loading import Catalog
from interviewer.interview import claim_reading, takehome
from interviewer.interview import documents
from interviewer.models.llm import Models
from interviewer.ops.settings import PROJECT_ROOT, Settings

from tests.support.fake_models import API_BASE, FakeOpenAI, openai_completion

EXAMPLES = PROJECT_ROOT / "examples" / "takehomes"
FORMATS = ["md", "txt", "ipynb", "pdf"]


def read(name: str, fmt: str) -> str:
    path = EXAMPLES / f"{name}.{fmt}"
    return documents.read_document(path.name, path.read_bytes())


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
    with pytest.raises(documents.DocumentError, match="unsupported file type '.docx'"):
        documents.read_document("report.docx", b"PK...")
    with pytest.raises(documents.DocumentError, match="not a readable PDF"):
        documents.read_document("report.pdf", b"%PDF-1.4 broken")
    with pytest.raises(documents.DocumentError, match="not a readable Jupyter notebook"):
        documents.read_document("nb.ipynb", b"{not json")
    with pytest.raises(documents.DocumentError, match="not UTF-8"):
        documents.read_document("notes.md", "résumé".encode("latin-1"))


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
    assert turns.presentation_minutes(1950) == 15.0
    assert turns.timing_verdict(15, 15) == "fits"
    assert turns.timing_verdict(5, 15) == "short"
    assert turns.timing_verdict(20, 15) == "long"


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


# --- Reading claims like a reviewer: status, model names, ranking, clean names -----------------

DATA = PROJECT_ROOT / "tests" / "data" / "takehomes"
# Every write-up the reading is tested on: the examples, and fresh ones written only for the tests.
WRITEUPS = [
    (EXAMPLES / "rl-agent.md", "en"), (EXAMPLES / "slm-energy.md", "en"), (EXAMPLES / "tickets-fr.md", "fr"),
    (DATA / "sentiment-lora.md", "en"), (DATA / "rag-fr.md", "fr"), (DATA / "fraud-detection.txt", "en"),
]
WITH_ABLATION = [w for w in WRITEUPS if "slm-energy" not in w[0].name]


def claims_by_id(text: str, language: str = "en") -> dict[str, takehome.Claim]:
    return {c.id: c for c in takehome.extract_claims(text, language=language)}


@pytest.mark.parametrize(("language", "sentence", "entry_id", "status"), [
    ("en", "I fine-tuned the classifier with LoRA adapters of rank 8 on the attention projections.", "lora", "used"),
    ("en", "QLoRA could further help by fitting a larger model on the same GPU.", "qlora", "proposed"),
    ("en", "Self-supervised pretraining with SimCLR could further help; I have not tried it.", "contrastive-learning", "proposed"),
    ("en", "We plan to add knowledge distillation into a smaller student model next.", "knowledge-distillation", "proposed"),
    ("en", "I did not use frame stacking because the observation already contains velocities.", "frame-stacking", "proposed"),
    ("en", "Prioritized replay matters most, which is consistent with the Rainbow paper (Hessel et al., 2018).", "rainbow", "cited"),
    ("en", "I used 4-bit quantization, while speculative decoding could cut latency further.", "low-bit-quantization", "used"),
    ("en", "I used 4-bit quantization, while speculative decoding could cut latency further.", "speculative-decoding", "proposed"),
    ("en", "The model was never tested on a later month, so concept drift is not measured.", "distribution-shift", "proposed"),
    ("en", "Online learning would adapt to drift; I have not tried it.", "online-learning", "proposed"),
    ("fr", "J'ai affiné le classifieur avec des adaptateurs LoRA de rang 8 sur les projections d'attention.", "lora", "used"),
    ("fr", "La quantification pourrait réduire la latence de moitié sur un processeur.", "quantization", "proposed"),
    ("fr", "Nous prévoyons d'essayer la distillation de connaissances vers un modèle plus petit.", "knowledge-distillation", "proposed"),
    ("fr", "Je n'ai pas encore essayé QLoRA pour affiner un modèle plus grand.", "qlora", "proposed"),
    ("fr", "Comme dans l'article Rainbow (Hessel et al., 2018), le replay priorisé compte le plus.", "rainbow", "cited"),
    ("fr", "La dérive des données n'a pas été mesurée sur les mois suivants.", "distribution-shift", "proposed"),
])
def test_the_status_is_read_from_the_sentence(language: str, sentence: str, entry_id: str, status: str) -> None:
    claims = claims_by_id(f"# Write-up\n\n{sentence}\n", language)
    assert entry_id in claims, sorted(claims)
    assert claims[entry_id].status == status
    assert claims[entry_id].source == sentence


@pytest.mark.parametrize(("language", "document"), [
    ("en", "# Take-home\n\n## Related work\n\nLoRA adapts a frozen model with trainable low-rank matrices.\n\n"
           "## Method\n\nThe baseline is a logistic regression on TF-IDF features of the reviews.\n\n"
           "## Future work\n\n- Knowledge distillation into a smaller student.\n- 4-bit quantization of the model for CPU serving.\n"),
    ("fr", "# Devoir maison\n\n## État de l'art\n\nLoRA adapte un modèle gelé avec des matrices de rang faible.\n\n"
           "## Méthode\n\nLa ligne de base est une régression logistique sur des vecteurs TF-IDF des avis.\n\n"
           "## Perspectives\n\n- Distillation de connaissances vers un modèle plus petit.\n- Quantification en 4 bits pour servir le modèle sur CPU.\n"),
])
def test_the_section_decides_when_the_sentence_does_not(language: str, document: str) -> None:
    claims = claims_by_id(document, language)
    assert claims["lora"].status == "cited"
    assert claims["knowledge-distillation"].status == "proposed"
    assert claims["low-bit-quantization"].status == "proposed"
    assert claims["logistic-regression"].status == "used"


@pytest.mark.parametrize(("language", "sentence", "technique"), [
    ("en", "I fine-tuned DistilBERT on 40k product reviews with a linear head.", "knowledge-distillation"),
    ("en", "The answers are generated by Mixtral 8x7B, served with vLLM on two GPUs.", "mixture-of-experts"),
    ("en", "I loaded the adapters with the PEFT library and kept the base model frozen.", "peft"),
    ("en", "We start from a SimCLR-ResNet50 checkpoint and train a linear probe on top.", "contrastive-learning"),
    ("fr", "J'ai affiné DistilCamemBERT sur les tickets du support client.", "knowledge-distillation"),
])
def test_a_model_named_after_a_technique_is_not_that_technique(language: str, sentence: str, technique: str) -> None:
    claims = claims_by_id(f"# Write-up\n\n{sentence}\n", language)
    assert technique not in claims, claims[technique].source if technique in claims else ""


def test_model_names_are_claims_about_the_model() -> None:
    claims = claims_by_id("# Write-up\n\nI fine-tuned DistilBERT, then compared it with Mixtral 8x7B used zero-shot.\n")
    assert claims["distilbert"].status == "used" and claims["distilbert"].kind == "paper"
    assert claims["mixtral"].status == "used"


@pytest.mark.parametrize(("path", "language"), WRITEUPS, ids=lambda w: getattr(w, "stem", w))
def test_the_three_most_important_claims_are_not_generic_terms(path, language: str) -> None:  # type: ignore[no-untyped-def]
    claims = takehome.extract_claims(path.read_text(encoding="utf-8"), language=language)
    top = claims[:3]
    assert not {c.id for c in top} & claim_reading.reading().generic, [c.claim for c in top]
    assert any(c.kind == "result" and c.status == "measured" for c in top), "the headline result comes first"
    generic = [c for c in claims if c.id in claim_reading.reading().generic]
    assert all(c.importance < top[-1].importance for c in generic)


@pytest.mark.parametrize(("path", "language"), WRITEUPS, ids=lambda w: getattr(w, "stem", w))
def test_future_work_is_never_asked_as_if_it_had_been_used(catalog: Catalog, path, language: str) -> None:  # type: ignore[no-untyped-def]
    text = path.read_text(encoding="utf-8")
    future = text[max(text.lower().rfind(h) for h in ("future work", "## perspectives", "## next steps")):]
    claims = takehome.extract_claims(text, language=language)
    for claim in claims:
        if claim.source in future and claim.kind != "result":
            assert claim.status in ("proposed", "used"), (claim.claim, claim.status)
    persona = catalog.persona("takehome-review")
    session_persona, _, records = takehome.with_claims(persona, catalog.rubric_for(persona), claims)
    asked = [r for r in records if r["question_id"]]
    assert any(r["status"] in ("proposed", "cited") for r in asked), "a proposed or cited idea is still asked"
    for record in asked:
        question = session_persona.question(record["question_id"])
        if record["status"] == "proposed":
            assert "still to try" in question.text.en and "encore à essayer" in question.text.fr
            assert "why you chose" not in question.text.en and "pourquoi vous" not in question.text.fr


@pytest.mark.parametrize(("path", "language"), WITH_ABLATION, ids=lambda w: getattr(w, "stem", w))
def test_the_ablation_and_the_headline_spread_and_baseline_are_probed(catalog: Catalog, path, language: str) -> None:  # type: ignore[no-untyped-def]
    claims = takehome.extract_claims(path.read_text(encoding="utf-8"), language=language)
    persona = catalog.persona("takehome-review")
    session_persona, session_rubric, records = takehome.with_claims(persona, catalog.rubric_for(persona), claims)
    asked = {r["id"]: r for r in records if r["question_id"]}
    assert "ablation-study" in asked, sorted(asked)
    headline = next(r for r in records if r["kind"] == "result")
    assert headline["id"] in asked
    question = session_persona.question(headline["question_id"])
    assert "seeds" in question.text.en and "baseline" in question.text.en
    assert "graines" in question.text.fr and "référence" in question.text.fr
    assert "rigour" in question.criteria
    labels = {k.label for k in session_rubric.questions[headline["question_id"]].key_points}
    assert {"states the variability or uncertainty", "compares with a baseline"} <= labels


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize(("path", "language"), [*WRITEUPS[:3]], ids=lambda w: getattr(w, "stem", w))
def test_claim_names_carry_no_list_markers_headings_or_final_punctuation(path, language: str, fmt: str) -> None:  # type: ignore[no-untyped-def]
    document = path.with_suffix(f".{fmt}")
    text = documents.read_document(document.name, document.read_bytes())
    claims = takehome.extract_claims(text, language=language)
    for claim in claims:
        assert not re.match(r"^\s*(?:[-*+•#]|\d+[.)]\s)", claim.claim), claim.claim
        assert claim.claim[-1:] not in ".,;:!?" and "**" not in claim.claim, claim.claim
        assert not claim.source.startswith(("- ", "* ", "#")), claim.source
        assert " ".join(claim.source.split()) in " ".join(text.split())


@pytest.mark.parametrize(("path", "language"), WRITEUPS[:3], ids=lambda w: getattr(w, "stem", w))
def test_every_format_reads_the_same_statuses(path, language: str) -> None:  # type: ignore[no-untyped-def]
    def statuses(fmt: str) -> dict[str, str]:
        document = path.with_suffix(f".{fmt}")
        text = documents.read_document(document.name, document.read_bytes())
        return {c.id: c.status for c in takehome.extract_claims(text, language=language) if c.kind != "result"}

    markdown = statuses("md")
    for fmt in ("txt", "ipynb"):
        assert statuses(fmt) == markdown


def test_each_status_is_asked_in_its_own_terms_in_both_languages(catalog: Catalog) -> None:
    persona = catalog.persona("takehome-review")
    assert persona.takehome is not None
    probes = persona.takehome.claims.by_status
    claims = takehome.extract_claims((DATA / "sentiment-lora.md").read_text(encoding="utf-8"))
    session_persona, _, records = takehome.with_claims(persona, catalog.rubric_for(persona), claims)
    seen = set()
    for record in (r for r in records if r["question_id"]):
        question = session_persona.question(record["question_id"])
        template = probes[record["status"]].ask
        for language in ("en", "fr"):
            opening = getattr(template, language).split("{source}")[0]
            assert getattr(question.text, language).startswith(opening)
        assert question.deepen and all("{claim}" not in d.en and "{claim}" not in d.fr for d in question.deepen)
        seen.add(record["status"])
    assert {"used", "measured", "proposed"} <= seen


def test_a_model_reader_gets_the_same_checks(fake_openai: FakeOpenAI) -> None:
    document = (DATA / "sentiment-lora.md").read_text(encoding="utf-8")
    line = lambda word: next(s for s in document.split("\n") if word in s).strip()  # noqa: E731
    answer = {"claims": [
        {"claim": "- AdamW optimizer.", "kind": "method", "status": "used", "source_sentence": line("AdamW optimizer"), "importance": 2},
        {"claim": "knowledge distillation", "kind": "technique", "status": "used", "source_sentence": line("I fine-tuned DistilBERT"), "importance": 3},
        {"claim": "QLoRA", "kind": "technique", "status": "used", "source_sentence": line("QLoRA could"), "importance": 3},
        {"claim": "fine-tuning", "kind": "technique", "status": "used", "source_sentence": line("I fine-tuned DistilBERT"), "importance": 3},
    ]}
    fake_openai.fail_next(httpx.Response(200, json=openai_completion(json.dumps(answer))))
    models = Models(Settings(model="openai/gpt-4o-mini", api_base=API_BASE, api_key="sk-test", model_retries=0))
    claims = {c.claim: c for c in anyio.run(lambda: takehome.extract_claims_with_model(models, document))}
    assert "knowledge distillation" not in claims, "a technique only inside a model's name is dropped"
    assert claims["AdamW optimizer"].source.startswith("AdamW optimizer")
    assert claims["QLoRA"].status == "proposed", "the sentence says could: not used"
    assert claims["fine-tuning"].importance < claims["AdamW optimizer"].importance, "generic terms earn nothing"
    request = fake_openai.requests[0]
    assert "status" in request["messages"][0]["content"]
    item = request["response_format"]["json_schema"]["schema"]["properties"]["claims"]["items"]
    assert item["properties"]["status"]["enum"] == ["used", "proposed", "cited", "measured"]


@pytest.mark.parametrize(("language", "concrete", "modest"), [
    ("en",
     "Most remaining errors are negations and sarcasm: on 200 test errors I labelled by hand, 38% were negations "
     "and 21% sarcasm. Rank 16 did not fix them, so more adapter capacity is not the answer; the model needs "
     "examples of these cases. My next step would be to collect such examples and measure them separately.",
     "Of course my work has some limitations and weaknesses, and it could certainly be improved with more time, "
     "more data and more compute, like any project done in a few days. I am well aware of that."),
    ("fr",
     "La plupart des erreurs restantes sont des négations et du sarcasme : sur 200 erreurs du test relues à la main, "
     "38 % étaient des négations. Le rang 16 ne les réduit pas, donc plus de capacité ne règle pas ces cas ; il "
     "faudrait des exemples de négations. Ma prochaine étape serait d'en annoter quelques centaines.",
     "Bien sûr, mon travail a des limites et des faiblesses, et il pourrait être amélioré avec plus de temps, plus "
     "de données et plus de calcul, comme tout projet fait en quelques jours. J'en suis bien conscient."),
])
def test_a_concrete_limitation_earns_credit_and_modesty_none(catalog: Catalog, language: str, concrete: str, modest: str) -> None:
    from interviewer.assessment import scoring

    persona = catalog.persona("takehome-review")
    rubric = catalog.rubric_for(persona)
    question = persona.question("th-limitations")

    def level(answer: str) -> int:
        found = scoring.assess(thread=answer, latest=answer, question=question, rubric=rubric, language=language, min_words=35)  # type: ignore[arg-type]
        return next(s.score for s in found.scores if s.criterion_id == "limitations")

    assert level(concrete) >= 4
    assert level(modest) == 1
    # The judge model gets the same anchors: concrete failure case, evidence, implication.
    criterion = next(c for c in rubric.criteria if c.id == "limitations")
    assert "failure case" in criterion.levels[3] and "modesty" in criterion.levels[1]
    assert {e.level for e in criterion.examples} >= {1, 4}


@pytest.mark.parametrize(("language", "document"), [
    ("en", "3 Ablation\n\nWithout the 7-day aggregates, PR-AUC falls to 0.74. Without SMOTE it falls to 0.79.\n"),
    ("en", "## Results\n\nRemoving mixup drops balanced accuracy to 85.1%, and removing focal loss to 84.0%.\n"),
    ("fr", "## Résultats\n\nSans la pondération des classes, le F1 macro tombe à 0,82 contre 0,86 pour le modèle complet.\n"),
])
def test_an_ablation_is_found_when_the_word_is_not_there(language: str, document: str) -> None:
    claims = claims_by_id(f"# Write-up\n\n{document}", language)
    assert claims["ablation-study"].status == "measured", claims["ablation-study"]
    assert claims["ablation-study"].source in document


def test_the_procedures_named_in_a_result_stay_claims_of_their_own() -> None:
    document = ("# Write-up\n\n## Results\n\nThe reader reaches an F1 of 77.9 (mean of 3 seeds, std 0.6), compared with 61.0 F1 "
                "for a BM25 baseline.\n\nWe vary the maximum sequence length (256, 384, 512) and keep 384.\n")
    claims = claims_by_id(document)
    assert claims["result-1"].status == "measured"
    assert claims["bm25"].status == "used", "BM25 is asked about as a method, the number once, as the result"
    assert claims["ablation-study"].source.startswith("We vary the maximum sequence length")
