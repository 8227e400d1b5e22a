"""Writing actions: a rule's templates filled with the account's names, dates, numbers and offers.

What repeats across a portfolio (a locale's symbols, a due's phrase, a declined name, a rule's
texts in a locale) is computed once per engine and remembered in bounded memos.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

from .decision import ContactRef, DiscountDecision, NextAction, Renewal, Risk
from .caches import CACHE_SIZE
from .messages import counted, days_phrase, message, text_locale, value_words
from .signals import DAY_PHRASES, SIGNAL_PHRASES, SignalValue, unused_modules
from .snapshot import AccountSnapshot
from .locales import (Inflector, NumberStyle, TemplateValues, format_date_local, format_due, format_money, language,
                    pick_locale, render)
from .vocab import ActionStatus, OwnerRole

if TYPE_CHECKING:
    from functools import _CacheInfo as CacheInfo  # the named tuple lru_cache's cache_info() returns

    from .ruleset import CompiledMeasure, CompiledRule



@dataclass(frozen=True, slots=True)
class Voice:
    """How texts read in one locale: its language, number symbols and the words for yes and no."""

    locale: str
    language: str
    numbers: NumberStyle
    yes: str
    no: str


@dataclass(slots=True)
class Facts:
    """What one evaluation knows of the account, shared by every action written for it."""

    snapshot: AccountSnapshot
    signals: Mapping[str, SignalValue]
    risk: Risk
    renewal: Renewal
    discount: DiscountDecision | None
    as_of: dt.datetime
    voice: Voice
    offer_deadline: Callable[[str, dt.date], dt.date | None] | None = None  # a pay-by date for an offer made on a day


@dataclass(slots=True)
class Words:
    """An action's texts for one due: what it is, what to do, why, and how it reads merged into another call."""

    title: str
    text: str
    reasons: list[str]
    topic: str = ""  # "" when the rule has none: its title then stands for it


@dataclass(slots=True)
class _Slot:
    """One action's own facts: when it is due, who does it, with whom."""

    due: dt.datetime
    owner: str | None
    role: str
    contact: str | None
    contact_id: str | None = None


class ActionWriter:
    """Fills rules' templates into actions; one per engine, its caches shared by every evaluation."""

    def __init__(self, display_names: Mapping[str, Mapping[str, str]] | None = None) -> None:
        self._display_names = display_names or {}
        self._inflector = Inflector()
        # Each cache keys on the arguments of the function it remembers, so no input can be left out of its key.
        self._due_words = lru_cache(maxsize=CACHE_SIZE)(format_due)
        self._date_words = lru_cache(maxsize=CACHE_SIZE)(format_date_local)
        self._texts = lru_cache(maxsize=CACHE_SIZE)(_rule_texts)
        self._reasons = lru_cache(maxsize=CACHE_SIZE)(_measure_reason)
        self._usage_words = lru_cache(maxsize=CACHE_SIZE)(self._write_usage)

    def cache_info(self) -> dict[str, CacheInfo]:
        """Hits, misses and sizes of this writer's caches (due, date and usage phrases, rule texts, reasons, names)."""
        return {"due_phrases": self._due_words.cache_info(), "date_phrases": self._date_words.cache_info(),
                "rule_texts": self._texts.cache_info(), "risk_reasons": self._reasons.cache_info(),
                "usage_phrases": self._usage_words.cache_info(), "names": self._inflector.cache_info()}

    def voice(self, locale: str) -> Voice:
        """The voice of `locale` (English words where the language has none of its own)."""
        return _voice(locale)

    def format_signals(self, names: Iterable[str], signals: Mapping[str, SignalValue], voice: Voice) -> TemplateValues:
        """The named signals as they read in a sentence: unknown as a dash, numbers with the locale's symbols."""
        out = TemplateValues()
        for name in names:
            phrase = DAY_PHRASES.get(name)
            if phrase is not None:  # {x_words}, {x_ago}: the day count in words, plural forms by the language
                count = signals.get(phrase[0])
                if isinstance(count, float):
                    out[name] = days_phrase(int(count), phrase[1], voice.locale)
                else:  # nothing on record: "no touch for as long as we have records", not "no touch for —"
                    out[name] = message("days_unknown", voice.locale) if phrase[1] == "words" else "—"
                continue
            if name in SIGNAL_PHRASES:
                out[name] = self._signal_phrase(name, signals, voice.locale)
                continue
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
                out[name] = self.display(name, value, voice.locale)
        return out

    def display(self, signal: str, value: str, locale: str) -> str:
        """A code as people read it: a vocabulary value in words («красный»), a resource or module by the packs'
        `display_names`, anything else as written."""
        words = value_words(signal, value, locale)
        if words is not None:
            return words
        names = self._display_names.get(value)
        return pick_locale(names, locale) if names else value

    def _signal_phrase(self, name: str, signals: Mapping[str, SignalValue], locale: str) -> str:
        """One of `SIGNAL_PHRASES` in `locale`."""
        if name == "contract_end_words":
            left = signals.get("days_to_end")
            if not isinstance(left, float):
                return "—"
            n = int(left)
            if n in (-1, 0, 1):
                return message(f"contract_end_{('yesterday', 'today', 'tomorrow')[n + 1]}", locale)
            key = "contract_end_in" if n > 0 else "contract_end_ago"
            return message(key, locale, count=counted("day", abs(n), locale))
        return self._usage_phrase({"usage_period": 30, "usage_period_60d": 60}.get(name, 0), signals, locale)

    def _usage_phrase(self, days: int, signals: Mapping[str, SignalValue], locale: str) -> str:
        """Which days the activity figures cover, so old data never reads as today's: «за последние 30 дней»
        when the data reaches yesterday, else up to the day it ends, and "no newer data" once newer data is
        overdue (`days` 0: only that note, for other usage figures)."""
        age, through, stale = (signals.get("usage_data_age_days"), signals.get("usage_through"),
                               signals.get("usage_data_stale"))
        if not isinstance(age, float) or not isinstance(through, str):
            return "" if days == 0 else "—"
        return self._usage_words(days, age <= 1, through, stale is True, locale)  # a book's data ends on a few days

    def _write_usage(self, days: int, recent: bool, through: str, stale: bool, locale: str) -> str:
        """`_usage_phrase` for data through the ISO day `through` (`recent`: it reaches yesterday)."""
        date = self.date_phrase(dt.date.fromisoformat(through), locale)
        if days == 0:
            return message("usage_note", locale, date=date) if stale else ""
        count = days_phrase(days, "words", locale)
        if recent:
            return message("usage_last", locale, days=count)
        return message("usage_to_stale" if stale else "usage_to", locale, days=count, date=date)

    def explain_risk(self, hits: Sequence[CompiledMeasure], signals: Mapping[str, SignalValue], voice: Voice) -> list[str]:
        """The reasons of the risk measures that hit, in words, in the voice's locale."""
        values = self.format_signals({name for m in hits for name in m.placeholders}, signals, voice)
        return [render(self._reasons(m, voice.locale), values) for m in hits]

    def draft(self, rule: CompiledRule, facts: Facts, role: OwnerRole, contact: ContactRef | None, ident: str) -> Draft:
        """The action `rule` asks for (its stable id `ident`), to be written once arbitration has fixed its due."""
        return Draft(self, rule, facts, role, contact, ident)

    def words(self, draft: Draft, due: dt.datetime) -> Words:
        """The draft's title, text and reason in the account's locale, for `due`."""
        facts = draft.facts
        rule = draft.rule
        contact = draft.contact
        slot = _Slot(due, draft.owner, draft.role, contact.name if contact is not None else None,
                     contact.id if contact is not None else None)
        values = self.format_signals(rule.signal_placeholders, facts.signals, facts.voice)
        for key in rule.context_placeholders:
            values[key] = CONTEXT_PLACEHOLDERS[key].fill(self, facts, slot)
        title, text, reason, topic = self._texts(rule, facts.voice.locale)
        return Words(_sentence(render(title, values)), _sentence(render(text, values)), [render(reason, values)],
                     render(topic, values))

    def due_phrase(self, due: dt.datetime, locale: str, reference_year: int | None) -> str:
        """`format_due` remembered (Babel is slow and dues repeat across accounts)."""
        # A phrase reads the wall time only, and the cache is keyed by it: aware datetimes of one instant in two
        # zones are equal (and would share an entry), their phrases are not.
        return self._due_words(due.replace(tzinfo=None), locale, reference_year)

    def date_phrase(self, day: dt.date | None, locale: str) -> str:
        """`format_date_local` remembered; a dash for no date."""
        if day is None:
            return "—"
        return self._date_words(day, locale)

    def unnamed_contact(self, facts: Facts, contact_id: str) -> str:
        """A contact the snapshot does not name, as a note calls them: by the ticket they wrote, else the client's contact."""
        return _unnamed(facts, contact_id, "nominative") or _nobody(facts, "nominative")

    def can_decline(self, name: str) -> bool:
        """Whether a Russian case of the name can be made (Cyrillic, one to three words)."""
        return self._inflector.can_decline(name)

    def decline(self, name: str, case: str) -> str:
        """A Russian name in `case`; other names unchanged."""
        return self._inflector.decline(name, case)


def _rule_texts(rule: CompiledRule, locale: str) -> tuple[str, str, str, str]:
    """A rule's title, text, reason and topic in a locale (cached per writer, keyed by the rule object)."""
    template = rule.rule.action
    return (pick_locale(template.title, locale), pick_locale(template.text, locale), pick_locale(template.reason, locale),
            pick_locale(template.topic, locale) if template.topic else "")


def _measure_reason(measure: CompiledMeasure, locale: str) -> str:
    """A risk measure's reason in a locale (cached per writer, keyed by the measure object)."""
    return pick_locale(measure.measure.reason, locale)


class Draft:
    """An action a rule wants, with everything to write it but its final due and priority."""

    __slots__ = ("writer", "rule", "facts", "role", "contact", "owner", "id")

    def __init__(self, writer: ActionWriter, rule: CompiledRule, facts: Facts, role: OwnerRole,
                 contact: ContactRef | None, ident: str) -> None:
        self.id = ident
        self.writer = writer
        self.rule = rule
        self.facts = facts
        self.role = role
        self.contact = contact
        self.owner = person_for(role, facts.snapshot)

    def words(self, due: dt.datetime) -> Words:
        """Its texts for `due`."""
        return self.writer.words(self, due)

    def action(self, due: dt.datetime, priority: int, words: Words, *, merged_rules: list[str] | None = None,
               merged_ids: list[str] | None = None,
               notes: list[str] | None = None, status: ActionStatus = "new") -> NextAction:
        """The final action: its stable id (see `nba.episodes`), texts and what arbitration did to it."""
        if self.contact is not None and not self.contact.name:
            ticket = _ticket_of(self.facts.snapshot, self.contact.id)
            if ticket is not None:  # nothing to act on without a name: say whose it is and to find out first
                notes = [*(notes or []), message("unnamed_note", self.facts.voice.locale, ticket=ticket)]
        if self.owner is None:  # nobody on the account's team has the role: say so, or the work sits unseen
            locale = self.facts.voice.locale
            notes = [*(notes or []), message("unassigned_note", locale, role=message(f"role_{self.role}", locale))]
        return NextAction(
            id=self.id,
            rule=self.rule.id,
            kind=self.rule.rule.action.kind,
            title=words.title,
            text=words.text,
            due=due,
            owner_role=self.role,
            owner=self.owner,
            contact=self.contact,
            priority=priority,
            reasons=words.reasons,
            merged_rules=merged_rules or [],
            merged_ids=merged_ids or [],
            notes=notes or [],
            status=status,
        )


@lru_cache(maxsize=256)
def _voice(locale: str) -> Voice:
    """The voice of a locale (pure: remembered for the process)."""
    locale = text_locale(locale)  # kk, de: English throughout, not a mix of languages
    lang = language(locale)
    return Voice(locale, lang, NumberStyle.for_locale(locale), message("yes", locale), message("no", locale))


def person_for(role: str, snapshot: AccountSnapshot) -> str | None:
    """The name of the account's person in `role` (the owner first, then the team), if any."""
    owner = snapshot.account.owner
    if owner is not None and owner.role == role:
        return owner.name
    return next((p.name for p in snapshot.account.team if p.role == role), None)


def _sentence(text: str) -> str:
    """A title or text as a sentence: its first letter capital («{due}: …» starts «В понедельник …»)."""
    return text[:1].upper() + text[1:] if text[:1].islower() else text


# -- the context placeholders: everything a template can name besides the signals -----------------
_Filler = Callable[[ActionWriter, Facts, _Slot], str]


def _contact(writer: ActionWriter, facts: Facts, slot: _Slot) -> str:
    return slot.contact or _unnamed(facts, slot.contact_id, "nominative") or _nobody(facts, "nominative")


def _nobody(facts: Facts, case: str) -> str:
    """The words for a contact the snapshot does not name, in `case`."""
    return message(f"unknown_contact_{case}", facts.voice.locale)


def _unnamed(facts: Facts, contact_id: str | None, case: str) -> str | None:
    """A contact we know only by a ticket they wrote, named by that ticket (None when no ticket names them)."""
    ticket = _ticket_of(facts.snapshot, contact_id)
    return message(f"unnamed_{case}", facts.voice.locale, ticket=ticket) if ticket else None


def _ticket_of(snapshot: AccountSnapshot, contact_id: str | None) -> str | None:
    """The latest ticket the contact wrote, if any."""
    written = [t for t in snapshot.tickets if contact_id is not None and t.contact_id == contact_id]
    return max(written, key=lambda t: (t.opened_at.isoformat(), t.id)).id if written else None


def _contact_in(case: str) -> _Filler:
    """The filler of {contact_CASE}: the contact's name in that case in Russian (the name as it is elsewhere).

    A name the declension cannot take (Latin script, "Yerlan Nurpeisov"; four words) is put after a noun
    that carries the case instead: «позвонить контакту Yerlan Nurpeisov», never «позвонить Yerlan Nurpeisov».
    """
    def fill(writer: ActionWriter, facts: Facts, slot: _Slot) -> str:
        if not slot.contact:
            return _unnamed(facts, slot.contact_id, case) or _nobody(facts, case)
        if facts.voice.language != "ru":
            return slot.contact
        if writer.can_decline(slot.contact):
            return writer.decline(slot.contact, case)
        return message(f"as_is_contact_{case}", facts.voice.locale, name=slot.contact)
    return fill


def _primary_contact(writer: ActionWriter, facts: Facts, slot: _Slot) -> str:
    return next((c.name for c in facts.snapshot.contacts if c.is_primary), None) or _nobody(facts, "nominative")


def _due(writer: ActionWriter, facts: Facts, slot: _Slot) -> str:
    as_of = facts.as_of
    return writer.due_phrase(slot.due, facts.voice.locale, as_of.year if slot.due.year != as_of.year else None)


def _long_date(writer: ActionWriter, facts: Facts, day: dt.date | None) -> str:
    return writer.date_phrase(day, facts.voice.locale)


def _offers(writer: ActionWriter, facts: Facts, slot: _Slot) -> str:
    discount = facts.discount
    if discount is None or not discount.offers:
        return "—"
    voice = facts.voice
    # A pay-by date counts from the day the offer is made: the action's own due, wherever arbitration put it.
    recompute = facts.offer_deadline
    parts = [message(f"offer_{o.condition}", voice.locale, p=voice.numbers.format(o.percent), d=_long_date(
        writer, facts, recompute(o.condition, slot.due.date()) if recompute and o.deadline else o.deadline))
        for o in discount.offers]
    return message("offers_or", voice.locale).join(parts)


def _export_ticket_subject(writer: ActionWriter, facts: Facts, slot: _Slot) -> str:
    ticket_id = facts.signals.get("export_ticket_id")
    ticket = next((t for t in facts.snapshot.tickets if t.id == ticket_id), None)
    return ticket.subject if ticket is not None and ticket.subject else "—"


def _money(facts: Facts, amount: float) -> str:
    """An amount per billing period: «200 000 ₸ в месяц», "$2,400 a month"."""
    contract = facts.snapshot.contract
    return message(f"per_{contract.billing_period}", facts.voice.locale,
                   amount=format_money(amount, contract.currency, facts.voice.locale))


def _requested_amount(writer: ActionWriter, facts: Facts, slot: _Slot) -> str:
    asked = facts.signals.get("discount_requested_pct")
    if not isinstance(asked, float):
        return "—"
    return _money(facts, facts.snapshot.contract.price * asked / 100)


def _upgrade_saving_note(writer: ActionWriter, facts: Facts, slot: _Slot) -> str:
    overage, saving = facts.signals.get("overage_cost"), facts.signals.get("upgrade_saving")
    if not isinstance(overage, float) or overage <= 0:
        return ""
    locale = facts.voice.locale
    if isinstance(saving, float) and saving > 0:
        return message("upgrade_saves", locale, overage=_money(facts, overage), saving=_money(facts, saving))
    return message("overage_costs", locale, overage=_money(facts, overage))


@dataclass(frozen=True, slots=True)
class Placeholder:
    """A placeholder a template can use besides the signals: what it becomes, and how it is filled."""

    meaning: str
    fill: _Filler


#: Every placeholder a template can use besides the signals (and their {x_words}, {x_ago}, usage phrases).
CONTEXT_PLACEHOLDERS: Mapping[str, Placeholder] = {
    "contact": Placeholder("the contact's name", _contact),
    "contact_dative": Placeholder("the contact's name in the dative case (ru: позвонить Павлу Громову); other languages: "
                                  "the name", _contact_in("dative")),
    "contact_genitive": Placeholder("the contact's name in the genitive case (ru: у Павла Громова); other languages: "
                                    "the name", _contact_in("genitive")),
    "contact_instrumental": Placeholder("the contact's name in the instrumental case (ru: встретиться с Павлом "
                                        "Громовым); other languages: the name", _contact_in("instrumental")),
    "contact_prepositional": Placeholder("the contact's name in the prepositional case (ru: о Павле Громове); other "
                                         "languages: the name", _contact_in("prepositional")),
    "company": Placeholder("the client's company name", lambda w, f, s: f.snapshot.account.name),
    "primary_contact": Placeholder("the primary contact's name", _primary_contact),
    "owner": Placeholder("our person who does the action (their role in words when nobody fills it)",
                         lambda w, f, s: s.owner or message(f"role_{s.role}", f.voice.locale)),
    "due": Placeholder("the due day and time as a phrase: во вторник 1 апреля в 10:00 / on Tuesday, April 1 at 10:00", _due),
    "due_date": Placeholder("the due date, long form", lambda w, f, s: _long_date(w, f, s.due.date())),
    "due_time": Placeholder("the due time, HH:MM", lambda w, f, s: s.due.strftime("%H:%M")),
    "end_date": Placeholder("the contract end date, long form",
                            lambda w, f, s: _long_date(w, f, f.snapshot.contract.end_date)),
    "signing_deadline": Placeholder("the date the renewal must be signed by, long form",
                                    lambda w, f, s: _long_date(w, f, f.renewal.deadline)),
    "window_opens": Placeholder("when the renewal window opens (for a renewed contract: the next one), long form",
                                lambda w, f, s: _long_date(w, f, f.renewal.window_opens)),
    "risk_reasons": Placeholder("the risk scorecard's reasons, in words, largest first; no warning signs / тревожных "
                                "сигналов нет when none",
                                lambda w, f, s: "; ".join(f.risk.explanations) or message("no_warning_signs", f.voice.locale)),
    "offers": Placeholder("the discount counter-offers as a phrase", _offers),
    "unused_modules_list": Placeholder(
        "available modules the client does not use, by the packs' display names, comma-separated",
        lambda w, f, s: ", ".join(w.display("", m, f.voice.locale) for m in unused_modules(f.snapshot)) or "—"),
    "export_ticket_subject": Placeholder("the subject of the export-request ticket", _export_ticket_subject),
    "price": Placeholder("the contract price per billing period with its currency: 200 000 ₸ в месяц / $2,400 a month",
                         lambda w, f, s: _money(f, f.snapshot.contract.price)),
    "discount_requested_amount": Placeholder("what the asked discount costs per billing period: 40 000 ₸ в месяц",
                                             _requested_amount),
    "upgrade_saving_note": Placeholder(
        "when the snapshot has the prices and the limit is exceeded: what the overage costs and what upgrading now "
        "saves, as a sentence starting with a space; nothing otherwise", _upgrade_saving_note),
    "contract_period": Placeholder("the contract's term as a period: год / квартал / месяц; year / quarter / month",
                                   lambda w, f, s: message(f"period_{f.snapshot.contract.term}", f.voice.locale)),
    "contract_period_genitive": Placeholder("the same in the genitive case (ru: итоги года / квартала); other languages: "
                                            "the period", lambda w, f, s: message(f"period_of_{f.snapshot.contract.term}",
                                                                                  f.voice.locale)),
}
