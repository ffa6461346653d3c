package io.brizo.metrics;

import io.brizo.spi.JobState;
import java.time.Duration;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * Forwards to other metrics and lets a test wait until downloads have ended: a server writes a
 * body's last bytes, then counts them, so a client holding the whole body cannot know by itself
 * that they are counted.
 */
public final class SignallingMetrics implements BrizoMetrics {
    private final BrizoMetrics delegate;
    private final Semaphore downloadsEnded = new Semaphore(0);

    public SignallingMetrics(BrizoMetrics delegate) {
        this.delegate = delegate;
    }

    /** Waits until {@code n} more downloads have ended; fails after 30 seconds. */
    public void awaitDownloadsEnded(int n) throws InterruptedException {
        if (!downloadsEnded.tryAcquire(n, 30, TimeUnit.SECONDS)) {
            throw new AssertionError("fewer than " + n + " downloads ended within 30 s");
        }
    }

    @Override
    public void requestAnswered(String route, String method, int status) {
        delegate.requestAnswered(route, method, status);
    }

    @Override
    public void requestRefused(String route, String kind) {
        delegate.requestRefused(route, kind);
    }

    @Override
    public void downloadStarted(String route) {
        delegate.downloadStarted(route);
    }

    @Override
    public void bytesServed(String route, long bytes) {
        delegate.bytesServed(route, bytes);
    }

    @Override
    public void downloadEnded(String route) {
        delegate.downloadEnded(route);
        downloadsEnded.release();
    }

    @Override
    public void agreementVerified(VerifierOutcome outcome, Duration latency) {
        delegate.agreementVerified(outcome, latency);
    }

    @Override
    public void computeJobEntered(JobState state) {
        delegate.computeJobEntered(state);
    }
}
