package io.brizo;

import io.brizo.spi.JobStatus;
import io.brizo.spi.OutputFile;
import java.util.List;
import java.util.Objects;

/**
 * A compute job as its owner sees it: its status, and its outputs once it has ended.
 *
 * @param status the job's status
 * @param outputs its outputs in index order; empty while it runs
 */
public record JobReport(JobStatus status, List<OutputFile> outputs) {
    /** Copies the outputs. */
    public JobReport {
        Objects.requireNonNull(status, "status");
        outputs = List.copyOf(outputs);
    }
}
