-- readers: optional (read commands look positions up only where the table exists)
-- Dated positions (issue #13): one row per position a source states, with its provenance.
-- A unit (an AI Watch file, one ORCID record, one OpenReview query, a user's CSV) is written
-- in one transaction; `position_units` holds one row per unit with its sha256, so re-running
-- an unchanged unit changes nothing and a changed one replaces its rows.
CREATE TABLE position_units (
    unit          VARCHAR NOT NULL,   -- e.g. aiwatch:positions.csv, orcid:0000-0002-1825-0097
    source        VARCHAR NOT NULL,   -- aiwatch | orcid | openreview | openalex | csv
    path          VARCHAR NOT NULL,   -- the file or URL read
    sha256        VARCHAR NOT NULL,
    size_bytes    BIGINT NOT NULL,
    records_read  INTEGER NOT NULL,
    positions     INTEGER NOT NULL,
    problems      INTEGER NOT NULL,
    status        VARCHAR NOT NULL,   -- ok | partial
    ingested_at   TIMESTAMPTZ NOT NULL
);

CREATE TABLE positions (
    position_id      VARCHAR NOT NULL,  -- stable: hash of unit and the position's own fields
    unit             VARCHAR NOT NULL,
    source           VARCHAR NOT NULL,
    record_index     INTEGER NOT NULL,  -- 1-based row (CSV) or entry number in the unit
    person_name      VARCHAR,
    name_key         VARCHAR,           -- accents, case and punctuation removed (namekey.py)
    orcid            VARCHAR,
    openreview_id    VARCHAR,
    dblp             VARCHAR,
    google_scholar   VARCHAR,
    openalex_id      VARCHAR,
    org_raw          VARCHAR,           -- the organisation as the source writes it
    org_domain       VARCHAR,
    org_ror          VARCHAR,           -- a ROR id where the source gives one
    title            VARCHAR,
    employment_type  VARCHAR,
    start_date       DATE,
    start_precision  VARCHAR,           -- day | month | year (NULL when no start is known)
    end_date         DATE,              -- NULL: current, or unknown
    end_precision    VARCHAR,
    seen_date        DATE,              -- the latest date a source saw the position held
    url              VARCHAR,
    ingested_at      TIMESTAMPTZ NOT NULL
);
