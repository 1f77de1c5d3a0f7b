-- Sessions per (account, region), kept by every insert and delete, so that an unfiltered
-- List answers its TotalCount without counting the region's rows. Source positions keep
-- the caller's order of a session's sources.

CREATE TABLE scope_counts (
    account TEXT NOT NULL,
    region TEXT NOT NULL,
    sessions INTEGER NOT NULL,
    PRIMARY KEY (account, region)
);
INSERT INTO scope_counts (account, region, sessions)
    SELECT account, region, COUNT(*) FROM sessions GROUP BY account, region;

ALTER TABLE session_sources ADD COLUMN position INTEGER NOT NULL DEFAULT 0;
-- The ENI index carries the session id too, so the source checks never touch the table.
DROP INDEX session_sources_eni;
CREATE INDEX session_sources_eni ON session_sources (eni_id, session_id);
