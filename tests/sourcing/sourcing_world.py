"""A tiny research world in the paperlists format (family A records, with a `gender` field as the
real files have), ingested for real, plus hand-written identity/org/careers tables (the contract
of the people, organisations and careers stages) so sourcing is tested on its own."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import duckdb

from talentgraph.sources import paperlists
from talentgraph.sourcing.index import build_index
from talentgraph.store import db

# person id -> (name, gender as the raw records would give it)
PEOPLE = {
    "~Alice_Adams1": ("Alice Adams", "F"),
    "~Bob_Brown1": ("Bob Brown", "M"),
    "~Carol_Chen1": ("Carol Chen", "F"),
    "~Dan_Diaz1": ("Dan Diaz", "M"),
    "~Erin_Evans1": ("Erin Evans", "F"),
    "~Finn_Fox1": ("Finn Fox", "M"),
    "~Gus_Green1": ("Gus Green", "M"),
}

AFF = {"Lab A": "United States", "Lab A Research": "United States", "Uni B": "United States",
       "Uni C": "United Kingdom", "Uni D": "France"}

# (venue-year, id, title, abstract, keywords, status, citations, rating, authors)
# authors: (openreview id, affiliation, position/role)
PAPERS = [
    ("corl2021", "p1", "Reinforcement learning from human feedback for robot arms",
     "We learn reward models from human preference feedback and optimise policies with RL.",
     "reinforcement learning;human feedback", "Oral", 120, 7.5,
     [("~Alice_Adams1", "Uni B", "PhD student"), ("~Carol_Chen1", "Uni C", "PhD student"),
      ("~Bob_Brown1", "Uni B", "Full Professor")]),
    ("corl2022", "p2", "Scaling human feedback: preference models for reinforcement learning",
     "Human feedback as pairwise preferences trains a reward model for reinforcement learning.",
     "human feedback;reward modeling", "Poster", 40, 6.0,
     [("~Alice_Adams1", "Lab A", "Research Scientist"),
      ("~Bob_Brown1", "Uni B", "Full Professor")]),
    ("corl2023", "p3", "Aligning language agents with reinforcement learning from human feedback",
     "RLHF with human feedback on dialogue; preference optimisation for reinforcement learning.",
     "RLHF;alignment", "Spotlight", 15, 6.5,
     [("~Alice_Adams1", "Lab A", "Research Scientist"), ("~Dan_Diaz1", "Lab A Research",
                                                           "Researcher")]),
    ("corl2021", "p4", "Message passing graph neural networks for molecules",
     "Graph neural networks pass messages between atoms.", "graph neural networks", "Poster",
     10, 5.0,
     [("~Dan_Diaz1", "Lab A Research", "Researcher"), ("~Carol_Chen1", "Uni C", "PhD student")]),
    ("corl2022", "p5", "Expressive graph neural networks beyond message passing",
     "We study the expressivity of graph neural networks.", "graph neural networks", "Oral", 30,
     7.0,
     [("~Dan_Diaz1", "Lab A Research", "Researcher"), ("~Erin_Evans1", "Uni D",
                                                         "Associate Professor")]),
    # Erin: a very cited person whose single paper touches feedback in passing
    ("corl2023", "p6", "Large scale vision models",
     "A large vision model; a short note on feedback from users.", "vision", "Oral", 5000, 8.0,
     [("~Erin_Evans1", "Uni D", "Associate Professor"), ("~Finn_Fox1", "Uni D", "PhD student")]),
    ("corl2023", "p7", "Human feedback for navigation robots",
     "Robots learn navigation from human feedback and reinforcement learning.",
     "human feedback;navigation", "Poster", 2, 5.5,
     [("~Gus_Green1", "Uni C", "PhD student"), ("~Carol_Chen1", "Uni C", "PhD student")]),
]


def record(pid: str, title: str, abstract: str, keywords: str, status: str, citations: int,
           rating: float, authors: list[tuple[str, str, str]], gender: str | None) -> dict:
    affs = [a[1] for a in authors]
    uniq = list(dict.fromkeys(affs))
    countries = list(dict.fromkeys(AFF[a] for a in uniq))
    rec = {
        "id": pid, "title": title, "track": "main", "status": status, "tldr": "",
        "abstract": abstract, "keywords": keywords,
        "author": ";".join(PEOPLE[a[0]][0] for a in authors),
        "authorids": ";".join(a[0] for a in authors),
        "or_profile": ";".join(a[0] for a in authors),
        "aff": ";".join(affs), "aff_domain": ";".join("x.org" for _ in authors),
        "position": ";".join(a[2] for a in authors),
        "site": f"https://openreview.net/forum?id={pid}",
        "rating_avg": rating, "gs_citation": citations,
        "aff_unique_index": ";".join(str(uniq.index(a)) for a in affs),
        "aff_unique_norm": ";".join(uniq),
        "aff_country_unique_index": ";".join(str(countries.index(AFF[a])) for a in affs),
        "aff_country_unique": ";".join(countries),
    }
    if gender == "given":
        rec["gender"] = ";".join(PEOPLE[a[0]][1] for a in authors)
    elif gender == "flipped":
        rec["gender"] = ";".join({"F": "M", "M": "F"}[PEOPLE[a[0]][1]] for a in authors)
    return rec


def write_corpus(folder: Path, gender: str | None = "given") -> Path:
    files: dict[str, list[dict]] = {}
    for vy, pid, title, abstract, kw, status, cites, rating, authors in PAPERS:
        files.setdefault(vy, []).append(
            record(pid, title, abstract, kw, status, cites, rating, authors, gender))
    for vy, recs in files.items():
        path = folder / "corl" / f"{vy}.json.gz"
        path.parent.mkdir(parents=True, exist_ok=True)
        text = "[\n" + ",\n".join(json.dumps(r) for r in recs) + "\n]\n"
        path.write_bytes(gzip.compress(text.encode()))
    return folder


ORGS = [("org:laba", "Lab A", "industry_lab", "US", None, None),
        ("org:laba-research", "Lab A Research", "industry_lab", "US", "org:laba", "org:laba"),
        ("org:unib", "Uni B", "university", "US", None, None),
        ("org:unic", "Uni C", "university", "GB", None, None),
        ("org:unid", "Uni D", "university", "FR", None, None)]


def add_identity(con: duckdb.DuckDBPyConnection, orgs: bool = True) -> None:
    """persons/mention_person from the OpenReview ids; orgs/mention_orgs from the affiliations."""
    con.execute("""
        CREATE OR REPLACE TABLE mention_person AS
        SELECT paper_id, position, 'P' || openreview_id AS person_id, 'openreview' AS method,
               1.0 AS confidence FROM mentions;
        CREATE OR REPLACE TABLE persons AS
        SELECT mp.person_id, any_value(m.raw_name) AS canonical_name,
               list(DISTINCT m.raw_name) AS name_variants,
               list(DISTINCT m.openreview_id) AS openreview_ids, []::VARCHAR[] AS orcids,
               []::VARCHAR[] AS dblp_ids, count(*) AS n_mentions, min(m.year) AS first_year,
               max(m.year) AS last_year
        FROM mention_person mp JOIN mentions m USING (paper_id, position) GROUP BY 1""")
    if orgs:
        con.execute("CREATE OR REPLACE TABLE orgs (org_id VARCHAR, name VARCHAR, kind VARCHAR, "
                    "country VARCHAR, parent_id VARCHAR, top_parent_id VARCHAR)")
        con.executemany("INSERT INTO orgs VALUES (?, ?, ?, ?, ?, ?)", ORGS)
        con.execute("""
            CREATE OR REPLACE TABLE org_aliases AS
            SELECT name AS alias, org_id, NULL::DATE AS valid_from, NULL::DATE AS valid_to,
                   'test' AS source FROM orgs;
            CREATE OR REPLACE TABLE mention_orgs AS
            SELECT m.paper_id, m.position, o.org_id, 1 AS rank, 'exact' AS method,
                   1.0 AS confidence
            FROM mentions m JOIN orgs o ON o.name = m.raw_affiliation""")


def add_careers(con: duckdb.DuckDBPyConnection) -> None:
    """Spells and moves as the careers stage writes them (Alice: Uni B PhD -> Lab A)."""
    con.execute("""
        CREATE OR REPLACE TABLE spells AS SELECT * FROM (VALUES
            ('P~Alice_Adams1', 'org:unib', 2021, 2021, 'home', 0.9, ['PhD student']),
            ('P~Alice_Adams1', 'org:laba', 2022, 2023, 'home', 0.9, ['Research Scientist']),
            ('P~Bob_Brown1', 'org:unib', 2021, 2022, 'home', 0.9, ['Full Professor']),
            ('P~Dan_Diaz1', 'org:laba-research', 2021, 2023, 'home', 0.9, ['Researcher']),
            ('P~Carol_Chen1', 'org:unic', 2021, 2023, 'home', 0.9, ['PhD student']),
            ('P~Gus_Green1', 'org:unid', 2020, 2020, 'home', 0.8, ['Intern']),
            ('P~Gus_Green1', 'org:unib', 2021, 2021, 'home', 0.8, ['PhD student']),
            ('P~Gus_Green1', 'org:unic', 2022, 2023, 'home', 0.8, ['PhD student'])
        ) t(person_id, org_id, start_year, end_year, kind, confidence, roles);
        CREATE OR REPLACE TABLE moves AS SELECT * FROM (VALUES
            ('m1', 'P~Alice_Adams1', 'org:unib', 'org:laba', 2021, 2022, 'graduation_hire', 0.9,
             'PhD at Uni B, then Lab A'),
            ('m2', 'P~Gus_Green1', 'org:unid', 'org:unib', 2020, 2021, 'job_change', 0.8, 'x'),
            ('m3', 'P~Gus_Green1', 'org:unib', 'org:unic', 2021, 2022, 'job_change', 0.8, 'y'),
            ('m4', 'P~Gus_Green1', 'org:unic', 'org:unid', 2022, 2023, 'job_change', 0.8, 'z')
        ) t(move_id, person_id, from_org_id, to_org_id, last_year_at_from, first_year_at_to,
            kind, confidence, evidence);
        CREATE OR REPLACE TABLE move_evidence AS SELECT * FROM (VALUES
            ('m1', 'from', 'corl2021/p1'), ('m1', 'to', 'corl2022/p2')
        ) t(move_id, side, paper_id)""")


def make_store(tmp_path: Path, name: str = "store", gender: str | None = "given",
               orgs: bool = True, careers: bool = True) -> Path:
    corpus = write_corpus(tmp_path / f"{name}-corpus", gender)
    path = tmp_path / f"{name}.duckdb"
    con = db.connect(path)
    try:
        paperlists.ingest(con, [corpus])
        add_identity(con, orgs=orgs)
        if careers:
            add_careers(con)
        build_index(con)
    finally:
        con.close()
    return path


