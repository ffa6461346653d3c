package io.brizo.examples;

import io.brizo.Brizo;
import io.brizo.http.BrizoHttpApi;
import io.brizo.servlet.BrizoServlet;
import io.brizo.spi.BrizoException;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.Serial;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.eclipse.jetty.alpn.server.ALPNServerConnectionFactory;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.http2.HTTP2Cipher;
import org.eclipse.jetty.http2.server.HTTP2ServerConnectionFactory;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.NetworkConnectionLimit;
import org.eclipse.jetty.server.SecureRequestCustomizer;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.server.handler.CrossOriginHandler;
import org.eclipse.jetty.server.handler.GracefulHandler;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code serve}'s HTTP server: the servlet binding on embedded Jetty 12 at the root, with TLS
 * (HTTP/2 by ALPN, HTTP/1.1 otherwise), an optional plain-HTTP port beside it, CORS, {@code
 * /health}, {@code /ready}, {@code /metrics}, an access log, limits against slow and greedy
 * clients, and a graceful drain on stop.
 */
final class JettyServe {
    private static final Logger LOG = LoggerFactory.getLogger(JettyServe.class);
    /** Headers a browser script may read from an answer of another origin. */
    static final Set<String> EXPOSED_HEADERS = Set.copyOf(BrizoHttpApi.CORS_EXPOSED_HEADERS);

    private static final long READY_CACHE_NANOS = 5_000_000_000L;

    private final Server server;
    private final GracefulHandler graceful;
    private final List<ServerConnector> connectors = new ArrayList<>();
    private final ServeSettings.Config config;

    JettyServe(Brizo brizo, ServeSettings.Config config, PrometheusMeterRegistry registry) {
        this.config = config;
        QueuedThreadPool pool = new QueuedThreadPool(config.threads(), Math.min(8, config.threads()));
        pool.setName("brizo-http");
        server = new Server(pool);
        server.setStopAtShutdown(false); // serve's own shutdown hook stops it, then closes the facade
        server.setStopTimeout(config.drainTimeout().toMillis());
        server.addBean(new NetworkConnectionLimit(config.maxConnections(), server));
        server.setErrorHandler(new JsonErrorHandler());

        HeaderDeadline deadline = new HeaderDeadline(config.headerTimeout(), server.getScheduler());
        HttpConfiguration http = new HttpConfiguration();
        http.setRequestHeaderSize(config.maxHeaderSize());
        http.setSendServerVersion(false);
        http.addCustomizer(deadline);

        if (config.tls() != null) {
            HttpConfiguration https = new HttpConfiguration(http);
            https.addCustomizer(new SecureRequestCustomizer());
            SslContextFactory.Server ssl = new SslContextFactory.Server();
            ssl.setKeyStore(config.tls().keyStore());
            ssl.setKeyStorePassword(config.tls().password());
            ssl.setKeyManagerPassword(config.tls().password());
            ssl.setCipherComparator(HTTP2Cipher.COMPARATOR);
            HttpConnectionFactory h1 = new HttpConnectionFactory(https);
            HTTP2ServerConnectionFactory h2 = new HTTP2ServerConnectionFactory(https);
            ALPNServerConnectionFactory alpn = new ALPNServerConnectionFactory();
            alpn.setDefaultProtocol(h1.getProtocol());
            SslConnectionFactory tls = new SslConnectionFactory(ssl, alpn.getProtocol());
            add(new ServerConnector(server, tls, alpn, h2, h1), config.port(), deadline);
            if (config.httpPort() >= 0) {
                add(new ServerConnector(server, new HttpConnectionFactory(http)), config.httpPort(), deadline);
            }
        } else {
            add(new ServerConnector(server, new HttpConnectionFactory(http)), config.port(), deadline);
        }

        ServletContextHandler context = new ServletContextHandler();
        context.setContextPath("/");
        ServletHolder api = new ServletHolder("brizo", new BrizoServlet(brizo));
        api.setAsyncSupported(true);
        context.addServlet(api, "/");
        context.addServlet(new ServletHolder("health", new Health()), "/health");
        context.addServlet(new ServletHolder("ready", new Ready(brizo, this)), "/ready");
        if (registry != null) {
            context.addServlet(new ServletHolder("metrics", new Metrics(registry)), "/metrics");
        }
        Handler handler = context;
        if (!config.corsOrigins().isEmpty()) {
            CrossOriginHandler cors = new CrossOriginHandler();
            cors.setAllowedOriginPatterns(config.corsOrigins().stream()
                    .map(o -> o.equals("*") ? ".*" : Pattern.quote(o))
                    .collect(Collectors.toSet()));
            cors.setAllowedMethods(Set.of("GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS"));
            cors.setAllowedHeaders(Set.of("Content-Type", "Range", "If-Range", "Authorization"));
            cors.setExposedHeaders(EXPOSED_HEADERS);
            cors.setAllowCredentials(false);
            cors.setPreflightMaxAge(java.time.Duration.ofMinutes(10));
            cors.setHandler(handler);
            handler = cors;
        }
        graceful = new GracefulHandler(handler);
        server.setHandler(graceful);
        server.setRequestLog(new AccessLog());
    }

    private void add(ServerConnector connector, int port, HeaderDeadline deadline) {
        connector.setHost(config.host());
        connector.setPort(port);
        connector.setIdleTimeout(config.idleTimeout().toMillis());
        connector.addEventListener(deadline);
        server.addConnector(connector);
        connectors.add(connector);
    }

    void start() throws Exception {
        server.start();
    }

    /** {@return the URIs listened on, the main one first} */
    List<URI> uris() {
        List<URI> uris = new ArrayList<>();
        for (int i = 0; i < connectors.size(); i++) {
            String scheme = i == 0 && config.tls() != null ? "https" : "http";
            String host = config.host().contains(":") ? "[" + config.host() + "]" : config.host();
            uris.add(URI.create(scheme + "://" + host + ":" + connectors.get(i).getLocalPort()));
        }
        return uris;
    }

    boolean draining() {
        return graceful.isShutdown();
    }

    /** Stops accepting, waits up to the drain timeout for requests in flight, then closes. */
    void stop() throws Exception {
        server.stop();
    }

    private static void json(HttpServletResponse response, int status, String body) throws IOException {
        response.setStatus(status);
        response.setContentType("application/json");
        response.setHeader("Cache-Control", "no-store");
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        response.setContentLength(bytes.length);
        response.getOutputStream().write(bytes);
    }

    /** {@code GET /health}: the process is up and serving HTTP. */
    private static final class Health extends HttpServlet {
        @Serial
        private static final long serialVersionUID = 1L;

        @Override
        protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
            json(response, 200, "{\"status\":\"up\"}");
        }
    }

    /**
     * {@code GET /ready}: the facade is built (its storage drivers and verifier exist), the
     * verifier can reach what it needs (a chain node: one cheap call, never about an agreement)
     * and the server is not draining. The answer is remembered for a few seconds, so probes
     * never load the node.
     */
    private static final class Ready extends HttpServlet {
        @Serial
        private static final long serialVersionUID = 1L;

        private final transient Brizo brizo;
        private final transient JettyServe server;
        private transient volatile String lastProblem; // null when ready
        private transient volatile long checkedAt;
        private transient volatile boolean checked;

        Ready(Brizo brizo, JettyServe server) {
            this.brizo = brizo;
            this.server = server;
        }

        @Override
        protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
            if (server.draining()) {
                json(response, 503, "{\"status\":\"draining\"}");
                return;
            }
            long now = System.nanoTime();
            if (!checked || now - checkedAt > READY_CACHE_NANOS) {
                lastProblem = problem();
                checkedAt = now;
                checked = true;
            }
            String problem = lastProblem;
            if (problem == null) {
                json(response, 200, "{\"status\":\"ready\"}");
            } else {
                json(response, 503, "{\"status\":\"not ready\",\"reason\":\"" + problem + "\"}");
            }
        }

        /** {@return why the server cannot serve now, in fixed words (no detail of the node), or null} */
        private String problem() {
            if (brizo.storageDriverNames().isEmpty() || brizo.verifierName() == null) {
                return "the storage drivers or the agreement verifier are missing";
            }
            try {
                brizo.checkVerifierAvailable();
                return null;
            } catch (BrizoException e) {
                LOG.warn("not ready: the agreement verifier cannot answer ({})", e.kind());
                return "the agreement verifier cannot answer";
            }
        }
    }

    /** {@code GET /metrics}: the registry in the Prometheus text format. */
    private static final class Metrics extends HttpServlet {
        @Serial
        private static final long serialVersionUID = 1L;

        private final transient PrometheusMeterRegistry registry;

        Metrics(PrometheusMeterRegistry registry) {
            this.registry = registry;
        }

        @Override
        protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
            response.setStatus(200);
            response.setContentType("text/plain; version=0.0.4; charset=utf-8");
            response.setHeader("Cache-Control", "no-store");
            byte[] bytes = registry.scrape().getBytes(StandardCharsets.UTF_8);
            response.setContentLength(bytes.length);
            response.getOutputStream().write(bytes);
        }
    }
}
