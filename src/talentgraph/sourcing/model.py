"""The constants of the ranking model, shared by the index stage (static parts) and the query.

score = 100 * ( w_expertise * E  +  E * sum_k w_k * C_k )   for k in impact, output, network,
                                                            seniority, mobility
E (topical expertise, in [0, 1)) = X / (X + SATURATION), X = sum over the person's matching
    papers of relevance (BM25 / best BM25 of the query) * recency (half-life HALF_LIFE years
    before the newest year of the index) * authorship weight (first/solo 1, last 0.85, middle 0.5
    or 0.3).
The other components (each in [0, 1]) are gated by E, so a famous person with one stray matching
paper does not outrank the people who work on the topic; each component's points are reported and
the points add up to the score.
Why these weights: topical work dominates (the backtest in benchmarks/sourcing.py measures whether
the top people go on publishing on the topic); impact and output separate the strong from the
many; network, seniority and mobility are small tie-breakers that a sourcer wants to see.
"""

from __future__ import annotations

WEIGHTS: dict[str, float] = {"expertise": 0.55, "impact": 0.15, "output": 0.12, "network": 0.08,
                             "seniority": 0.05, "mobility": 0.05}
# Tuned on the backtest with Y=2020 (benchmarks/sourcing.py; figures are reported for Y=2021):
# half-lives of 1.5-2 years and the best 500-1000 matches predicted who goes on publishing on a
# topic better than 4-8 years and 2000-4000 (P@20 0.364 vs 0.324 at 4 years and 2000).
HALF_LIFE = 2.0        # years for a matching paper's weight to halve
SATURATION = 2.0       # X at which expertise reaches 0.5
TOP_K_PAPERS = 1000    # matching papers considered per query (best BM25 first)
TOP_K_FILTERED = 4000  # ... when where/role filters leave out most authors of the best 1000
OUTPUT_YEARS = 5       # output counts papers of the last OUTPUT_YEARS years of the index
OUTPUT_FULL = 20       # recent papers for a full output component
NETWORK_FULL = 150     # distinct coauthors for a full network component
COAUTHOR_MAX_AUTHORS = 30  # hyper-authored papers say little about a person's network

# Seniority from the latest role class (when recent), else years of publications / 15.
ROLE_LEVEL: dict[str, float] = {"professor": 1.0, "senior": 1.0, "researcher": 0.6, "other": 0.4,
                                "phd": 0.3, "student": 0.15}
SENIORITY_FULL_YEARS = 15.0

# Mobility (only with a careers timeline): time at the current place (full after 5 years: people
# who just moved rarely move again) and earlier moves (people who moved before move again).
MOBILITY_TENURE_WEIGHT = 0.6
MOBILITY_MOVES_WEIGHT = 0.4

# Authorship weight: first and last authors lead the work in ML papers; the middle of a long list
# says little about the person's own expertise.
FIRST_WEIGHT, LAST_WEIGHT, MIDDLE_WEIGHT, MIDDLE_LONG_WEIGHT = 1.0, 0.85, 0.5, 0.3
LONG_LIST = 10

DECISION_IMPACT: dict[str, float] = {"oral": 1.0, "spotlight": 0.75, "accepted": 0.4,
                                     "rejected": 0.0, "withdrawn": 0.0}
