"""Vectorised date helpers for formulas (no wall clock: the date is always passed in)."""

from __future__ import annotations

import datetime as dt

import numpy as np
import numpy.typing as npt


def age_in_years(birth: npt.NDArray[np.datetime64], on: dt.date) -> npt.NDArray[np.int64]:
    """Whole years completed on ``on``.

    A person born on 29 February completes a year on 1 March in common years.

    >>> import numpy as np, datetime as dt
    >>> age_in_years(np.array(["2000-03-02", "2000-02-29"], dtype="datetime64[D]"), dt.date(2026, 3, 1))
    array([25, 26])
    """
    b = birth.astype("datetime64[D]")
    years = b.astype("datetime64[Y]").astype(np.int64) + 1970
    months = b.astype("datetime64[M]").astype(np.int64) % 12 + 1
    days = (b - b.astype("datetime64[M]")).astype(np.int64) + 1
    before_birthday = (on.month * 100 + on.day) < (months * 100 + days)
    return np.asarray(on.year - years - before_birthday.astype(np.int64), dtype=np.int64)
