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
 * HTTP/2 alike). Later requests on a kept-alive connection fall under the idle timeout.
 */
final class HeaderDeadline implements Connection.Listener, HttpConfiguration.Customizer {
    private static final Logger LOG = LoggerFactory.getLogger(HeaderDeadline.class);

    private final long timeoutMillis;
    private final Scheduler scheduler;
    private final Map<EndPoint, Boolean> waiting = new ConcurrentHashMap<>();

    HeaderDeadline(Duration timeout, Scheduler scheduler) {
        this.timeoutMillis = timeout.toMillis();
        this.scheduler = scheduler;
    }

    @Override
    public void onOpened(Connection connection) {
        EndPoint endPoint = connection.getEndPoint();
        if (endPoint instanceof SslConnection.SslEndPoint || waiting.putIfAbsent(endPoint, Boolean.TRUE) != null) {
            return; // the decrypted side of TLS, or a connection upgraded on the same socket (ALPN)
        }
        scheduler.schedule(() -> expire(endPoint), timeoutMillis, TimeUnit.MILLISECONDS);
    }

    @Override
    public void onClosed(Connection connection) {
        // The deadline task removes the entry; nothing to do here.
    }

    private void expire(EndPoint endPoint) {
        if (waiting.remove(endPoint) != null && endPoint.isOpen()) {
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
        return request;
    }
}
