"""Organisation resolution: curated table, long-tail resolver and the `orgs` build stage."""

from talentgraph.resolve.orgs.catalog import Catalog, Org
from talentgraph.resolve.orgs.resolver import OrgMatch, OrgResolver, registrable_domain

__all__ = ["Catalog", "Org", "OrgMatch", "OrgResolver", "registrable_domain"]
