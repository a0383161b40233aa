"""Careers: affiliation observations -> spells -> moves, and the questions asked of them.

Reads the identity tables of the resolution stages (mention_person, persons, mention_orgs,
paper_orgs, orgs, org_aliases) and writes affiliation_obs, spells, moves and move_evidence.
"""
