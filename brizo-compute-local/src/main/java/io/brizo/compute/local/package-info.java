/**
 * The local-process compute backend: runs algorithms as processes of the server itself, in
 * per-job directories laid out as the Ocean operator lays out its pods. A development backend,
 * not an isolation boundary. Internal: only the factory is public, so that {@link
 * java.util.ServiceLoader} can create it; nothing here is API and it may change without notice.
 */
package io.brizo.compute.local;
