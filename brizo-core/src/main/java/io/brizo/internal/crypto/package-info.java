/**
 * Implementation of the provider's encryption: ECIES over secp256k1 in the eciespy / eciesjs
 * format that Ocean Provider uses for encrypted file lists. Not API: may change in any release.
 */
package io.brizo.internal.crypto;
