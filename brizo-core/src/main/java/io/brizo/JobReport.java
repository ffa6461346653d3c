package io.brizo;

import io.brizo.spi.JobStatus;
import io.brizo.spi.OutputFile;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A compute job as its owner sees it: its status, and its outputs once it has ended.
 *
 * @param status the job's status
 * @param outputs its outputs in index order; empty while it runs
 * @param resultsDid the DID of the asset made of its outputs (its derived asset), once it exists;
 *     null otherwise
 */
public record JobReport(JobStatus status, List<OutputFile> outputs, String resultsDid) {
    /** Copies the outputs. */
    public JobReport {
        Objects.requireNonNull(status, "status");
        outputs = List.copyOf(outputs);
    }

    /** Creates the report of a job without a derived asset. */
    public JobReport(JobStatus status, List<OutputFile> outputs) {
        this(status, outputs, null);
    }

    /** {@return the derived asset's DID, if it exists} */
    public Optional<String> resultsDidIfAny() {
        return Optional.ofNullable(resultsDid);
    }
}
