/**
 * Request authentication that publishers may customise.
 *
 * <p>{@link io.brizo.auth.NonceStore} remembers, per consumer address, the last nonce accepted
 * from a nonce-signed (replay-safe) request. Brizo ships an in-memory store and a crash-safe
 * file store; a publisher running several servers behind a load balancer plugs in a shared one
 * (for example a database table updated with a conditional {@code UPDATE}).
 */
package io.brizo.auth;
