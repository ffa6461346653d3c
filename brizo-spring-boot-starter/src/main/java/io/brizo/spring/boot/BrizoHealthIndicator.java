package io.brizo.spring.boot;

import io.brizo.Brizo;
import io.brizo.spi.BrizoException;
import io.brizo.spi.ComputeEnvironment;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;

/**
 * Actuator health of the facade: UP while it has a storage driver, its agreement verifier can
 * answer ({@link Brizo#checkVerifierAvailable()}: a keeper verifier asks its chain node) and its
 * compute backend, if any, lists its environments. Details name the drivers, verifier and
 * environments and, when something is down, the library's error kind and message, which never
 * carry a location or a credential.
 */
final class BrizoHealthIndicator implements HealthIndicator {
    private final Brizo brizo;

    BrizoHealthIndicator(Brizo brizo) {
        this.brizo = brizo;
    }

    @Override
    public Health health() {
        Health.Builder health = Health.up();
        List<String> drivers = brizo.storageDriverNames();
        health.withDetail("storageDrivers", drivers);
        if (drivers.isEmpty()) {
            health.down().withDetail("storage", "no storage driver is configured");
        }
        Map<String, Object> verifier = new LinkedHashMap<>();
        verifier.put("name", brizo.verifierName());
        try {
            brizo.checkVerifierAvailable();
            verifier.put("status", "UP");
        } catch (RuntimeException e) {
            health.down();
            verifier.put("status", "DOWN");
            verifier.putAll(problem(e));
        }
        health.withDetail("verifier", verifier);
        brizo.computeBackend().ifPresent(backend -> {
            Map<String, Object> compute = new LinkedHashMap<>();
            try {
                compute.put(
                        "environments",
                        brizo.computeEnvironments().stream()
                                .map(ComputeEnvironment::id)
                                .toList());
                compute.put("status", "UP");
            } catch (RuntimeException e) {
                health.down();
                compute.put("status", "DOWN");
                compute.putAll(problem(e));
            }
            health.withDetail("compute", compute);
        });
        return health.build();
    }

    /** {@return what a failure may say: the library's kind and message, else only the error's type} */
    private static Map<String, Object> problem(RuntimeException e) {
        if (e instanceof BrizoException b) {
            return Map.of("error", b.kind().name(), "message", b.getMessage(), "retryable", b.retryable());
        }
        return Map.of("error", "INTERNAL", "message", e.getClass().getSimpleName());
    }
}
