/**
 * Implementation of request authentication: EIP-191 signature recovery, the built-in nonce
 * stores and the request authenticator. Not API: may change in any release.
 */
package io.brizo.internal.auth;
