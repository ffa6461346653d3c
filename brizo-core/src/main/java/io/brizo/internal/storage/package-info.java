/**
 * The built-in storage driver for local files ({@code file:}) and the storage routing every driver
 * shares. Internal: only the
 * factories are public, so that {@link java.util.ServiceLoader} can create them; nothing here is
 * API and it may change without notice.
 */
package io.brizo.internal.storage;
