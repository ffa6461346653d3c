package io.brizo.internal.compute;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.brizo.metrics.MicrometerBinding;
import io.brizo.spi.JobState;
import io.brizo.spi.JobStatus;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;

class ObservedJobStatesTest {
    final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    final ObservedJobStates states = new ObservedJobStates(MicrometerBinding.of(registry));

    static JobStatus job(String id, JobState state) {
        return new JobStatus(id, "0x" + "11".repeat(20), "22".repeat(32), state, null, Instant.EPOCH, null, null, null);
    }

    double entered(JobState state) {
        return registry.get("brizo.compute.jobs")
                .tag("state", state.name().toLowerCase(Locale.ROOT))
                .counter()
                .count();
    }

    @Test
    void eachChangeOfAJobsStateIsCountedOnceHoweverOftenItIsPolled() {
        states.started(job("a", JobState.QUEUED));
        states.seen(job("a", JobState.QUEUED));
        states.seen(job("a", JobState.RUNNING));
        states.seen(job("a", JobState.RUNNING));
        states.seen(job("a", JobState.SUCCEEDED));
        states.seen(job("a", JobState.SUCCEEDED));

        assertEquals(1, entered(JobState.QUEUED));
        assertEquals(1, entered(JobState.RUNNING));
        assertEquals(1, entered(JobState.SUCCEEDED));
        assertEquals(0, states.remembered());
    }

    @Test
    void anEndedJobNeverSeenRunningCountsNothingButItsDeletionCounts() {
        states.seen(job("old", JobState.FAILED));
        states.deleted("old");

        assertEquals(0, entered(JobState.FAILED));
        assertEquals(1, entered(JobState.DELETED));
    }

    @Test
    void theCapacityListingCountsEndingsAndForgetsJobsTheBackendNoLongerHas() {
        states.started(job("a", JobState.QUEUED));
        states.started(job("b", JobState.QUEUED));
        states.started(job("gone", JobState.QUEUED));

        states.seenAll(List.of(job("a", JobState.STOPPED), job("b", JobState.RUNNING)));

        assertEquals(3, entered(JobState.QUEUED));
        assertEquals(1, entered(JobState.STOPPED));
        assertEquals(1, entered(JobState.RUNNING));
        assertEquals(1, states.remembered());
    }

    @Test
    void everyStateHasItsCounterBeforeAnyJobRuns() {
        for (JobState s : JobState.values()) {
            assertEquals(0, entered(s));
        }
    }
}
