package io.brizo.metrics;

import io.brizo.spi.JobState;
import java.time.Duration;

/**
 * What Brizo records about its work, free of any metrics library: the facade and the HTTP API call
 * it, and an implementation forwards to a metrics system. {@link MicrometerBinding#of} gives one
 * for a Micrometer {@code MeterRegistry}; {@link #none()}, the default, records nothing.
 *
 * <p>Every method is a no-op by default, so an implementation overrides what it needs and keeps
 * compiling when methods are added. Implementations must be thread-safe, cheap and must not
 * throw: they run on the request path, some once per written buffer. Every argument is of low
 * cardinality: a route is a template such as {@code /api/v1/brizo/services/consume}, never the
 * requested path (transfer and upload links carry their token in it), and no method is given an
 * address, a DID, a job id, a token or a storage location.
 */
public interface BrizoMetrics {
    /** {@return metrics that record nothing: the default} */
    static BrizoMetrics none() {
        return NoMetrics.INSTANCE;
    }

    /**
     * An HTTP request was answered with {@code status}; for a download, when its headers are
     * decided, before the body is written.
     *
     * @param route the route template, or {@code UNKNOWN} for a path that matches none
     * @param method the request method, or {@code OTHER} for a method HTTP does not define
     */
    default void requestAnswered(String route, String method, int status) {}

    /**
     * An HTTP request was answered with an error; {@code kind} is the {@code error} field of the
     * JSON body: an {@link io.brizo.spi.ErrorKind} name or one of the protocol's own
     * ({@code METHOD_NOT_ALLOWED}, {@code PAYLOAD_TOO_LARGE}, {@code URI_TOO_LONG},
     * {@code HEADERS_TOO_LARGE}).
     */
    default void requestRefused(String route, String kind) {}

    /** A download on {@code route} began writing its body. */
    default void downloadStarted(String route) {}

    /** {@code bytes} more of a download's body were written, whether or not it completes. */
    default void bytesServed(String route, long bytes) {}

    /** A download on {@code route} ended, complete or aborted; one per {@link #downloadStarted}. */
    default void downloadEnded(String route) {}

    /** The agreement verifier answered with {@code outcome} after {@code latency}. */
    default void agreementVerified(VerifierOutcome outcome, Duration latency) {}

    /** A compute job was seen entering {@code state}: when started, stopped or deleted, or polled. */
    default void computeJobEntered(JobState state) {}

    /** How the agreement verifier answered. */
    enum VerifierOutcome {
        /** The agreement grants access. */
        GRANTED,
        /** No agreement grants access, or the verifier refused the claim. */
        DENIED,
        /** The verifier could not answer (it failed, or its chain or store is unreachable). */
        UNAVAILABLE
    }
}
