"""Anchor time expressions ("on Thursday", "Jan. 27", "next week") to the article's dateline.

Parsing is dateparser's; kg adds the news conventions on top: a bare weekday is the most recent such
day (the dateline's own day included), a day and month without a year is the one nearest the dateline,
and week/month/year expressions become intervals with that precision.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from functools import cache

from dateparser.date import DateDataParser

from kg.model import TimeRef

_WEEKDAYS = {name.lower(): i for i, name in enumerate(calendar.day_name)}
_YEAR = re.compile(r"\b(1[89]\d\d|20\d\d)\b")
_MONTH = re.compile(r"\b(jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?\b", re.I)
_NOT_DATES = re.compile(r"^\d{1,3}$|\b(years?|months?|weeks?|days?) (old|long)\b|decades?|centur|"
                        r"\b(second|third|fourth|fifth|several|few|many|past|recent)\b|^for\b", re.I)


@cache
def _parser(base: dt.date | None) -> DateDataParser:
    settings: dict[str, object] = {"PREFER_DATES_FROM": "past", "RETURN_TIME_AS_PERIOD": True}
    if base is not None:
        settings["RELATIVE_BASE"] = dt.datetime(base.year, base.month, base.day)
    return DateDataParser(languages=["en"], settings=settings)


def _is_relative(text: str) -> bool:
    return _YEAR.search(text) is None


def anchor(text: str, dateline: dt.date | None) -> TimeRef | None:
    """Anchor a time expression; None when it is not a calendar time at all ("two", "decades").

    Without a dateline only expressions that carry a year are anchored; the others keep their text.

    >>> anchor("on Thursday", dt.date(2025, 1, 23)).start
    datetime.date(2025, 1, 23)
    >>> anchor("next week", dt.date(2025, 1, 23)).precision
    'Week'
    """
    clean = text.strip()
    if not clean or _NOT_DATES.search(clean):
        return None
    if dateline is None and _is_relative(clean):
        return TimeRef(clean)
    data = _parser(dateline).get_date_data(clean)
    if data.date_obj is None:
        return TimeRef(clean) if dateline is None else None
    day = data.date_obj.date()
    period = data.period or "day"
    lowered = clean.lower()
    weekday = next((i for name, i in _WEEKDAYS.items() if re.search(rf"\b{name}\b", lowered)), None)
    if dateline is not None and weekday is not None and "next" not in lowered and "last" not in lowered:
        day = dateline - dt.timedelta(days=(dateline.weekday() - weekday) % 7)
    elif dateline is not None and _is_relative(clean) and _MONTH.search(clean) and period in {"day", "month"}:
        day = _nearest_year(day, dateline)
    return _interval(clean, day, period)


def _nearest_year(day: dt.date, dateline: dt.date) -> dt.date:
    candidates = []
    for year in (dateline.year - 1, dateline.year, dateline.year + 1):
        try:
            candidates.append(day.replace(year=year))
        except ValueError:  # 29 February
            continue
    return min(candidates, key=lambda d: abs((d - dateline).days))


def _interval(text: str, day: dt.date, period: str) -> TimeRef:
    if period == "week":
        start = day - dt.timedelta(days=day.weekday())
        return TimeRef(text, start, start + dt.timedelta(days=6), "Week")
    if period == "month":
        last = calendar.monthrange(day.year, day.month)[1]
        return TimeRef(text, day.replace(day=1), day.replace(day=last), "Month")
    if period == "year":
        return TimeRef(text, dt.date(day.year, 1, 1), dt.date(day.year, 12, 31), "Year")
    return TimeRef(text, day, day, "Day")
