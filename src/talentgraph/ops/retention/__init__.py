"""Retention: flight-risk score of our own staff with its reasons (`flight_risk`)."""

from talentgraph.ops.retention.risk import (
    DEFAULT_WEIGHTS,
    FlightRisk,
    RiskReason,
    RiskWeights,
    flight_risk,
)

__all__ = ["DEFAULT_WEIGHTS", "FlightRisk", "RiskReason", "RiskWeights", "flight_risk"]
