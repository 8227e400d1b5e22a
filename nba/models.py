"""The base of every pydantic model in nba: frozen values that refuse fields they do not know."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class FrozenModel(BaseModel):
    """A frozen pydantic model that refuses unknown fields; subclasses add only the settings that differ."""

    model_config = ConfigDict(frozen=True, extra="forbid")
