package io.brizo.internal.compute;

import io.brizo.metrics.BrizoMetrics;
import io.brizo.spi.JobState;
import io.brizo.spi.JobStatus;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Turns the job states {@link ComputeService} sees anyway (a start's answer, a poll, a stop, a
 * delete, the listing each start makes to check capacity) into {@link
 * BrizoMetrics#computeJobEntered} calls, one per change; it never asks the backend itself. It
 * remembers the last state of each job that has not ended, so it holds no more entries than the
 * backend has jobs running; an ended job is forgotten, and seeing it again counts nothing. Counts
 * are of what this instance sees: a job started by another replica is counted from when it is
 * first seen, and one started while a capacity listing is in flight may be counted twice.
 */
final class ObservedJobStates {
    private final BrizoMetrics metrics;
    private final Map<String, JobState> running = new ConcurrentHashMap<>();

    ObservedJobStates(BrizoMetrics metrics) {
        this.metrics = metrics;
    }

    /** A job this instance started, in its first state. */
    void started(JobStatus status) {
        if (!status.state().isTerminal()) {
            running.put(status.jobId(), status.state());
        }
        metrics.computeJobEntered(status.state());
    }

    /** A job's state as the backend reported it. */
    void seen(JobStatus status) {
        String id = status.jobId();
        JobState state = status.state();
        if (state.isTerminal()) {
            // Counted once: only the job still remembered as running has just ended.
            if (running.remove(id) != null) {
                metrics.computeJobEntered(state);
            }
        } else {
            JobState before = running.put(id, state);
            if (before != state) {
                metrics.computeJobEntered(state);
            }
        }
    }

    /** Every job of the backend: each is seen, and a remembered job no longer listed is forgotten. */
    void seenAll(List<JobStatus> all) {
        Set<String> listed = new HashSet<>();
        for (JobStatus s : all) {
            listed.add(s.jobId());
            seen(s);
        }
        running.keySet().retainAll(listed);
    }

    /** A job this instance deleted. */
    void deleted(String jobId) {
        running.remove(jobId);
        metrics.computeJobEntered(JobState.DELETED);
    }

    /** {@return how many jobs are remembered as not ended} */
    int remembered() {
        return running.size();
    }
}
