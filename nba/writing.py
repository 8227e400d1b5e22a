"""Writing actions: a rule's templates filled with the account's names, dates, numbers and offers.

What repeats across a portfolio (a locale's symbols, a due's phrase, a declined name, a rule's
texts in a locale) is computed once per engine and remembered in bounded memos.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .decision import ContactRef, DiscountDecision, NextAction, Renewal, Risk
from .memo import Memo
from .signals import SignalValue, unused_modules
from .snapshot import AccountSnapshot
from .texts import Inflector, NumberStyle, TemplateValues, format_date_local, format_due, language, pick_locale, render
from .vocab import OwnerRole

if TYPE_CHECKING:
    from .ruleset import CompiledRule

_OFFER_WORDS = {
    "ru": {
        "annual_prepayment": "{p}% при годовой предоплате",
        "payment_by_date": "{p}% при оплате до {d}",
        "longer_term": "{p}% при продлении на более длинный срок",
        "case_study": "{p}% за совместный кейс или отзыв",
        "referral": "{p}% за рекомендацию нового клиента",
        "or": " или ",
    },
    "en": {
        "annual_prepayment": "{p}% for annual prepayment",
        "payment_by_date": "{p}% if paid by {d}",
        "longer_term": "{p}% for a longer contract term",
        "case_study": "{p}% for a case study or review",
        "referral": "{p}% for a referral",
        "or": ", or ",
    },
}
_NOBODY = {"ru": ("контакт клиента", "контакту клиента"), "en": ("the client's contact", "the client's contact")}
_YES_NO = {"ru": ("да", "нет"), "en": ("yes", "no")}


@dataclass(frozen=True, slots=True)
class Voice:
    """How texts read in one locale: its language, number symbols, yes/no and words for an unnamed contact."""

    locale: str
    language: str
    numbers: NumberStyle
    yes: str
    no: str
    nobody: str
    nobody_dative: str


@dataclass(frozen=True, slots=True)
class Facts:
    """What one evaluation knows of the account, shared by every action written for it."""

    snapshot: AccountSnapshot
    signals: Mapping[str, SignalValue]
    risk: Risk
    renewal: Renewal
    discount: DiscountDecision | None
    as_of: dt.datetime
    voice: Voice


@dataclass(frozen=True, slots=True)
class _Slot:
    """One action's own facts: when it is due, who does it, with whom."""

    due: dt.datetime
    owner: str | None
    role: str
    contact: str | None


class ActionWriter:
    """Fills rules' templates into actions; one per engine, its memos shared by every evaluation."""

    def __init__(self) -> None:
        self._inflector = Inflector()
        self._voices: Memo[Voice] = Memo()
        self._phrases: Memo[str] = Memo()
        self._texts: Memo[tuple[str, str, str]] = Memo()

    def voice(self, locale: str) -> Voice:
        """The voice of `locale` (English words where the language has none of its own)."""
        return self._voices.get(locale, lambda: _voice(locale))

    def format_signals(self, names: Iterable[str], signals: Mapping[str, SignalValue], voice: Voice) -> TemplateValues:
        """The named signals as they read in a sentence: unknown as a dash, numbers with the locale's symbols."""
        out = TemplateValues()
        for name in names:
            value = signals.get(name)
            if value is None:
                out[name] = "—"
            elif value is True:
                out[name] = voice.yes
            elif value is False:
                out[name] = voice.no
            elif isinstance(value, float):
                out[name] = voice.numbers.format(value)
            else:
                out[name] = str(value)
        return out

    def write(self, rule: CompiledRule, facts: Facts, due: dt.datetime, priority: int, role: OwnerRole,
              contact: ContactRef | None) -> NextAction:
        """The action `rule` asks for, due at `due`, with its texts in the account's locale."""
        snapshot = facts.snapshot
        owner = person_for(role, snapshot)
        slot = _Slot(due, owner, role, contact.name if contact is not None else None)
        values = self.format_signals(rule.signal_placeholders, facts.signals, facts.voice)
        for key in rule.context_placeholders:
            values[key] = _CONTEXT[key](self, facts, slot)
        title, text, reason = self._rule_texts(rule, facts.voice.locale)
        account_id = snapshot.account.id
        digest = hashlib.sha256(f"{account_id}|{rule.id}|{due.isoformat()}".encode()).hexdigest()[:16]
        return NextAction(
            id=digest,
            rule=rule.id,
            kind=rule.rule.action.kind,
            title=render(title, values),
            text=render(text, values),
            due=due,
            owner_role=role,
            owner=owner,
            contact=contact,
            priority=priority,
            reasons=[render(reason, values)],
            merged_rules=[],
            notes=[],
        )

    def phrase(self, fn: Callable[..., str], *args: object) -> str:
        """`fn(*args)` for a pure date formatter, remembered (Babel is slow and dues repeat across accounts)."""
        # Keyed by local wall time: aware datetimes of one instant in two zones are equal, their phrases are not.
        key = (fn.__name__, *(a.replace(tzinfo=None) if isinstance(a, dt.datetime) else a for a in args))
        return self._phrases.get(key, lambda: fn(*args))

    def dative(self, name: str) -> str:
        """A Russian name in the dative case; other names unchanged."""
        return self._inflector.dative(name)

    def _rule_texts(self, rule: CompiledRule, locale: str) -> tuple[str, str, str]:
        template = rule.rule.action
        return self._texts.get((rule.id, locale), lambda: (
            pick_locale(template.title, locale), pick_locale(template.text, locale), pick_locale(template.reason, locale)))


def _voice(locale: str) -> Voice:
    lang = language(locale)
    yes, no = _YES_NO.get(lang, _YES_NO["en"])
    nobody, nobody_dative = _NOBODY.get(lang, _NOBODY["en"])
    return Voice(locale, lang, NumberStyle.for_locale(locale), yes, no, nobody, nobody_dative)


def person_for(role: str, snapshot: AccountSnapshot) -> str | None:
    """The name of the account's person in `role` (the owner first, then the team), if any."""
    owner = snapshot.account.owner
    if owner is not None and owner.role == role:
        return owner.name
    return next((p.name for p in snapshot.account.team if p.role == role), None)


# -- the context placeholders: everything a template can name besides the signals -----------------
_Filler = Callable[[ActionWriter, Facts, _Slot], str]


def _contact(writer: ActionWriter, facts: Facts, slot: _Slot) -> str:
    return slot.contact or facts.voice.nobody


def _contact_dative(writer: ActionWriter, facts: Facts, slot: _Slot) -> str:
    if not slot.contact:
        return facts.voice.nobody_dative
    return writer.dative(slot.contact) if facts.voice.language == "ru" else slot.contact


def _primary_contact(writer: ActionWriter, facts: Facts, slot: _Slot) -> str:
    return next((c.name for c in facts.snapshot.contacts if c.is_primary), facts.voice.nobody)


def _due(writer: ActionWriter, facts: Facts, slot: _Slot) -> str:
    as_of = facts.as_of
    return writer.phrase(format_due, slot.due, facts.voice.locale, as_of.year if slot.due.year != as_of.year else None)


def _long_date(writer: ActionWriter, facts: Facts, day: dt.date | None) -> str:
    return writer.phrase(format_date_local, day, facts.voice.locale) if day is not None else "—"


def _offers(writer: ActionWriter, facts: Facts, slot: _Slot) -> str:
    discount = facts.discount
    if discount is None or not discount.offers:
        return "—"
    voice = facts.voice
    words = _OFFER_WORDS.get(voice.language, _OFFER_WORDS["en"])
    parts = [words[o.condition].format(p=voice.numbers.format(o.percent), d=_long_date(writer, facts, o.deadline))
             for o in discount.offers]
    return words["or"].join(parts)


def _export_ticket_subject(writer: ActionWriter, facts: Facts, slot: _Slot) -> str:
    ticket_id = facts.signals.get("export_ticket_id")
    ticket = next((t for t in facts.snapshot.tickets if t.id == ticket_id), None)
    return ticket.subject if ticket is not None and ticket.subject else "—"


_CONTEXT: dict[str, _Filler] = {
    "contact": _contact,
    "contact_dative": _contact_dative,
    "company": lambda w, f, s: f.snapshot.account.name,
    "primary_contact": _primary_contact,
    "owner": lambda w, f, s: s.owner or s.role,
    "due": _due,
    "due_date": lambda w, f, s: _long_date(w, f, s.due.date()),
    "due_time": lambda w, f, s: s.due.strftime("%H:%M"),
    "end_date": lambda w, f, s: _long_date(w, f, f.snapshot.contract.end_date),
    "signing_deadline": lambda w, f, s: _long_date(w, f, f.renewal.deadline),
    "window_opens": lambda w, f, s: _long_date(w, f, f.renewal.window_opens),
    "risk_reasons": lambda w, f, s: "; ".join(f.risk.explanations) or "—",
    "offers": _offers,
    "unused_modules_list": lambda w, f, s: ", ".join(unused_modules(f.snapshot)) or "—",
    "export_ticket_subject": _export_ticket_subject,
}

#: The context placeholders this writer fills (the same names as `ruleset.CONTEXT_PLACEHOLDERS`).
CONTEXT_NAMES = frozenset(_CONTEXT)
