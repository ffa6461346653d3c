-- brizo-state-postgres schema version 1: the last accepted nonce of each consumer address.
-- Applied once, inside the migration's transaction, by the first replica that starts on an empty
-- database (the others wait on the migration's advisory lock, then find version 1 recorded).
CREATE TABLE brizo_nonces (
    address    text        PRIMARY KEY CHECK (address ~ '^0x[0-9a-f]{40}$'),
    nonce      bigint      NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE brizo_nonces IS
    'Brizo: last accepted replay-safe nonce per consumer address (lower case); a nonce is accepted only if greater';
