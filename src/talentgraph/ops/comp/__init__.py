"""Compensation domain logic, pure (no database): vesting, packages and offers, counter-offers,
and CSV parsing of market bands, the employee roster and equity grants.

Public names (import from here or from the module named):
- vesting: VestingSchedule, standard, front_loaded, monthly, custom, from_spec, vest_events,
  yearly_vesting, yearly_vesting_by_date, vested_at, unvested_at
- offers: Package, EquityGrant, Refresher, PrivateValuation, yearly_totals, compare,
  smallest_beating (BeatResult, LEVERS)
- counter: CounterPolicy, counter_options (CounterResult, CounterOption), current_package
- bands: MarketBand, Range, parse_bands_csv, parse_bands_text, band_for
- roster: Employee, Grant, parse_roster_csv, parse_grants_csv (+ *_text variants)
- money: FxTable, CurrencyError, currency_code
CSV parsers return ParseResult(rows, errors): a list of RowError(file, row, column, message);
import nothing when errors is not empty. Invalid packages raise CompensationError.
"""

from talentgraph.ops.comp.bands import (
    MarketBand,
    Range,
    band_for,
    parse_bands_csv,
    parse_bands_text,
)
from talentgraph.ops.comp.counter import (
    CounterOption,
    CounterPolicy,
    CounterResult,
    counter_options,
    current_package,
)
from talentgraph.ops.comp.csvrows import ParseResult, RowError
from talentgraph.ops.comp.money import CurrencyError, FxTable, currency_code
from talentgraph.ops.comp.offers import (
    LEVERS,
    BeatResult,
    Comparison,
    EquityGrant,
    Package,
    PrivateValuation,
    Refresher,
    Totals,
    compare,
    smallest_beating,
    yearly_totals,
)
from talentgraph.ops.comp.roster import (
    Employee,
    Grant,
    parse_grants_csv,
    parse_grants_text,
    parse_roster_csv,
    parse_roster_text,
)
from talentgraph.ops.comp.vesting import (
    VestingError,
    VestingSchedule,
    custom,
    from_spec,
    front_loaded,
    monthly,
    standard,
    unvested_at,
    vest_events,
    vested_at,
    yearly_vesting,
    yearly_vesting_by_date,
)

__all__ = [
    "LEVERS", "BeatResult", "Comparison", "CounterOption", "CounterPolicy", "CounterResult",
    "CurrencyError", "Employee", "EquityGrant", "FxTable", "Grant", "MarketBand", "Package",
    "ParseResult", "PrivateValuation", "Range", "Refresher", "RowError", "Totals",
    "VestingError", "VestingSchedule", "band_for", "compare", "counter_options", "currency_code",
    "current_package", "custom", "from_spec", "front_loaded", "monthly", "parse_bands_csv",
    "parse_bands_text", "parse_grants_csv", "parse_grants_text", "parse_roster_csv",
    "parse_roster_text", "smallest_beating", "standard", "unvested_at", "vest_events",
    "vested_at", "yearly_totals", "yearly_vesting",
    "yearly_vesting_by_date",
]
