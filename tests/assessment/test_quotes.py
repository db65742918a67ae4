"""Quotes are verified against the text the model saw, and stored as the candidate wrote them."""

from __future__ import annotations

from interviewer.assessment import quotes
from interviewer.models import prompting
from interviewer.models.reply_bounds import ReplyCap, cut_at_sentence


def test_a_quote_of_escaped_code_maps_back_to_the_candidates_words() -> None:
    answer = "For x in range(n): if a[i] < b[i] -> swap.\nThat is O(n^2)."
    seen = prompting.as_data(answer)
    assert quotes.locate("if a[i] &lt; b[i] -&gt; swap", answer) == "if a[i] < b[i] -> swap"
    # A model that quotes exactly what it saw is checked against that same text.
    assert quotes.locate(seen.split("\n")[0], answer) == answer.split("\n")[0]


def test_whitespace_case_and_quote_marks_are_tolerated_but_words_are_not() -> None:
    answer = "I'd use  the \"held-out\"\nset  to choose λ."
    assert quotes.locate("“i’d use the ‘held-out’ set”", answer) is None  # different quote marks inside stay different text
    assert quotes.locate("I’D USE THE \"HELD-OUT\" SET", answer) == "I'd use  the \"held-out\"\nset"
    assert quotes.locate("to choose λ...", answer) == "to choose λ"
    assert quotes.locate("to choose α", answer) is None


def test_verified_keeps_found_quotes_once_and_flags_the_rest() -> None:
    kept, dropped = quotes.verified(["Set to choose", "set to choose", "never said"], "The set to choose from.")
    assert kept == ["set to choose"] and dropped


def test_a_heading_in_candidate_text_is_defused_but_still_quotable() -> None:
    answer = "# Results\nAccuracy is 91%."
    seen = prompting.as_data(answer)
    assert seen.startswith("＃ Results")
    assert quotes.locate("＃ Results", answer) == "# Results"


def test_an_overlong_reply_is_cut_at_the_last_sentence_within_the_cap() -> None:
    assert cut_at_sentence("Short. Reply.", 100) == "Short. Reply."
    assert cut_at_sentence("First one. Second one is longer. Third.", 25) == "First one."
    assert cut_at_sentence("one two three four five six", 12).endswith("…")


def test_a_streamed_reply_past_the_cap_never_shows_half_a_sentence() -> None:
    cap = ReplyCap(400)
    text = "A sentence of the reply goes here. " * 40
    sent = "".join(cap.feed(text[i : i + 9]) for i in range(0, len(text), 9)) + cap.finish()
    assert len(sent) <= 400 and sent.endswith("here.") and cap.full
