/**
 * Signed receipts of compute jobs: an in-toto Statement v1 with the Brizo compute receipt
 * predicate, its RFC 8785 canonical bytes, and the provider's EIP-191 signature over their
 * keccak256.
 */
package io.brizo.internal.compute.receipt;
