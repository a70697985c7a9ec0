"""Roll-ups: entries → PeriodValue rows. (Being built: see the roll-up issue.)"""


def refresh(indicator_ids=None, start=None, end=None) -> int:
    """Recompute the PeriodValue rows of the given indicators (all when None) for the
    periods touching [start, end] (all when None). Returns the number of rows written."""
    return 0
