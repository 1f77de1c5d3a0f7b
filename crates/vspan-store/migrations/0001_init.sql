-- vspan's schema. Portable DDL: TEXT ids, INTEGER timestamps (Unix ms) and flags, JSON bodies
-- in TEXT. The body is the resource; the other columns are indexes over it.

CREATE TABLE revision (id INTEGER PRIMARY KEY CHECK (id = 1), value INTEGER NOT NULL);
INSERT INTO revision (id, value) VALUES (1, 0);

CREATE TABLE services (
    account TEXT NOT NULL,
    region TEXT NOT NULL,
    opened_ms INTEGER NOT NULL,
    PRIMARY KEY (account, region)
);

-- ENIs, instances and load balancers: declared in the config or registered by agents.
CREATE TABLE inventory (
    kind TEXT NOT NULL,
    id TEXT NOT NULL,
    account TEXT NOT NULL,
    region TEXT NOT NULL,
    body TEXT NOT NULL,
    PRIMARY KEY (kind, id)
);

CREATE TABLE filters (
    id TEXT PRIMARY KEY,
    account TEXT NOT NULL,
    region TEXT NOT NULL,
    name TEXT,
    resource_group_id TEXT,
    settle_at INTEGER,
    body TEXT NOT NULL
);
CREATE INDEX filters_scope ON filters (account, region, id);
CREATE INDEX filters_settle ON filters (settle_at) WHERE settle_at IS NOT NULL;

CREATE TABLE rules (
    id TEXT PRIMARY KEY,
    filter_id TEXT NOT NULL,
    account TEXT NOT NULL,
    region TEXT NOT NULL,
    settle_at INTEGER,
    body TEXT NOT NULL
);
CREATE INDEX rules_filter ON rules (filter_id, id);
CREATE INDEX rules_settle ON rules (settle_at) WHERE settle_at IS NOT NULL;

CREATE TABLE sessions (
    id TEXT PRIMARY KEY,
    account TEXT NOT NULL,
    region TEXT NOT NULL,
    name TEXT,
    filter_id TEXT NOT NULL,
    target_id TEXT NOT NULL,
    priority INTEGER NOT NULL,
    vni INTEGER NOT NULL,
    enabled INTEGER NOT NULL,
    resource_group_id TEXT,
    settle_at INTEGER,
    body TEXT NOT NULL
);
CREATE INDEX sessions_scope ON sessions (account, region, id);
CREATE INDEX sessions_filter ON sessions (filter_id);
CREATE INDEX sessions_target ON sessions (target_id);
CREATE INDEX sessions_priority ON sessions (account, region, priority);
CREATE INDEX sessions_settle ON sessions (settle_at) WHERE settle_at IS NOT NULL;

CREATE TABLE session_sources (
    session_id TEXT NOT NULL,
    eni_id TEXT NOT NULL,
    PRIMARY KEY (session_id, eni_id)
);
CREATE INDEX session_sources_eni ON session_sources (eni_id);

CREATE TABLE tags (
    resource_id TEXT NOT NULL,
    resource_type TEXT NOT NULL,
    account TEXT NOT NULL,
    region TEXT NOT NULL,
    key TEXT NOT NULL,
    value TEXT NOT NULL,
    PRIMARY KEY (resource_id, key)
);
CREATE INDEX tags_scope ON tags (account, region, resource_type, resource_id);

CREATE TABLE client_tokens (
    account TEXT NOT NULL,
    token TEXT NOT NULL,
    action TEXT NOT NULL,
    request_hash TEXT NOT NULL,
    response TEXT NOT NULL,
    created_ms INTEGER NOT NULL,
    PRIMARY KEY (account, token)
);
