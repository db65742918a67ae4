"""What an answer says about a question: key points stated, contradicted or only named, common
misconceptions, the reference answer's claims supported or contradicted, and paraphrases
(pure, apart from the optional embedding model behind `semantic`).

Only explaining sentences earn credit: a list of terms, a heading, a string of nouns, an echo of
the rubric's own key-point labels or a recital of its labels and phrases (recital.py) says nothing
about what it names.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache

from interviewer.assessment import agreement, lexicon, polarity, reader, reversal, topics
from interviewer.assessment.cues import cues
from interviewer.assessment.focus import focus_of
from interviewer.assessment.recital import recited
from interviewer.assessment.text import Held, Phrase, Sentence, content_stems, detect_language, phrase, sentences
from interviewer.catalog.fields import Language
from interviewer.catalog.rubrics import KeyPoint, Misconception, Topic
from interviewer.assessment.reference import (
    ClaimCheck,
    ReferenceSignals,
    SEMANTIC_KEY_POINT_CREDIT,
    paraphrased_points,
    reference_signals,
)

# A sentence whose content words, beyond the labels and the question, are fewer than this echoes labels.
ECHO_MAX_OWN_STEMS = 2
ECHO_LABEL_SHARE = 0.6
# A reference clause aligns with an answer clause sharing this share of its content stems (and 2+);
# a contrary must be nearly the same claim: this Jaccard overlap of their content stems.
ALIGN_SHARE = 0.5
CONTRADICTION_JACCARD = 0.5
# Two conditions are about the same thing when they share this many content stems.
CONDITION_ALIGN = 2
# Each contradicted key point or stated misconception costs this many times the credit of a key point.
CONTRADICTION_PENALTY = 1.5
# Focus at or above this leaves a score untouched; below, it scales it down.
FOCUS_FULL = 0.8


@dataclass(frozen=True)
class Finding:
    """A sentence of the answer that contradicts a key point or states a misconception."""

    quote: str
    about: str
    correction: str | None = None


@dataclass(frozen=True)
class Measure:
    """What was said about a question, measured against its key points and reference answer."""

    found: list[Sentence]
    content: float
    focus: float
    relevant: frozenset[str]
    covered: list[KeyPoint]
    missing: list[KeyPoint]
    key_point_evidence: list[Sentence]
    listed: list[KeyPoint] = field(default_factory=list)
    paraphrased: list[KeyPoint] = field(default_factory=list)
    contradictions: list[Finding] = field(default_factory=list)
    misconceptions: list[Finding] = field(default_factory=list)
    explaining: list[Sentence] = field(default_factory=list)
    # Against a reference answer: the signals its content value rests on.
    reference: ReferenceSignals | None = None
    # What lowered the focus: sentences read as off the question's topic, and repetition.
    off_topic: list[Sentence] = field(default_factory=list)
    repetitive: bool = False
    # A question with topics: the one the answer presents, and its facts (key points of their own);
    # `unknown_topic` when the answer names none of them, so its facts were not checked.
    topic: Topic | None = None
    facts: list[KeyPoint] = field(default_factory=list)
    unknown_topic: bool = False
    # Against key points: what the learned reader would read (assessment/reader.py), None where it
    # does not read. Read only when asked: see read_correct.
    reader_input: reader.ReaderInput | None = None

    def read_correct(self) -> float | None:
        """The reader's chance that a grader calls the whole answer correct (about 30 ms the first
        time, then cached by text), None where it does not read."""
        return reader.probability(*self.reader_input) if self.reader_input else None

    @property
    def quality(self) -> float:
        return self.content * min(1.0, self.focus / FOCUS_FULL)

    @property
    def wrong(self) -> bool:
        return bool(self.contradictions or self.misconceptions)


# Labels that describe what an answer does ("explains how it works") rather than state a claim.
META_VERBS = frozenset(
    "states explains gives names discusses compares mentions describes covers shows defines "
    "lists identifies justifies proposes quantifies addresses presents says knows links reports".split()
)


def label_stems(key_points: list[KeyPoint], language: Language) -> list[frozenset[str]]:
    """The stems of the labels that describe the answer; a label that is a claim is not echoed."""
    meta = [p for p in key_points if p.label.split()[0].lower() in META_VERBS]
    return [frozenset(content_stems(p.label, language)) for p in meta]


def echoes_labels(sentence: Sentence, labels: list[frozenset[str]], question: frozenset[str], language: Language) -> bool:
    """A sentence strung from several of the rubric's descriptive key-point labels (and the
    question's words) repeats the rubric; it says nothing about the topic itself."""
    own = set(content_stems(sentence.text, language))
    echoed = [label for label in labels if len(own & label) >= max(2, ECHO_LABEL_SHARE * len(label))]
    every = frozenset().union(*labels) if labels else frozenset()
    return len(echoed) >= 2 and len(own - every - question) < ECHO_MAX_OWN_STEMS


@dataclass(frozen=True)
class PointResult:
    point: KeyPoint
    state: str  # covered | contradicted | listed | missing
    sentences: list[int]
    quote: str | None = None


def _key_point(
    point: KeyPoint, found: list[Sentence], held: Held, explaining: set[int], language: Language, *, contradictable: bool = True
) -> PointResult:
    """`contradictable=False` for a part of an answer rather than a claim ("names its limitations"):
    a negation there ("it does not scale") is what the part says, not a denial of it."""
    stated: list[int] = []
    named: list[int] = []
    said: dict[int, int] = {}  # sentence -> the most required stems of a phrase it states
    phrases = [phrase(text, language) for text in point.phrases(language)]
    may_hold = held.sayable(phrases)
    for i, sentence in enumerate(found):
        for p in may_hold:
            if not p.found_in(sentence):
                continue
            if i not in explaining:
                named.append(i)
                continue
            if not contradictable:
                # A part is said by a sentence that says its words, whatever it claims with them.
                stated.append(i)
                continue
            verdict = polarity.phrase_polarity(p, sentence, language)
            if verdict == "contradicted":
                return PointResult(point, "contradicted", [i], sentence.text)
            if verdict == "stated":
                stated.append(i)
                said[i] = max(said.get(i, 0), len(p.required))
    if not contradictable:
        return _result(point, stated, named)
    # Opposites: the phrase with one word reversed ("decreases" for "increases") is a contradiction,
    # unless the sentence states the point in more words ("treats every error as equally costly,
    # while a false negative is much worse" says that errors have different costs).
    for i in sorted(explaining):
        for p in phrases:
            if len(p.required) < said.get(i, 0):
                continue
            if reversal.may_be_reversed(p, found[i], language) and polarity.phrase_polarity(p, found[i], language) == "contradicted":
                return PointResult(point, "contradicted", [i], found[i].text)
    return _result(point, stated, named)


def _names_a_mistake(sentence: Sentence, language: Language) -> bool:
    """The sentence calls what it describes a mistake ("... is a classic leak"): it warns against it."""
    return any(named <= sentence.all_stems for named in cues(language).naming_mistake)


def _said(m: Misconception, phrases: list[Phrase], sentence: Sentence, language: Language) -> Iterator[Phrase]:
    """Of `phrases` (the misconception's the answer may hold), those the sentence holds; in French,
    its English phrases said word by word in French too (lexicon.py)."""
    yield from (p for p in phrases if p.found_in(sentence))
    if language == "fr":
        yield from lexicon.readings(tuple(m.en), sentence)


def _result(point: KeyPoint, stated: list[int], named: list[int]) -> PointResult:
    if stated:
        return PointResult(point, "covered", sorted(set(stated)))
    return PointResult(point, "listed", sorted(set(named))) if named else PointResult(point, "missing", [])


def misconceptions_stated(
    misconceptions: list[Misconception], found: list[Sentence], explaining: set[int], language: Language
) -> list[Finding]:
    findings: list[Finding] = []
    # Read once, not once per misconception: a sentence naming a mistake as one states none.
    stating = [i for i in sorted(explaining) if not _names_a_mistake(found[i], language)]
    held = Held.of([found[i] for i in stating])
    for m in misconceptions:
        phrases = held.sayable([phrase(text, language) for text in m.phrases(language)])
        said = (found[i] for i in stating for p in _said(m, phrases, found[i], language) if polarity.asserts(p, found[i], language))
        hit = next(said, None)
        if hit is not None:
            findings.append(Finding(quote=hit.text, about=m.en[0], correction=m.correction.get(language)))
    return findings


def _canonical(stems_: frozenset[str], language: Language) -> frozenset[str]:
    return frozenset(agreement.canonical(s, language) for s in stems_)


def _clause_stems(clause: polarity.Clause, sentence: Sentence, language: Language) -> frozenset[str]:
    return _canonical(frozenset(content_stems(" ".join(sentence.words[clause.start : clause.end]), language)), language)


@lru_cache(maxsize=1024)
def _reference_clauses(reference: str, language: Language) -> list[tuple[Sentence, polarity.Clause, frozenset[str]]]:
    """The reference answer's clauses with their stems (two or more), read once per reference:
    every answer to the question is checked against them. Callers only read the list."""
    clauses = [(r, c, _clause_stems(c, r, language)) for r in sentences(reference, language) for c in polarity.clauses(r, language)]
    return [rc for rc in clauses if len(rc[2]) >= 2]


def _disagree(r_sentence: Sentence, r_clause: polarity.Clause, a_sentence: Sentence, a_clause: polarity.Clause, language: Language) -> bool | None:
    """Whether two aligned clauses disagree; None when that cannot be told. A condition ("if none
    is defined") asserts nothing, and a claim made under a condition is read with it: "the
    compiler makes one when none is defined" restates "if one is defined, the compiler makes
    none", and "X is a true positive when the class is not 1" denies "... when the class is 1"."""
    differ = agreement.claims_disagree(r_clause, a_clause, language)
    if r_clause.condition or a_clause.condition:
        return None if differ else False
    r_condition, a_condition = polarity.condition_for(r_sentence, r_clause, language), polarity.condition_for(a_sentence, a_clause, language)
    if r_condition is None and a_condition is None:
        return differ
    # One claim holds under a condition and the other always, or under conditions about other
    # things ("when the function is called", "unless forced"): agreement is support, the rest unknown.
    if r_condition is None or a_condition is None or len(
        _clause_stems(r_condition, r_sentence, language) & _clause_stems(a_condition, a_sentence, language)
    ) < CONDITION_ALIGN:
        return None if differ else False
    return differ != (r_condition.condition_negated != a_condition.condition_negated)


def check_claims(reference: str, found: list[Sentence], explaining: set[int], language: Language) -> ClaimCheck:
    """Align the answer's clauses with the reference's. A clause contradicts when it is nearly the
    same claim (CONTRADICTION_JACCARD) with the other polarity, and no reference clause it matches
    as well agrees with it; a multi-part reference ("inside ..., outside ...") is not a contrary."""

    answer_clauses = [(i, c, _clause_stems(c, found[i], language)) for i in sorted(explaining) for c in polarity.clauses(found[i], language)]
    reference_clauses = _reference_clauses(reference, language)
    supported: dict[int, float] = {}
    contradicted: dict[int, tuple[int, str]] = {}
    for i, a_clause, a_stems in answer_clauses:
        overlaps = [len(a_stems & r_stems) for _, _, r_stems in reference_clauses]
        best = max(overlaps, default=0)
        if best < 2:
            continue
        tied = [k for k, o in enumerate(overlaps) if o == best]
        verdicts = {k: _disagree(reference_clauses[k][0], reference_clauses[k][1], found[i], a_clause, language) for k in tied}
        agreeing = [k for k in tied if verdicts[k] is False]
        for k in agreeing:
            r_stems = reference_clauses[k][2]
            if best >= ALIGN_SHARE * len(r_stems):
                supported[k] = max(supported.get(k, 0.0), best / len(r_stems))
        if agreeing:
            continue
        for k in tied:
            r_sentence, _, r_stems = reference_clauses[k]
            if verdicts[k] and best / len(a_stems | r_stems) >= CONTRADICTION_JACCARD:
                contradicted.setdefault(k, (i, r_sentence.text))
    weights = [float(len(r_stems)) for _, _, r_stems in reference_clauses]
    contradicted = {k: v for k, v in contradicted.items() if k not in supported}
    return ClaimCheck(
        supported=sum(weights[k] * share for k, share in supported.items()),
        contradicted=sum(weights[k] for k in contradicted),
        total=sum(weights),
        contradicting=list(contradicted.values()),
    )


def measure(
    text: str,
    *,
    question_text: str,
    key_points: list[KeyPoint],
    reference_answer: str | None,
    language: Language,
    cue_phrases: list[str] | None = None,
    misconceptions: list[Misconception] | None = None,
    chosen_from: list[Topic] | None = None,
    use_model: bool = True,
    use_reader: bool = False,
) -> Measure:
    """`use_model=False`: the lexical signals alone (the engine's quick reading, off the model's cost).
    `chosen_from`: the topics of a question whose subject the candidate chooses (assessment/topics.py)."""
    found = sentences(text, language)
    tokens = content_stems(text, language)
    question_stems = frozenset(content_stems(question_text, language))
    topic = topics.topic_named(found, chosen_from, language) if chosen_from else None
    facts = topic.key_points if topic else []
    misconceptions = [*(misconceptions or []), *(topic.misconceptions if topic else [])]
    labels = label_stems(key_points + facts, language)
    reciting = recited(found, key_points + facts, language)
    explaining = {
        i for i, s in enumerate(found)
        if not s.is_list and i not in reciting and not (labels and echoes_labels(s, labels, question_stems, language))
    }
    held = Held.of(found)  # read once: every key point's phrases are checked against it
    results = [_key_point(p, found, held, explaining, language, contradictable=p.contradictable and not chosen_from) for p in key_points]
    results += [_key_point(p, found, held, explaining, language, contradictable=p.contradictable) for p in facts]
    covered = [r.point for r in results if r.state == "covered"]
    contradictions = [Finding(quote=r.quote or "", about=r.point.label) for r in results if r.state == "contradicted"]
    wrong_sentences = {r.sentences[0] for r in results if r.state == "contradicted"}
    stated_misconceptions = misconceptions_stated(misconceptions, found, explaining, language)
    # A sentence quoted as a misconception is corrected once, with the misconception's correction.
    contradictions = [c for c in contradictions if all(c.quote != f.quote for f in stated_misconceptions)]
    wrong_sentences |= {i for i, s in enumerate(found) if any(f.quote == s.text for f in stated_misconceptions)}
    # A wrong sentence, contradicting a key point or stating a misconception, costs more than a right one earns.
    contradicted = len(wrong_sentences)
    # The reference's claims are checked against an answer in the reference's own language (one
    # too short to tell is taken as the answer's): clauses of two languages cannot be aligned.
    reference_language = (detect_language(reference_answer) or language) if reference_answer else None
    claims = check_claims(reference_answer, found, explaining, language) if reference_answer and language == reference_language else None
    if claims:
        for i, ref_text in claims.contradicting:
            if i not in wrong_sentences and not key_points:
                contradictions.append(Finding(quote=found[i].text, about=ref_text))
            wrong_sentences.add(i)
    counted = explaining - wrong_sentences
    uncovered = [r.point for r in results if r.state in {"missing", "listed"}]
    paraphrased = paraphrased_points(uncovered, found, counted, language) if use_model else []
    listed = [r.point for r in results if r.state == "listed" and r.point not in paraphrased]

    signals: ReferenceSignals | None = None
    # Not where the candidate chooses the subject: there is no one answer to read it against (the
    # topic's facts are checked instead); and only in the language the reader reads.
    readable = use_model and use_reader and key_points and not chosen_from and language in reader.LANGUAGES
    if key_points:
        # With topics the key points are parts of an answer, never contradicted: contradictions are the facts'.
        value = _share(key_points, covered, paraphrased, contradictions=0 if chosen_from else contradicted)
        if topic:
            value = topics.presentation_value(parts=value, facts=_share(facts, covered, paraphrased, contradictions=contradicted))
    elif reference_answer:
        signals = reference_signals(question_text, reference_answer, found, counted, claims, language, use_model=use_model)
        value = signals.value
    else:
        value = 0.0

    relevant = set(question_stems)
    for point in key_points + facts:
        for text_ in point.phrases(language):
            relevant |= phrase(text_, language).required
    if topic:
        for name in topic.all_names(language):
            relevant |= phrase(name, language).required
    if reference_answer:
        relevant |= set(content_stems(reference_answer, language))
    for cue in cue_phrases or []:
        relevant |= phrase(cue, language).required
    anchors = [question_text] + [p.label for p in key_points]
    if reference_answer:
        anchors += [s.text for s in sentences(reference_answer, language)]
    carried = Counter(i for r in results if r.state == "covered" for i in r.sentences)
    evidence = [found[i] for i in sorted(carried, key=lambda i: (-carried[i], i))]
    # A story keeps to the question without its words: a sentence that shares words with the
    # sentences stating the key points is part of the same account, not off topic.
    account = set().union(*(content_stems(found[i].text, language) for i in carried)) if carried else set()
    focus = focus_of(tokens, relevant | account, found, language, anchors if use_model else [])
    return Measure(
        found=found,
        content=max(0.0, min(1.0, value)),
        focus=focus.value,
        relevant=frozenset(relevant),
        covered=covered + paraphrased,
        missing=[r.point for r in results if r.state != "covered" and r.point not in paraphrased],
        key_point_evidence=evidence,
        listed=listed,
        paraphrased=paraphrased,
        contradictions=contradictions,
        misconceptions=stated_misconceptions,
        # Clarity reads every explaining sentence: a wrong answer can still be clearly put.
        explaining=[found[i] for i in sorted(explaining)],
        reference=signals,
        off_topic=focus.off_topic,
        repetitive=focus.repetitive,
        topic=topic,
        facts=facts,
        unknown_topic=bool(chosen_from) and topic is None,
        reader_input=reader.ReaderInput(question_text, reference_answer, text, language) if readable else None,
    )


def _share(points: list[KeyPoint], covered: list[KeyPoint], paraphrased: list[KeyPoint], *, contradictions: int) -> float:
    """The share of `points` said (a paraphrase earns part of a point), less the contradictions' cost."""
    credit = sum(p in covered for p in points) + SEMANTIC_KEY_POINT_CREDIT * sum(p in paraphrased for p in points)
    return (credit - CONTRADICTION_PENALTY * contradictions) / len(points)

