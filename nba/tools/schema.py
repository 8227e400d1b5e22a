"""`nba schema`: JSON Schemas generated from the models, for editors that validate and autocomplete YAML and JSON."""

from __future__ import annotations

import json
from typing import Any

from pydantic import BaseModel

from ..decision import Decision
from ..packs.model import Pack
from ..snapshot import AccountSnapshot
from .scenarios import ScenarioFile

SCHEMAS: dict[str, type[BaseModel]] = {"snapshot": AccountSnapshot, "pack": Pack, "scenario": ScenarioFile,
                                       "decision": Decision}


def schema(name: str) -> dict[str, Any]:
    """The JSON Schema of `snapshot`, `pack` or `scenario` (what nba reads), or `decision` (what it writes)."""
    model = SCHEMAS[name]
    body = model.model_json_schema(mode="serialization" if name == "decision" else "validation")
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", "$id": f"nba-{name}.schema.json", **body}


def schema_text(name: str) -> str:
    """The schema as stable, pretty JSON."""
    return json.dumps(schema(name), ensure_ascii=False, indent=2, sort_keys=False) + "\n"
