"""The association area's chart: confirmed signatures per day."""

from datetime import date, timedelta

from chaton.core.charts import bars


def daily_bars(counts, days=30, today=None, label=""):
    """Bars of confirmed signatures per day over the last `days` days."""
    today = today or date.today()
    series = [today - timedelta(days=days - 1 - i) for i in range(days)]
    return bars([(d, counts.get(d, 0)) for d in series], label)
