"""The sourcing search in memory: the same BM25 and the same ranking as `rank.search`'s SQL, over
numpy arrays loaded once per process (for the web app, where a search must cost milliseconds).

What is loaded (from the tables the `index` stage builds; ~160 MB for the whole corpus):
  postings    the FTS index's (term, document, term frequency), term-major, as CSR arrays, with
              each term's idf and each document's length norm, so a query's BM25 is computed
              exactly as DuckDB's `match_bm25` does (same formula, same operations, in float64)
  documents   year, decision, citations, impact per document; title, venue, link as Arrow
              arrays (taken only for the papers shown)
  authors     document -> (person_key, authorship weight, position, list length), CSR
  people      the query-independent score components per person_key, and the wide rows of
              `sourcing_people` (Arrow) for the few people shown
Per query, only the query's terms are read from the DuckDB dictionary (tokenised and stemmed by
the FTS extension itself, so the terms are the SQL path's). Filters are person masks computed by
DuckDB from the same conditions as the SQL path, kept in a small LRU.

Scores equal the SQL path's up to floating-point summation order (tests compare both); the
explanation of every rank is built by the same code (`results.explain`).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any

import duckdb
import numpy as np

from talentgraph.errors import StoreError
from talentgraph.sourcing import countries, fts, learned, model
from talentgraph.sourcing import index as idx
from talentgraph.sourcing import results as rk

FTS = "fts_main_sourcing_docs"
K1, B = 1.2, 0.75  # match_bm25's defaults (k, b), which the SQL path uses
DECISIONS = ("oral", "spotlight")
LRU_ENTRIES = 256  # query terms and filter masks kept per process


class _Lru:
    """A small thread-safe LRU: bounded, so a long-running server does not grow."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._d: OrderedDict[Hashable, Any] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable, compute: Callable[[], Any]) -> Any:
        with self._lock:
            if key in self._d:
                self._d.move_to_end(key)
                return self._d[key]
        value = compute()
        with self._lock:
            self._d[key] = value
            while len(self._d) > self.size:
                self._d.popitem(last=False)
        return value


def _ranges(starts: np.ndarray, ends: np.ndarray) -> np.ndarray:
    """The indices of the concatenated ranges [starts[i], ends[i])."""
    lens = ends - starts
    total = int(lens.sum())
    if total == 0:
        return np.zeros(0, np.int64)
    offsets = np.repeat(starts - np.concatenate(([0], np.cumsum(lens)[:-1])), lens)
    return offsets + np.arange(total)


class MemoryIndex:
    """The search index of one store, in memory. Build with `MemoryIndex.load(con)`."""

    def __init__(self) -> None:
        self._terms = _Lru(LRU_ENTRIES)
        self._masks = _Lru(LRU_ENTRIES // 4)  # a mask is one byte per person
        self._orgs = _Lru(LRU_ENTRIES)

    @classmethod
    def load(cls, con: duckdb.DuckDBPyConnection) -> MemoryIndex:
        meta = rk.open_index(con)
        self = cls()
        self.ref_year = int(meta.get("ref_year") or 0)
        self.careers = meta.get("have_spells") == "True"
        n_docs, avgdl = con.execute(f"SELECT num_docs, avgdl FROM {FTS}.stats").fetchone()
        self.n_docs = int(n_docs)
        # documents: the FTS docid is the row's position; doc_key = docid + 1 (index.py)
        d = con.execute("""
            SELECT s.docid, s.doc_key, s.year, s.decision, s.citations, s.impact, x.len
            FROM sourcing_doc_features s JOIN fts_main_sourcing_docs.docs x USING (docid)
            ORDER BY s.docid""").fetchnumpy()
        if len(d["docid"]) != self.n_docs or not np.array_equal(
                np.asarray(d["docid"]), np.arange(self.n_docs)):
            raise StoreError("the search index's documents are not numbered 0..n-1: rebuild")
        if not np.array_equal(np.asarray(d["doc_key"]), np.arange(1, self.n_docs + 1)):
            raise StoreError("the search index's doc keys do not follow its docids: rebuild")
        year = np.ma.asarray(d["year"])
        if np.ma.count_masked(year):
            raise StoreError("papers without a year in the search index: the in-memory "
                             "search does not cover them")
        self.year = np.asarray(year, dtype=np.int64)
        dec = np.ma.asarray(d["decision"]).filled(None)
        self.oral = np.array([x == "oral" for x in dec], dtype=bool)
        self.spotlight = np.array([x == "spotlight" for x in dec], dtype=bool)
        cit = np.ma.asarray(d["citations"])
        self.has_cit = ~np.ma.getmaskarray(cit)
        self.citations = np.asarray(cit.filled(0), dtype=np.int64)
        imp = np.ma.asarray(d["impact"])
        self.has_impact = ~np.ma.getmaskarray(imp)
        self.impact = np.asarray(imp.filled(0.0), dtype=np.float64)
        # match_bm25: tf*(k+1) / (tf + k*((1-b) + b*(len/avgdl))), each operation as DuckDB does
        dl = np.asarray(d["len"], dtype=np.float64)
        self.k_norm = K1 * ((1 - B) + (B * (dl / float(avgdl))))
        self.text = con.execute("SELECT paper_id, title, venue, status, decision, link "
                                "FROM sourcing_doc_features ORDER BY docid").to_arrow_table()
        # postings, term-major (the index stage writes them so; older stores: grouped here)
        postings = ("SELECT termid, docid, tf FROM sourcing_postings ORDER BY termid, docid"
                    if idx.has_table(con, "sourcing_postings") else fts.POSTINGS_SQL)
        p = con.execute(postings).fetchnumpy()
        termid = np.asarray(p["termid"])
        self.n_terms = int(con.execute(f"SELECT max(termid) + 1 FROM {FTS}.dict").fetchone()[0]
                           or 0)
        self.t_ptr = np.searchsorted(termid, np.arange(self.n_terms + 1)).astype(np.int64)
        del termid
        self.t_doc = np.asarray(p["docid"], dtype=np.int32)
        tf = np.asarray(p["tf"])
        # compact in memory; widened to float64 per query term (the same values)
        self.t_tf = tf.astype(np.uint16 if tf.size == 0 or tf.max() < 2**16 else np.int32)
        del p, tf
        idf = con.execute(f"""
            SELECT termid, log((((SELECT num_docs FROM {FTS}.stats) - df) + 0.5) / (df + 0.5)
                               + 1) AS idf
            FROM {FTS}.dict ORDER BY termid""").fetchnumpy()
        self.idf = np.zeros(self.n_terms, dtype=np.float64)
        self.idf[np.asarray(idf["termid"])] = np.asarray(idf["idf"])
        # authors of each document (sourcing_author_keys is sorted by doc_key, position)
        a = con.execute("SELECT doc_key, person_key, pos_weight, position, n_authors "
                        "FROM sourcing_author_keys ORDER BY doc_key, position").fetchnumpy()
        doc_index = np.asarray(a["doc_key"], dtype=np.int64) - 1
        self.a_ptr = np.searchsorted(doc_index, np.arange(self.n_docs + 1)).astype(np.int64)
        self.a_person = np.asarray(a["person_key"], dtype=np.int32)
        # FLOAT in the table: the SQL path compares and multiplies it widened to DOUBLE (as
        # the query does with the rows it reads)
        self.a_weight = np.asarray(a["pos_weight"], dtype=np.float32)
        self.a_position = np.asarray(a["position"], dtype=np.int16)
        self.a_n_authors = np.asarray(a["n_authors"], dtype=np.int16)
        s = con.execute("SELECT person_key, v_output, v_network, v_seniority, v_mobility "
                        "FROM sourcing_person_static ORDER BY person_key").fetchnumpy()
        keys = np.asarray(s["person_key"], dtype=np.int64)
        self.n_keys = int(keys.max()) + 1 if len(keys) else 1
        self.present = np.zeros(self.n_keys, dtype=bool)
        self.present[keys] = True
        self.static = {}
        for c in ("v_output", "v_network", "v_seniority", "v_mobility"):
            arr = np.zeros(self.n_keys, dtype=np.float64)
            arr[keys] = np.asarray(s[c], dtype=np.float64)
            self.static[c] = arr
        # what the ~20 people shown per search need of their wide rows (rank.search's)
        self.people = con.execute(
            f"SELECT {', '.join(rk.SHOWN_COLUMNS)} FROM sourcing_people "
            "ORDER BY person_key").to_arrow_table()
        self.people_keys = self.people.column("person_key").to_numpy()
        return self

    def hide(self, person_keys: list[int]) -> None:
        """People erased since the index was loaded no longer appear in any result."""
        keys = np.asarray([k for k in person_keys if 0 <= k < self.n_keys], dtype=np.int64)
        self.present[keys] = False

    def details(self, keys: list[int]) -> dict[int, dict[str, Any]]:
        """The SHOWN_COLUMNS of a few people (as `results.details` reads them)."""
        rows = np.searchsorted(self.people_keys, keys)
        return {r["person_key"]: r for r in self.people.take(rows).to_pylist()}

    # -----------------------------------------------------------------------------------------
    # query parts

    def term_ids(self, con: duckdb.DuckDBPyConnection, query: str) -> np.ndarray:
        """The query's distinct terms as the FTS extension tokenises and stems them."""
        def compute() -> np.ndarray:
            rows = con.execute(f"SELECT termid FROM ({fts.terms_sql(con, query)}) ORDER BY 1",
                               {"q": query}).fetchall()
            return np.array([r[0] for r in rows], dtype=np.int64)
        return self._terms.get(query, compute)

    def bm25(self, terms: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(documents matching any term, their BM25 scores), documents in docid order."""
        if len(terms) == 0:
            return np.zeros(0, np.int64), np.zeros(0)
        score = np.zeros(self.n_docs, dtype=np.float64)
        hit = np.zeros(self.n_docs, dtype=bool)
        for t in terms:
            lo, hi = self.t_ptr[t], self.t_ptr[t + 1]
            docs = self.t_doc[lo:hi]
            tf = self.t_tf[lo:hi].astype(np.float64)
            score[docs] += self.idf[t] * ((tf * (K1 + 1)) / (tf + self.k_norm[docs]))
            hit[docs] = True
        docs = np.flatnonzero(hit)
        return docs, score[docs]

    def expansion_terms(self, con: duckdb.DuckDBPyConnection, query: str, n_docs: int = 10,
                        n_terms: int = 4, min_docs: int = 3) -> np.ndarray:
        """Terms learned from the corpus for `query` (pseudo-relevance feedback): the terms
        most frequent, by idf, among the texts of its `n_docs` best-matching papers (in at
        least `min_docs` of them), the query's own terms excepted. "llm agents" gains e.g.
        "language" and "tool", which find "language agents" and "tool-using language models"."""
        terms = self.term_ids(con, query)
        docs, score = self.bm25(terms)
        if not len(docs):
            return np.zeros(0, np.int64)
        top = docs[np.argsort(-score, kind="stable")[:n_docs]] + 1  # doc_key = docid + 1
        fts.load(con)  # for `stem` on this cursor (without autoloading from the network)
        rows = con.execute(f"""
            WITH t AS (
                SELECT DISTINCT doc_key, stem(unnest({FTS}.tokenize(
                    concat_ws(' ', title, abstract, tldr, keywords_text))), 'porter') AS term
                FROM sourcing_docs WHERE list_contains($keys, doc_key))
            SELECT d.termid, count(*) AS n FROM t JOIN {FTS}.dict d USING (term)
            GROUP BY 1 HAVING count(*) >= $min""",
                           {"keys": [int(k) for k in top], "min": min_docs}).fetchall()
        cand = [(n * self.idf[t], t) for t, n in rows if t not in set(terms.tolist())]
        return np.array([t for _, t in sorted(cand, reverse=True)[:n_terms]], dtype=np.int64)

    def hits(self, con: duckdb.DuckDBPyConnection, query: str,
             since: int | None = None, expand: float = 0.0) -> learned.Hits:
        """`learned.hits_sql` in memory: the author rows of every paper matching `query`
        (with `expand` > 0, plus `expand` times the BM25 of its learned expansion terms)."""
        docs, score = self.bm25(self.term_ids(con, query))
        if expand > 0:
            extra = self.expansion_terms(con, query)
            if len(extra):
                d2, s2 = self.bm25(extra)
                full = np.zeros(self.n_docs)
                full[docs] += score
                full[d2] += expand * s2
                docs = np.union1d(docs, d2)
                score = full[docs]
        if since is not None and len(docs):
            keep = self.year[docs] >= since
            docs, score = docs[keep], score[keep]
        rows = _ranges(self.a_ptr[docs], self.a_ptr[docs + 1])
        of = np.repeat(np.arange(len(docs)), self.a_ptr[docs + 1] - self.a_ptr[docs])
        d = docs[of]
        return learned.Hits(d.astype(np.int64), score[of], self.year[d],
                            self.oral[d] | self.spotlight[d],
                            self.a_person[rows].astype(np.int64),
                            self.a_position[rows].astype(np.int64),
                            self.a_n_authors[rows].astype(np.int64))

    def _mask(self, con: duckdb.DuckDBPyConnection, key: Hashable, condition: str,
              params: dict[str, Any]) -> np.ndarray:
        """People (by person_key) meeting one filter condition of the SQL path."""
        def compute() -> np.ndarray:
            rows = con.execute(f"SELECT person_key FROM sourcing_people p WHERE {condition}",
                               params).fetchnumpy()["person_key"]
            mask = np.zeros(self.n_keys, dtype=bool)
            mask[np.asarray(rows, dtype=np.int64)] = True
            return mask
        return self._masks.get(key, compute)

    def resolve_orgs(self, con: duckdb.DuckDBPyConnection, names: list[str]) -> list[rk.OrgMatch]:
        return [self._orgs.get(n.strip(), lambda n=n: rk.resolve_orgs(con, [n])[0])
                for n in names]

    def filter_mask(self, con: duckdb.DuckDBPyConnection, filters: rk.Filters,
                at: list[rk.OrgMatch], not_at: list[rk.OrgMatch]) -> np.ndarray | None:
        def org_mask(m: rk.OrgMatch) -> np.ndarray:
            params: dict[str, Any] = {}
            cond = rk.org_condition(m, params, "o")
            return self._mask(con, ("org", m.how, m.query, tuple(m.org_ids)), cond, params)

        mask = None

        def both(m: np.ndarray) -> None:
            nonlocal mask
            mask = m.copy() if mask is None else (mask & m)

        if at:
            any_at = np.zeros(self.n_keys, dtype=bool)
            for m in at:
                any_at |= org_mask(m)
            both(any_at)
        for m in not_at:
            both(~org_mask(m))
        if filters.role:
            both(self._mask(con, ("role", filters.role), rk.ROLE_CONDITION,
                            {"role": filters.role}))
        if filters.country:
            cc = countries.to_code(filters.country)
            both(self._mask(con, ("country", cc), "list_contains(coalesce(p.current_countries, "
                            "[]::VARCHAR[]), $cc)", {"cc": cc}))
        return mask

    # -----------------------------------------------------------------------------------------
    # the search

    def search(self, con: duckdb.DuckDBPyConnection, query: str,
               filters: rk.Filters | None = None, limit: int = 20,
               top_papers: int = 3) -> rk.SearchResult:
        """`rank.search` (without rank_of) on the in-memory index; `con` reads the few rows
        shown and the query's terms."""
        filters = filters or rk.Filters()
        rk.validate(query, filters, limit)
        at = self.resolve_orgs(con, filters.at)
        not_at = self.resolve_orgs(con, filters.not_at)
        filtered = bool(at or not_at or filters.role or filters.country)
        k = model.TOP_K_FILTERED if filtered else model.TOP_K_PAPERS

        docs, score = self.bm25(self.term_ids(con, query))
        if filters.since is not None and len(docs):
            keep = self.year[docs] >= filters.since
            docs, score = docs[keep], score[keep]
        if len(docs) > k:
            # the best k by score, ties by doc_key (= docid order, which `docs` is in)
            thr = np.partition(score, len(score) - k)[len(score) - k]
            above = score > thr
            ties = np.flatnonzero(score == thr)[: k - int(above.sum())]
            keep = above
            keep[ties] = True
            docs, score = docs[keep], score[keep]
        matched = len(docs)
        empty = rk.SearchResult(query, filters, at + not_at, 0, matched, self.ref_year,
                                self.careers, [])
        if not matched:
            return empty
        rel = score / score.max()
        rows = _ranges(self.a_ptr[docs], self.a_ptr[docs + 1])
        if not len(rows):
            return empty
        lens = self.a_ptr[docs + 1] - self.a_ptr[docs]
        doc_of = np.repeat(np.arange(len(docs)), lens)   # index into docs/score/rel
        d = docs[doc_of]
        pw = self.a_weight[rows].astype(np.float64)
        age = np.maximum(self.ref_year - self.year[d], 0) / model.HALF_LIFE
        contrib = rel[doc_of] * np.power(0.5, age) * pw
        person = self.a_person[rows].astype(np.int64)

        keys, inv = np.unique(person, return_inverse=True)
        mask = self.filter_mask(con, filters, at, not_at)
        ok = self.present[keys] if mask is None else (self.present[keys] & mask[keys])
        n = len(keys)
        x = np.bincount(inv, contrib, n)
        v_exp = x / (x + model.SATURATION)
        imp = self.has_impact[d]
        imp_num = np.bincount(inv, np.where(imp, contrib * self.impact[d], 0.0), n)
        imp_den = np.bincount(inv, np.where(imp, contrib, 0.0), n)
        imp_any = np.bincount(inv, imp, n) > 0
        with np.errstate(invalid="ignore", divide="ignore"):
            impact_v = np.where(imp_any, imp_num / np.where(imp_any, imp_den, 1.0), 0.0)
        w = model.WEIGHTS
        st = {c: arr[keys] for c, arr in self.static.items()}
        pts = {"expertise": 100 * w["expertise"] * v_exp,
               "impact": 100 * v_exp * w["impact"] * impact_v}
        for c in ("output", "network", "seniority", "mobility"):
            pts[c] = 100 * v_exp * w[c] * st[f"v_{c}"]
        total = (pts["expertise"] + pts["impact"] + pts["output"] + pts["network"]
                 + pts["seniority"] + pts["mobility"])

        cand = np.flatnonzero(ok)
        if not len(cand):
            return empty
        order = cand[np.lexsort((keys[cand], -total[cand]))]
        shown = order[:limit]

        # per shown person: the aggregates of the SQL path's `per`, and the top papers
        sel = np.isin(inv, shown)
        r_idx = np.flatnonzero(sel)
        n_match = np.bincount(inv, None, n)
        lead = np.bincount(inv, pw >= 0.85, n)
        orals = np.bincount(inv, self.oral[d], n)
        spots = np.bincount(inv, self.spotlight[d], n)
        cits = np.bincount(inv, np.where(self.has_cit[d], self.citations[d], 0), n)
        any_cit = np.bincount(inv, self.has_cit[d], n) > 0
        newest = np.full(n, -(2**62), dtype=np.int64)
        np.maximum.at(newest, inv[r_idx], self.year[d[r_idx]])

        # the shown people's best papers: by weight, then doc_key
        r_sorted = r_idx[np.lexsort((d[r_idx], -contrib[r_idx], inv[r_idx]))]
        top_rows: dict[int, list[int]] = {}
        for r in r_sorted:
            lst = top_rows.setdefault(int(inv[r]), [])
            if len(lst) < top_papers:
                lst.append(int(r))
        paper_docs = sorted({int(d[r]) for rs in top_rows.values() for r in rs})
        text = self.text.take(paper_docs).to_pylist() if paper_docs else []
        text_of = dict(zip(paper_docs, text, strict=True))

        details = self.details([int(keys[i]) for i in shown])
        people = []
        for place, i in enumerate(shown, start=1):
            key = int(keys[i])
            tp = []
            for r in top_rows.get(int(i), []):
                doc = int(d[r])
                t = text_of[doc]
                tp.append({"paper_id": t["paper_id"], "title": t["title"], "venue": t["venue"],
                           "year": int(self.year[doc]), "position": int(self.a_position[rows[r]]),
                           "n_authors": int(self.a_n_authors[rows[r]]), "status": t["status"],
                           "decision": t["decision"],
                           "citations": int(self.citations[doc]) if self.has_cit[doc] else None,
                           "bm25": float(score[doc_of[r]]), "relevance": float(rel[doc_of[r]]),
                           "weight": float(contrib[r]), "link": t["link"]})
            row = {**details[key],
                   "person_key": key, "x": float(x[i]), "n_match": int(n_match[i]),
                   "n_match_lead": int(lead[i]), "newest_match": int(newest[i]),
                   "impact_v": float(impact_v[i]) if imp_any[i] else None,
                   "match_orals": int(orals[i]), "match_spotlights": int(spots[i]),
                   "match_citations": int(cits[i]) if any_cit[i] else None,
                   "v_expertise": float(v_exp[i]), "v_impact": float(impact_v[i]),
                   **{f"v_{c}": float(st[f"v_{c}"][i])
                      for c in ("output", "network", "seniority", "mobility")},
                   **{f"pt_{c}": float(v[i]) for c, v in pts.items()},
                   "score": float(total[i]), "place": place, "top_papers": tp}
            people.append(rk.explain(place, row, self.ref_year))
        return rk.SearchResult(query, filters, at + not_at, len(cand), matched, self.ref_year,
                               self.careers, people)
