package io.brizo.spi;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * A job's state as its backend reports it.
 *
 * @param jobId the job
 * @param owner the consumer's address
 * @param agreementId the agreement
 * @param state the state
 * @param exitCode the algorithm's exit code, or null if it has not exited
 * @param created when the job was accepted
 * @param started when the algorithm started, or null
 * @param finished when the job ended, or null
 * @param message a human explanation (for example why it failed), or null
 */
public record JobStatus(
        String jobId,
        String owner,
        String agreementId,
        JobState state,
        Integer exitCode,
        Instant created,
        Instant started,
        Instant finished,
        String message) {
    /** Validates the status. */
    public JobStatus {
        Objects.requireNonNull(jobId, "jobId");
        Objects.requireNonNull(owner, "owner");
        Objects.requireNonNull(agreementId, "agreementId");
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(created, "created");
    }

    /** {@return the exit code, if the algorithm exited} */
    public Optional<Integer> exitCodeIfKnown() {
        return Optional.ofNullable(exitCode);
    }
}
