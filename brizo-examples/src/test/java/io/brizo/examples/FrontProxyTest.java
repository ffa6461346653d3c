package io.brizo.examples;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.brizo.http.Routes;
import io.brizo.testkit.PublisherFiles;
import io.brizo.testkit.TestConsumer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.extension.TestWatcher;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real nginx ({@code /usr/sbin/nginx}, from {@code test-servers/nginx}) in front of a real
 * {@code serve} JVM, both on 127.0.0.1, with the shipped {@code deploy/nginx/brizo.conf} itself:
 * the test only replaces the values on its {@code # CHANGE} lines (ports, key, directory), so a
 * change to the shipped file is tested here.
 *
 * <p>It proves the hand-over of {@code BRIZO_ACCEL_REDIRECT} end to end: an authorised download of
 * a local file below the mapped directory is sent by nginx (serve's access log shows that it wrote
 * no byte of it), byte for byte, with Brizo's headers, its ranges and conditional requests answered
 * as Brizo answers them; whatever Brizo refuses or does not hand over (strangers, unsatisfiable
 * ranges, HEAD, files outside the mapped directory) is Brizo's own answer through nginx; a client
 * can neither reach the internal location nor forge the key; and {@code serve} refuses to start
 * with the redirect but no key.
 */
class FrontProxyTest {
    private static final String AGREEMENT = "a5".repeat(32);
    private static final String DID = "did:op:" + "4c".repeat(32);
    private static final String CONTENT_TYPE = "application/x-brizo-test";
    private static final String ORIGIN = "https://dapp.example";
    private static final Path NGINX = Path.of("/usr/sbin/nginx");
    private static final Path SHIPPED_CONF = Path.of("..", "deploy", "nginx", "brizo.conf");
    /** A space and a non-ASCII letter: the internal URI is percent-encoded and nginx must decode it. */
    private static final String MAPPED_NAME = "ocean sample \u00e9.bin";

    private static final String KEY = HexFormat.of().formatHex(random(24));
    private static final byte[] MAPPED_DATA = random(3 * 1024 * 1024 + 17);
    private static final byte[] UNMAPPED_DATA = random(1024 * 1024 + 5);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final AtomicLong PROBES = new AtomicLong();
    private static final TestConsumer consumer = TestConsumer.random();
    private static final TestConsumer stranger = TestConsumer.random();
    private static final HttpClient CLIENT = HttpClient.newBuilder()
            .connectTimeout(Duration.ofSeconds(5))
            .version(HttpClient.Version.HTTP_1_1)
            .build();

    @TempDir
    static Path work;

    /** serve's settings: everything it needs, so that a start failure can only be the one made. */
    private static final Map<String, String> settings = new HashMap<>();

    private static ServeProcess serve;
    private static Process nginx;
    private static Path nginxDir;
    private static URI front;

    /** nginx's error log and serve's stderr explain most failures here; printed with them. */
    @RegisterExtension
    static final TestWatcher LOGS = new TestWatcher() {
        @Override
        public void testFailed(ExtensionContext context, Throwable cause) {
            System.err.println("nginx's error log:\n" + nginxLog());
            if (serve != null) {
                System.err.println("serve's stderr:\n" + ServeProcess.tail(serve.stderr()));
            }
        }
    };

    @BeforeAll
    static void startServeBehindNginx() throws Exception {
        assertTrue(Files.isExecutable(NGINX), "no " + NGINX + ": run test-servers/nginx/install.sh (apt nginx)");
        Path mapped = Files.createDirectories(work.resolve("data"));
        Path unmapped = Files.createDirectories(work.resolve("elsewhere"));
        Path inside = Files.write(mapped.resolve(MAPPED_NAME), MAPPED_DATA);
        Path outside = Files.write(unmapped.resolve("outside.bin"), UNMAPPED_DATA);
        Path assets = Files.writeString(
                work.resolve("assets.json"),
                "{\"" + DID + "\": {\"files\": [{\"url\": \"" + inside.toUri() + "\", \"contentType\": \""
                        + CONTENT_TYPE + "\"}, {\"url\": \"" + outside.toUri() + "\", \"contentType\": \""
                        + CONTENT_TYPE + "\"}]}}");
        Path grants = PublisherFiles.writeAccessGrant(work.resolve("grants.json"), AGREEMENT, DID, consumer.address());
        settings.put("BRIZO_ASSETS", assets.toString());
        settings.put("BRIZO_GRANTS", grants.toString());
        settings.put("BRIZO_FILE_ROOTS", mapped + ":" + unmapped);
        settings.put("BRIZO_ACCEL_REDIRECT", mapped + "=/_brizo/files/");
        settings.put("BRIZO_ACCEL_REDIRECT_KEY", KEY);
        settings.put("BRIZO_CORS_ORIGINS", ORIGIN);
        serve = ServeProcess.start(settings, work);
        startNginx(mapped);
    }

    /** nginx in the foreground with a minimal main configuration that includes the shipped file. */
    private static void startNginx(Path mapped) throws Exception {
        nginxDir = Files.createDirectories(work.resolve("nginx"));
        // A free port, released for nginx to bind (nginx cannot take over a socket): a moment in
        // which another process could take it, which at worst fails the start, loudly.
        int port;
        try (ServerSocket free = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = free.getLocalPort();
        }
        front = URI.create("http://127.0.0.1:" + port);
        Files.writeString(nginxDir.resolve("brizo.conf"), brizoConf(serve.uri(), port, KEY, mapped));
        StringBuilder main = new StringBuilder();
        // As root, nginx's workers would run as nobody, who can read nothing under the test's
        // folder (and SandboxHttpTest wants nobody to have no processes at all).
        if (((Number) Files.getAttribute(Path.of("/proc/self"), "unix:uid")).intValue() == 0) {
            main.append("user root;\n");
        }
        String dir = nginxDir.toString();
        main.append("daemon off;\n")
                .append("worker_processes 1;\n")
                .append("pid \"" + dir + "/nginx.pid\";\n")
                .append("error_log \"" + dir + "/error.log\" notice;\n")
                .append("events { worker_connections 256; }\n")
                .append("http {\n")
                .append("    access_log off;\n");
        for (String temp : List.of("client_body", "proxy", "fastcgi", "uwsgi", "scgi")) {
            main.append("    " + temp + "_temp_path \"" + dir + "/" + temp + "_temp\";\n");
        }
        main.append("    include \"" + dir + "/brizo.conf\";\n").append("}\n");
        Files.writeString(nginxDir.resolve("nginx.conf"), main.toString());
        nginx = new ProcessBuilder(
                        NGINX.toString(),
                        "-p",
                        dir + "/",
                        "-e",
                        dir + "/error.log",
                        "-c",
                        nginxDir.resolve("nginx.conf").toString())
                .redirectErrorStream(true)
                .redirectOutput(nginxDir.resolve("stdout.log").toFile())
                .start();
        long end = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (true) {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 200);
                return;
            } catch (IOException notYet) {
                if (!nginx.isAlive() || System.nanoTime() > end) {
                    throw new AssertionError("nginx did not listen on " + front + " ("
                            + (nginx.isAlive() ? "runs" : "exited with " + nginx.exitValue()) + "); its log:\n"
                            + nginxLog() + Files.readString(nginxDir.resolve("stdout.log")));
                }
                nginx.waitFor(20, TimeUnit.MILLISECONDS);
            }
        }
    }

    /**
     * {@return the shipped configuration with the value of each {@code # CHANGE} line replaced, and
     * nothing else} Fails if the shipped file no longer has exactly these four lines.
     */
    private static String brizoConf(URI upstream, int listen, String key, Path alias) throws IOException {
        String shipped = Files.readString(SHIPPED_CONF, StandardCharsets.UTF_8);
        // Each pattern keeps what precedes the value (group 1) and replaces the value.
        List<Map.Entry<Pattern, String>> changes = List.of(
                Map.entry(Pattern.compile("^(\\s*server\\s+)\\S+;"), upstream.getAuthority() + ";"),
                Map.entry(Pattern.compile("^(\\s*listen\\s+)\\S+;"), "127.0.0.1:" + listen + ";"),
                Map.entry(
                        Pattern.compile("^(\\s*proxy_set_header\\s+X-Brizo-Accel-Key\\s+)\"[^\"]*\";"),
                        "\"" + key + "\";"),
                Map.entry(Pattern.compile("^(\\s*alias\\s+)\\S+;"), "\"" + alias + "/\";"));
        int[] applied = new int[changes.size()];
        StringBuilder out = new StringBuilder();
        for (String line : shipped.split("\n", -1)) {
            if (line.contains("# CHANGE")) {
                int before = Arrays.stream(applied).sum();
                for (int i = 0; i < changes.size(); i++) {
                    Matcher m = changes.get(i).getKey().matcher(line);
                    if (m.find()) {
                        String value = changes.get(i).getValue();
                        line = m.replaceFirst(r -> Matcher.quoteReplacement(r.group(1) + value));
                        applied[i]++;
                    }
                }
                assertEquals(before + 1, Arrays.stream(applied).sum(), "an unknown CHANGE line: " + line);
            }
            out.append(line).append('\n');
        }
        assertArrayEquals(new int[] {1, 1, 1, 1}, applied, "each CHANGE value of " + SHIPPED_CONF + " once");
        return out.toString();
    }

    @AfterAll
    static void stop() throws InterruptedException {
        try {
            if (nginx != null) {
                nginx.destroy(); // SIGTERM: fast shutdown of master and workers
                if (!nginx.waitFor(10, TimeUnit.SECONDS)) {
                    // SIGKILL of the master alone would leave its workers behind.
                    nginx.descendants().forEach(ProcessHandle::destroyForcibly);
                    nginx.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                }
            }
        } finally {
            if (serve != null) {
                serve.close();
            }
        }
    }

    private static String nginxLog() {
        try {
            return nginxDir == null
                    ? "(not started)"
                    : ServeProcess.tail(Files.readString(nginxDir.resolve("error.log"), StandardCharsets.UTF_8));
        } catch (IOException e) {
            return "(unreadable: " + e + ")";
        }
    }

    private static byte[] random(int size) {
        byte[] bytes = new byte[size];
        new SecureRandom().nextBytes(bytes);
        return bytes;
    }

    /**
     * {@return a signed consume request} Its last parameter, which Brizo ignores, has a name of its
     * own, by which {@link #brizoAnswered} finds the request in serve's access log (which keeps only
     * parameter names).
     */
    private static String consumePath(TestConsumer who, int index) {
        return Routes.CONSUME + "?serviceAgreementId=" + AGREEMENT + "&consumerAddress=" + who.address()
                + "&signature=" + who.sign(AGREEMENT) + "&index=" + index + "&probe" + PROBES.incrementAndGet()
                + "=1";
    }

    /** {@return "METHOD STATUS BYTES": what serve logged for the request of {@code r}} */
    private static String brizoAnswered(HttpResponse<?> r) {
        Matcher probe =
                Pattern.compile("&(probe\\d+)=").matcher(r.request().uri().getRawQuery());
        assertTrue(probe.find(), r.request().uri()::toString);
        Pattern line = Pattern.compile("brizo\\.access - (\\S+) \\S+&" + probe.group(1) + " (\\d+ \\d+) ");
        // Jetty logs a request once its answer is complete, so the line may trail the answer.
        serve.await(() -> line.matcher(serve.stderr()).find(), Duration.ofSeconds(10), "the access log line");
        Matcher m = line.matcher(serve.stderr());
        assertTrue(m.find());
        return m.group(1) + " " + m.group(2);
    }

    /** {@return how many body bytes serve wrote for the request of {@code r}} */
    private static long bytesBrizoWrote(HttpResponse<?> r) {
        return Long.parseLong(brizoAnswered(r).split(" ")[2]);
    }

    /** Brizo answered 200 with no body, yet the client got the bytes: nginx sent them. */
    private static void assertHandedOver(HttpResponse<byte[]> r) {
        assertEquals(
                "GET 200 0",
                brizoAnswered(r),
                () -> "Brizo's answer to a hand-over; " + r.headers().map());
        assertTrue(r.body().length > 0);
    }

    private static HttpResponse<byte[]> send(String method, URI base, String path, String... headers)
            throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path))
                .method(method, HttpRequest.BodyPublishers.noBody())
                .timeout(Duration.ofSeconds(15));
        for (int i = 0; i < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        return CLIENT.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    private static HttpResponse<byte[]> get(URI base, String path, String... headers)
            throws IOException, InterruptedException {
        return send("GET", base, path, headers);
    }

    private static String header(HttpResponse<?> r, String name) {
        List<String> values = r.headers().allValues(name);
        assertEquals(1, values.size(), () -> name + " once: " + r.headers().map());
        return values.get(0);
    }

    private static boolean absent(HttpResponse<?> r, String name) {
        return r.headers().allValues(name).isEmpty();
    }

    private static String sha256(byte[] bytes) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }

    private static void assertBrizoError(HttpResponse<byte[]> r, int status, String kind) throws IOException {
        String body = new String(r.body(), StandardCharsets.UTF_8);
        assertEquals(status, r.statusCode(), body);
        assertEquals("application/json", header(r, "Content-Type"));
        JsonNode json = JSON.readTree(body);
        assertEquals(kind, json.path("error").asText(), body);
        // Brizo's own answer, passed on whole: not nginx's page, not file bytes.
        assertEquals("GET " + status + " " + r.body().length, brizoAnswered(r));
    }

    @Test
    void aWholeFileConsumedThroughNginxIsSentByNginxByteForByteWithBrizosHeaders() throws Exception {
        HttpResponse<byte[]> r = get(front, consumePath(consumer, 0));
        assertEquals(200, r.statusCode(), () -> new String(r.body(), StandardCharsets.UTF_8));
        assertHandedOver(r);
        assertEquals(sha256(MAPPED_DATA), sha256(r.body()));
        assertEquals(String.valueOf(MAPPED_DATA.length), header(r, "Content-Length"));
        assertTrue(absent(r, "X-Accel-Redirect"), r.headers().map()::toString);
        assertTrue(
                absent(r, "ETag") && absent(r, "Last-Modified"),
                "no validators, as Brizo: " + r.headers().map());
        assertEquals(CONTENT_TYPE, header(r, "Content-Type"));
        assertEquals("no-store", header(r, "Cache-Control"));
        assertEquals("nosniff", header(r, "X-Content-Type-Options"));
        HttpResponse<byte[]> direct = get(serve.uri(), consumePath(consumer, 0));
        assertEquals(header(direct, "Content-Disposition"), header(r, "Content-Disposition"));
        assertTrue(header(r, "Content-Disposition").startsWith("attachment;"), header(r, "Content-Disposition"));

        // What nginx followed: Brizo, given the key as nginx gives it, answers with the internal URI
        // (the name percent-encoded, which nginx decoded to find the file) and no bytes.
        HttpResponse<byte[]> handover = get(serve.uri(), consumePath(consumer, 0), "X-Brizo-Accel-Key", KEY);
        assertEquals(200, handover.statusCode());
        assertEquals(0, handover.body().length);
        assertEquals("/_brizo/files/ocean%20sample%20%C3%A9.bin", header(handover, "X-Accel-Redirect"));

        // A client that holds to the API's OpenAPI document (no undocumented header, such as the
        // Last-Modified of nginx's static module) reads the same through nginx.
        TestConsumer.Download download = consumer.consume(front, AGREEMENT, 0, null);
        assertEquals(200, download.status());
        assertEquals(sha256(MAPPED_DATA), download.sha256());
    }

    @Test
    void aSingleRangeThroughNginxIs206WithTheRightBytesAndContentRange() throws Exception {
        HttpResponse<byte[]> r = get(front, consumePath(consumer, 0), "Range", "bytes=1000000-1999999");
        assertEquals(206, r.statusCode());
        assertHandedOver(r);
        assertEquals("bytes 1000000-1999999/" + MAPPED_DATA.length, header(r, "Content-Range"));
        assertArrayEquals(Arrays.copyOfRange(MAPPED_DATA, 1_000_000, 2_000_000), r.body());
        HttpResponse<byte[]> suffix = get(front, consumePath(consumer, 0), "Range", "bytes=-100");
        assertEquals(206, suffix.statusCode());
        assertHandedOver(suffix);
        assertEquals(
                "bytes " + (MAPPED_DATA.length - 100) + "-" + (MAPPED_DATA.length - 1) + "/" + MAPPED_DATA.length,
                header(suffix, "Content-Range"));
        assertArrayEquals(Arrays.copyOfRange(MAPPED_DATA, MAPPED_DATA.length - 100, MAPPED_DATA.length), suffix.body());
    }

    @Test
    void aMultiRangeRequestThroughNginxGetsTheWholeFile() throws Exception {
        HttpResponse<byte[]> r = get(front, consumePath(consumer, 0), "Range", "bytes=0-9,100-199");
        assertEquals(200, r.statusCode());
        assertHandedOver(r);
        assertTrue(absent(r, "Content-Range"), r.headers().map()::toString);
        assertEquals(CONTENT_TYPE, header(r, "Content-Type"), "not multipart/byteranges");
        assertEquals(sha256(MAPPED_DATA), sha256(r.body()));
    }

    @Test
    void conditionalRequestsThroughNginxGetTheWholeFileAsFromBrizoWhichSendsNoValidators() throws Exception {
        // The file's own modification time: the date nginx's static module would validate against
        // (and answer 304, or honour If-Range with a part) unless the shipped file turns that off.
        String modified = DateTimeFormatter.ofPattern("EEE, dd MMM yyyy HH:mm:ss 'GMT'", Locale.US)
                .withZone(ZoneOffset.UTC)
                .format(Files.getLastModifiedTime(work.resolve("data").resolve(MAPPED_NAME))
                        .toInstant());
        HttpResponse<byte[]> r = get(front, consumePath(consumer, 0), "If-Modified-Since", modified);
        assertEquals(200, r.statusCode(), "never 304");
        assertHandedOver(r);
        assertEquals(sha256(MAPPED_DATA), sha256(r.body()));
        for (URI base : List.of(front, serve.uri())) {
            HttpResponse<byte[]> whole =
                    get(base, consumePath(consumer, 0), "Range", "bytes=0-9", "If-Range", modified);
            assertEquals(200, whole.statusCode(), base + ": If-Range, and no validator was sent: the whole file");
            assertTrue(absent(whole, "Content-Range"), whole.headers().map()::toString);
            assertEquals(sha256(MAPPED_DATA), sha256(whole.body()));
        }
    }

    @Test
    void anUnsatisfiableRangeThroughNginxGetsBrizos416() throws Exception {
        HttpResponse<byte[]> r = get(front, consumePath(consumer, 0), "Range", "bytes=" + MAPPED_DATA.length + "-");
        assertBrizoError(r, 416, "RANGE_NOT_SATISFIABLE");
        assertEquals("bytes */" + MAPPED_DATA.length, header(r, "Content-Range"));
    }

    @Test
    void aStrangerGetsBrizos403ThroughNginxAndNoFileBytes() throws Exception {
        HttpResponse<byte[]> r = get(front, consumePath(stranger, 0));
        assertBrizoError(r, 403, "FORBIDDEN");
        assertTrue(absent(r, "X-Accel-Redirect"), r.headers().map()::toString);
    }

    @Test
    void aClientAskingNginxForTheInternalLocationGets404AndNoBytes() throws Exception {
        for (String path : List.of(
                "/_brizo/files/ocean%20sample%20%C3%A9.bin",
                "//_brizo/files/ocean%20sample%20%C3%A9.bin", "/_brizo/files/")) {
            HttpResponse<byte[]> r = get(front, path, "X-Brizo-Accel-Key", KEY);
            assertEquals(404, r.statusCode(), path);
            assertTrue(r.body().length < 1024, path + ": " + r.body().length + " bytes");
        }
    }

    @Test
    void aClientsOwnAccelKeyIsReplacedByNginxAndADirectConsumerGetsTheBytesFromBrizo() throws Exception {
        HttpResponse<byte[]> forged = get(front, consumePath(consumer, 0), "X-Brizo-Accel-Key", "wrong");
        assertEquals(200, forged.statusCode());
        assertHandedOver(forged); // only with nginx's key, not the client's
        assertEquals(sha256(MAPPED_DATA), sha256(forged.body()));

        for (String[] headers : List.of(new String[0], new String[] {"X-Brizo-Accel-Key", "wrong"})) {
            HttpResponse<byte[]> direct = get(serve.uri(), consumePath(consumer, 0), headers);
            assertEquals(200, direct.statusCode());
            assertTrue(absent(direct, "X-Accel-Redirect"), direct.headers().map()::toString);
            assertEquals(sha256(MAPPED_DATA), sha256(direct.body()));
            assertEquals(MAPPED_DATA.length, bytesBrizoWrote(direct));
        }
    }

    @Test
    void aFileOutsideTheMappedDirectoryIsStreamedByBrizoThroughNginxIntact() throws Exception {
        HttpResponse<byte[]> r = get(front, consumePath(consumer, 1));
        assertEquals(200, r.statusCode());
        assertEquals(sha256(UNMAPPED_DATA), sha256(r.body()));
        assertEquals(UNMAPPED_DATA.length, bytesBrizoWrote(r), "Brizo streams it");
        assertTrue(absent(r, "X-Accel-Redirect"), r.headers().map()::toString);
        assertEquals(CONTENT_TYPE, header(r, "Content-Type"));
        HttpResponse<byte[]> part = get(front, consumePath(consumer, 1), "Range", "bytes=10-19");
        assertEquals(206, part.statusCode());
        assertEquals("GET 206 10", brizoAnswered(part));
        assertEquals("bytes 10-19/" + UNMAPPED_DATA.length, header(part, "Content-Range"));
        assertArrayEquals(Arrays.copyOfRange(UNMAPPED_DATA, 10, 20), part.body());
    }

    @Test
    void aHandedOverDownloadCarriesBrizosCorsHeadersThroughNginx() throws Exception {
        HttpResponse<byte[]> r = get(front, consumePath(consumer, 0), "Origin", ORIGIN);
        assertEquals(200, r.statusCode());
        assertHandedOver(r);
        assertEquals(ORIGIN, header(r, "Access-Control-Allow-Origin"));
        HttpResponse<byte[]> direct = get(serve.uri(), consumePath(consumer, 0), "Origin", ORIGIN);
        for (String name : List.of("Access-Control-Allow-Origin", "Access-Control-Expose-Headers", "Vary")) {
            assertEquals(direct.headers().allValues(name), r.headers().allValues(name), name);
        }
        assertTrue(header(r, "Access-Control-Expose-Headers").contains("Content-Disposition"));

        // nginx adds no header for an empty value: no Origin (or another one), no CORS headers.
        for (String[] headers : List.of(new String[0], new String[] {"Origin", "https://evil.example"})) {
            HttpResponse<byte[]> other = get(front, consumePath(consumer, 0), headers);
            assertHandedOver(other);
            assertTrue(
                    absent(other, "Access-Control-Allow-Origin"),
                    other.headers().map()::toString);
        }
    }

    @Test
    void headThroughNginxAnswersTheFilesLengthAndNoBody() throws Exception {
        HttpResponse<byte[]> r = send("HEAD", front, consumePath(consumer, 0));
        assertEquals(200, r.statusCode());
        assertEquals(String.valueOf(MAPPED_DATA.length), header(r, "Content-Length"));
        assertEquals(0, r.body().length);
        assertEquals(CONTENT_TYPE, header(r, "Content-Type"));
        assertTrue(absent(r, "X-Accel-Redirect"), r.headers().map()::toString);
        assertEquals("HEAD 200 0", brizoAnswered(r), "Brizo answers HEAD itself, with no hand-over");
    }

    @Test
    void serveWithAccelRedirectButNoKeyExitsAtStartNamingTheKey() throws Exception {
        Map<String, String> keyless = new HashMap<>(settings);
        keyless.remove("BRIZO_ACCEL_REDIRECT_KEY");
        ServeProcess started = ServeProcess.launch(keyless, work);
        try {
            int exit = started.exitCode(Duration.ofSeconds(30));
            assertNotEquals(0, exit, started.stderr());
            String err = started.stderr();
            assertTrue(err.contains("BRIZO_ACCEL_REDIRECT_KEY"), err);
            assertFalse(err.contains("\tat "), "a stack trace:\n" + err);
            assertTrue(started.uris().isEmpty(), started.stdout().toString());
        } finally {
            started.close();
        }
    }
}
