package io.brizo.examples;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
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
 */
final class HeaderDeadline implements Connection.Listener, HttpConfiguration.Customizer {
    private static final Logger LOG = LoggerFactory.getLogger(HeaderDeadline.class);

    private final long timeoutMillis;
    private final Scheduler scheduler;
    /** Connections waiting for a request's headers, each with the token of its running deadline. */
    private final Map<EndPoint, Object> waiting = new ConcurrentHashMap<>();
    /** HTTP/1 requests being handled per connection: no deadline runs while one is. */
    private final Map<EndPoint, Integer> handling = new ConcurrentHashMap<>();

    HeaderDeadline(Duration timeout, Scheduler scheduler) {
        this.timeoutMillis = timeout.toMillis();
        this.scheduler = scheduler;
    }

    @Override
    public void onOpened(Connection connection) {
        EndPoint endPoint = connection.getEndPoint();
        if (!(endPoint instanceof SslConnection.SslEndPoint)) {
            // (The decrypted side of TLS shares the deadline of the raw connection.)
            arm(endPoint);
        }
    }

    private void arm(EndPoint endPoint) {
        Object token = new Object();
        if (waiting.putIfAbsent(endPoint, token) == null) { // else: armed (ALPN upgrade on the same socket)
            scheduler.schedule(() -> expire(endPoint, token), timeoutMillis, TimeUnit.MILLISECONDS);
        }
    }

    @Override
    public void onClosed(Connection connection) {
        handling.remove(connection.getEndPoint());
        // A deadline still scheduled removes its own entry.
    }

    private void expire(EndPoint endPoint, Object token) {
        // Only the deadline that is still running: one of an earlier request's wait is void.
        if (waiting.remove(endPoint, token) && endPoint.isOpen() && !handling.containsKey(endPoint)) {
            LOG.debug(
                    "closing a connection from {}: no complete request headers within {} ms",
                    endPoint.getRemoteSocketAddress(),
                    timeoutMillis);
            endPoint.close();
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
                    arm(connection);
                }
            });
        }
        return request;
    }
}
