package io.brizo.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.brizo.http.Routes;
import io.brizo.testkit.OpenApiConformance;
import io.brizo.testkit.PublisherFiles;
import io.brizo.testkit.RawHttp;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.web3j.crypto.ECKeyPair;
import org.web3j.crypto.Keys;

/** {@code serve} over plain HTTP in a child JVM: the API at the root and what Jetty adds around it. */
class ServeTest {
    private static final String AGREEMENT = "5e".repeat(32);
    private static final String DID = "did:op:" + "c7".repeat(32);
    private static final String CONTENT = "one,two\n1,2\n";
    private static final String ORIGIN = "https://app.example";

    @TempDir
    static Path work;

    private static ServeProcess serve;
    private static ECKeyPair consumerKey;
    private static final HttpClient CLIENT =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @BeforeAll
    static void startServe() throws Exception {
        Path storage = Files.createDirectories(work.resolve("storage"));
        Path data = Files.writeString(storage.resolve("data.csv"), CONTENT);
        consumerKey = Keys.createEcKeyPair();
        Path assets = PublisherFiles.writeAsset(work.resolve("assets.json"), DID, data.toUri(), "text/csv");
        Path grants = PublisherFiles.writeAccessGrant(
                work.resolve("grants.json"), AGREEMENT, DID, SignCommand.address(consumerKey));
        serve = ServeProcess.start(
                Map.of(
                        "BRIZO_ASSETS",
                        assets.toString(),
                        "BRIZO_GRANTS",
                        grants.toString(),
                        "BRIZO_FILE_ROOTS",
                        storage.toString(),
                        "BRIZO_METRICS",
                        "true",
                        "BRIZO_CORS_ORIGINS",
                        ORIGIN + ",http://localhost:3000",
                        "BRIZO_HEADER_TIMEOUT",
                        "1s"),
                work);
    }

    @AfterAll
    static void stopServe() {
        if (serve != null) {
            serve.close();
        }
    }

    /** Routes of serve's own, outside the API and its OpenAPI document. */
    private static final List<String> SERVE_ROUTES = List.of("/health", "/ready", "/metrics");

    private static HttpResponse<String> get(String path, String... headers) throws Exception {
        HttpRequest.Builder request =
                HttpRequest.newBuilder(URI.create(serve.uri() + path)).timeout(Duration.ofSeconds(10));
        if (headers.length > 0) {
            request.headers(headers);
        }
        HttpResponse<String> response = CLIENT.send(request.build(), HttpResponse.BodyHandlers.ofString());
        // The API's answers, with what Jetty adds around them (CORS), are held to its document.
        return SERVE_ROUTES.contains(path)
                ? response
                : OpenApiConformance.forApiAt(serve.uri()).check(response);
    }

    private static String consumePath() {
        return Routes.CONSUME + "?serviceAgreementId=" + AGREEMENT + "&consumerAddress="
                + SignCommand.address(consumerKey) + "&signature=" + SignCommand.sign(consumerKey, AGREEMENT)
                + "&index=0";
    }

    @Test
    void readyLineNamesTheRealPortAndOldClientPathsWorkAtTheRoot() throws Exception {
        assertTrue(serve.uri().getPort() > 0, serve.uri().toString());
        HttpResponse<String> response = get(consumePath());
        assertEquals(200, response.statusCode(), response.body());
        assertEquals(CONTENT, response.body());
        assertEquals(
                "Brizo for Java",
                new com.fasterxml.jackson.databind.ObjectMapper()
                        .readTree(get("/").body())
                        .get("software")
                        .asText());
    }

    /** {@return the whole answer to {@code request}, sent as raw bytes on a fresh connection} */
    private static String raw(String request) throws Exception {
        try (Socket socket = new Socket(serve.uri().getHost(), serve.uri().getPort())) {
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
            socket.getOutputStream().flush();
            return new String(socket.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
        }
    }

    @Test
    void malformedAndOverLongRequestsGetJsonErrorsWithoutJavaNames() throws Exception {
        Map<String, String> cases = new java.util.LinkedHashMap<>();
        cases.put("GARBAGE\r\n\r\n", "400");
        cases.put("GET /%zz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", "400");
        cases.put(
                "POST " + Routes.COMPUTE + " HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\nConnection: close\r\n\r\n",
                "400");
        cases.put("GET /?" + "q".repeat(20_000) + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", "414");
        cases.put("GET / HTTP/1.1\r\nHost: x\r\nX-Pad: " + "p".repeat(20_000) + "\r\nConnection: close\r\n\r\n", "431");
        for (Map.Entry<String, String> c : cases.entrySet()) {
            String answer = raw(c.getKey());
            String what = c.getKey().substring(0, Math.min(40, c.getKey().length()));
            assertTrue(answer.startsWith("HTTP/1.1 " + c.getValue()), what + " -> " + answer);
            String body = answer.substring(answer.indexOf("\r\n\r\n") + 4);
            assertTrue(
                    answer.toLowerCase(java.util.Locale.ROOT).contains("content-type: application/json"),
                    what + " -> " + answer);
            assertTrue(body.startsWith("{\"error\":"), what + " -> " + body);
            for (String leak : List.of("Exception", "java.", "org.eclipse", "jetty", "<html")) {
                assertFalse(answer.contains(leak), what + " -> " + answer);
            }
        }
    }

    @Test
    void healthAndReadyAnswerOutsideTheApi() throws Exception {
        HttpResponse<String> health = get("/health");
        assertEquals(200, health.statusCode());
        assertEquals("{\"status\":\"up\"}", health.body());
        HttpResponse<String> ready = get("/ready");
        assertEquals(200, ready.statusCode());
        assertEquals("{\"status\":\"ready\"}", ready.body());
    }

    @Test
    void metricsAreServedInThePrometheusTextFormat() throws Exception {
        assertEquals(200, get(consumePath()).statusCode());
        HttpResponse<String> metrics = get("/metrics");
        assertEquals(200, metrics.statusCode());
        assertTrue(
                metrics.headers().firstValue("Content-Type").orElse("").startsWith("text/plain"),
                metrics.headers().toString());
        assertTrue(metrics.body().contains("# TYPE brizo_http_requests_total counter"), metrics.body());
        assertTrue(metrics.body().contains("brizo_consume_bytes_total"), metrics.body());
    }

    @Test
    void corsPreflightIsAnsweredForAConfiguredOriginAndAnswersExposeTheDownloadHeaders() throws Exception {
        HttpResponse<String> preflight = CLIENT.send(
                HttpRequest.newBuilder(URI.create(serve.uri() + Routes.CONSUME))
                        .method("OPTIONS", HttpRequest.BodyPublishers.noBody())
                        .header("Origin", ORIGIN)
                        .header("Access-Control-Request-Method", "GET")
                        .header("Access-Control-Request-Headers", "range")
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, preflight.statusCode());
        assertEquals(
                ORIGIN,
                preflight.headers().firstValue("Access-Control-Allow-Origin").orElse(null));
        assertTrue(preflight
                .headers()
                .firstValue("Access-Control-Allow-Methods")
                .orElse("")
                .contains("GET"));
        assertTrue(preflight
                .headers()
                .firstValue("Access-Control-Allow-Headers")
                .orElse("")
                .toLowerCase()
                .contains("range"));

        HttpResponse<String> download = get(consumePath(), "Origin", ORIGIN, "Range", "bytes=0-2");
        assertEquals(206, download.statusCode());
        assertEquals(
                ORIGIN,
                download.headers().firstValue("Access-Control-Allow-Origin").orElse(null));
        String exposed =
                download.headers().firstValue("Access-Control-Expose-Headers").orElse("");
        for (String header : JettyServe.EXPOSED_HEADERS) {
            assertTrue(exposed.contains(header), "exposes " + header + ": " + exposed);
        }

        HttpResponse<String> stranger = get("/health", "Origin", "https://evil.example");
        assertFalse(stranger.headers().firstValue("Access-Control-Allow-Origin").isPresent());
    }

    @Test
    void accessLogNamesEachRequestWithoutSignatureTokenOrIdentifiers() throws Exception {
        String signature = SignCommand.sign(consumerKey, AGREEMENT);
        assertEquals(200, get(consumePath()).statusCode());
        String token = "Zq9capabilityTOKEN";
        assertEquals(404, get(Routes.COMPUTE_TRANSFER + "/" + token).statusCode());
        String uploadLine = "PUT " + Routes.COMPUTE_UPLOAD + "/{token}?name 404";
        assertEquals(
                404,
                CLIENT.send(
                                HttpRequest.newBuilder(URI.create(
                                                serve.uri() + Routes.COMPUTE_UPLOAD + "/" + token + "?name=a"))
                                        .PUT(HttpRequest.BodyPublishers.ofString("x"))
                                        .build(),
                                HttpResponse.BodyHandlers.ofString())
                        .statusCode());
        // Jetty logs a request once its answer is complete, so the lines may trail the answers.
        serve.await(() -> serve.stderr().contains(uploadLine), Duration.ofSeconds(10), "access log line");

        String log = serve.stderr();
        assertTrue(
                log.contains("INFO brizo.access - GET " + Routes.CONSUME
                        + "?serviceAgreementId&consumerAddress&signature&index 200 " + CONTENT.length() + " "),
                log);
        assertTrue(log.contains("GET " + Routes.COMPUTE_TRANSFER + "/{token} 404"), log);
        assertTrue(log.matches("(?s).*brizo\\.access - GET /health 200 \\d+ \\d+ms 127\\.0\\.0\\.1.*"), log);
        assertFalse(log.contains(signature.substring(2, 20)), "the signature is in the log:\n" + log);
        assertFalse(log.contains(token), "the link token is in the log:\n" + log);
        for (String line : log.lines().filter(l -> l.contains("brizo.access")).toList()) {
            assertFalse(line.contains(AGREEMENT), line);
            assertFalse(
                    line.toLowerCase().contains(SignCommand.address(consumerKey).toLowerCase()), line);
        }
    }

    @Test
    void aClientTricklingItsHeadersIsCutOffAtTheHeaderDeadline() throws Exception {
        try (Socket socket = connect()) {
            double seconds = trickleUntilClosed(socket);
            assertTrue(seconds < 5, "closed after " + seconds + " s; the header deadline is 1 s");
        }
        assertEquals(200, get("/health").statusCode(), "an honest client is still served");
    }

    @Test
    void aKeptAliveClientTricklingItsNextRequestIsCutOffAtTheHeaderDeadline() throws Exception {
        try (Socket socket = connect()) {
            assertTrue(askHealth(socket).startsWith("HTTP/1.1 200"));
            double seconds = trickleUntilClosed(socket);
            assertTrue(seconds < 5, "closed after " + seconds + " s; the header deadline is 1 s");
        }
    }

    @Test
    void aKeptAliveClientAskingAgainAndAgainIsNotCutOffByAnEarlierRequestsDeadline() throws Exception {
        try (Socket socket = connect()) {
            // 3 s of requests 300 ms apart on one connection, each well within the 1 s deadline.
            for (int i = 0; i < 10; i++) {
                String answer = askHealth(socket);
                assertTrue(answer.startsWith("HTTP/1.1 200"), "request " + i + ": " + answer);
                Thread.sleep(300);
            }
        }
    }

    private static Socket connect() throws IOException {
        Socket socket = new Socket();
        socket.connect(new InetSocketAddress(serve.uri().getHost(), serve.uri().getPort()), 5000);
        socket.setSoTimeout(5000);
        return socket;
    }

    /** {@return the head of the answer to {@code GET /health} on this connection, its body read} */
    private static String askHealth(Socket socket) throws IOException {
        socket.getOutputStream().write("GET /health HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        socket.getOutputStream().flush();
        String head = RawHttp.readHead(socket.getInputStream());
        java.util.regex.Matcher length =
                java.util.regex.Pattern.compile("(?i)content-length: *(\\d+)").matcher(head);
        socket.getInputStream().readNBytes(length.find() ? Integer.parseInt(length.group(1)) : 0);
        return head;
    }

    /**
     * Starts a request and sends one more header line whenever 200 ms pass without an answer, far
     * more often than the 30 s idle timeout, never completing the headers.
     *
     * @return the seconds until the server closed the connection
     */
    private static double trickleUntilClosed(Socket socket) throws IOException {
        long started = System.nanoTime();
        socket.setSoTimeout(200);
        OutputStream out = socket.getOutputStream();
        InputStream in = socket.getInputStream();
        boolean closed = false;
        try {
            out.write("GET /health HTTP/1.1\r\nHost: x\r\n".getBytes(StandardCharsets.US_ASCII));
            for (int i = 0; i < 50 && !closed; i++) {
                try {
                    closed = in.read() < 0;
                } catch (SocketTimeoutException e) {
                    out.write(("X-Trickle-" + i + ": y\r\n").getBytes(StandardCharsets.US_ASCII));
                    out.flush();
                }
            }
        } catch (IOException resetOrWriteIntoAClosedConnection) {
            closed = true;
        }
        double seconds = (System.nanoTime() - started) / 1e9;
        assertTrue(closed, "the server kept a trickling connection open for " + seconds + " s");
        return seconds;
    }
}
