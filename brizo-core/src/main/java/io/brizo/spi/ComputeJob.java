package io.brizo.spi;

import java.time.Duration;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A job as handed to a {@link ComputeBackend}: authorised, resolved and checked against the
 * publisher's policy.
 *
 * @param jobId the job's identifier, chosen by the library
 * @param owner the consumer's address
 * @param agreementId the agreement under which the job runs
 * @param inputs the input datasets, each with its files
 * @param algorithm what to run
 * @param environmentId where to run it
 * @param maxDuration the hard time limit
 * @param agreementIds the agreement of each input, in input order: {@code agreementId} first
 * @param output what to do with the outputs once the job succeeds (the request's {@code output}
 *     parameter), or null when nothing is to be published; a backend that can keeps it with the
 *     job and returns it in {@link JobEvidence#output()} (both built-in backends do). One that
 *     does not yields no derived asset for the job
 */
public record ComputeJob(
        String jobId,
        String owner,
        String agreementId,
        List<Asset> inputs,
        ComputeAlgorithm algorithm,
        String environmentId,
        Duration maxDuration,
        List<String> agreementIds,
        OutputPublication output) {
    /** Validates the job and copies the inputs. */
    public ComputeJob {
        Objects.requireNonNull(jobId, "jobId");
        Objects.requireNonNull(owner, "owner");
        Objects.requireNonNull(agreementId, "agreementId");
        inputs = List.copyOf(inputs);
        Objects.requireNonNull(algorithm, "algorithm");
        Objects.requireNonNull(environmentId, "environmentId");
        Objects.requireNonNull(maxDuration, "maxDuration");
        agreementIds = List.copyOf(agreementIds);
        if (agreementIds.size() != inputs.size()
                || !agreementIds.isEmpty() && !agreementIds.get(0).equals(agreementId)) {
            throw new IllegalArgumentException("agreementIds must hold one per input, agreementId first");
        }
    }

    /** Creates a job that publishes nothing. */
    public ComputeJob(
            String jobId,
            String owner,
            String agreementId,
            List<Asset> inputs,
            ComputeAlgorithm algorithm,
            String environmentId,
            Duration maxDuration,
            List<String> agreementIds) {
        this(jobId, owner, agreementId, inputs, algorithm, environmentId, maxDuration, agreementIds, null);
    }

    /** {@return what to do with the outputs, if the consumer asked for anything} */
    public Optional<OutputPublication> outputIfAny() {
        return Optional.ofNullable(output);
    }

    /** Creates a job whose every input is under {@code agreementId} and that publishes nothing. */
    public ComputeJob(
            String jobId,
            String owner,
            String agreementId,
            List<Asset> inputs,
            ComputeAlgorithm algorithm,
            String environmentId,
            Duration maxDuration) {
        this(
                jobId,
                owner,
                agreementId,
                inputs,
                algorithm,
                environmentId,
                maxDuration,
                Collections.nCopies(inputs.size(), agreementId));
    }
}
