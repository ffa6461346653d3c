package io.brizo.storage.ipfs;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import io.brizo.spi.BrizoException;
import io.brizo.spi.ByteRange;
import io.brizo.spi.ErrorKind;
import io.brizo.spi.Settings;
import io.brizo.spi.StorageDriver;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Gateways that misbehave in ways the real node does not: redirects, server errors, refusals,
 * silence, and a gateway that is not trustless. No real gateway does these on demand, so small
 * hand-written JDK HTTP servers on 127.0.0.1 play them, in front of the real Helia node where
 * content is needed.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class GatewayFailuresTest {
    private IpfsGateway gateway;
    private final byte[] content = CorruptingGatewayTest.bytes(700 * 1024, 21);
    private String cid;

    @BeforeAll
    void start() throws IOException {
        gateway = IpfsGateway.start();
        cid = gateway.add(content, IpfsGateway.Layout.KUBO);
    }

    @AfterAll
    void stop() {
        if (gateway != null) {
            gateway.close();
        }
    }

    @Test
    void aRedirectWithinTheGatewaysOriginIsFollowed() throws Exception {
        int realPort = URI.create(gateway.url()).getPort();
        try (FakeGateway fake = FakeGateway.start(exchange -> {
            String path = exchange.getRequestURI().getRawPath();
            String query = exchange.getRequestURI().getRawQuery();
            if (path.startsWith("/moved/")) {
                proxy(exchange, "http://127.0.0.1:" + realPort + path.substring("/moved".length()) + "?" + query);
            } else {
                redirect(exchange, "/moved" + path + "?" + query);
            }
        })) {
            try (StorageDriver d = driver(fake.url(), Map.of())) {
                assertArrayEquals(content, IpfsStorageDriverTest.readAll(d, "ipfs://" + cid, ByteRange.all()));
            }
        }
    }

    @Test
    void endlessRedirectsWithinTheOriginAreCutOff() throws Exception {
        try (FakeGateway fake = FakeGateway.start(exchange -> redirect(exchange, "/again"))) {
            try (StorageDriver d = driver(fake.url(), Map.of())) {
                BrizoException e = assertFailure(d, ErrorKind.UPSTREAM_FAILED, false);
                assertTrue(e.getMessage().contains("redirected too many times"), e.getMessage());
            }
        }
    }

    @Test
    void aRedirectToAnotherHostIsRefused() throws Exception {
        int realPort = URI.create(gateway.url()).getPort();
        // The same node under another host name: a host the publisher did not configure.
        try (FakeGateway fake = FakeGateway.start(exchange -> redirect(
                exchange,
                "http://localhost:" + realPort + exchange.getRequestURI().getRawPath() + "?"
                        + exchange.getRequestURI().getRawQuery()))) {
            try (StorageDriver d = driver(fake.url(), Map.of())) {
                BrizoException e = assertFailure(d, ErrorKind.UPSTREAM_FAILED, false);
                assertTrue(e.getMessage().contains("redirected to another host"), e.getMessage());
            }
        }
    }

    @Test
    void serverErrorsAreRetryableUpstreamFailures() throws Exception {
        for (int status : new int[] {500, 502, 503, 504, 429}) {
            try (FakeGateway fake = FakeGateway.start(exchange -> answer(exchange, status, "text/plain", "busy"))) {
                try (StorageDriver d = driver(fake.url(), Map.of())) {
                    BrizoException e = assertFailure(d, ErrorKind.UPSTREAM_FAILED, true);
                    assertTrue(e.getMessage().contains("HTTP " + status), e.getMessage());
                }
            }
        }
    }

    @Test
    void aRefusalIsANonRetryableUpstreamFailure() throws Exception {
        try (FakeGateway fake = FakeGateway.start(exchange -> answer(exchange, 403, "text/plain", "no"))) {
            try (StorageDriver d = driver(fake.url(), Map.of())) {
                BrizoException e = assertFailure(d, ErrorKind.UPSTREAM_FAILED, false);
                assertTrue(e.getMessage().contains("refused access"), e.getMessage());
            }
        }
    }

    @Test
    void aGatewayThatAnswersWithFilesInsteadOfRawBlocksFailsVerificationWithAHint() throws Exception {
        try (FakeGateway fake = FakeGateway.start(
                exchange -> answer(exchange, 200, "text/plain", "hello\n"))) { // not a block of anything
            try (StorageDriver d = driver(fake.url(), Map.of())) {
                BrizoException e = assertFailure(d, ErrorKind.UPSTREAM_FAILED, false);
                assertTrue(e.getMessage().startsWith(IpfsErrors.MISMATCH), e.getMessage());
                assertTrue(e.getMessage().contains("trustless gateway"), e.getMessage());
            }
        }
    }

    @Test
    void aGatewayThatNeverAnswersTimesOutAsUnavailable() throws Exception {
        // Connections complete in the kernel's backlog, but nobody ever reads or answers.
        try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            String url = "http://127.0.0.1:" + silent.getLocalPort();
            try (StorageDriver d = driver(url, Map.of("IPFS_TIMEOUT", "300ms"))) {
                BrizoException e = assertFailure(d, ErrorKind.UNAVAILABLE, true);
                assertTrue(e.getMessage().contains("in time"), e.getMessage());
            }
        }
    }

    @Test
    void aGatewayThatIsDownIsUnavailable() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        try (StorageDriver d = driver("http://127.0.0.1:" + port, Map.of("IPFS_TIMEOUT", "2s"))) {
            BrizoException e = assertFailure(d, ErrorKind.UNAVAILABLE, true);
            assertTrue(e.getMessage().contains("could not be reached"), e.getMessage());
        }
    }

    private BrizoException assertFailure(StorageDriver d, ErrorKind kind, boolean retryable) {
        URI uri = URI.create("ipfs://" + cid);
        BrizoException first = null;
        for (org.junit.jupiter.api.function.Executable call :
                java.util.List.<org.junit.jupiter.api.function.Executable>of(
                        () -> d.stat(uri), () -> d.open(uri, ByteRange.all()).close())) {
            BrizoException e = assertThrows(BrizoException.class, call);
            assertEquals(kind, e.kind(), "kind of " + e);
            assertEquals(retryable, e.retryable(), "retryable: " + e);
            IpfsStorageDriverTest.assertNamesNoLocation(e, uri, gateway);
            first = first == null ? e : first;
        }
        return first;
    }

    private static StorageDriver driver(String gatewayUrl, Map<String, String> settings) {
        return new IpfsStorageDriverFactory()
                .create(Settings.builder()
                        .put("IPFS_GATEWAY", gatewayUrl)
                        .putAll(settings)
                        .build())
                .orElseThrow();
    }

    private static void redirect(HttpExchange exchange, String location) throws IOException {
        exchange.getResponseHeaders().set("Location", location);
        exchange.sendResponseHeaders(302, -1);
        exchange.close();
    }

    private static void answer(HttpExchange exchange, int status, String type, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", type);
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    private static void proxy(HttpExchange exchange, String target) throws IOException {
        HttpURLConnection c = (HttpURLConnection) new URL(target).openConnection();
        exchange.getRequestHeaders().forEach((name, values) -> {
            if (name.equalsIgnoreCase("Accept")) {
                c.setRequestProperty(name, values.get(0));
            }
        });
        int status = c.getResponseCode();
        byte[] body;
        try (InputStream in = status < 400 ? c.getInputStream() : c.getErrorStream()) {
            body = in == null ? new byte[0] : in.readAllBytes();
        }
        String type = c.getContentType();
        if (type != null) {
            exchange.getResponseHeaders().set("Content-Type", type);
        }
        exchange.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }

    /** A JDK HTTP server on 127.0.0.1 and a free port, answering every request with one handler. */
    private static final class FakeGateway implements AutoCloseable {
        private final HttpServer server;

        private FakeGateway(HttpServer server) {
            this.server = server;
        }

        static FakeGateway start(HttpHandler handler) throws IOException {
            HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
            server.createContext("/", exchange -> {
                try (exchange) {
                    handler.handle(exchange);
                }
            });
            server.start();
            return new FakeGateway(server);
        }

        String url() {
            return "http://127.0.0.1:" + server.getAddress().getPort();
        }

        @Override
        public void close() {
            server.stop(0);
        }
    }
}
