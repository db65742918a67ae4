"""What a turn needs, kept in this worker's memory between requests, so a turn reads and parses
O(1) rows whatever the length of the session:

- persona and rubric snapshots, parsed once per content hash (a snapshot never changes);
- each session's row: only its status and end time change once it has started, so a turn re-reads
  those (and its last seq) in one light statement, and the whole row only when they changed;
- each session's transcript (turns are append-only: a request reads only the turns after the last
  one it knows, so another worker's turns are picked up too), with the engine's view of each turn;
- each answer's quick reading (the engine's, when it decides) and full assessment (background
  scoring's, reused by the report), each computed once.

Everything here is derived from the database and safe to lose: a miss reads it again.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import Generic, TypeVar

from interviewer.assessment.scoring import Assessment
from interviewer.assessment.text import words
from interviewer.assessment.turns import TurnView
from interviewer.catalog.personas import Persona
from interviewer.catalog.rubrics import Rubric
from interviewer.storage.tables import InterviewSession, Turn

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class Lru(Generic[K, V]):
    """A thread-safe least-recently-used map of bounded size."""

    def __init__(self, capacity: int) -> None:
        self.capacity = capacity
        self._items: OrderedDict[K, V] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: K) -> V | None:
        with self._lock:
            value = self._items.get(key)
            if value is not None:
                self._items.move_to_end(key)
            return value

    def put(self, key: K, value: V) -> None:
        with self._lock:
            self._items[key] = value
            self._items.move_to_end(key)
            while len(self._items) > self.capacity:
                self._items.popitem(last=False)

    def pop(self, key: K) -> None:
        with self._lock:
            self._items.pop(key, None)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()


_personas: Lru[str, Persona] = Lru(64)
_rubrics: Lru[str, Rubric] = Lru(64)


def persona(content_hash: str, read: Callable[[], str]) -> Persona:
    """The persona of a snapshot, validated once per hash; `read` fetches the snapshot on a miss."""
    parsed = _personas.get(content_hash)
    if parsed is None:
        parsed = Persona.model_validate_json(read())
        _personas.put(content_hash, parsed)
    return parsed


def rubric(content_hash: str, read: Callable[[], str]) -> Rubric:
    parsed = _rubrics.get(content_hash)
    if parsed is None:
        parsed = Rubric.model_validate_json(read())
        _rubrics.put(content_hash, parsed)
    return parsed


def knows_snapshots(persona_hash: str, rubric_hash: str) -> bool:
    """Both snapshots are parsed here already (a scoring process asks for them otherwise)."""
    return _personas.get(persona_hash) is not None and _rubrics.get(rubric_hash) is not None


def remember_snapshots(persona_hash: str, parsed_persona: Persona, rubric_hash: str, parsed_rubric: Rubric) -> None:
    """A new session's snapshots are known already: its first answer need not parse them."""
    _personas.put(persona_hash, parsed_persona)
    _rubrics.put(rubric_hash, parsed_rubric)


def view_of(turn: Turn) -> TurnView:
    return TurnView(role=turn.role, kind=turn.kind, question_id=turn.question_id, probe_id=turn.probe_id, words=len(words(turn.content)), content=turn.content)  # type: ignore[arg-type]


@dataclass(frozen=True)
class Transcript:
    """A session's turns in order (detached from any database session: read-only) and their views."""

    turns: tuple[Turn, ...] = ()
    views: tuple[TurnView, ...] = ()

    @property
    def last_seq(self) -> int:
        return self.turns[-1].seq if self.turns else 0

    def extended(self, new: list[Turn]) -> Transcript:
        fresh = [t for t in new if t.seq > self.last_seq]
        if not fresh:
            return self
        return Transcript(self.turns + tuple(fresh), self.views + tuple(view_of(t) for t in fresh))


# Sessions being practised right now; an evicted one is read again whole on its next turn.
_transcripts: Lru[str, Transcript] = Lru(4096)


def known(session_id: str) -> Transcript:
    return _transcripts.get(session_id) or Transcript()


def extend(session_id: str, base: Transcript, new: list[Turn]) -> Transcript:
    """`base` with the turns stored after it; kept unless a concurrent request already knows more."""
    transcript = base.extended(new)
    current = _transcripts.get(session_id)
    if current is None or current.last_seq <= transcript.last_seq:
        _transcripts.put(session_id, transcript)
    return transcript


def forget(session_id: str) -> None:
    """The session is gone (deleted or purged)."""
    _transcripts.pop(session_id)
    _sessions.pop(session_id)


# Session rows, detached and never changed in place: a row whose status changed is read again whole.
_sessions: Lru[str, InterviewSession] = Lru(4096)


def session_row(session_id: str) -> InterviewSession | None:
    return _sessions.get(session_id)


def remember_session(session: InterviewSession) -> None:
    _sessions.put(session.id, session)


# Each answer's assessments, by (session id, seq, full): ids are unique across databases. The
# quick reading (no embedding model) decides the turn; the full one scores the answer.
_assessments: Lru[tuple[str, int, bool], Assessment] = Lru(8192)


def assessment(session_id: str, seq: int, compute: Callable[[], Assessment | None], *, full: bool = True) -> Assessment | None:
    found = _assessments.get((session_id, seq, full))
    if found is None:
        found = compute()
        if found is not None:
            _assessments.put((session_id, seq, full), found)
    return found


def drop_assessments(session_id: str, seq: int) -> None:
    """Forget what was read of an answer that was not stored after all."""
    for full in (False, True):
        _assessments.pop((session_id, seq, full))
