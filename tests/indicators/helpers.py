"""Builders for indicator tests."""

from lagesbild.indicators import services
from lagesbild.indicators.models import Indicator


def make_indicator(membership, name="Skadegörelsekostnad", **fields) -> Indicator:
    defaults = {
        "name": name,
        "unit": "kr",
        "period": Indicator.Period.MONTH,
        "scale": Indicator.Scale.AMOUNT,
        "direction": Indicator.Direction.HIGHER_WORSE,
        "source": "Bostadsbolagets felanmälningar",
        "description": "",
        "visibility": Indicator.Visibility.MEMBERS,
        "active": True,
    }
    return services.define_indicator(
        actor=membership.user, partnership=membership.partnership, **{**defaults, **fields}
    )


def csv_rows(text: str):
    """(number, row) pairs as the file reader gives them, from CSV text."""
    import io

    from lagesbild.incidents.importers.tabular import read_csv_stream

    return read_csv_stream(io.StringIO(text), layout=services.LAYOUT)
