"""A tiny research world in the paperlists format (family A, OpenReview style), written by hand
for the web tests: a few people whose careers cross real organisation names, so the full build
(organisations, people, careers, search index) finds moves into and out of Google DeepMind."""

from __future__ import annotations

import json
from pathlib import Path

# person id -> (name, {year range: (affiliation, domain, country, role)})
CAREERS: dict[str, tuple[str, list[tuple[int, int, str, str, str, str]]]] = {
    "~Ada_Quill1": ("Ada Quill", [
        (2019, 2020, "Stanford University", "stanford.edu", "United States", "PhD student"),
        (2021, 2024, "Google DeepMind", "deepmind.com", "United Kingdom", "Research Scientist")]),
    "~Bo_Chen3": ("Bo Chen", [
        (2019, 2021, "Google DeepMind", "deepmind.com", "United Kingdom", "Research Scientist"),
        (2022, 2024, "OpenAI", "openai.com", "United States", "Member of Technical Staff")]),
    "~Carla_Diaz1": ("Carla Diaz", [
        (2019, 2021, "Meta AI", "meta.com", "United States", "Research Scientist"),
        (2022, 2024, "Google DeepMind", "deepmind.com", "United Kingdom",
         "Staff Research Scientist")]),
    "~Dan_Eberhardt1": ("Dan Eberhardt", [
        (2019, 2024, "OpenAI", "openai.com", "United States", "Researcher")]),
    "~Eve_Fong2": ("Eve Fong", [
        (2019, 2024, "Google DeepMind", "deepmind.com", "United Kingdom", "Research Scientist")]),
    "~Finn_Gold1": ("Finn Gold", [
        (2019, 2024, "Massachusetts Institute of Technology", "mit.edu", "United States",
         "Full Professor")]),
    "~Gus_Hale1": ("Gus Hale", [
        (2019, 2020, "Google DeepMind", "deepmind.com", "United Kingdom", "Research Scientist"),
        (2021, 2024, "Anthropic", "anthropic.com", "United States", "Researcher")]),
    "~Hana_Ito1": ("Hana Ito", [
        (2019, 2021, "Massachusetts Institute of Technology", "mit.edu", "United States",
         "PhD student"),
        (2022, 2024, "Meta AI", "meta.com", "United States", "Research Scientist")]),
}

# Teams that write together every year: (authors, topic words, title stem)
TEAMS = [
    (["~Ada_Quill1", "~Eve_Fong2", "~Finn_Gold1"],
     "reinforcement learning from human feedback;reward modeling",
     "Reinforcement learning from human feedback", "reward models learned from human "
     "preference feedback and reinforcement learning for language agents"),
    (["~Bo_Chen3", "~Eve_Fong2", "~Dan_Eberhardt1"],
     "diffusion models;generative models", "Diffusion models",
     "denoising diffusion generative models for images and audio"),
    (["~Carla_Diaz1", "~Hana_Ito1", "~Gus_Hale1"],
     "graph neural networks;message passing", "Graph neural networks",
     "message passing graph neural networks on molecules and social networks"),
    (["~Gus_Hale1", "~Ada_Quill1", "~Bo_Chen3"],
     "alignment;reinforcement learning from human feedback", "Scalable alignment",
     "alignment of large language models with human feedback and reinforcement learning"),
]

STATUSES = ["Oral", "Poster", "Spotlight", "Poster"]


def _at(pid: str, year: int) -> tuple[str, str, str, str]:
    for a, b, aff, dom, country, role in CAREERS[pid][1]:
        if a <= year <= b:
            if aff == "Google DeepMind" and year < 2023:  # renamed in April 2023
                aff = "DeepMind"
            return aff, dom, country, role
    raise KeyError((pid, year))


def records(year: int) -> list[dict]:
    out = []
    for t, (authors, keywords, stem, about) in enumerate(TEAMS):
        for k in range(2):  # two papers per team and year: moves need corroborated records
            at = [_at(a, year) for a in authors]
            uniq = list(dict.fromkeys(x[0] for x in at))
            countries = list(dict.fromkeys(x[2] for x in at))
            rid = f"w{year}t{t}k{k}"
            out.append({
                "id": rid, "title": f"{stem}: study {k + 1} of {year}", "track": "main",
                "status": STATUSES[(t + k + year) % 4],
                "abstract": f"We study {about}. Part {k + 1} of the {year} series.",
                "keywords": keywords, "tldr": "",
                "author": ";".join(CAREERS[a][0] for a in authors),
                "authorids": ";".join(authors), "or_profile": ";".join(authors),
                "aff": ";".join(x[0] for x in at), "aff_domain": ";".join(x[1] for x in at),
                "position": ";".join(x[3] for x in at),
                "site": f"https://openreview.net/forum?id={rid}",
                "rating_avg": [6.0 + (t + k) % 3, 1.0], "gs_citation": 10 * (2025 - year) + t,
                "aff_unique_index": ";".join(str(uniq.index(x[0])) for x in at),
                "aff_unique_norm": ";".join(uniq),
                "aff_country_unique_index": ";".join(str(countries.index(x[2])) for x in at),
                "aff_country_unique": ";".join(countries),
            })
    return out


def write_world(folder: Path) -> Path:
    """Write iclr2019..iclr2024 files under folder/iclr/ and return folder."""
    for year in range(2019, 2025):
        path = folder / "iclr" / f"iclr{year}.json"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("[\n" + ",\n".join(json.dumps(r) for r in records(year)) + "\n]\n",
                        encoding="utf-8")
    return folder
