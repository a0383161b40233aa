"""Retention: flight-risk score of our own staff with its reasons (`flight_risk`), and the graph
input it needs (`collaborators_left`: close collaborators and who of them left, from the store)."""

from talentgraph.ops.retention.graph import CollaboratorsLeft, Departure, collaborators_left
from talentgraph.ops.retention.risk import (
    DEFAULT_WEIGHTS,
    FlightRisk,
    RiskReason,
    RiskWeights,
    RivalOffer,
    flight_risk,
)

__all__ = [
    "DEFAULT_WEIGHTS", "CollaboratorsLeft", "Departure", "FlightRisk", "RiskReason",
    "RiskWeights", "RivalOffer", "collaborators_left", "flight_risk",
]
