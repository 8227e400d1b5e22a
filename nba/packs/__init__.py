"""Rule packs: the YAML format (models) and its loader with located errors."""

from .loader import load_packs
from .model import ActionTemplate, DuePolicy, Pack, Rule

__all__ = ["load_packs", "Pack", "Rule", "ActionTemplate", "DuePolicy"]
