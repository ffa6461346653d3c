package io.brizo.spi;

import java.time.Duration;
import java.util.Objects;

/**
 * A place where jobs run, with its resource limits.
 *
 * @param id a stable identifier
 * @param description a human description
 * @param cpus CPU cores a job may use
 * @param memoryBytes memory a job may use
 * @param gpus GPUs a job may use
 * @param maxDuration the longest a job may run
 */
public record ComputeEnvironment(
        String id, String description, double cpus, long memoryBytes, int gpus, Duration maxDuration) {
    /** Validates the environment. */
    public ComputeEnvironment {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(description, "description");
        Objects.requireNonNull(maxDuration, "maxDuration");
    }
}
