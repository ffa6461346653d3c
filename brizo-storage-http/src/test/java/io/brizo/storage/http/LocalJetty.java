package io.brizo.storage.http;

import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.handler.ResourceHandler;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.resource.ResourceFactory;

/**
 * A real Jetty 12 server for the HTTP driver's tests, listening on loopback addresses only
 * (one connector per address, each on a free port) and stopped by {@link #close()}.
 */
final class LocalJetty implements AutoCloseable {
    private final Server server;
    private final List<ServerConnector> connectors;
    private final List<String> hosts;
    private final Queue<String> log;

    private LocalJetty(Server server, List<ServerConnector> connectors, List<String> hosts, Queue<String> log) {
        this.server = server;
        this.connectors = connectors;
        this.hosts = hosts;
        this.log = log;
    }

    /** Starts a server with {@code handler} on port 0 of each of {@code hosts} (loopback addresses). */
    static LocalJetty start(Handler handler, String... hosts) throws Exception {
        Server server = new Server();
        List<ServerConnector> connectors = new ArrayList<>();
        for (String host : hosts) {
            if (!host.startsWith("127.")) {
                throw new IllegalArgumentException("tests listen on 127.0.0.0/8 only");
            }
            ServerConnector c = new ServerConnector(server);
            c.setHost(host);
            c.setPort(0);
            server.addConnector(c);
            connectors.add(c);
        }
        server.setHandler(handler);
        Queue<String> log = new ConcurrentLinkedQueue<>();
        server.setRequestLog((request, response) -> {
            // Jetty logs a request after its response is complete, so a client may see the
            // answer before the log does: awaitLogged waits for this notification.
            synchronized (log) {
                log.add(request.getMethod() + " " + Request.getPathInContext(request) + " " + response.getStatus());
                log.notifyAll();
            }
        });
        server.start();
        return new LocalJetty(server, connectors, List.of(hosts), log);
    }

    /** {@return a handler that serves the files of {@code dir}, with Range support} */
    static ResourceHandler files(Path dir) {
        ResourceHandler files = new ResourceHandler();
        files.setBaseResource(ResourceFactory.root().newResource(dir));
        files.setDirAllowed(false);
        return files;
    }

    /** {@return the port of the {@code index}th host} */
    int port(int index) {
        return connectors.get(index).getLocalPort();
    }

    /** {@return {@code http://host:port} + {@code path} for the {@code index}th host} */
    URI uri(int index, String path) {
        return URI.create("http://" + hosts.get(index) + ":" + port(index) + path);
    }

    /** {@return the requests answered so far, as "METHOD path status", oldest first} */
    List<String> requests() {
        return List.copyOf(log);
    }

    /**
     * Waits until at least {@code count} logged requests match {@code entry} (a "METHOD path
     * status" line, or a prefix of one ending in a space), or five seconds pass.
     *
     * @return the number of matching requests logged
     */
    long awaitLogged(String entry, int count) throws InterruptedException {
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(5);
        synchronized (log) {
            while (true) {
                long matching = log.stream()
                        .filter(r -> entry.endsWith(" ") ? r.startsWith(entry) : r.equals(entry))
                        .count();
                long left = deadline - System.nanoTime();
                if (matching >= count || left <= 0) {
                    return matching;
                }
                java.util.concurrent.TimeUnit.NANOSECONDS.timedWait(log, left);
            }
        }
    }

    /** {@return whether a request matching {@code entry} is logged within five seconds} */
    boolean awaitLogged(String entry) throws InterruptedException {
        return awaitLogged(entry, 1) >= 1;
    }

    @Override
    public void close() throws Exception {
        server.stop();
    }

    /**
     * Refuses requests under {@code prefix} with 401 unless they carry {@code expected} as their
     * {@code Authorization} header; passes everything else on.
     */
    static final class BasicAuthGate extends Handler.Wrapper {
        private final String prefix;
        private final String expected;

        BasicAuthGate(String prefix, String expectedAuthorization, Handler next) {
            super(next);
            this.prefix = prefix;
            this.expected = expectedAuthorization;
        }

        @Override
        public boolean handle(Request request, Response response, Callback callback) throws Exception {
            if (Request.getPathInContext(request).startsWith(prefix)
                    && !expected.equals(request.getHeaders().get(HttpHeader.AUTHORIZATION))) {
                response.getHeaders().put(HttpHeader.WWW_AUTHENTICATE, "Basic realm=\"test\"");
                Response.writeError(request, response, callback, 401);
                return true;
            }
            return super.handle(request, response, callback);
        }
    }
}
