package io.brizo.servlet;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.brizo.Brizo;
import io.brizo.http.Routes;
import io.brizo.spi.Settings;
import io.brizo.testkit.TestConsumer;
import jakarta.servlet.http.HttpServlet;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The servlet binding over real HTTP, in a real container started by each runner on 127.0.0.1
 * and a free port: the built-in file driver, the JSON asset catalogue and the development
 * verifier, plus fault-injecting drivers for what no real store does on demand.
 */
abstract class BrizoServletTestBase {
    static final String DID = "did:op:" + "ab".repeat(32);
    static final String AGREEMENT = "12".repeat(32);
    static final ObjectMapper JSON = new ObjectMapper();
    static final int FILE = 0;
    static final int NOTES = 1;
    static final int FAILING = 2;
    static final int LARGE = 3;
    static final long FAILING_SIZE = 1_000_000;
    static final long FAILING_AFTER = 300_000;
    static final long LARGE_SIZE = 1L << 30;

    /** A container started by a test; closing it stops it. */
    interface ServletContainer extends AutoCloseable {
        /** {@return the URI of the context, for example {@code http://127.0.0.1:41234/ctx}} */
        URI contextUri();

        @Override
        void close();
    }

    @TempDir
    Path dir;

    final TestConsumer consumer = TestConsumer.random();
    final HttpClient http = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10))
            .build();
    final List<AutoCloseable> toClose = new ArrayList<>();
    byte[] data;
    Brizo brizo;

    /**
     * Starts a container with {@code servlet} (async supported) mapped to {@code mapping} in the
     * context {@code contextPath} ("" for the root), serving requests with at most {@code threads}
     * threads, with or without async support.
     */
    abstract ServletContainer start(HttpServlet servlet, String contextPath, String mapping, int threads, boolean async)
            throws Exception;

    @BeforeEach
    void setUp() throws IOException {
        Path dataDir = Files.createDirectories(dir.resolve("secret-storage-dir"));
        data = new byte[100_000];
        new Random(7).nextBytes(data);
        Files.write(dataDir.resolve("sample.bin"), data);
        Files.writeString(dataDir.resolve("notes.txt"), "hello\n");
        Path assets = dir.resolve("assets.json");
        Files.writeString(
                assets,
                JSON.writeValueAsString(Map.of(
                        DID,
                        Map.of(
                                "files",
                                List.of(
                                        Map.of(
                                                "url",
                                                dataDir.resolve("sample.bin")
                                                        .toUri()
                                                        .toString(),
                                                "contentType",
                                                "application/octet-stream"),
                                        Map.of(
                                                "url",
                                                dataDir.resolve("notes.txt")
                                                        .toUri()
                                                        .toString()),
                                        Map.of("url", "fail://x/big.bin"),
                                        Map.of("url", "large://x/huge.bin"))))));
        Path grants = dir.resolve("grants.json");
        Files.writeString(
                grants,
                JSON.writeValueAsString(List.of(Map.of(
                        "agreementId", AGREEMENT, "did", DID, "consumer", consumer.address(), "service", "access"))));
        brizo = Brizo.builder()
                .settings(Settings.builder()
                        .put("BRIZO_ASSETS", assets.toString())
                        .put("BRIZO_GRANTS", grants.toString())
                        .put("BRIZO_FILE_ROOTS", dataDir.toString())
                        .put("PROVIDER_KEY", "0x" + "0f".repeat(32))
                        .build())
                .storageDriver(FaultyDrivers.failing("fail", FAILING_SIZE, FAILING_AFTER))
                .storageDriver(FaultyDrivers.large("large", LARGE_SIZE))
                .discover()
                .build();
        toClose.add(brizo);
    }

    @AfterEach
    void tearDown() throws Exception {
        for (AutoCloseable c : toClose) {
            c.close();
        }
    }

    /** {@return the mount point of a servlet at {@code /ctx/brizo/*}} */
    URI mounted() throws Exception {
        return URI.create(mounted("/ctx", "/brizo/*", 8) + "/brizo");
    }

    /** {@return the context URI of a container serving the servlet as given} */
    URI mounted(String contextPath, String mapping, int threads) throws Exception {
        return mounted(contextPath, mapping, threads, true);
    }

    URI mounted(String contextPath, String mapping, int threads, boolean async) throws Exception {
        ServletContainer container = start(new BrizoServlet(brizo), contextPath, mapping, threads, async);
        toClose.add(0, container);
        return container.contextUri();
    }

    URI consumeUri(URI mount, String query) {
        return URI.create(mount + Routes.CONSUME + "?" + query);
    }

    String query(int index) {
        return "serviceAgreementId=" + AGREEMENT + "&consumerAddress=" + consumer.address() + "&signature="
                + consumer.sign(AGREEMENT) + "&index=" + index;
    }

    HttpResponse<byte[]> send(String method, URI uri, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri)
                .timeout(Duration.ofSeconds(20))
                .method(method, HttpRequest.BodyPublishers.noBody());
        for (int i = 0; i < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        HttpResponse<byte[]> r = http.send(b.build(), BodyHandlers.ofByteArray());
        String everything = r.headers().map() + new String(r.body(), StandardCharsets.ISO_8859_1);
        assertFalse(everything.contains("secret-storage-dir"), everything);
        assertFalse(everything.contains("file:"), everything);
        assertFalse(everything.contains("io.brizo"), everything);
        return r;
    }

    static JsonNode error(HttpResponse<byte[]> r, int status, String kind) throws IOException {
        assertEquals(status, r.statusCode(), () -> new String(r.body(), StandardCharsets.UTF_8));
        assertEquals(
                "application/json",
                r.headers().firstValue("Content-Type").orElseThrow().toLowerCase(Locale.ROOT));
        JsonNode body = JSON.readTree(r.body());
        assertEquals(kind, body.get("error").asText());
        assertFalse(body.get("message").asText().isBlank());
        return body;
    }

    static String sha256(byte[] bytes) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }

    @Test
    void wholeFileIsConsumedWithItsExactBytes() throws Exception {
        TestConsumer.Download d = consumer.consume(mounted(), AGREEMENT, FILE, null);
        assertEquals(200, d.status());
        assertEquals(data.length, d.contentLength());
        assertEquals(data.length, d.bytes());
        assertEquals(sha256(data), d.sha256());
    }

    @Test
    void wholeFileComesWithTheDownloadHeaders() throws Exception {
        HttpResponse<byte[]> r = send("GET", consumeUri(mounted(), query(FILE)));
        assertEquals(200, r.statusCode());
        assertArrayEquals(data, r.body());
        assertEquals("100000", r.headers().firstValue("Content-Length").orElseThrow());
        assertEquals("bytes", r.headers().firstValue("Accept-Ranges").orElseThrow());
        assertEquals(
                "application/octet-stream",
                r.headers().firstValue("Content-Type").orElseThrow());
        assertEquals(
                "attachment; filename=\"sample.bin\"",
                r.headers().firstValue("Content-Disposition").orElseThrow());
    }

    @Test
    void singleRangeReturnsPartialContentWithContentRange() throws Exception {
        HttpResponse<byte[]> r = send("GET", consumeUri(mounted(), query(FILE)), "Range", "bytes=1000-1999");
        assertEquals(206, r.statusCode());
        assertEquals(
                "bytes 1000-1999/100000",
                r.headers().firstValue("Content-Range").orElseThrow());
        assertEquals("1000", r.headers().firstValue("Content-Length").orElseThrow());
        assertArrayEquals(java.util.Arrays.copyOfRange(data, 1000, 2000), r.body());
    }

    @Test
    void rangePastTheEndIsNotSatisfiable() throws Exception {
        HttpResponse<byte[]> r = send("GET", consumeUri(mounted(), query(FILE)), "Range", "bytes=100000-");
        error(r, 416, "RANGE_NOT_SATISFIABLE");
        assertEquals("bytes */100000", r.headers().firstValue("Content-Range").orElseThrow());
    }

    @Test
    void headAnswersWithTheHeadersOfGetAndNoBody() throws Exception {
        URI mount = mounted();
        for (String[] range : List.of(new String[0], new String[] {"Range", "bytes=10-19"})) {
            HttpResponse<byte[]> get = send("GET", consumeUri(mount, query(FILE)), range);
            HttpResponse<byte[]> head = send("HEAD", consumeUri(mount, query(FILE)), range);
            assertEquals(get.statusCode(), head.statusCode());
            assertEquals(0, head.body().length);
            for (String name : List.of(
                    "Content-Length", "Content-Type", "Content-Disposition", "Accept-Ranges", "Content-Range")) {
                assertEquals(get.headers().allValues(name), head.headers().allValues(name), name);
            }
        }
    }

    @Test
    void malformedInputIsABadRequestInJson() throws Exception {
        HttpResponse<byte[]> r = send(
                "GET",
                consumeUri(
                        mounted(),
                        "serviceAgreementId=nothex&consumerAddress=" + consumer.address() + "&signature=0x00&index=0"));
        error(r, 400, "INVALID_REQUEST");
    }

    @Test
    void methodNotAllowedIsAnsweredInJsonWithAllow() throws Exception {
        HttpResponse<byte[]> r = send("DELETE", consumeUri(mounted(), query(FILE)));
        error(r, 405, "METHOD_NOT_ALLOWED");
        assertEquals("GET, HEAD", r.headers().firstValue("Allow").orElseThrow());
    }

    @Test
    void mountPointUnderAPrefixDescribesTheService() throws Exception {
        URI context = mounted("/ctx", "/brizo/*", 8);
        for (String path : List.of("brizo/", "brizo")) {
            HttpResponse<byte[]> r = send("GET", URI.create(context + "/" + path));
            assertEquals(200, r.statusCode(), path);
            JsonNode info = JSON.readTree(r.body());
            assertTrue(info.get("endpoints").has("consume"), path);
        }
        // Outside the mount point the API does not answer; a route is not found under another prefix.
        assertEquals(
                404,
                send("GET", URI.create(context + Routes.CONSUME + "?" + query(FILE)))
                        .statusCode());
        error(send("GET", URI.create(context + "/brizo/no/such/route")), 404, "NOT_FOUND");
    }

    @Test
    void servletMappedToEverythingAtTheRootServesTheApi() throws Exception {
        URI root = mounted("", "/*", 8);
        assertEquals(200, send("GET", URI.create(root + "/")).statusCode());
        TestConsumer.Download d = consumer.consume(root, AGREEMENT, NOTES, null);
        assertEquals(200, d.status());
        assertEquals(6, d.bytes());
    }

    @Test
    void servletAsTheDefaultServletServesTheApi() throws Exception {
        URI root = mounted("", "/", 8);
        JsonNode info = JSON.readTree(send("GET", URI.create(root + "/")).body());
        assertTrue(info.get("endpoints").has("consume"));
        TestConsumer.Download d = consumer.consume(root, AGREEMENT, FILE, "bytes=0-99");
        assertEquals(206, d.status());
        assertEquals(100, d.bytes());
    }

    @Test
    void percentEncodedQueryReachesTheApiRaw() throws Exception {
        // %30 is "0": the API decodes the query itself, so the binding must pass it undecoded.
        HttpResponse<byte[]> r = send("GET", consumeUri(mounted(), query(NOTES).replace("&index=1", "&index=%31")));
        assertEquals(200, r.statusCode(), () -> new String(r.body(), StandardCharsets.UTF_8));
        assertEquals("hello\n", new String(r.body(), StandardCharsets.UTF_8));
    }

    @Test
    void pathReachesTheApiRawAsTheJdkServerPassesIt() throws Exception {
        URI mount = mounted();
        // %63 is "c": the API matches routes on the raw path, so an encoded route is not the route.
        URI encoded = URI.create(mount + Routes.CONSUME.replace("/consume", "/%63onsume") + "?" + query(FILE));
        error(send("GET", encoded), 404, "NOT_FOUND");
        assertEquals(200, send("GET", consumeUri(mount, query(FILE))).statusCode());
    }

    @Test
    void storageFailureMidwayAbortsTheConnection() throws Exception {
        assertAbortedMidway(consumeUri(mounted(), query(FAILING)));
    }

    @Test
    void withoutAsyncSupportDownloadsAreWrittenOnTheRequestThreadAndStillAbort() throws Exception {
        URI mount = URI.create(mounted("/ctx", "/brizo/*", 8, false) + "/brizo");
        TestConsumer.Download d = consumer.consume(mount, AGREEMENT, FILE, "bytes=-1000");
        assertEquals(206, d.status());
        assertEquals(sha256(java.util.Arrays.copyOfRange(data, data.length - 1000, data.length)), d.sha256());
        assertAbortedMidway(consumeUri(mount, query(FAILING)));
    }

    /** Asserts that the download at {@code uri} starts, then ends before its Content-Length. */
    static void assertAbortedMidway(URI uri) throws IOException {
        try (Socket socket = new Socket(uri.getHost(), uri.getPort())) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            out.write(("GET " + uri.getRawPath() + "?" + uri.getRawQuery() + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
                    .getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            InputStream in = socket.getInputStream();
            String head = readHead(in);
            assertTrue(head.startsWith("HTTP/1.1 200"), head);
            assertTrue(head.toLowerCase(Locale.ROOT).contains("content-length: " + FAILING_SIZE), head);
            long body = 0;
            byte[] buffer = new byte[64 * 1024];
            try {
                for (int n; (n = in.read(buffer)) >= 0; ) {
                    body += n;
                }
            } catch (SocketTimeoutException e) {
                fail("the connection stayed open after " + body + " bytes instead of being aborted");
            } catch (IOException reset) {
                // An abort may arrive as a reset: as good as an end of stream here.
            }
            assertTrue(body < FAILING_SIZE, "a short body must not look complete: " + body);
        }
    }

    @Test
    void slowReadersDoNotBlockAnotherDownload() throws Exception {
        int threads = 8;
        URI mount = URI.create(mounted("/ctx", "/brizo/*", threads) + "/brizo");
        URI large = consumeUri(mount, query(LARGE));
        List<Socket> stalled = new ArrayList<>();
        try {
            for (int i = 0; i < 20; i++) {
                Socket s = new Socket(large.getHost(), large.getPort());
                stalled.add(s);
                s.setSoTimeout(10_000);
                s.setReceiveBufferSize(16 * 1024);
                s.getOutputStream()
                        .write(("GET " + large.getRawPath() + "?" + large.getRawQuery()
                                        + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
                                .getBytes(StandardCharsets.ISO_8859_1));
                // The download has started; from here on this client reads nothing more.
                assertTrue(readHead(s.getInputStream()).startsWith("HTTP/1.1 200"));
            }
            TestConsumer.Download d = assertTimeoutPreemptively(
                    Duration.ofSeconds(10), () -> consumer.consume(mount, AGREEMENT, FILE, null));
            assertEquals(200, d.status());
            assertEquals(sha256(data), d.sha256());
        } finally {
            for (Socket s : stalled) {
                s.close();
            }
        }
    }

    /** Reads the status line and headers, up to and including the blank line. */
    static String readHead(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int matched = 0;
        byte[] end = "\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1);
        while (matched < end.length) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("connection closed in the response head: " + head);
            }
            head.write(b);
            matched = b == end[matched] ? matched + 1 : (b == end[0] ? 1 : 0);
        }
        return head.toString(StandardCharsets.ISO_8859_1);
    }
}
