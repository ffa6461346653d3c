/**
 * The {@code http(s):} storage driver, with its guard against server-side request forgery.
 * Internal but for the factory, which {@link java.util.ServiceLoader} creates: nothing else here
 * is API, and it may change without notice.
 */
package io.brizo.storage.http;
