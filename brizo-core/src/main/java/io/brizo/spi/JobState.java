package io.brizo.spi;

/** The life of a compute job. Terminal states are SUCCEEDED, FAILED, STOPPED and DELETED. */
public enum JobState {
    /** Accepted, waiting for resources. */
    QUEUED(1),
    /** Fetching inputs and the algorithm. */
    PROVISIONING(2),
    /** The algorithm runs. */
    RUNNING(3),
    /** Collecting and storing outputs. */
    PUBLISHING(5),
    /** The algorithm exited with code 0 and its outputs are available. */
    SUCCEEDED(6),
    /** The algorithm exited non-zero, timed out, or a phase failed. */
    FAILED(6),
    /** Stopped by its owner. */
    STOPPED(7),
    /** Deleted by its owner. */
    DELETED(8);

    private final int brizoStatus;

    JobState(int brizoStatus) {
        this.brizoStatus = brizoStatus;
    }

    /** {@return the numeric status code the original Brizo reported for this state} */
    public int brizoStatus() {
        return brizoStatus;
    }

    /** {@return whether the job has ended} */
    public boolean isTerminal() {
        return this == SUCCEEDED || this == FAILED || this == STOPPED || this == DELETED;
    }
}
