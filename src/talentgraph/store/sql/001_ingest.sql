-- Sources, papers, author mentions and quarantined input, each row with its provenance.
CREATE TABLE sources (
    source_file   VARCHAR NOT NULL,   -- file name without folders, e.g. iclr2023.json.gz
    kind          VARCHAR NOT NULL,   -- connector: paperlists, openalex, ...
    path          VARCHAR NOT NULL,
    venue         VARCHAR,
    year          INTEGER,
    family        VARCHAR,
    sha256        VARCHAR NOT NULL,
    size_bytes    BIGINT NOT NULL,
    records_read  INTEGER NOT NULL,
    papers        INTEGER NOT NULL,
    mentions      INTEGER NOT NULL,
    problems      INTEGER NOT NULL,
    status        VARCHAR NOT NULL,   -- ok | partial
    ingested_at   TIMESTAMPTZ NOT NULL
);

CREATE TABLE papers (
    paper_id      VARCHAR NOT NULL,   -- <file stem>/<record id>, e.g. iclr2023/b7jXzuQMq8W
    source_file   VARCHAR NOT NULL,
    record_id     VARCHAR NOT NULL,
    record_index  INTEGER,
    venue         VARCHAR,
    year          INTEGER,
    title         VARCHAR NOT NULL,
    abstract      VARCHAR,
    tldr          VARCHAR,
    keywords      VARCHAR[],
    primary_area  VARCHAR,
    status        VARCHAR,            -- as published: Oral, Poster, Reject, Long, Findings, ...
    decision      VARCHAR,            -- oral | spotlight | accepted | rejected | withdrawn | unknown
    track         VARCHAR,
    citations     INTEGER,            -- Google Scholar count where the record gives one
    rating_avg    DOUBLE,
    n_authors     INTEGER,
    site          VARCHAR,
    pdf           VARCHAR,
    doi           VARCHAR,
    aff_set       VARCHAR[],          -- affiliations known for the paper but not per author
    id_set        VARCHAR[],          -- author ids known for the paper but not per author
    ingested_at   TIMESTAMPTZ NOT NULL
);

CREATE TABLE mentions (
    paper_id            VARCHAR NOT NULL,
    position            INTEGER NOT NULL,  -- 0-based place in the author list
    raw_name            VARCHAR NOT NULL,
    raw_affiliation     VARCHAR,           -- only where the record attributes it to this author
    aff_norm            VARCHAR,           -- the corpus' own normalised institution name
    aff_country         VARCHAR,
    affiliation_domain  VARCHAR,
    email               VARCHAR,           -- PERSONAL DATA: an e-mail used as author id
    email_domain        VARCHAR,
    role                VARCHAR,           -- position/title: PhD student, Research Scientist, ...
    openreview_id       VARCHAR,
    acl_id              VARCHAR,
    ieee_id             VARCHAR,
    dblp                VARCHAR,
    google_scholar      VARCHAR,
    orcid               VARCHAR,
    homepage            VARCHAR,
    linkedin            VARCHAR,
    aff_aligned         BOOLEAN NOT NULL,
    source_file         VARCHAR NOT NULL,
    record_id           VARCHAR NOT NULL,
    year                INTEGER,
    ingested_at         TIMESTAMPTZ NOT NULL
);

CREATE TABLE quarantine (
    source_file   VARCHAR NOT NULL,
    level         VARCHAR NOT NULL,   -- file | record (dropped) | field (record kept)
    record_index  INTEGER,
    record_id     VARCHAR,
    field         VARCHAR,
    reason        VARCHAR NOT NULL,
    excerpt       VARCHAR,
    ingested_at   TIMESTAMPTZ NOT NULL
);
