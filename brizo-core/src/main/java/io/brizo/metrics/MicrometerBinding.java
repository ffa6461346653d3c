package io.brizo.metrics;

import io.brizo.internal.metrics.MicrometerMetrics;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Objects;

/**
 * Records Brizo's metrics in a Micrometer {@link MeterRegistry}; needs {@code
 * io.micrometer:micrometer-core} on the class path, which brizo-core declares optional:
 *
 * <pre>{@code
 * Brizo brizo = Brizo.builder().metrics(MicrometerBinding.of(registry)).discover().build();
 * }</pre>
 *
 * <p>Any registry works: a {@code SimpleMeterRegistry}, a {@code PrometheusMeterRegistry} to
 * scrape, or a composite. The meters and their tags are listed in brizo-core's README. Bind a
 * registry once and share the result among facades: a registry keeps the first {@code
 * brizo.downloads.active} gauge of each route, so a second binding's downloads would not show.
 */
public final class MicrometerBinding {
    private MicrometerBinding() {}

    /** {@return metrics recorded in {@code registry}; its meters are registered as they are first used} */
    public static BrizoMetrics of(MeterRegistry registry) {
        return new MicrometerMetrics(Objects.requireNonNull(registry, "registry"));
    }
}
