"""The words nba itself writes for people (not the packs' texts), one catalogue per language.

Every message exists in every language of the catalogue (a test keeps them equal); a locale without
a catalogue reads English throughout, never a mix.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache

from babel import Locale, UnknownLocaleError

from .locales import language

#: Counted words by CLDR plural category (Babel decides the category for a number).
_COUNTED: Mapping[str, Mapping[str, Mapping[str, str]]] = {
    "ru": {
        "day": {"one": "{n} день", "few": "{n} дня", "many": "{n} дней", "other": "{n} дня"},
        "business_day": {"one": "{n} рабочий день", "few": "{n} рабочих дня", "many": "{n} рабочих дней",
                         "other": "{n} рабочего дня"},
        "action": {"one": "{n} действие", "few": "{n} действия", "many": "{n} действий", "other": "{n} действия"},
        "call": {"one": "{n} звонок", "few": "{n} звонка", "many": "{n} звонков", "other": "{n} звонка"},
        "meeting": {"one": "{n} встреча", "few": "{n} встречи", "many": "{n} встреч", "other": "{n} встречи"},
        "email": {"one": "{n} письмо", "few": "{n} письма", "many": "{n} писем", "other": "{n} письма"},
        "hour": {"one": "{n} часа", "few": "{n} часов", "many": "{n} часов", "other": "{n} часа"},
        "action_of": {"one": "{n} действия", "few": "{n} действий", "many": "{n} действий", "other": "{n} действия"},
        "call_or_meeting": {"one": "{n} звонок или встреча", "few": "{n} звонка или встречи", "many": "{n} звонков и встреч",
                            "other": "{n} звонка или встречи"},
    },
    "en": {
        "day": {"one": "{n} day", "other": "{n} days"},
        "business_day": {"one": "{n} business day", "other": "{n} business days"},
        "action": {"one": "{n} action", "other": "{n} actions"},
        "call": {"one": "{n} call", "other": "{n} calls"},
        "meeting": {"one": "{n} meeting", "other": "{n} meetings"},
        "email": {"one": "{n} e-mail", "other": "{n} e-mails"},
        "hour": {"one": "{n} hour", "other": "{n} hours"},
        "action_of": {"one": "{n} action", "other": "{n} actions"},
        "call_or_meeting": {"one": "{n} call or meeting", "other": "{n} calls and meetings"},
    },
}

_MESSAGES: Mapping[str, Mapping[str, str]] = {
    "ru": {
        "done": "уже выполнено{when}: эта ситуация закрыта",
        "dismissed": "отклонено{when}: эта ситуация закрыта",
        "cooldown": "клиент отказался {closed}: не предлагать снова до {until}",
        "on": " {date}",
        "rule_gone": "правила {rule} больше нет в пакетах",
        "superseded": "ситуация сменилась: вместо этого действия выпущено новое ({new_id})",
        "resolved": "ситуация разрешилась: условие правила больше не выполняется",
        "escalation_over": "просроченное действие закрыто или перенесено",
        "escalation_title": "Просрочено: {title}",
        "escalation_text": "Действие «{title}» по {company} просрочено на {late} (срок был {due}, ответственный: {owner}) — "
                           "выяснить, что мешает, и помочь закрыть его",
        "escalation_reason": "действие «{title}» открыто и просрочено на {late} [{id}]",
        "brief_title": "что сделать сегодня, {date}",
        "brief_overdue": "Просрочено",
        "brief_today": "Сегодня",
        "brief_new": "Новое",
        "brief_nothing": "Открытых действий нет.",
        "brief_due": "срок {due}",
        "nobody": "без ответственного",
        "also_discuss": "Также обсудить: {topics}",
        "yes": "да",
        "no": "нет",
        "unknown_contact_nominative": "контакт клиента",
        "unknown_contact_dative": "контакту клиента",
        "unknown_contact_genitive": "контакта клиента",
        "unknown_contact_instrumental": "контактом клиента",
        "unknown_contact_prepositional": "контакте клиента",
        "as_is_contact_dative": "контакту {name}",
        "as_is_contact_genitive": "контакта {name}",
        "as_is_contact_instrumental": "контактом {name}",
        "as_is_contact_prepositional": "контакте {name}",
        "offer_annual_prepayment": "{p}% при годовой предоплате",
        "offer_payment_by_date": "{p}% при оплате до {d}",
        "offer_longer_term": "{p}% при продлении на более длинный срок",
        "offer_case_study": "{p}% за совместный кейс или отзыв",
        "offer_referral": "{p}% за рекомендацию нового клиента",
        "offers_or": " или ",
        "discount_adjusted": "для этого клиента потолок скидки — {ceiling}%",
        "discount_above_hard_limit": "запрошено {asked}% — больше предела {limit}%, который политика не превышает никогда",
        "discount_no_commitment": "ни одно обязательство, за которое политика даёт скидку, к этому клиенту не подходит",
        "discount_within_policy": "{asked}% в рамках политики при условии: {condition}",
        "discount_needs_approval": "{asked}% не выше потолка, но скидку согласует {role}",
        "discount_declined_goes_up": "клиент отказался от встречного предложения: решение о {asked}% принимает {role}",
        "discount_counter_offer": "запрошено {asked}% — больше потолка {ceiling}%: встречное предложение в обмен на обязательство",
        "discount_counter_needs_approval": "встречное предложение до ответа клиенту согласует {role}",
        "commitment_annual_prepayment": "годовая предоплата",
        "commitment_payment_by_date": "оплата до срока",
        "commitment_longer_term": "продление на более длинный срок",
        "commitment_case_study": "совместный кейс или отзыв",
        "commitment_referral": "рекомендация нового клиента",
        "role_account_manager": "менеджер по работе с клиентом",
        "role_csm": "менеджер по клиентскому успеху",
        "role_head_of_cs": "руководитель отдела клиентского успеха",
        "role_ceo": "генеральный директор",
        "per_monthly": "{amount} в месяц",
        "per_quarterly": "{amount} в квартал",
        "per_annual": "{amount} в год",
        "period_monthly": "месяц",
        "period_quarterly": "квартал",
        "period_annual": "год",
        "period_multi_year": "период",
        "period_of_monthly": "месяца",
        "period_of_quarterly": "квартала",
        "period_of_annual": "года",
        "period_of_multi_year": "периода",
        "table_account": "Клиент {id} на {as_of}",
        "table_no_risk": "ни один показатель риска не сработал",
        "table_risk": "Риск:     {level} (балл {score}) — {reasons}",
        "table_renewal": "Продление: {stage}, осталось {left} (конец {end}",
        "table_sign_by": ", подписать до {date}",
        "table_approval": ", согласует: {role}",
        "table_discount": "Скидка:   запрошено {asked}% → {outcome}",
        "table_no_actions": "Действий нет.",
        "table_headers": "№|срок|статус|вид|ответственный|контакт|приор.|правило",
        "table_why": "почему",
        "table_merged": "объединено",
        "table_note": "примечание",
        "table_suppressed": "отложено",
        "table_withdrawn": "отозвано",
        "contract_end_in": "контракт заканчивается через {count}",
        "contract_end_tomorrow": "контракт заканчивается завтра",
        "contract_end_today": "контракт заканчивается сегодня",
        "contract_end_yesterday": "контракт закончился вчера",
        "contract_end_ago": "контракт закончился {count} назад",
        "capacity_full": "{owner}: уже {count} на {day}",
        "days_unknown": "за всё время, что есть в данных",
        "no_warning_signs": "тревожных сигналов нет",
        "unassigned_note": "без ответственного: в нашей команде по этому клиенту нет роли «{role}» — назначьте человека",
        "upgrade_saves": " Превышение лимита обходится в {overage}; переход на старший тариф сейчас сэкономит {saving}.",
        "overage_costs": " Превышение лимита обходится в {overage}.",
        "calendar_name": "Следующие действия: {owner}",
        "calendar_unassigned": "без ответственного ({role})",
        "today": "сегодня",
        "usage_last": "за последние {days}",
        "usage_to": "за {days} по {date}",
        "usage_to_stale": "за {days} по {date} (новее данных нет)",
        "usage_note": " (по данным на {date}; новее данных нет)",
        "yesterday": "вчера",
        "ago": "{count} назад",
        "in": "через {count}",
        "unnamed_nominative": "неизвестный автор обращения {ticket}",
        "unnamed_dative": "неизвестному автору обращения {ticket}",
        "unnamed_genitive": "неизвестного автора обращения {ticket}",
        "unnamed_instrumental": "неизвестным автором обращения {ticket}",
        "unnamed_prepositional": "неизвестном авторе обращения {ticket}",
        "unnamed_note": "имя автора обращения {ticket} неизвестно: сначала выяснить, кто его написал",
        "cap_contact": "лимит контактов — {person}: уже {count} за {days}",
        "cap_account": "лимит контактов с клиентом: уже {count} за {days}",
        "quiet": "пауза после контакта — {person}: связывались менее {hours} назад",
        "no_slot": "{why}; нет свободного времени в пределах {days}",
        "top_n": "не вошло в список из {count}: у остальных приоритет выше",
        "moved": "перенесено с {old} на {new}: {why}",
    },
    "en": {
        "done": "already done{when}: this situation is closed",
        "dismissed": "dismissed{when}: this situation is closed",
        "cooldown": "the client declined on {closed}: not offered again until {until}",
        "on": " on {date}",
        "rule_gone": "the rule {rule} is no longer in the packs",
        "superseded": "the situation changed: a new action replaces this one ({new_id})",
        "resolved": "the situation is over: the rule's condition no longer holds",
        "escalation_over": "the overdue action was closed or rescheduled",
        "escalation_title": "Overdue: {title}",
        "escalation_text": "The action “{title}” for {company} is overdue by {late} (it was due {due}, owner: {owner}) — "
                           "find out what blocks it and help close it",
        "escalation_reason": "the action “{title}” is open and overdue by {late} [{id}]",
        "brief_title": "What to do today, {date}",
        "brief_overdue": "Overdue",
        "brief_today": "Today",
        "brief_new": "New",
        "brief_nothing": "No open actions.",
        "brief_due": "due {due}",
        "nobody": "unassigned",
        "also_discuss": "Also discuss: {topics}",
        "yes": "yes",
        "no": "no",
        "unknown_contact_nominative": "the client's contact",
        "unknown_contact_dative": "the client's contact",
        "unknown_contact_genitive": "the client's contact",
        "unknown_contact_instrumental": "the client's contact",
        "unknown_contact_prepositional": "the client's contact",
        "as_is_contact_dative": "{name}",
        "as_is_contact_genitive": "{name}",
        "as_is_contact_instrumental": "{name}",
        "as_is_contact_prepositional": "{name}",
        "offer_annual_prepayment": "{p}% for annual prepayment",
        "offer_payment_by_date": "{p}% if paid by {d}",
        "offer_longer_term": "{p}% for a longer contract term",
        "offer_case_study": "{p}% for a case study or review",
        "offer_referral": "{p}% for a referral",
        "offers_or": ", or ",
        "discount_adjusted": "the discount ceiling for this account is {ceiling}%",
        "discount_above_hard_limit": "asked {asked}% is above the hard limit of {limit}%",
        "discount_no_commitment": "no commitment the policy trades for a discount applies to this account",
        "discount_within_policy": "{asked}% is within policy for {condition}",
        "discount_needs_approval": "{asked}% is within the ceiling but needs approval by the {role}",
        "discount_declined_goes_up": "the client declined the counter-offer: {asked}% goes to the {role} for approval",
        "discount_counter_offer": "asked {asked}% is above the ceiling of {ceiling}%: counter-offer tied to a commitment",
        "discount_counter_needs_approval": "the counter-offer needs approval by the {role} before the client is answered",
        "commitment_annual_prepayment": "annual prepayment",
        "commitment_payment_by_date": "payment by a date",
        "commitment_longer_term": "a longer term",
        "commitment_case_study": "a joint case study or review",
        "commitment_referral": "a referral",
        "role_account_manager": "account manager",
        "role_csm": "customer success manager",
        "role_head_of_cs": "head of customer success",
        "role_ceo": "CEO",
        "per_monthly": "{amount} a month",
        "per_quarterly": "{amount} a quarter",
        "per_annual": "{amount} a year",
        "period_monthly": "month",
        "period_quarterly": "quarter",
        "period_annual": "year",
        "period_multi_year": "contract period",
        "period_of_monthly": "month",
        "period_of_quarterly": "quarter",
        "period_of_annual": "year",
        "period_of_multi_year": "contract period",
        "table_account": "Account {id} as of {as_of}",
        "table_no_risk": "no risk measure fired",
        "table_risk": "Risk:     {level} (score {score}) — {reasons}",
        "table_renewal": "Renewal:  {stage}, {left} left (ends {end}",
        "table_sign_by": ", sign by {date}",
        "table_approval": ", approval: {role}",
        "table_discount": "Discount: {asked}% asked → {outcome}",
        "table_no_actions": "No actions.",
        "table_headers": "#|due|status|kind|owner|contact|pri|rule",
        "table_why": "why",
        "table_merged": "merged",
        "table_note": "note",
        "table_suppressed": "suppressed",
        "table_withdrawn": "withdrawn",
        "contract_end_in": "the contract ends in {count}",
        "contract_end_tomorrow": "the contract ends tomorrow",
        "contract_end_today": "the contract ends today",
        "contract_end_yesterday": "the contract ended yesterday",
        "contract_end_ago": "the contract ended {count} ago",
        "capacity_full": "{owner} already has {count} on {day}",
        "days_unknown": "as long as we have records",
        "no_warning_signs": "no warning signs",
        "unassigned_note": "unassigned: nobody on the account's team is the {role} — assign someone",
        "upgrade_saves": " The overage costs {overage}; upgrading now saves {saving}.",
        "overage_costs": " The overage costs {overage}.",
        "calendar_name": "Next actions: {owner}",
        "calendar_unassigned": "unassigned ({role})",
        "today": "today",
        "usage_last": "over the last {days}",
        "usage_to": "over the {days} to {date}",
        "usage_to_stale": "over the {days} to {date} (no newer data)",
        "usage_note": " (as of {date}; no newer data)",
        "yesterday": "yesterday",
        "ago": "{count} ago",
        "in": "in {count}",
        "unnamed_nominative": "the unnamed author of ticket {ticket}",
        "unnamed_dative": "the unnamed author of ticket {ticket}",
        "unnamed_genitive": "the unnamed author of ticket {ticket}",
        "unnamed_instrumental": "the unnamed author of ticket {ticket}",
        "unnamed_prepositional": "the unnamed author of ticket {ticket}",
        "unnamed_note": "who wrote ticket {ticket} is not known: find that out first",
        "cap_contact": "contact cap: already {count} with {person} within {days}",
        "cap_account": "account cap: already {count} within {days}",
        "quiet": "quiet period: {person} was contacted less than {hours} before",
        "no_slot": "{why}; no slot within {days}",
        "top_n": "beyond the list of {count}: the others come first",
        "moved": "moved from {old} to {new}: {why}",
    },
}

#: How the values of the signals with a fixed vocabulary read in a sentence, per language.
_VALUES: Mapping[str, Mapping[str, Mapping[str, str]]] = {
    "ru": {
        "risk_level": {"green": "зелёный", "yellow": "жёлтый", "red": "красный"},
        "contract_term": {"monthly": "месячный", "quarterly": "квартальный", "annual": "годовой", "multi_year": "многолетний"},
        "billing_period": {"monthly": "ежемесячно", "quarterly": "ежеквартально", "annual": "раз в год"},
        "contract_status": {"active": "действует", "renewed": "продлён", "cancelled": "расторгнут", "churned": "клиент ушёл"},
        "segment": {"key": "ключевой", "standard": "обычный"},
        "renewal_stage": {"not_started": "не начато", "assessment": "оценка", "value_call": "разговор о ценности",
                          "offer": "предложение", "negotiation": "переговоры", "signing": "подписание",
                          "overdue": "просрочено", "renewed": "продлено", "closed": "закрыто"},
        "discount_outcome": {"approve": "одобрить", "counter_offer": "встречное предложение",
                             "needs_approval": "нужно согласование", "reject": "отказать"},
        "action_status": {"new": "новое", "open": "открыто", "overdue": "просрочено"},
        "action_kind": {"call": "звонок", "meeting": "встреча", "email": "письмо", "offer": "предложение",
                        "task": "задача", "escalation": "эскалация"},
    },
    "en": {
        "risk_level": {"green": "green", "yellow": "yellow", "red": "red"},
        "contract_term": {"monthly": "monthly", "quarterly": "quarterly", "annual": "annual", "multi_year": "multi-year"},
        "billing_period": {"monthly": "monthly", "quarterly": "quarterly", "annual": "yearly"},
        "contract_status": {"active": "active", "renewed": "renewed", "cancelled": "cancelled", "churned": "churned"},
        "segment": {"key": "key", "standard": "standard"},
        "renewal_stage": {"not_started": "not started", "assessment": "assessment", "value_call": "value call",
                          "offer": "offer", "negotiation": "negotiation", "signing": "signing",
                          "overdue": "overdue", "renewed": "renewed", "closed": "closed"},
        "discount_outcome": {"approve": "approve", "counter_offer": "counter-offer",
                             "needs_approval": "needs approval", "reject": "reject"},
        "action_status": {"new": "new", "open": "open", "overdue": "overdue"},
        "action_kind": {"call": "call", "meeting": "meeting", "email": "e-mail", "offer": "offer", "task": "task",
                        "escalation": "escalation"},
    },
}


def value_words(signal: str, value: str, locale: str) -> str | None:
    """A vocabulary value of `signal` as it reads in `locale` ("red" → «красный»); None for free text."""
    if signal == "discount_approval_role":
        return message(f"role_{value}", locale) if f"role_{value}" in _MESSAGES["en"] else None
    return _VALUES[catalogue_language(locale)].get(signal, {}).get(value)


#: The languages nba writes its own words in.
LANGUAGES: tuple[str, ...] = tuple(_MESSAGES)


def catalogue_language(locale: str) -> str:
    """The catalogue's language for `locale`: its own when there is one, else English."""
    lang = language(locale)
    return lang if lang in _MESSAGES else "en"


def text_locale(locale: str) -> str:
    """The locale an account's texts are written in: its own when the catalogue has its language, else English
    (a Kazakh or German account reads English throughout, dates and numbers included, never a mix)."""
    return locale if catalogue_language(locale) == language(locale) else "en"


def message(key: str, locale: str, **values: object) -> str:
    """The message `key` in `locale`'s language (English when it has none), its `{names}` filled."""
    return _MESSAGES[catalogue_language(locale)][key].format(**values)


def counted(word: str, n: int, locale: str) -> str:
    """`n` with its word in the right plural form: 1 день / 2 дня / 5 дней, 1 day / 2 days."""
    lang = catalogue_language(locale)
    forms = _COUNTED[lang][word]
    category = _plural_category(lang, abs(n))
    return forms.get(category, forms["other"]).format(n=n)


def english_count(n: int, noun: str) -> str:
    """`n` and a regular English noun for the command line's own lines and error messages: "1 problem", "3 problems"
    (texts people read in an account's language go through `counted`)."""
    return f"{n} {noun}{'' if n == 1 else 's'}"


@lru_cache(maxsize=4096)  # pure, and the same few hundred day counts recur across a book
def days_phrase(n: int, kind: str, locale: str) -> str:
    """A day count in words: `words` "21 день"; `ago` "сегодня", "вчера", "21 день назад" (a future count: "через 3 дня")."""
    if kind == "words":
        return counted("day", n, locale)
    if n == 0:
        return message("today", locale)
    if n == 1:
        return message("yesterday", locale)
    if n < 0:
        return message("in", locale, count=counted("day", -n, locale))
    return message("ago", locale, count=counted("day", n, locale))


@lru_cache(maxsize=4096)
def _plural_category(lang: str, n: int) -> str:
    try:
        return str(Locale.parse(lang).plural_form(n))
    except (UnknownLocaleError, ValueError):  # pragma: no cover - catalogue languages are known to Babel
        return "other"
