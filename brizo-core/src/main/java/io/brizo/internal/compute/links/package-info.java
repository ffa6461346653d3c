/**
 * Single-use, short-lived links through which compute pods read objects whose storage driver
 * cannot presign: tokens are held in the memory of the replica that made them.
 */
package io.brizo.internal.compute.links;
