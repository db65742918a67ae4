"""Bound an interviewer reply while it streams: past the size cap it is cut at a sentence boundary,
so what the candidate saw and what is stored (and re-sent in later prompts) are the same text.

Pure: no I/O, no model. `ReplyCap` is fed the deltas as they arrive and says what may be sent.
"""

from __future__ import annotations

import re

# A sentence ends with . ! ? or … (optionally closed by a quote or bracket) followed by a space or the end.
_SENTENCE_END = re.compile(r"[.!?…][\"'”’)\]]*(?=\s|$)")


def sentence_ends(text: str) -> list[int]:
    """Offsets just after each sentence end in `text`."""
    return [m.end() for m in _SENTENCE_END.finditer(text)]


def cut_at_sentence(text: str, limit: int) -> str:
    """`text` if it fits; otherwise its longest prefix within `limit` that ends a sentence, or, when
    one sentence is longer than the limit, its words up to the limit followed by an ellipsis."""
    if len(text) <= limit:
        return text
    ends = [e for e in sentence_ends(text) if e <= limit]
    if ends:
        return text[: ends[-1]]
    words = text[: limit - 1].rsplit(None, 1)[0] if " " in text[: limit - 1] else text[: limit - 1]
    return words.rstrip() + "…"


class ReplyCap:
    """Feed deltas in; get back what may be sent now. Near the cap, text is held back until a sentence
    ends, so a reply cut at the cap never ends mid-sentence in front of the candidate."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        # Within this many characters of the cap, only whole sentences are released.
        self.window = min(500, limit // 2)
        self.received = ""
        self.sent = 0
        self.full = False
        # An ellipsis to send after the last piece when a single sentence had to be cut between words.
        self._tail = ""

    def feed(self, delta: str) -> str:
        if self.full:
            return ""
        self.received += delta
        if len(self.received) > self.limit:
            self.full = True
            return self._release(self._cut())
        if len(self.received) <= self.limit - self.window:
            return self._release(len(self.received))
        ends = [e for e in sentence_ends(self.received) if e > self.sent]
        return self._release(ends[-1]) if ends else ""

    def finish(self) -> str:
        """The held-back rest once the reply is complete (nothing if the cap was reached)."""
        return "" if self.full else self._release(len(self.received))

    def _cut(self) -> int:
        ends = [e for e in sentence_ends(self.received) if self.sent <= e <= self.limit]
        if ends:
            return ends[-1]
        if self.sent > self.limit - self.window:
            return self.sent  # a sentence ended inside the window: stop there
        # One sentence longer than the whole window: cut between words, marked by an ellipsis.
        head = self.received[: self.limit - 1]
        cut = head.rsplit(None, 1)[0] if " " in head[self.sent :] else head
        self._tail = "…"
        return max(len(cut.rstrip()), self.sent)

    def _release(self, end: int) -> str:
        piece = self.received[self.sent : end] + self._tail
        self._tail = ""
        self.sent = max(self.sent, end)
        return piece
