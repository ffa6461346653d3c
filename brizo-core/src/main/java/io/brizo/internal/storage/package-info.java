/**
 * The built-in storage drivers: local files ({@code file:}) and HTTP(S). Internal: only the
 * factories are public, so that {@link java.util.ServiceLoader} can create them; nothing here is
 * API and it may change without notice.
 */
package io.brizo.internal.storage;
