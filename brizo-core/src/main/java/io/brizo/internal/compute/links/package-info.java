/**
 * Short-lived links through which compute pods read objects whose storage driver cannot presign,
 * and write their outputs: sealed tokens that any replica with the same keys can open, redeemed
 * through a {@link io.brizo.auth.LinkLedger}.
 */
package io.brizo.internal.compute.links;
