"""Locale-aware pieces of text: safe `{placeholder}` templates, dates and money (Babel), Russian names in their cases."""

from __future__ import annotations

from dataclasses import dataclass
import datetime as dt
from functools import lru_cache
import re
import string
from collections.abc import Mapping
from typing import TYPE_CHECKING

from babel.dates import format_date, format_time
from babel import Locale, UnknownLocaleError
from babel.numbers import (format_currency, format_decimal, get_currency_name, get_currency_symbol, get_decimal_symbol,
                           get_group_symbol)
from pytrovich.detector import PetrovichGenderDetector
from pytrovich.enums import Case, Gender, NamePart
from pytrovich.maker import PetrovichDeclinationMaker

from .errors import NbaError
from .caches import CACHE_SIZE

if TYPE_CHECKING:
    from functools import _CacheInfo as CacheInfo  # the named tuple lru_cache's cache_info() returns

_FORMATTER = string.Formatter()
_IDENT = re.compile(r"^[a-z][a-z0-9_]*$")

#: Russian weekdays after the preposition в/во ("в среду", "во вторник"): the accusative form.
_RU_WEEKDAY_ACCUSATIVE = ("в понедельник", "во вторник", "в среду", "в четверг", "в пятницу", "в субботу", "в воскресенье")
_CYRILLIC = re.compile(r"^[А-Яа-яЁё\-]+$")
_FEMALE_SURNAME = re.compile(r"(ова|ева|ёва|ина|ына|ая)$", re.IGNORECASE)
_MALE_SURNAME = re.compile(r"(ов|ев|ёв|ин|ын|ский|цкий|ой)$", re.IGNORECASE)
_PATRONYMIC = re.compile(r"(вич|вна|ична|оглы|кызы|улы)$", re.IGNORECASE)
#: A first word that is surely a surname puts the surname first ("Касымова Аружан"); -ин/-ина are left out,
#: as many first names end so (Марина, Полина).
_SURNAME_FIRST = re.compile(r"(ова|ева|ёва|ов|ев|ёв|ына|ын|ская|цкая|ский|цкий)$", re.IGNORECASE)
_FIRST_NAMES_LIKE_SURNAMES = frozenset({"лев", "яков"})
#: Women's names of Kazakhstan and Central Asia that end in a consonant: the declension library takes
#: them for men's names ("Жанару"); a woman's name that ends in a consonant is not declined.
_FEMALE_FIRST_NAMES = frozenset("""
айгуль айжан айман айнур акмарал алтынай анаит анель арайлым асель асмик аружан аяжан бахытгуль балнур
бибигуль ботагоз гаухар гулнур гульжан гульнар гульсим гульшат гюнель дильназ жанар жанель жибек жулдыз
инкар камшат карлыгаш кундыз ляззат маншук маржан меруерт мейрамгуль назгуль нилуфар нургуль нургул
райхан раушан салтанат сандугаш севиндж сымбат толганай томирис шолпан шынар айтен ануш лусине
""".split())


class TemplateError(NbaError, ValueError):
    """A template is malformed or uses a placeholder that does not exist."""


def placeholders(template: str) -> list[str]:
    """The placeholder names a template uses; raises `TemplateError` for anything but plain `{name}`."""
    names: list[str] = []
    try:
        parsed = list(_FORMATTER.parse(template))
    except ValueError as exc:
        raise TemplateError(f"malformed template: {exc}; write {{{{ and }}}} for literal braces") from None
    for _, field, spec, conversion in parsed:
        if field is None:
            continue
        if not _IDENT.match(field) or spec or conversion:
            raise TemplateError(f"placeholder {{{field}{'!' + conversion if conversion else ''}{':' + spec if spec else ''}}} "
                                "is not allowed: use a plain name such as {contact}")
        names.append(field)
    return names


class TemplateValues(dict[str, str]):
    """Values for a template; a name without a value reads as a dash."""

    def __missing__(self, key: str) -> str:
        return "—"


def render(template: str, values: Mapping[str, str]) -> str:
    """Fill a template whose placeholders were checked at load time (plain `{name}` only)."""
    return template.format_map(values if isinstance(values, TemplateValues) else TemplateValues(values))


@lru_cache(maxsize=1024)
def language(locale: str) -> str:
    """The language part of a locale: ru_KZ -> ru."""
    return locale.replace("-", "_").split("_")[0].lower()


def pick_locale(texts: Mapping[str, str], locale: str, fallback: str = "en") -> str:
    """The text for `locale` (exact, then its language, then `fallback`, then any)."""
    for key in (locale, language(locale), fallback):
        if key in texts:
            return texts[key]
    return next(iter(texts.values()))


def format_due(moment: dt.datetime, locale: str, reference_year: int | dt.date | None = None) -> str:
    """A due moment as people say it: "во вторник 1 апреля в 10:00" / "on Tuesday, April 1 at 10:00".

    The year is named when it differs from `reference_year` (the as-of year).
    """
    lang = language(locale)
    year = reference_year.year if isinstance(reference_year, dt.date) else reference_year
    with_year = year is not None and moment.year != year
    clock = format_time(moment, "HH:mm", locale=lang if lang in ("ru", "en") else locale)
    if lang == "ru":
        day = format_date(moment.date(), "d MMMM y 'г.'" if with_year else "d MMMM", locale="ru")
        return f"{_RU_WEEKDAY_ACCUSATIVE[moment.weekday()]} {day} в {clock}"
    if lang == "en":
        day = format_date(moment.date(), "EEEE, MMMM d, y" if with_year else "EEEE, MMMM d", locale="en")
        return f"on {day} at {clock}"
    try:
        return f"{format_date(moment.date(), 'full', locale=locale)} {clock}"
    except (ValueError, LookupError):
        return moment.strftime("%Y-%m-%d %H:%M")


def format_moment(moment: dt.datetime, locale: str) -> str:
    """A moment named in a note, by its wall time: "31 марта 10:00" / "March 31, 10:00"."""
    return _moment_words(moment.replace(tzinfo=None), language(locale))


@lru_cache(maxsize=CACHE_SIZE)
def _moment_words(wall: dt.datetime, lang: str) -> str:
    """`format_moment` of a naive wall time, remembered (Babel is slow and moves repeat across accounts)."""
    clock = f"{wall:%H:%M}"
    if lang == "ru":
        return f"{format_date(wall.date(), 'd MMMM', locale='ru')} {clock}"
    if lang == "en":
        return f"{format_date(wall.date(), 'MMMM d', locale='en')}, {clock}"
    try:
        return f"{format_date(wall.date(), 'medium', locale=lang)} {clock}"
    except (ValueError, LookupError):
        return f"{wall:%Y-%m-%d} {clock}"


def format_date_local(day: dt.date, locale: str) -> str:
    """A calendar date in the locale's long form: "31 марта 2025 г." / "March 31, 2025"."""
    try:
        return format_date(day, "long", locale=language(locale))
    except (ValueError, LookupError):
        return day.isoformat()


@lru_cache(maxsize=4096)
def format_money(amount: float, currency: str, locale: str) -> str:
    """An amount of money as the locale writes it, in whole units: «200 000 ₸», "$2,400", «95 000 ₽».

    The symbol is the one the locale's language uses in the currency's own country (ru_KZ writes ₸
    where plain ru writes KZT); where that is still the code, a non-English text names the currency
    in words («1 500 000 узбекских сумов») rather than show a code.
    """
    lang = language(locale)
    try:
        known = Locale.parse(lang)
    except (ValueError, UnknownLocaleError):
        lang, known = "en", Locale.parse("en")
    amount = float(round(amount))
    default = symbol = get_currency_symbol(currency, known)
    try:
        symbol = get_currency_symbol(currency, Locale.parse(f"{lang}_{currency[:2]}"))
    except (ValueError, UnknownLocaleError):
        pass
    if symbol == currency and lang != "en":
        number = format_decimal(amount, format="#,##0", locale=known)
        return f"{number}\xa0{get_currency_name(currency, count=amount, locale=known)}"
    pattern = known.currency_formats["standard"].pattern.split(";")[0]
    whole = re.sub(r"[.,]0+", "", pattern)
    text = format_currency(amount, currency, format=whole, locale=known, currency_digits=False)
    if symbol != default:
        text = text.replace(default, symbol)
    return re.sub(r"^([A-Z]{3})(?=\d)", "\\1\xa0", text)  # "KZT 200,000", not "KZT200,000"


@dataclass(frozen=True, slots=True)
class NumberStyle:
    """A locale's group and decimal symbols (from Babel), for fast formatting of many numbers."""

    group: str
    decimal: str

    @classmethod
    def for_locale(cls, locale: str) -> NumberStyle:
        """The style of `locale`'s language (English style when Babel does not know it); made once per locale."""
        return _number_style(locale)

    @classmethod
    def made(cls, locale: str) -> NumberStyle:
        """The style read from Babel (`for_locale` remembers it)."""
        try:
            lang = language(locale)
            return cls(get_group_symbol(lang), get_decimal_symbol(lang))
        except (ValueError, LookupError):
            return cls(",", ".")

    def format(self, value: float) -> str:
        """Whole numbers (and anything of 10 or more) without decimals, others with one; digits grouped."""
        if -1000 < value < 1000 and value == int(value):  # the usual day counts and percents: nothing to group
            return str(int(value))
        text = f"{value:,.0f}" if abs(value) >= 10 or value == int(value) else f"{value:,.1f}"
        if text in ("-0", "-0.0"):
            text = text[1:]
        return text.replace(",", "\x00").replace(".", self.decimal).replace("\x00", self.group)


@lru_cache(maxsize=256)
def _number_style(locale: str) -> NumberStyle:
    return NumberStyle.made(locale)


_CASES = {"genitive": Case.GENITIVE, "dative": Case.DATIVE, "accusative": Case.ACCUSATIVE,
          "instrumental": Case.INSTRUMENTAL, "prepositional": Case.PREPOSITIONAL}


class Inflector:
    """Puts Russian names into the dative case with pytrovich; one per engine, built once (its rules load from disk)."""

    def __init__(self) -> None:
        self._maker = PetrovichDeclinationMaker()
        self._detector = PetrovichGenderDetector()
        self._known = lru_cache(maxsize=CACHE_SIZE)(self._decline)  # names already declined, by name and case

    def cache_info(self) -> CacheInfo:
        """Hits, misses and size of the cache of names already declined."""
        return self._known.cache_info()

    def dative(self, full_name: str) -> str:
        """A Russian name in the dative case ("Павел Громов" -> "Павлу Громову"); other names unchanged."""
        return self.decline(full_name, "dative")

    def decline(self, full_name: str, case: str) -> str:
        """A Russian name in `case` (genitive, dative, accusative, instrumental, prepositional); other names unchanged.

        "с Павлом Громовым" (instrumental), "о Павле Громове" (prepositional), "у Павла Громова" (genitive).
        """
        return self._known(full_name, _CASES[case])

    @staticmethod
    def can_decline(full_name: str) -> bool:
        """Whether the name is one it declines: one to three words in Cyrillic (not "Yerlan Nurpeisov")."""
        parts = full_name.split()
        return 1 <= len(parts) <= 3 and all(_CYRILLIC.match(p) for p in parts)

    def _decline(self, full_name: str, case: Case = Case.DATIVE) -> str:
        parts = full_name.split()
        if not self.can_decline(full_name):
            return full_name
        if len(parts) == 3 and _PATRONYMIC.search(parts[2]):  # Фамилия Имя Отчество
            roles = [NamePart.LASTNAME, NamePart.FIRSTNAME, NamePart.MIDDLENAME]
        elif len(parts) == 3:
            roles = [NamePart.FIRSTNAME, NamePart.MIDDLENAME, NamePart.LASTNAME]
        elif (len(parts) == 2 and _SURNAME_FIRST.search(parts[0]) and parts[0].lower() not in _FIRST_NAMES_LIKE_SURNAMES
              and not (_FEMALE_SURNAME.search(parts[1]) or _MALE_SURNAME.search(parts[1]) or _PATRONYMIC.search(parts[1]))):
            roles = [NamePart.LASTNAME, NamePart.FIRSTNAME]  # Фамилия Имя
        else:
            roles = [NamePart.FIRSTNAME, NamePart.LASTNAME][: len(parts)]
        gender = self._gender(parts, roles)
        return " ".join(self._maker.make(role, gender, case, part) for role, part in zip(roles, parts, strict=True))

    def _gender(self, parts: list[str], roles: list[NamePart]) -> Gender:
        named = dict(zip(roles, parts, strict=True))
        middle = named.get(NamePart.MIDDLENAME)
        if middle:
            if re.search(r"(вна|ична|кызы)$", middle, re.IGNORECASE):
                return Gender.FEMALE
            if re.search(r"(вич|оглы|улы)$", middle, re.IGNORECASE):
                return Gender.MALE
        if named.get(NamePart.FIRSTNAME, "").lower() in _FEMALE_FIRST_NAMES:
            return Gender.FEMALE
        # A surname's suffix is surer than a guess from a first name the detector may not know (Аружан).
        last = named.get(NamePart.LASTNAME, "")
        if _FEMALE_SURNAME.search(last):
            return Gender.FEMALE
        if _MALE_SURNAME.search(last):
            return Gender.MALE
        first = named.get(NamePart.FIRSTNAME)
        if first:
            try:
                found: Gender = self._detector.detect(firstname=first)  # type: ignore[no-untyped-call]
            except Exception:  # the detector raises on names it has no rule for
                found = Gender.ANDROGYNOUS
            if found in (Gender.MALE, Gender.FEMALE):
                return found
        return Gender.MALE
