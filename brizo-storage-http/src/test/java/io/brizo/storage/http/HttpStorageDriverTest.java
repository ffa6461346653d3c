package io.brizo.storage.http;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.brizo.spi.BrizoException;
import io.brizo.spi.ByteRange;
import io.brizo.spi.ErrorKind;
import io.brizo.spi.SettingKey;
import io.brizo.spi.Settings;
import io.brizo.spi.StorageDriver;
import io.brizo.spi.StorageObject;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.util.Callback;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the HTTP driver does beyond the contract: the SSRF guards, redirects, upstream failures
 * and misbehaving servers. One real Jetty server listens on 127.0.0.1 and on 127.0.0.2 (another
 * loopback address, which Linux answers without configuration) and serves a directory plus
 * scripted paths. No test sends traffic anywhere but 127.0.0.0/8.
 */
class HttpStorageDriverTest {
    private static final String REFUSED = "the storage location resolves to an address the publisher does not allow";
    private static final String CREDENTIALS = "the storage server refused access; check the publisher's credentials";
    private static final String USER = "publisher";
    private static final String PASSWORD = "right-secret";
    private static final byte[] CONTENT = new byte[1000];

    @TempDir
    static Path docs;

    private static LocalJetty jetty;
    private static ScriptedHandler scripts;

    @BeforeAll
    static void start() throws Exception {
        new Random(42).nextBytes(CONTENT);
        Files.write(docs.resolve("data.bin"), CONTENT);
        Files.createDirectories(docs.resolve("protected"));
        Files.write(docs.resolve("protected/data.bin"), CONTENT);
        String authorization =
                "Basic " + Base64.getEncoder().encodeToString((USER + ":" + PASSWORD).getBytes(StandardCharsets.UTF_8));
        scripts =
                new ScriptedHandler(new LocalJetty.BasicAuthGate("/protected/", authorization, LocalJetty.files(docs)));
        jetty = LocalJetty.start(scripts, "127.0.0.1", "127.0.0.2");
        String second = "http://127.0.0.2:" + jetty.port(1);
        scripts.on("/scripted/to-second-address", ScriptedHandler.redirect(second + "/data.bin"))
                .on("/scripted/to-second-protected", ScriptedHandler.redirect(second + "/protected/data.bin"))
                .on("/scripted/to-same-server", ScriptedHandler.redirect("/data.bin"))
                .on("/scripted/to-same-protected", ScriptedHandler.redirect("/protected/data.bin"))
                .on("/scripted/to-metadata", ScriptedHandler.redirect("http://169.254.169.254/latest/meta-data/"))
                .on("/scripted/to-file-scheme", ScriptedHandler.redirect("file:///etc/passwd"))
                .on("/scripted/loop", ScriptedHandler.redirect("/scripted/loop"))
                .on("/scripted/ignores-range", (request, response, callback) -> {
                    ScriptedHandler.send(request, response, callback, CONTENT);
                    return true;
                })
                .on("/scripted/wrong-range", (request, response, callback) -> {
                    response.setStatus(206);
                    response.getHeaders().put(HttpHeader.CONTENT_RANGE, "bytes 0-9/" + CONTENT.length);
                    ScriptedHandler.send(request, response, callback, Arrays.copyOf(CONTENT, 10));
                    return true;
                })
                .on("/scripted/no-head", (request, response, callback) -> {
                    if (request.getMethod().equals("HEAD")) {
                        response.setStatus(405);
                        callback.succeeded();
                    } else if ("bytes=0-0".equals(request.getHeaders().get(HttpHeader.RANGE))) {
                        response.setStatus(206);
                        response.getHeaders().put(HttpHeader.CONTENT_RANGE, "bytes 0-0/" + CONTENT.length);
                        ScriptedHandler.send(request, response, callback, Arrays.copyOf(CONTENT, 1));
                    } else {
                        ScriptedHandler.send(request, response, callback, CONTENT);
                    }
                    return true;
                })
                .on("/scripted/gzip", (request, response, callback) -> {
                    response.getHeaders().put(HttpHeader.CONTENT_ENCODING, "gzip");
                    ScriptedHandler.send(request, response, callback, new byte[20]);
                    return true;
                })
                .on("/scripted/no-length", (request, response, callback) -> {
                    // Two writes without a Content-Length: Jetty sends the body chunked.
                    response.write(
                            false,
                            ByteBuffer.wrap(Arrays.copyOf(CONTENT, 500)),
                            Callback.from(
                                    () -> response.write(
                                            true, ByteBuffer.wrap(Arrays.copyOfRange(CONTENT, 500, 1000)), callback),
                                    callback::failed));
                    return true;
                })
                // Never answers: the callback is not completed until the server stops.
                .on("/scripted/hang", (request, response, callback) -> true);
        for (int code : new int[] {400, 401, 403, 404, 410, 429, 500, 502, 503}) {
            scripts.on("/scripted/status/" + code, ScriptedHandler.status(code));
        }
    }

    @AfterAll
    static void stop() throws Exception {
        if (jetty != null) {
            jetty.close();
        }
    }

    private static StorageDriver driver(Map<String, String> settings) {
        return new HttpStorageDriverFactory()
                .create(Settings.builder().putAll(settings).build())
                .orElseThrow();
    }

    private static StorageDriver localDriver() {
        return driver(Map.of(HttpStorageDriverFactory.ALLOWED_NETWORKS, "127.0.0.1/32"));
    }

    // -- factory

    @Test
    void factoryNeedsNoSettingsAndIsAskedAfterSpecificDrivers() {
        HttpStorageDriverFactory factory = new HttpStorageDriverFactory();
        assertEquals("http", factory.name());
        assertEquals(-100, factory.priority());
        try (StorageDriver driver = factory.create(Settings.empty()).orElseThrow()) {
            assertEquals("http", driver.name());
            assertTrue(driver.supports(URI.create("http://example.com/a")));
            assertTrue(driver.supports(URI.create("HTTPS://example.com/a")));
            assertFalse(driver.supports(URI.create("ftp://example.com/a")));
            assertFalse(driver.supports(URI.create("file:///a")));
        }
        assertEquals(
                List.of(
                        "BRIZO_HTTP_ALLOWED_NETWORKS",
                        "BRIZO_HTTP_MAX_REDIRECTS",
                        "BRIZO_HTTP_CONNECT_TIMEOUT",
                        "BRIZO_HTTP_READ_TIMEOUT"),
                factory.settingKeys().stream().map(SettingKey::name).toList());
    }

    @Test
    void malformedSettingsFailNamingTheKey() {
        Map<String, String> bad = Map.of(
                HttpStorageDriverFactory.ALLOWED_NETWORKS, "localhost",
                HttpStorageDriverFactory.MAX_REDIRECTS, "100",
                HttpStorageDriverFactory.CONNECT_TIMEOUT, "0s",
                HttpStorageDriverFactory.READ_TIMEOUT, "soon");
        bad.forEach((key, value) -> {
            BrizoException e = assertThrows(BrizoException.class, () -> driver(Map.of(key, value)), key);
            assertEquals(ErrorKind.CONFIGURATION, e.kind());
            assertTrue(e.getMessage().contains(key), e.getMessage());
        });
    }

    @Test
    void locationThatIsNotAnHttpUrlIsAConfigurationErrorThatDoesNotRepeatIt() {
        try (StorageDriver driver = localDriver()) {
            URI ftp = URI.create("ftp://storage.internal/secret-file.bin");
            BrizoException e = assertThrows(BrizoException.class, () -> driver.stat(ftp));
            assertEquals(ErrorKind.CONFIGURATION, e.kind());
            assertRevealsNothing(e, ftp);
        }
    }

    // -- SSRF

    @Test
    void loopbackServerIsRefusedWithoutTheAllowList() {
        try (StorageDriver driver = driver(Map.of())) {
            for (URI uri : List.of(
                    jetty.uri(0, "/data.bin"),
                    URI.create("http://[::ffff:127.0.0.1]:" + jetty.port(0) + "/data.bin"),
                    URI.create("http://[::1]:" + jetty.port(0) + "/data.bin"))) {
                assertRefused(driver, uri);
            }
        }
    }

    @Test
    void hostNameThatResolvesToLoopbackIsRefusedWithoutTheAllowList() {
        try (StorageDriver driver = driver(Map.of())) {
            assertRefused(driver, URI.create("http://localhost:" + jetty.port(0) + "/data.bin"));
        }
    }

    @Test
    void cloudMetadataAddressIsRefusedBeforeAnyConnectionIsAttempted() {
        // With a 2 s connect timeout, an attempted connection would end in a timeout or "network
        // unreachable", both UNAVAILABLE; only the check before connect() gives this refusal,
        // and at once. (brizo-core's GuardedSocketFactoryTest shows the socket is never bound.)
        try (StorageDriver driver = driver(Map.of(HttpStorageDriverFactory.CONNECT_TIMEOUT, "2s"))) {
            for (URI uri : List.of(
                    URI.create("http://169.254.169.254/latest/meta-data/iam/security-credentials/"),
                    URI.create("https://169.254.169.254/latest/meta-data/"),
                    URI.create("http://[fd00:ec2::254]/latest/meta-data/"),
                    URI.create("http://[::ffff:169.254.169.254]/latest/meta-data/"),
                    // 169.254.169.254 as one decimal number: Java reads it as an address literal
                    URI.create("http://2852039166/latest/meta-data/"))) {
                long start = System.nanoTime();
                assertRefused(driver, uri);
                Duration took = Duration.ofNanos(System.nanoTime() - start);
                assertTrue(took.compareTo(Duration.ofSeconds(2)) < 0, uri + " took " + took);
            }
        }
    }

    @Test
    void allowListAdmitsTheLoopbackServer() throws Exception {
        try (StorageDriver driver = localDriver()) {
            assertEquals(CONTENT.length, driver.stat(jetty.uri(0, "/data.bin")).size());
            // the second loopback address is not in 127.0.0.1/32
            assertRefused(driver, jetty.uri(1, "/data.bin"));
        }
    }

    @Test
    void redirectToAnAddressOutsideTheAllowListIsRefused() throws Exception {
        URI uri = jetty.uri(0, "/scripted/to-second-address");
        try (StorageDriver driver = localDriver()) {
            assertRefused(driver, uri);
        }
        // The same redirect succeeds once the target is allowed: the refusal was the policy's.
        try (StorageDriver wider = driver(Map.of(HttpStorageDriverFactory.ALLOWED_NETWORKS, "127.0.0.0/8"))) {
            assertArrayEquals(CONTENT, readAll(wider, uri, ByteRange.all()));
        }
    }

    @Test
    void redirectToTheCloudMetadataAddressIsRefused() {
        try (StorageDriver driver = localDriver()) {
            assertRefused(driver, jetty.uri(0, "/scripted/to-metadata"));
        }
    }

    // -- redirects

    @Test
    void redirectWithinTheServerIsFollowedKeepingTheRange() throws Exception {
        try (StorageDriver driver = localDriver()) {
            URI uri = jetty.uri(0, "/scripted/to-same-server");
            assertEquals(CONTENT.length, driver.stat(uri).size());
            assertArrayEquals(Arrays.copyOfRange(CONTENT, 100, 200), readAll(driver, uri, ByteRange.of(100, 199)));
        }
    }

    @Test
    void redirectsStopAtTheConfiguredLimit() throws Exception {
        try (StorageDriver driver = localDriver()) {
            BrizoException e = assertThrows(BrizoException.class, () -> driver.stat(jetty.uri(0, "/scripted/loop")));
            assertUpstreamFailed(e, false);
            assertTrue(e.getMessage().contains("BRIZO_HTTP_MAX_REDIRECTS"), e.getMessage());
        }
        try (StorageDriver none = driver(Map.of(
                HttpStorageDriverFactory.ALLOWED_NETWORKS, "127.0.0.1/32",
                HttpStorageDriverFactory.MAX_REDIRECTS, "0"))) {
            assertUpstreamFailed(
                    assertThrows(BrizoException.class, () -> none.stat(jetty.uri(0, "/scripted/to-same-server"))),
                    false);
        }
        jetty.awaitLogged("HEAD /scripted/loop ", 6);
        long loops = jetty.requests().stream()
                .filter(r -> r.startsWith("HEAD /scripted/loop "))
                .count();
        assertEquals(6, loops, "the first request and 5 redirects: " + jetty.requests());
    }

    @Test
    void redirectToANonHttpSchemeIsRefused() {
        try (StorageDriver driver = localDriver()) {
            URI uri = jetty.uri(0, "/scripted/to-file-scheme");
            BrizoException e = assertThrows(BrizoException.class, () -> driver.open(uri, ByteRange.all()));
            assertUpstreamFailed(e, false);
            assertFalse(e.getMessage().contains("/etc/passwd"), e.getMessage());
            assertRevealsNothing(e, uri);
        }
    }

    @Test
    void credentialsInTheUrlAreSentToTheSameOriginOnly() throws Exception {
        String userInfo = USER + ":" + PASSWORD + "@";
        try (StorageDriver driver = driver(Map.of(HttpStorageDriverFactory.ALLOWED_NETWORKS, "127.0.0.0/8"))) {
            URI direct = URI.create("http://" + userInfo + "127.0.0.1:" + jetty.port(0) + "/protected/data.bin");
            assertArrayEquals(CONTENT, readAll(driver, direct, ByteRange.all()));
            URI sameOrigin =
                    URI.create("http://" + userInfo + "127.0.0.1:" + jetty.port(0) + "/scripted/to-same-protected");
            assertArrayEquals(CONTENT, readAll(driver, sameOrigin, ByteRange.all()));
            URI otherOrigin =
                    URI.create("http://" + userInfo + "127.0.0.1:" + jetty.port(0) + "/scripted/to-second-protected");
            BrizoException e = assertThrows(BrizoException.class, () -> driver.stat(otherOrigin));
            assertEquals(CREDENTIALS, e.getMessage());
            assertRevealsNothing(e, otherOrigin);
        }
    }

    // -- upstream failures

    @Test
    void upstreamServerErrorsAreRetryableUpstreamFailures() {
        try (StorageDriver driver = localDriver()) {
            for (int code : new int[] {500, 502, 503, 429}) {
                URI uri = jetty.uri(0, "/scripted/status/" + code);
                for (Executable call : calls(driver, uri)) {
                    BrizoException e = assertThrows(BrizoException.class, call, uri.toString());
                    assertUpstreamFailed(e, true);
                    assertRevealsNothing(e, uri);
                }
            }
        }
    }

    @Test
    void refusedAccessIsAnUpstreamFailureThatAsksToCheckTheCredentials() {
        try (StorageDriver driver = localDriver()) {
            for (int code : new int[] {401, 403}) {
                URI uri = jetty.uri(0, "/scripted/status/" + code);
                for (Executable call : calls(driver, uri)) {
                    BrizoException e = assertThrows(BrizoException.class, call);
                    assertUpstreamFailed(e, false);
                    assertEquals(CREDENTIALS, e.getMessage());
                }
            }
        }
    }

    @Test
    void notFoundAndGoneAreNotFound() {
        try (StorageDriver driver = localDriver()) {
            for (int code : new int[] {404, 410}) {
                URI uri = jetty.uri(0, "/scripted/status/" + code);
                for (Executable call : calls(driver, uri)) {
                    BrizoException e = assertThrows(BrizoException.class, call);
                    assertEquals(ErrorKind.NOT_FOUND, e.kind());
                    assertRevealsNothing(e, uri);
                }
            }
        }
    }

    @Test
    void otherClientErrorsAreUpstreamFailuresThatAreNotRetried() {
        try (StorageDriver driver = localDriver()) {
            URI uri = jetty.uri(0, "/scripted/status/400");
            for (Executable call : calls(driver, uri)) {
                assertUpstreamFailed(assertThrows(BrizoException.class, call), false);
            }
        }
    }

    @Test
    void unreachableServerIsRetryableUnavailable() throws Exception {
        int closedPort;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            closedPort = s.getLocalPort();
        }
        URI uri = URI.create("http://127.0.0.1:" + closedPort + "/data.bin");
        try (StorageDriver driver = localDriver()) {
            BrizoException e = assertThrows(BrizoException.class, () -> driver.stat(uri));
            assertEquals(ErrorKind.UNAVAILABLE, e.kind(), e.toString());
            assertTrue(e.retryable());
            assertRevealsNothing(e, uri);
            assertFalse(e.getMessage().contains(Integer.toString(closedPort)), e.getMessage());
        }
    }

    @Test
    void serverThatDoesNotAnswerInTimeIsRetryableUnavailable() {
        try (StorageDriver driver = driver(Map.of(
                HttpStorageDriverFactory.ALLOWED_NETWORKS, "127.0.0.1/32",
                HttpStorageDriverFactory.READ_TIMEOUT, "300ms"))) {
            URI uri = jetty.uri(0, "/scripted/hang");
            BrizoException e = assertThrows(BrizoException.class, () -> driver.open(uri, ByteRange.all()));
            assertEquals(ErrorKind.UNAVAILABLE, e.kind(), e.toString());
            assertTrue(e.retryable());
            assertRevealsNothing(e, uri);
        }
    }

    // -- misbehaving servers

    @Test
    void upstreamSendingFewerBytesThanItsContentLengthMakesTheStreamFail() throws Exception {
        try (LyingHttpServer liar = new LyingHttpServer(1000, 100);
                StorageDriver driver = localDriver()) {
            URI uri = liar.uri("/truncated.bin");
            assertEquals(1000, driver.stat(uri).size());
            for (ByteRange range : List.of(ByteRange.all(), ByteRange.of(0, 499), ByteRange.of(50, 999))) {
                try (StorageObject o = driver.open(uri, range)) {
                    InputStream stream = o.stream();
                    assertThrows(IOException.class, stream::readAllBytes, "range " + range);
                }
            }
            // Skipping past the end of a short body to reach the range fails at open.
            BrizoException e = assertThrows(BrizoException.class, () -> driver.open(uri, ByteRange.of(500, 999)));
            assertUpstreamFailed(e, true);
        }
    }

    @Test
    void serverThatIgnoresRangeStillYieldsTheRequestedSlice() throws Exception {
        URI uri = jetty.uri(0, "/scripted/ignores-range");
        try (StorageDriver driver = localDriver()) {
            Map<ByteRange, byte[]> expected = Map.of(
                    ByteRange.of(0, 9), Arrays.copyOfRange(CONTENT, 0, 10),
                    ByteRange.of(100, 199), Arrays.copyOfRange(CONTENT, 100, 200),
                    ByteRange.suffix(10), Arrays.copyOfRange(CONTENT, 990, 1000),
                    ByteRange.from(995), Arrays.copyOfRange(CONTENT, 995, 1000),
                    ByteRange.of(990, 5000), Arrays.copyOfRange(CONTENT, 990, 1000),
                    ByteRange.all(), CONTENT);
            for (Map.Entry<ByteRange, byte[]> e : expected.entrySet()) {
                try (StorageObject o = driver.open(uri, e.getKey())) {
                    assertEquals(e.getKey().resolve(CONTENT.length), o.slice());
                    assertArrayEquals(e.getValue(), o.stream().readAllBytes(), "range " + e.getKey());
                }
            }
            BrizoException e = assertThrows(BrizoException.class, () -> driver.open(uri, ByteRange.from(1000)));
            assertEquals(ErrorKind.RANGE_NOT_SATISFIABLE, e.kind());
        }
        assertTrue(
                jetty.awaitLogged("GET /scripted/ignores-range 200"),
                jetty.requests().toString());
    }

    @Test
    void partialContentForOtherBytesThanAskedIsAnUpstreamFailure() {
        try (StorageDriver driver = localDriver()) {
            URI uri = jetty.uri(0, "/scripted/wrong-range");
            BrizoException e = assertThrows(BrizoException.class, () -> driver.open(uri, ByteRange.of(100, 199)));
            assertUpstreamFailed(e, false);
            assertRevealsNothing(e, uri);
        }
    }

    @Test
    void statFallsBackToARangedGetWhenHeadIsRefused() throws Exception {
        try (StorageDriver driver = localDriver()) {
            assertEquals(
                    CONTENT.length,
                    driver.stat(jetty.uri(0, "/scripted/no-head")).size());
        }
        assertTrue(
                jetty.awaitLogged("HEAD /scripted/no-head 405"),
                jetty.requests().toString());
        assertTrue(
                jetty.awaitLogged("GET /scripted/no-head 206"), jetty.requests().toString());
    }

    @Test
    void encodedContentIsRefusedBecauseItsLengthIsNotTheObjects() {
        try (StorageDriver driver = localDriver()) {
            URI uri = jetty.uri(0, "/scripted/gzip");
            for (Executable call : calls(driver, uri)) {
                assertUpstreamFailed(assertThrows(BrizoException.class, call), false);
            }
        }
    }

    @Test
    void bodyWithoutALengthIsRefusedBecauseTheSizeIsUnknown() {
        try (StorageDriver driver = localDriver()) {
            URI uri = jetty.uri(0, "/scripted/no-length");
            BrizoException e = assertThrows(BrizoException.class, () -> driver.open(uri, ByteRange.all()));
            assertUpstreamFailed(e, false);
            assertTrue(e.getMessage().contains("size"), e.getMessage());
        }
    }

    // -- helpers

    private static List<Executable> calls(StorageDriver driver, URI uri) {
        return List.of(
                () -> driver.stat(uri),
                () -> driver.open(uri, ByteRange.all()).close(),
                () -> driver.open(uri, ByteRange.of(0, 9)).close());
    }

    private static byte[] readAll(StorageDriver driver, URI uri, ByteRange range) throws IOException {
        try (StorageObject o = driver.open(uri, range)) {
            return o.stream().readAllBytes();
        }
    }

    private static void assertRefused(StorageDriver driver, URI uri) {
        for (Executable call : calls(driver, uri)) {
            BrizoException e = assertThrows(BrizoException.class, call, uri.toString());
            assertEquals(REFUSED, e.getMessage(), uri + ": " + e);
            assertUpstreamFailed(e, false);
            assertRevealsNothing(e, uri);
        }
    }

    private static void assertUpstreamFailed(BrizoException e, boolean retryable) {
        assertEquals(ErrorKind.UPSTREAM_FAILED, e.kind(), e.toString());
        assertEquals(retryable, e.retryable(), "retryable: " + e);
    }

    /** Neither the message nor any cause's message may show the URL, its host, port or path. */
    private static void assertRevealsNothing(BrizoException e, URI uri) {
        List<String> secrets = new java.util.ArrayList<>(List.of(uri.toString(), uri.getHost(), uri.getPath()));
        if (uri.getPort() > 0) {
            secrets.add(":" + uri.getPort());
        }
        secrets.add("127.0.0.");
        secrets.add("169.254");
        for (Throwable t = e; t != null; t = t.getCause()) {
            String message = String.valueOf(t.getMessage());
            for (String s : secrets) {
                assertFalse(s != null && !s.isEmpty() && message.contains(s), "'" + message + "' reveals '" + s + "'");
            }
        }
    }
}
