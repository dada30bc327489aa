"""Time expressions parsed once for many datelines are anchored exactly as dateparser reckoning from each
dateline anchors them."""

from __future__ import annotations

import calendar
import datetime as dt
import random
from collections.abc import Callable

import pytest

from kg.extract import timex
from kg.model import TimeRef

_MONTHS = [*calendar.month_name[1:], *calendar.month_abbr[1:], *(f"{m}." for m in calendar.month_abbr[1:]), "Sept."]


def _outcome(anchor: Callable[[], TimeRef | None]) -> TimeRef | str | None:
    try:
        return anchor()
    except ValueError as error:  # 29 February with no leap year next to the dateline's (2100)
        return repr(error)


def _base_free_forms(rng: random.Random) -> list[str]:
    weekdays = [f"{prefix}{day}" for prefix in ("", "on ", "On ") for day in calendar.day_name]
    years = [f"{prefix}{year}" for prefix in ("", "in ") for year in (1800, 1899, 1999, 2000, 2014, 2024, 2099)]
    days = [f"{prefix}{rng.choice(_MONTHS)} {day}{rng.choice(['', 'st', 'nd', 'rd', 'th'])}"
            for prefix in ("", "on ") for day in range(1, 29)]
    turns = ["March 1", "Dec. 1", "Jan 1", "Feb. 28th"]
    return [*weekdays, *years, *days, *turns, *(form.upper() for form in weekdays[:7]), "tuesday"]


def _datelines(rng: random.Random) -> list[dt.date]:
    # around the turns of years and of February in leap and other years, and anywhere kg accepts a dateline
    turns = [dt.date(year, month, day) for year in (1999, 2000, 2015, 2016, 2019, 2020, 2100)
             for month, day in ((1, 1), (2, 28), (3, 1), (12, 31))]
    leap_days = [dt.date(year, 2, 29) for year in (1996, 2000, 2016, 2024)]
    anywhere = [dt.date(1000, 1, 1) + dt.timedelta(days=rng.randrange(2_900_000)) for _ in range(20)]
    recent = [dt.date(2010, 1, 1) + dt.timedelta(days=rng.randrange(7_300)) for _ in range(40)]
    return [*turns, *leap_days, *anywhere, *recent]


def test_base_free_forms_anchor_as_dateparser_from_the_dateline() -> None:
    rng = random.Random(11)
    forms, datelines = _base_free_forms(rng), _datelines(rng)
    assert all(timex._BASE_FREE.fullmatch(form) for form in forms)
    pairs = [(form, dateline) for form in forms for dateline in datelines]
    checked = rng.sample(pairs, 2500) + [(form, dt.date(2016, 2, 29)) for form in forms]
    anchored = 0
    for form, dateline in checked:
        # dateparser reckoning from the dateline itself
        expected = _outcome(lambda: timex._anchor(form, dateline, dateline))  # noqa: B023
        assert _outcome(lambda: timex.anchor(form, dateline)) == expected, (form, dateline)  # noqa: B023
        anchored += isinstance(expected, TimeRef)
    assert anchored > 2000  # mostly real dates, not a comparison of Nones


@pytest.mark.parametrize("text", ["next Tuesday", "last Tuesday", "Tuesday night", "March 2014", "March 3, 2014",
                                  "earlier this month", "in March", "2014-2015", "mid-2014", "since 2015",
                                  "Feb. 29", "February 30", "Feb 31st", "April 31", "Dec. 31", "Jan 32"])
def test_other_forms_are_reckoned_from_their_own_dateline(text: str) -> None:
    assert not timex._BASE_FREE.fullmatch(text)
    for dateline in (dt.date(2016, 2, 29), dt.date(2019, 12, 31), dt.date(2021, 6, 15)):
        assert timex.anchor(text, dateline) == timex._anchor(text, dateline, dateline)


def test_news_forms_anchor_to_the_dateline() -> None:
    dateline = dt.date(2024, 3, 1)  # a Friday
    assert timex.anchor("on Tuesday", dateline) == TimeRef("on Tuesday", dt.date(2024, 2, 27),
                                                                  dt.date(2024, 2, 27), "Day")
    assert timex.anchor("Feb. 29", dateline) == TimeRef("Feb. 29", dt.date(2024, 2, 29),
                                                               dt.date(2024, 2, 29), "Day")
    # no leap year next to 2100's: the article is not failed, the day keeps dateparser's year
    assert timex.anchor("Feb. 29", dt.date(2100, 3, 1)) is not None
    assert timex.anchor("Feb. 29", dt.date(2025, 3, 1)) == TimeRef("Feb. 29", dt.date(2024, 2, 29),
                                                                         dt.date(2024, 2, 29), "Day")
    assert timex.anchor("in 2014", dateline) == TimeRef("in 2014", dt.date(2014, 1, 1),
                                                               dt.date(2014, 12, 31), "Year")
