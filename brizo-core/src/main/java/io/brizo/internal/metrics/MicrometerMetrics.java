package io.brizo.internal.metrics;

import io.brizo.metrics.BrizoMetrics;
import io.brizo.spi.JobState;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@link BrizoMetrics} in a Micrometer registry. Only {@link io.brizo.metrics.MicrometerBinding}
 * creates it, so nothing loads this class (or Micrometer) unless the caller has a registry.
 * Meters that are hit per buffer or per request are looked up once and kept: every tag value is
 * from a small fixed set (route templates, methods, statuses, kinds, states), so the maps stay
 * small.
 */
public final class MicrometerMetrics implements BrizoMetrics {
    static final String REQUESTS = "brizo.http.requests";
    static final String BYTES = "brizo.consume.bytes";
    static final String ACTIVE = "brizo.downloads.active";
    static final String REFUSALS = "brizo.refusals";
    static final String VERIFIER_LATENCY = "brizo.verifier.latency";
    static final String COMPUTE_JOBS = "brizo.compute.jobs";

    private final MeterRegistry registry;
    private final Map<String, Counter> requests = new ConcurrentHashMap<>();
    private final Map<String, Counter> refusals = new ConcurrentHashMap<>();
    private final Map<String, Counter> bytes = new ConcurrentHashMap<>();
    private final Map<String, AtomicLong> active = new ConcurrentHashMap<>();
    private final Map<VerifierOutcome, Timer> verifier = new EnumMap<>(VerifierOutcome.class);
    private final Map<JobState, Counter> jobs = new EnumMap<>(JobState.class);

    /** Records in {@code registry}; the verifier and compute meters are registered at once. */
    public MicrometerMetrics(MeterRegistry registry) {
        this.registry = Objects.requireNonNull(registry, "registry");
        for (VerifierOutcome o : VerifierOutcome.values()) {
            verifier.put(
                    o,
                    Timer.builder(VERIFIER_LATENCY)
                            .description("How long the service agreement verifier took to answer")
                            .tag("outcome", lower(o.name()))
                            .register(registry));
        }
        for (JobState s : JobState.values()) {
            jobs.put(
                    s,
                    Counter.builder(COMPUTE_JOBS)
                            .description("Compute jobs seen entering a state")
                            .tag("state", lower(s.name()))
                            .register(registry));
        }
    }

    @Override
    public void requestAnswered(String route, String method, int status) {
        String status3 = Integer.toString(status);
        requests.computeIfAbsent(route + ' ' + method + ' ' + status3, k -> Counter.builder(REQUESTS)
                        .description("HTTP requests answered, when their status is decided")
                        .tags("route", route, "method", method, "status", status3)
                        .register(registry))
                .increment();
    }

    @Override
    public void requestRefused(String route, String kind) {
        refusals.computeIfAbsent(route + ' ' + kind, k -> Counter.builder(REFUSALS)
                        .description("HTTP requests answered with an error, by the error's kind")
                        .tags("route", route, "kind", kind)
                        .register(registry))
                .increment();
    }

    @Override
    public void downloadStarted(String route) {
        active(route).incrementAndGet();
    }

    @Override
    public void bytesServed(String route, long n) {
        bytes.computeIfAbsent(route, r -> Counter.builder(BYTES)
                        .description("Bytes of downloads written, aborted ones included")
                        .baseUnit("bytes")
                        .tag("route", r)
                        .register(registry))
                .increment(n);
    }

    @Override
    public void downloadEnded(String route) {
        active(route).decrementAndGet();
    }

    private AtomicLong active(String route) {
        // The map holds the number strongly: a gauge only keeps a weak reference to it.
        return active.computeIfAbsent(route, r -> {
            AtomicLong n = new AtomicLong();
            Gauge.builder(ACTIVE, n, AtomicLong::get)
                    .description("Downloads writing their body now")
                    .tag("route", r)
                    .register(registry);
            return n;
        });
    }

    @Override
    public void agreementVerified(VerifierOutcome outcome, Duration latency) {
        verifier.get(outcome).record(latency);
    }

    @Override
    public void computeJobEntered(JobState state) {
        jobs.get(state).increment();
    }

    private static String lower(String name) {
        return name.toLowerCase(Locale.ROOT);
    }

    @Override
    public String toString() {
        return "MicrometerMetrics{" + registry.getClass().getSimpleName() + "}";
    }
}
