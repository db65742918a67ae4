"""`interviewer eval`: measure whether answer scores track answer quality (see assessment/evaluation.py).

Imports stay inside the commands, so registering this group keeps `interviewer --help` instant.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:
    from interviewer.assessment.evaluation import GradedAnswer, Quality, ScorerEvaluation

MODEL_HELP = "offline (the lexical scorer), or a model name to evaluate the LLM judge with."


def _fmt(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.3f}"


@contextmanager
def _quality(model: str) -> Iterator[Quality]:
    """The answer -> quality function under evaluation: the offline scorer, or the model judge."""
    import asyncio

    from interviewer.assessment import evaluation

    if model == "offline":
        yield evaluation.offline_quality
        return
    from interviewer.assessment import judge
    from interviewer.models import llm
    from interviewer.ops.settings import get_settings

    models = llm.Models(get_settings().model_copy(update={"model": model, "judge_model": model}))
    # One event loop for every call: model clients are bound to the loop that created them.
    loop = asyncio.new_event_loop()

    def quality(question: str, reference_answer: str | None, answer: str) -> float:
        return loop.run_until_complete(
            judge.judge_quality(models, question=question, reference_answer=reference_answer, answer=answer)
        ).value

    try:
        yield quality
    except llm.ModelError as exc:
        raise click.ClickException(f"the judge model failed: {exc}") from exc
    finally:
        loop.close()


@click.group("eval")
def eval_group() -> None:
    """Measure the scorer: agreement with human grades, and reference answers against weakened ones."""


@eval_group.command("scorer")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--scale", nargs=2, type=float, default=(0.0, 5.0), show_default=True, metavar="MIN MAX",
              help="The numeric scale of the human scores in FILE.")
@click.option("--model", default="offline", show_default=True, help=MODEL_HELP)
@click.option("--by-kind", is_flag=True, help="Also print pairwise agreement for each pair of kinds (lines with a `kind`).")
@click.option("--concurrency", default=4, show_default=True, type=click.IntRange(1, 64), help="Judge calls in flight at once (with --model).")
@click.option("--samples", default=None, type=click.IntRange(1, 10), help="Judge samples per answer; above 1, scores are averaged and their spread reported (default: INTERVIEWER_JUDGE_SAMPLES).")
@click.option("--cache", "cache_path", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="JSONL cache of judgements by content hash, so a crashed run resumes (default: FILE.<model>.judged.jsonl).")
@click.option("--no-cache", is_flag=True, help="Judge every answer again.")
def eval_scorer(
    file: Path, scale: tuple[float, float], model: str, by_kind: bool, concurrency: int, samples: int | None,
    cache_path: Path | None, no_cache: bool,
) -> None:
    """Compare the scores with human grades. FILE is JSONL, one graded answer per line:
    {"question", "reference_answer", "answer", "score"} (reference_answer may be null)."""
    from interviewer.assessment import evaluation

    try:
        items = evaluation.load_graded(file, scale=scale)
    except evaluation.EvaluationError as exc:
        raise click.ClickException(str(exc)) from exc
    if model == "offline":
        result = evaluation.evaluate_scorer(items, evaluation.offline_quality, scale=scale)
    else:
        cache = None if no_cache else cache_path or file.with_name(f"{file.stem}.{_slug(model)}.judged.jsonl")
        items, result = _judge_at_scale(items, scale=scale, model=model, concurrency=concurrency, samples=samples, cache=cache)
    click.echo(f"answers: {result.answers} graded on {scale[0]:g}-{scale[1]:g}, model {model}")
    click.echo(f"pearson: {_fmt(result.pearson)}")
    click.echo(f"spearman: {_fmt(result.spearman)}")
    click.echo(
        f"pairwise: {_fmt(result.pairwise)} over {result.pairs} pairs of answers to the same question "
        f"whose human scores differ by at least {result.margin:g} ({evaluation.PAIR_MARGIN:.0%} of the scale)"
    )
    for margin, (pairs, agreement) in result.by_margin.items():
        click.echo(f"pairwise at margin {margin:g}: {_fmt(agreement)} over {pairs} pairs")
    click.echo("calibration (human grade -> answers, mean score):")
    for grade, (count, mean) in result.calibration.items():
        click.echo(f"  {grade:>4g} -> {count:>5} answers, mean {mean:.3f}")
    if by_kind:
        click.echo(f"{'kinds':<40}{'pairs':>7}{'pairwise':>10}")
        for (a, b), (pairs, agreement) in result.by_kind.items():
            click.echo(f"{a + ' vs ' + b:<40}{pairs:>7}{_fmt(agreement):>10}")
    click.echo(f"pairwise={_fmt(result.pairwise)} pearson={_fmt(result.pearson)}")


@eval_group.command("ranking")
@click.option("--model", default="offline", show_default=True, help=MODEL_HELP)
@click.option("--show-losses", is_flag=True, help="List every pair the reference answer did not win.")
def eval_ranking(model: str, show_losses: bool) -> None:
    """On the DSI question bank, each community reference answer must outrank its own first
    sentence and first half, another question's answer, itself padded with varied filler, "I don't
    know", itself with its claims negated, and a string of its keywords; its correct first half
    must outrank the negated reference and the keywords."""
    from interviewer.assessment import evaluation

    bank = evaluation.load_question_bank()
    with _quality(model) as quality:
        result = evaluation.evaluate_ranking(bank, quality)
    click.echo(f"DSI question bank: {result.questions} questions with a reference answer, model {model}")
    click.echo(f"{'weakening':<16}{'pairs':>7}{'accuracy':>10}")
    for kind, (pairs, accuracy) in result.by_kind().items():
        click.echo(f"{kind:<16}{pairs:>7}{_fmt(accuracy):>10}")
    for kind, (pairs, accuracy) in result.below_half().items():
        click.echo(f"{'half > ' + kind:<16}{pairs:>7}{_fmt(accuracy):>10}")
    click.echo(f"{'all':<16}{len(result.pairs):>7}{_fmt(result.accuracy):>10}")
    matched, matched_accuracy = result.length_matched()
    click.echo(
        f"{'length-matched':<16}{matched:>7}{_fmt(matched_accuracy):>10}"
        f"  (weakened answer within {evaluation.LENGTH_MATCH:.0%} of the reference's word count)"
    )
    if show_losses:
        for p in result.pairs:
            if not p.won:
                click.echo(f"lost: {p.question_id} {p.stronger} > {p.kind} ({p.reference_words} vs {p.weakened_words} words)")
    click.echo(f"accuracy={_fmt(result.accuracy)}")


@eval_group.command("interviewer")
@click.option("--persona", "persona_ids", multiple=True, help="Round(s) to measure (default: every persona).")
@click.option("--runs", default=2, show_default=True, type=click.IntRange(1, 50), help="Runs of the five candidate profiles per persona.")
@click.option("--model", default=None, help="A model that plays the candidate from a profile card (default: scripted candidates).")
@click.option("--interviewer-model", default="offline", show_default=True, help="The interviewer's model (offline: the embedded engine).")
@click.option("--verbose", is_flag=True, help="Print each round's score as it ends.")
def eval_interviewer(persona_ids: tuple[str, ...], runs: int, model: str | None, interviewer_model: str, verbose: bool) -> None:
    """Whole rounds through the API with simulated candidates (expert, solid, partial, hedging or
    bluffing, off-topic): does the report rank them, and do follow-ups take up what they said?"""
    from interviewer.catalog.loading import CatalogError, load_catalog
    from interviewer.cli import simulation
    from interviewer.models import llm
    from interviewer.ops.settings import get_settings

    settings = get_settings()
    try:
        known = sorted(load_catalog(settings.personas_dir, settings.rubrics_dir).personas)
    except CatalogError as exc:
        raise click.ClickException(str(exc)) from exc
    unknown = [p for p in persona_ids if p not in known]
    if unknown:
        raise click.BadParameter(f"unknown persona {', '.join(unknown)}; valid ids: {', '.join(known)}", param_hint="--persona")
    try:
        results = simulation.evaluate(
            persona_ids=list(persona_ids) or known, runs=runs, candidate_model=model, interviewer_model=interviewer_model,
            progress=click.echo if verbose else (lambda _line: None),
        )
    except llm.ModelError as exc:
        raise click.ClickException(f"the candidate or interviewer model failed: {exc}") from exc
    except RuntimeError as exc:
        raise click.ClickException(str(exc)) from exc
    who = f"candidates played by {model}" if model else "scripted candidates"
    click.echo(f"{runs} run(s) x 5 profiles per persona, {who}, interviewer {interviewer_model}")
    for line in simulation.summary_lines(results):
        click.echo(line)


def _slug(model: str) -> str:
    return "".join(c if c.isalnum() or c in "-." else "-" for c in model)


def _judge_at_scale(
    items: list[GradedAnswer], *, scale: tuple[float, float], model: str, concurrency: int, samples: int | None, cache: Path | None
) -> tuple[list[GradedAnswer], ScorerEvaluation]:
    """The judge over every answer with a progress bar; failures are counted and left out, not fatal."""
    import asyncio

    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    from interviewer.assessment import evaluation, judge_eval
    from interviewer.models import llm
    from interviewer.ops.settings import get_settings

    settings = get_settings().model_copy(update={"model": model, "judge_model": model})
    models = llm.Models(settings)
    count = samples or settings.judge_samples
    with Progress(TextColumn("judging"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(), transient=True) as progress:
        task = progress.add_task("judging", total=len(items))
        run = asyncio.run(judge_eval.run(
            models, items, concurrency=concurrency, samples=count, cache_path=cache, advance=lambda: progress.advance(task)
        ))
    kept = [(item, q) for item, q in zip(items, run.qualities, strict=True) if q is not None]
    if not kept:
        reasons = "; ".join(f"{n} x {why}" for why, n in run.failures.most_common(3))
        raise click.ClickException(f"the judge model failed on every answer ({reasons})")
    result = evaluation.evaluate_scorer([i for i, _ in kept], evaluation.offline_quality, scale=scale, predicted=[q for _, q in kept])
    cost = "unknown (no price for this model)" if run.cost_usd is None else f"${run.cost_usd:.4f}"
    click.echo(f"judged: {len(items) - run.cached - run.failed} now, {run.cached} from the cache{f' ({cache})' if cache else ''}, "
               f"{run.failed} failed, samples {count}, concurrency {concurrency}")
    for why, n in run.failures.most_common():
        click.echo(f"  failed {n} x {why}")
    click.echo(f"tokens: {run.prompt_tokens} prompt, {run.completion_tokens} completion (this run); cost {cost}")
    spreads = [s for s in run.spreads if s is not None]
    if spreads:
        click.echo(f"spread over samples: mean {sum(spreads) / len(spreads):.3f}, max {max(spreads):.3f} (quality on 0-1)")
    return [i for i, _ in kept], result
