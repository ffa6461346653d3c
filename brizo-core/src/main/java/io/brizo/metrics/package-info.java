/**
 * Metrics: {@link io.brizo.metrics.BrizoMetrics}, what Brizo records, free of any metrics library,
 * and {@link io.brizo.metrics.MicrometerBinding}, its Micrometer implementation, the one class
 * here that needs Micrometer on the class path. Without it nothing is recorded and nothing fails.
 */
package io.brizo.metrics;
