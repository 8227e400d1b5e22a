"""The decision as a table for people (`nba evaluate --format table`), in the account's language."""

from __future__ import annotations

from babel.dates import format_datetime

from .decision import Decision
from .messages import catalogue_language, counted, message, value_words
from .locales import NumberStyle, format_date_local


def decision_table(decision: Decision, locale: str = "en", account_name: str | None = None) -> str:
    """The decision as a table: headers, levels, stages, roles and conditions in words of `locale`; the account
    named as people know it when `account_name` is given (its id beside it)."""
    def say(key: str, **values: object) -> str:
        return message(f"table_{key}", locale, **values)

    def words(signal: str, value: str) -> str:
        return value_words(signal, value, locale) or value

    number = NumberStyle.for_locale(locale).format
    out: list[str] = []
    as_of = decision.as_of
    who = f"{account_name} ({decision.account_id})" if account_name else decision.account_id
    out.append(say("account", id=who, as_of=f"{as_of:%Y-%m-%d %H:%M} ({as_of:%z})"))
    risk = decision.risk
    reasons = "; ".join(risk.explanations) if risk.reasons else say("no_risk")
    out.append(say("risk", level=words("risk_level", risk.level), score=number(risk.score), reasons=reasons))
    ren = decision.renewal
    out.append(say("renewal", stage=words("renewal_stage", ren.stage), left=counted("day", ren.days_left, locale),
                   end=ren.end_date.isoformat())
               + (say("sign_by", date=ren.deadline.isoformat()) if ren.deadline else "") + ")")
    if decision.discount is not None:
        d = decision.discount
        offers = "; ".join(message(f"offer_{o.condition}", locale, p=number(o.percent),
                                   d=format_date_local(o.deadline, locale) if o.deadline else "—") for o in d.offers)
        approval = say("approval", role=message(f"role_{d.approval_role}", locale)) if d.approval_role else ""
        out.append(say("discount", asked=number(d.requested_percent), outcome=words("discount_outcome", d.outcome))
                   + (f": {offers}" if offers else "") + approval)
    out.append("")
    if not decision.actions:
        out.append(say("no_actions"))
    rows = [tuple(say("headers").split("|"))]
    date_locale = catalogue_language(locale)  # weekdays in the table's own language, never a third one
    for i, a in enumerate(decision.actions, 1):
        owner = message(f"role_{a.owner_role}", locale) + (f" ({a.owner})" if a.owner else "")
        contact = (a.contact.name or a.contact.id) if a.contact else "—"
        rows.append((str(i), format_datetime(a.due, "EEE yyyy-MM-dd HH:mm", locale=date_locale),
                     words("action_status", a.status), words("action_kind", a.kind), owner, contact, str(a.priority), a.rule))
    if decision.actions:
        widths = [max(len(r[c]) for r in rows) for c in range(len(rows[0]))]
        for n, row in enumerate(rows):
            out.append("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip())
            if n > 0:
                action = decision.actions[n - 1]
                out.append(f"     {action.text}")
                out.append(f"     {say('why')}: {'; '.join(action.reasons)}")
                if action.merged_rules:
                    out.append(f"     {say('merged')}: {', '.join(action.merged_rules)}")
                for note in action.notes:
                    out.append(f"     {say('note')}: {note}")
    for s in decision.suppressed:
        out.append(f"{say('suppressed')} {s.rule}" + (f" [{s.id}]" if s.id else "") + f": {s.reason}")
    for w in decision.withdrawn:
        out.append(f"{say('withdrawn')} {w.rule} [{w.id}]: {w.reason}")
    return "\n".join(out) + "\n"
