-- brizo-state-postgres schema version 2: what the stateless transfer and upload links of compute
-- pods share across replicas. A link is a sealed token (BRIZO_LINK_KEYS) that any replica opens;
-- its row says whether a single-use transfer link was redeemed, or how much of an upload link's
-- allowance was used. A row is kept only until its link expires (then purged): an expired link is
-- refused before its row is read. Neither the token nor the storage location is stored.
CREATE TABLE brizo_links (
    id         text        PRIMARY KEY CHECK (length(id) <= 64),
    expires_at timestamptz NOT NULL,
    bytes      bigint      NOT NULL DEFAULT 0 CHECK (bytes >= 0),
    files      integer     NOT NULL DEFAULT 0 CHECK (files >= 0)
);
CREATE INDEX brizo_links_expires_at ON brizo_links (expires_at);
COMMENT ON TABLE brizo_links IS
    'Brizo: redeemed single-use transfer links (a row = redeemed) and upload link usage (bytes, files), by the'
    ' random id sealed in the link; rows are purged after expires_at';
