"""The field types every catalog file shares: languages, slugs, texts given in every language."""

from __future__ import annotations

from typing import Annotated, Literal

import yaml

from pydantic import BaseModel, ConfigDict, Field, StringConstraints


# libyaml's C loader when installed: the same safe subset, about ten times as fast.
SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


Language = Literal["en", "fr"]


LANGUAGES: tuple[Language, ...] = ("en", "fr")


Slug = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9_-]*$", max_length=64)]


Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Localized(Strict):
    """A text shown to the candidate, in every language a persona can speak."""

    en: Text
    fr: Text

    def get(self, language: Language) -> str:
        return getattr(self, language)


class Phrases(Strict):
    """Lexical cues in each language (the offline scorer matches their stems)."""

    en: list[Text] = Field(min_length=1)
    fr: list[Text] = Field(min_length=1)

    def get(self, language: Language) -> list[str]:
        return list(getattr(self, language))
