package io.brizo.examples;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.io.ssl.SslConnection;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.util.thread.Scheduler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Closes a new connection whose first request has not arrived whole (TLS handshake and headers)
 * within a deadline, however slowly it keeps sending: Jetty's idle timeout alone restarts with
 * every byte, so a client trickling one header byte every few seconds (slowloris) would hold its
 * connection for ever. Registered on each connector as a {@link Connection.Listener}, which starts
 * the clock when the network connection opens, and as a request {@link
 * HttpConfiguration.Customizer}, which stops it when a request's headers are complete (HTTP/1 and
 * HTTP/2 alike). On HTTP/1 the clock starts again when an answer is complete, so every later
 * request on a kept-alive connection has the same deadline (a kept-alive connection left idle is
 * closed after it too); HTTP/2 streams are multiplexed and fall under the idle timeout.
 *
 * <p>Deadlines are times in a map, checked by one sweep a tenth of the timeout apart (between 50 ms
 * and 1 s), not a scheduled task per request: at ten thousand requests a second, a task each would
 * keep a hundred thousand of them queued.
 */
final class HeaderDeadline implements Connection.Listener, HttpConfiguration.Customizer {
    private static final Logger LOG = LoggerFactory.getLogger(HeaderDeadline.class);

    private final long timeoutNanos;
    private final long sweepMillis;
    private final Scheduler scheduler;
    private final AtomicBoolean sweeping = new AtomicBoolean();
    /** Connections waiting for a request's headers, each with its deadline ({@link System#nanoTime}). */
    private final Map<EndPoint, Long> waiting = new ConcurrentHashMap<>();
    /** HTTP/1 requests being handled per connection: no deadline runs while one is. */
    private final Map<EndPoint, Integer> handling = new ConcurrentHashMap<>();

    HeaderDeadline(Duration timeout, Scheduler scheduler) {
        this.timeoutNanos = timeout.toNanos();
        this.sweepMillis = Math.max(50, Math.min(1000, timeout.toMillis() / 10));
        this.scheduler = scheduler;
    }

    @Override
    public void onOpened(Connection connection) {
        EndPoint endPoint = connection.getEndPoint();
        if (!(endPoint instanceof SslConnection.SslEndPoint)) {
            // (The decrypted side of TLS shares the deadline of the raw connection; a connection
            // upgraded on the same socket by ALPN keeps the deadline it has.)
            waiting.putIfAbsent(endPoint, System.nanoTime() + timeoutNanos);
            startSweeping();
        }
    }

    @Override
    public void onClosed(Connection connection) {
        EndPoint endPoint = connection.getEndPoint();
        waiting.remove(endPoint);
        handling.remove(endPoint);
    }

    private void startSweeping() {
        // Started by the first connection: the scheduler runs only once the server has started.
        if (sweeping.compareAndSet(false, true)) {
            scheduler.schedule(this::sweep, sweepMillis, TimeUnit.MILLISECONDS);
        }
    }

    private void sweep() {
        try {
            long now = System.nanoTime();
            for (Map.Entry<EndPoint, Long> e : waiting.entrySet()) {
                EndPoint endPoint = e.getKey();
                if (!endPoint.isOpen()) {
                    waiting.remove(endPoint, e.getValue());
                } else if (now - e.getValue() >= 0
                        && !handling.containsKey(endPoint)
                        && waiting.remove(endPoint, e.getValue())) {
                    LOG.debug(
                            "closing a connection from {}: no complete request headers within {} ms",
                            endPoint.getRemoteSocketAddress(),
                            timeoutNanos / 1_000_000);
                    endPoint.close();
                }
            }
        } finally {
            scheduler.schedule(this::sweep, sweepMillis, TimeUnit.MILLISECONDS);
        }
    }

    @Override
    public Request customize(Request request, HttpFields.Mutable responseHeaders) {
        EndPoint endPoint = request.getConnectionMetaData().getConnection().getEndPoint();
        while (endPoint instanceof SslConnection.SslEndPoint ssl) {
            endPoint = ssl.getSslConnection().getEndPoint();
        }
        waiting.remove(endPoint);
        if (request.getConnectionMetaData().getHttpVersion().getVersion() < 20) {
            EndPoint connection = endPoint;
            handling.merge(connection, 1, Integer::sum);
            Request.addCompletionListener(request, failure -> {
                // Counted, not flagged: a listener may run after the next request on the
                // connection has started, and must not start its deadline then.
                if (handling.computeIfPresent(connection, (e, n) -> n > 1 ? n - 1 : null) == null
                        && failure == null
                        && connection.isOpen()) {
                    waiting.put(connection, System.nanoTime() + timeoutNanos);
                }
            });
        }
        return request;
    }
}
