"""Recognising a ticket that asks for the client's data out: all of it, or a whole kind of record.

The domain's signal is *the client wants its data out of the system*, the usual first step of a move
to another vendor, not the word "export". So the words are read as four kinds of evidence:

- **taking out**: export, выгрузка, download, скачать, dump, a copy or backup for us, "get our data";
- **the whole of it**: all, every, whole, full, entire, вся база, everything, or a kind of record in the
  plural (clients, contacts, deals, leads, history);
- **leaving**: the contract or subscription ends, we will not renew, we switch to another system;
- **something else**: one document (a report, an invoice, a PDF), an integration (1С, API, a nightly
  sync), a broken export button, an import into the system, or a question about the vendor's backups.

A ticket is an export request when it takes data out of the whole, or takes data out while leaving;
something else wins unless the whole of the data or leaving is named. Patterns match lower-cased
text with ё read as е; `tests/data/export_requests.yaml` holds the labelled corpus they are
measured on (docs/signals.md gives the numbers).
"""

from __future__ import annotations

import re
from typing import Final

__all__ = ["EXPORT_CATEGORIES", "is_export_text"]

#: Ticket categories that mark an export request whatever the words say.
EXPORT_CATEGORIES: Final = frozenset({"data_export", "export", "выгрузка", "экспорт"})


class _Evidence:
    """One kind of evidence: alternatives of patterns, searched behind a fast gate.

    Python's regex engine tries every position for a pattern that starts with \b; a plain alternation of
    literals is scanned far faster. The gate holds, for each alternative, a run of letters it cannot match
    without, so a text the gate misses cannot match, and most texts are answered by the gate alone.
    """

    __slots__ = ("parts", "_gate", "_full")

    def __init__(self, *parts: str) -> None:
        self.parts = parts
        # Compiled on first use, the gate before the whole: an account without tickets never pays for either, and
        # a run whose texts the gate answers never compiles the whole (the larger part of a start's regex time).
        self._gate: tuple[re.Pattern[str] | None] | None = None  # boxed: a made gate may be None (no literals)
        self._full: re.Pattern[str] | None = None

    @property
    def gate(self) -> re.Pattern[str] | None:
        """The alternation of literals no alternative can match without (None when one has no such literal)."""
        made = self._gate
        if made is None:  # two threads may both compile: the same pattern, the last one kept
            literals = [_gate_literals(alt) for p in self.parts for alt in _alternatives(p)]
            known = sorted({x for found in literals if found for x in found}, key=len, reverse=True)
            made = self._gate = (re.compile("|".join(re.escape(x) for x in known)) if all(literals) else None,)
        return made[0]

    @property
    def full(self) -> re.Pattern[str]:
        """Every alternative, as one pattern."""
        made = self._full
        if made is None:
            made = self._full = re.compile("|".join(f"(?:{p})" for p in self.parts))
        return made

    def search(self, text: str) -> bool:
        """Whether any alternative matches `text`."""
        gate = self.gate
        if gate is not None and not gate.search(text):
            return False
        return self.full.search(text) is not None


def _mandatory_literal(pattern: str) -> str | None:
    """The longest run of letters a pattern cannot match without (outside groups, not made optional), if any."""
    runs: list[str] = []
    current = ""
    depth = 0
    i = 0
    while i < len(pattern):
        char = pattern[i]
        if char == "\\":
            runs.append(current)
            current = ""
            i += 2
            continue
        if char in "([{":  # groups, classes and quantifier counts hold no mandatory letters
            depth += 1
        elif char in ")]}":
            depth -= 1
        optional = i + 1 < len(pattern) and pattern[i + 1] in "?*{"  # `u?`: the character may be absent
        if depth == 0 and (char.isalnum() or char in " -'") and not optional:
            current += char
        else:
            runs.append(current)
            current = ""
        i += 1
    runs.append(current)
    best = max((r.strip() for r in runs), key=len, default="")
    return best or None


def _gate_literals(alternative: str) -> list[str] | None:
    """Literals one of which the alternative cannot match without; a leading group (`(?:a|b)x`) is opened up
    into its branches (`ax`, `bx`). None when there are none."""
    literal = _mandatory_literal(alternative)
    if literal:
        return [literal]
    head = re.match(r"(\\b)?\(\?:", alternative)
    if head is None:
        return None
    depth, end = 0, -1
    for i in range(head.end() - 3, len(alternative)):
        depth += alternative[i] == "("
        depth -= alternative[i] == ")"
        if depth == 0:
            end = i
            break
    if end < 0:
        return None
    rest = alternative[end + 1:]
    found = []
    for branch in _alternatives(alternative[head.end():end]):
        literal = _mandatory_literal(branch + rest)
        if not literal:
            return None
        found.append(literal)
    return found


def _alternatives(pattern: str) -> list[str]:
    """The top-level alternatives of a pattern (`a|b(c|d)` -> `a`, `b(c|d)`)."""
    parts, current, depth, i = [], "", 0, 0
    while i < len(pattern):
        char = pattern[i]
        if char == "\\":
            current += pattern[i:i + 2]
            i += 2
            continue
        depth += char in "([{"
        depth -= char in ")]}"
        if char == "|" and depth == 0:
            parts.append(current)
            current = ""
        else:
            current += char
        i += 1
    return [*parts, current]


def _any(*parts: str) -> _Evidence:
    return _Evidence(*parts)


# Taking data out: the verbs and nouns of export, and asking for a copy of our data.
_OUT: Final = _any(
    r"выгруз", r"экспорт", r"\bexport", r"скач", r"\bdownload", r"\bdump", r"\bдамп",
    r"\bмигр", r"\bmigrat", r"\bзабрать\b", r"\bперенести\b|\bперенос\b|\bперенесем\b", r"\bextract", r"\bвыслать\b|\bвышлите\b", r"\bсохранить\b.{0,40}\bсебе",
    r"\b(?:получить|предоставить|прислать|пришлите|передать|отдать|подготовить)\b.{0,40}\b(?:данн|баз|копи|архив|выгрузк|информаци)",
    r"\bкопи[юяи]\b", r"\bрезервн\w* копи", r"\bбэкап|\bбекап|\bbackup\b|\bback-up\b",
    r"\b(?:get|take|receive|send|give|hand|obtain|pull)\b.{0,40}\b(?:data|records|database|copy|backup|dump|export|information)\b",
    r"\bcopy of\b", r"\bhanded over\b", r"\bportability\b", r"\bmachine-readable\b", r"\bархив\b",
    r"\b(?:need|want|would like)\b.{0,25}\bour\b.{0,25}\b(?:data|records|history)\b",
    r"\bфайл\w*\b.{0,20}\bсо? вс", r"\b(?:file|spreadsheet|sheet)\b.{0,20}\b(?:all|every)\b",
    r"\bсохранить\b.{0,40}\b(?:на компьютер|локально|себе|к себе)", r"\bsave\b.{0,40}\b(?:locally|to (?:my|our) (?:computer|drive|disk))",
)

# The whole of the data, or a whole kind of record.
_WHOLE: Final = _any(
    r"\bвс(?:ю|е|ех|ей|ем|еми|я|его)\b", r"\bцеликом\b", r"\bполн(?:ую|ый|ая|ой|ое|ого|ым)\b",
    r"\bбаз[аыуеой]\b|\bбазу\b|\bбазы\b|\bбаз\b", r"\bданн(?:ые|ых|ым|ыми)\b",
    r"\bклиент(?:ов|ы|ами|ская|скую|ской)\b", r"\bконтакт(?:ов|ы)\b", r"\bсдел(?:ок|ки|ками)\b",
    r"\bлид(?:ов|ы)\b", r"\bзаказ(?:ов)\b", r"\bзадач\b", r"\bзвонков\b", r"\bконтрагент(?:ов|ы)\b",
    r"\bистори[юяи]\b", r"\bтоваров\b", r"\bинформаци[юи]\b",
    r"\ball\b", r"\bevery(?:thing)?\b", r"\bwhole\b", r"\bentire\b", r"\bfull\b", r"\bcomplete\b",
    r"\bdatabase\b", r"\bour (?:data|records|information|crm|account)\b", r"\bdata\b",
    r"\b(?:customers|clients|contacts|deals|leads|records|orders|accounts)\b", r"\bcustomer (?:list|base|database)\b",
    r"\bcontact (?:list|database)\b", r"\bhistory\b",
)

# Leaving: the contract ends, no renewal, a switch to another system.
_LEAVING: Final = _any(
    r"(?:оконча|конц|истеч|заверш)\w* (?:договор|контракт|подписк|срока|лиценз)",
    r"(?:договор|контракт|подписк|лицензи)\w* (?:заканчива|истека|закончи|заверша)",
    r"\bне (?:будем|планируем|станем) продлева", r"\bпродлевать не\b", r"\bрасторг", r"\bотказ\w* от (?:сервис|систем|crm|подписк)",
    r"\bперех\w* (?:на|в) (?:друг|нов)", r"\bв другую (?:систем|crm|программ)", r"\bдругую crm\b", r"\bмигр",
    r"\b(?:contract|subscription|licen[cs]e|agreement)\w* (?:end|expir|terminat|runs out)",
    r"\bend of (?:our|the) (?:contract|subscription|agreement)\b", r"\b(?:cancel|terminat|clos)\w*\b.{0,30}\b(?:account|subscription|contract)\b",
    r"\bbefore we (?:cancel|leave|go)\b", r"\b(?:other|another|new|different) (?:vendor|provider|supplier|tool)s?\b",
    r"\b(?:друг|нов)\w* (?:поставщик|подрядчик|сервис|вендор)", r"\bконкурент", r"\bnot (?:going to )?renew", r"\bwon'?t (?:be )?renew",
    r"\b(?:switch|switching|move|moving|migrat\w*)\b.{0,30}\b(?:another|different|new|other)\b", r"\bmigrating away\b",
)

# Something else: one document, an integration, a broken button, an import, the vendor's backups.
_SINGLE_DOCUMENT: Final = _any(
    r"\bотч[её]т(?:а|у|ом|е)?\b", r"\bсч[её]т(?:а|у|ом)?\b", r"\bсч[её]т-фактур", r"\bакт(?:а)?\b", r"\bакт сверки",
    r"\bдоговор(?:а)?\b(?! \w*(?:заканч|истека))", r"\bpdf\b", r"\bкарточк", r"\bкоммерческ\w* предложени",
    r"\b(?:report|invoice|quote|chart|receipt|contract|deal card|document)\b", r"\bthe (?:monthly|weekly|pipeline)\b",
    r"\bраспечат", r"\bprint\b", r"\bas an image\b", r"\b(?:a single|one|this)\b", r"\bодн(?:ого|у|ой|ин)\b",
    r"\bшаблон", r"\btemplate", r"\bvcard\b", r"\b(?:widget|dashboard|graph|view)\b", r"виджет|дашборд|график",
    r"\bзапис[ьи] (?:разговор|звонк)", r"\brecording\b", r"вложени", r"\battachment",
)
_INTEGRATION: Final = _any(
    r"\b1[сc]\b", r"\bapi\b", r"интеграц", r"\bintegrat", r"синхрониз", r"\bsync", r"webhook", r"вебхук", r"zapier",
    r"автоматическ", r"\bautomatic", r"по расписанию", r"\bscheduled?\b", r"ежедневн", r"\bdaily\b", r"\bnightly\b",
    r"еженедельн", r"\bevery (?:night|day|week|hour)\b", r"\berp\b", r"мойсклад", r"bigquery", r"warehouse", r"на сайт\b",
    r"\bс сайта\b|\bна сайте\b|\bиз форм", r"\bto my (?:e-?mail|inbox)\b",
)
_BROKEN: Final = _any(
    r"не работа", r"\bошиб", r"\berror\b", r"\bfail", r"\bbroken\b", r"не получа", r"не выгружа", r"не скачива",
    r"не открыва", r"ничего не происходит", r"\bdoes ?n[o']t work", r"\bnot working\b", r"\bempty\b", r"\bпуст",
    r"кракозябр", r"кодировк", r"\bencoding\b", r"\btimes? out\b", r"\btimeout\b", r"\bgreyed out\b", r"\bbug\b", r"\bбаг\b",
    r"завис", r"обрезает", r"\bcolumn", r"перестал",
    r"\bне \w*(?:экспорт|выгруж|скачива|сохраня|открыва|формиру|приход|переда)",
)
_IMPORT: Final = _any(
    r"\bимпорт", r"\bimport", r"\bupload", r"\bзагруз\w*\b.{0,40}\b(?:из|в систему)\b", r"\bзагрузка\b",
    r"\bиз (?:старой|другой|amo|битрикс|bitrix|excel|эксел|csv|таблиц|1[сc])", r"\bк вам\b", r"\bfrom (?:excel|csv|our old|another)",
)
# The product itself rather than data: an app to download, the price of a module.
_PRODUCT: Final = _any(
    r"приложени", r"\bapp\b", r"\bdesktop\b", r"\bплагин", r"\bplugin", r"\bextension\b", r"\bdriver",
    r"сколько стоит", r"\bстоимост", r"\bhow much\b", r"\bprice\b", r"\bpricing\b", r"\bмодул[ья]\b",
)
_VENDOR_BACKUP: Final = _any(
    r"как часто", r"\bhow often\b", r"где хран", r"\bwhere is our data\b", r"\bwhere\b.{0,40}\bstored\b", r"\bdo you keep\b",
    r"\bвы делаете\b", r"\bdata centre\b|\bdata center\b",
)


# A spreadsheet format: with the whole of the data it asks for the data out ("all contacts in CSV").
_FORMAT: Final = _any(r"\b(?:excel|xlsx?|csv|spreadsheet)\b", r"эксел|ексел|таблиц")


def is_export_text(text: str) -> bool:
    """Whether a ticket's subject and body ask for the client's data out (see the module's notes)."""
    words = text.lower().replace("ё", "е")
    if not (_OUT.search(words) or (_FORMAT.search(words) and _WHOLE.search(words))):
        return False
    if _VENDOR_BACKUP.search(words) and not _LEAVING.search(words):
        return False
    leaving = bool(_LEAVING.search(words))
    if leaving:
        return not _IMPORT.search(words) or bool(_WHOLE.search(words) and not _INTEGRATION.search(words))
    whole = _WHOLE.search(words)
    if _IMPORT.search(words) or _BROKEN.search(words) or _INTEGRATION.search(words) or _PRODUCT.search(words):
        return False
    if _SINGLE_DOCUMENT.search(words):
        return bool(whole and _STRONG_WHOLE.search(words))
    return True


# "All", "whole", "entire", "вся база": strong enough to outweigh a document word ("all reports").
_STRONG_WHOLE: Final = _any(
    r"\bвс(?:ю|ех|ей|е) (?:баз|данн|клиент|контакт|сделк|истори|информаци|отч)", r"\bцеликом\b", r"\bполн\w* (?:выгрузк|копи|баз|дамп|экспорт|архив)",
    r"\ball (?:of )?(?:our |the )?(?:data|records|clients|customers|contacts|deals|reports|information)\b",
    r"\b(?:whole|entire|full|complete) (?:database|base|account|export|dump|backup|copy|history)\b", r"\beverything\b",
)
