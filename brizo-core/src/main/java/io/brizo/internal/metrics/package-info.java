/**
 * The Micrometer implementation of {@link io.brizo.metrics.BrizoMetrics}. Internal: nothing here
 * is API and it may change without notice; use {@link io.brizo.metrics.MicrometerBinding}.
 */
package io.brizo.internal.metrics;
