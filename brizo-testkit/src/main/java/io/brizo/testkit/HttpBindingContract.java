package io.brizo.testkit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.brizo.Brizo;
import io.brizo.http.Routes;
import io.brizo.spi.Settings;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.math.BigInteger;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Random;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.web3j.crypto.ECKeyPair;
import org.web3j.crypto.Keys;

/**
 * The HTTP behaviour every binding of the Brizo HTTP API must have, as a JUnit 5 test class to
 * extend. A binding is whatever hands a server's requests to {@link io.brizo.http.BrizoHttpApi}
 * and writes its answers back: core's JDK {@code BrizoHttpServer}, {@code BrizoServlet} in a
 * servlet container, or an adapter of your own.
 *
 * <p>A subclass implements {@link #start(Brizo)}, which serves the given {@link Brizo} on
 * 127.0.0.1 and a free port and returns the base URI the API's routes are relative to (a mount
 * prefix included), and {@link #stop()}. Each test builds its own {@code Brizo} from the embedded
 * defaults (the file driver over a temporary directory, the JSON asset catalogue, the development
 * verifier) plus a {@link SyntheticStorageDriver} that fails midway, starts the binding for it,
 * talks real HTTP/1.1 to it ({@code java.net.http}, and a plain socket for what that client will
 * not send), then stops the binding and closes the {@code Brizo}.
 *
 * <p>The suite checks: whole files with their exact bytes and download headers ({@code
 * Content-Type} from the catalogue, {@code Content-Length}, {@code Accept-Ranges}, {@code
 * Content-Disposition}); a file chosen by index; single, suffix, open-ended and clamped ranges
 * (206 and {@code Content-Range}), a range past the end (416), several ranges (the whole file);
 * HEAD with the status and headers of GET and no body, on every route that takes GET and for
 * errors; a wrong
 * key (401), malformed parameters and percent-escapes (400), no grant and an expired one (403),
 * an index past the last file or beyond a long (404), a JSON body with a key given twice (400),
 * JSON body parameters, a nonce-form signature accepted once and its replay refused; an over-long
 * body, request target and header section (413, 414, 431); the query and path passed to the API
 * raw; {@code GET /} describing the service; an unknown route (404) and a wrong method (405 with
 * {@code Allow}); and a storage failure midway aborting the connection, so the client sees fewer
 * bytes than {@code Content-Length}; the API's documentation ({@code /spec} in JSON and YAML with
 * this binding's base URL, the Swagger UI page and its files relative to the mount point), and
 * that every documented path takes exactly the documented methods. Every error is JSON {@code
 * {"error", "message"}} and no answer shows a Java class name, a stack trace, a storage location
 * or a signature; every exchange with the API is held to its OpenAPI document by {@link
 * OpenApiConformance}. It takes a few seconds.
 *
 * <p>A server may refuse some requests itself, before the binding sees them: servlet containers
 * have their own limits on the request line and headers, and the JDK server parses the request
 * target with {@link URI}. Say which with {@link #refusedByServer(ServerRefusal)}; the suite then
 * takes the server's status, and still requires that its answer shows no Java class name, stack
 * trace or storage location.
 *
 * <pre>{@code
 * class MyBindingContractTest extends HttpBindingContract {
 *     private MyServer server;
 *
 *     protected URI start(Brizo brizo) {
 *         server = MyServer.start("127.0.0.1", 0, new BrizoHttpApi(brizo));
 *         return URI.create("http://127.0.0.1:" + server.port() + "/brizo");
 *     }
 *
 *     protected void stop() { server.stop(); }
 * }
 * }</pre>
 */
public abstract class HttpBindingContract {
    /** The DID of the asset the suite serves. */
    protected static final String DID = "did:op:" + "ab".repeat(32);
    /** An agreement that grants the consumer access to {@link #DID}. */
    protected static final String AGREEMENT = "12".repeat(32);
    /** An agreement nobody was granted. */
    protected static final String OTHER_AGREEMENT = "34".repeat(32);
    /** An agreement of the consumer for {@link #DID} that ended in 2001. */
    protected static final String EXPIRED_AGREEMENT = "56".repeat(32);
    /** The provider's private key, whose address {@code GET /} reports. */
    protected static final String PROVIDER_KEY = "0x" + "0f".repeat(32);
    /** The content type the catalogue gives file 0; no store would guess it. */
    protected static final String SAMPLE_CONTENT_TYPE = "application/x-brizo-sample";
    /** The size of file 0, random bytes. */
    protected static final int SAMPLE_SIZE = 100_000;
    /** The index of the file whose storage fails midway. */
    protected static final int FAILING = 2;
    /** The size of that file. */
    protected static final long FAILING_SIZE = 1_000_000;
    /** After how many bytes its storage fails. */
    protected static final long FAILING_AFTER = 300_000;
    /** How large the over-long body, request target and header section are: above the API's 64 KiB. */
    protected static final int OVER_LONG = 100_000;

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10))
            .build();
    /** A package-qualified Java name, as in a class name or a stack frame. */
    private static final Pattern QUALIFIED_JAVA_NAME = Pattern.compile(
            "\\b(?:java|javax|jakarta|sun|com\\.sun|jdk|org\\.apache|org\\.eclipse|io\\.brizo)\\.[a-z][\\w$]*");
    /** A simple exception or error class name. */
    private static final Pattern THROWABLE_NAME = Pattern.compile("\\b[A-Z]\\w*(?:Exception|Error)\\b");
    /** A stack frame's source position. */
    private static final Pattern STACK_FRAME = Pattern.compile("\\w\\.java:\\d+\\)|\\bat [\\w$.]+\\(");
    /** 65 bytes of hex: a signature. */
    private static final Pattern SIGNATURE = Pattern.compile("[0-9a-fA-F]{130}");

    /** A temporary directory of the test; the suite keeps its files and catalogue under it. */
    @TempDir
    protected Path directory;

    /** The consumer the agreements are for. */
    protected final TestConsumer consumer = TestConsumer.random();
    /** Somebody with no agreement. */
    protected final TestConsumer stranger = TestConsumer.random();

    private Path storage;
    private byte[] sample;
    private Brizo brizo;
    private URI base;
    private OpenApiConformance conformance;

    /** Creates the suite; subclasses prepare their server in constructors or lifecycle methods. */
    protected HttpBindingContract() {}

    /**
     * Starts the binding under test, serving {@code brizo} on 127.0.0.1 and a free port. Called
     * once before each test.
     *
     * @param brizo the facade to serve; the suite closes it after {@link #stop()}
     * @return the base URI of the API, to which the suite appends the routes ({@code
     *     /api/v1/brizo/services/consume}, {@code /}), for example {@code
     *     http://127.0.0.1:41234} or, mounted under a prefix, {@code
     *     http://127.0.0.1:41234/ctx/brizo}
     * @throws Exception if the server cannot start; the test fails with it
     */
    protected abstract URI start(Brizo brizo) throws Exception;

    /**
     * Stops what {@link #start(Brizo)} started. Called once after each test, also when the test
     * failed.
     *
     * @throws Exception if the server cannot stop; the test fails with it
     */
    protected abstract void stop() throws Exception;

    /**
     * A request that a server may refuse itself, before the binding and the API see it. The
     * over-long parts are {@value HttpBindingContract#OVER_LONG} bytes, above the API's own
     * limits of 64 KiB.
     */
    public enum ServerRefusal {
        /** An over-long request target (a padded query); the API's own answer is 414. */
        URI_TOO_LONG,
        /** An over-long header field; the API's own answer is 431. */
        HEADERS_TOO_LARGE,
        /** An over-long JSON body of parameters on GET; the API's own answer is 413. */
        BODY_TOO_LARGE,
        /**
         * A malformed percent-escape in the query ({@code %zz}, or {@code %3} at the end); the
         * API's own answer is 400.
         */
        MALFORMED_PERCENT_ENCODING
    }

    /**
     * {@return the status with which the server in front of the binding answers {@code refusal}
     * itself, or empty if such a request reaches the binding and the API answers it} The default
     * is empty for all. Servers parse the request line and headers before any handler runs, with
     * limits of their own (Jetty's {@code requestHeaderSize}, Tomcat's {@code maxHttpHeaderSize},
     * both 8 KiB by default); the binding cannot answer what it never sees. Say what your server
     * does with the settings you deploy it with.
     */
    protected OptionalInt refusedByServer(ServerRefusal refusal) {
        return OptionalInt.empty();
    }

    /**
     * Checks the answer a server gave itself to {@code refusal} (see {@link
     * #refusedByServer(ServerRefusal)}). The default requires {@code status} and an answer without
     * a Java class name, a stack trace or a storage location; it need not be JSON. Override it only
     * to pin a server's answer that breaks these rules and that the binding cannot change, with a
     * comment saying so, so that a change of the server is noticed.
     */
    protected void checkServerRefusal(ServerRefusal refusal, int status, RawHttp.Answer answer) {
        assertEquals(status, answer.status(), () -> refusal + ": " + answer);
        // A server's own error page may echo the request target, signature included, back to the
        // client that sent it (Jetty's does for 431): that tells the client nothing new, so only
        // what the server knows and the client must not is checked here.
        assertNoJavaNamesOrLocations(answer.toString(), refusal.toString());
    }

    @BeforeEach
    void startBinding() throws Exception {
        storage = Files.createDirectories(directory.resolve("secret-storage-dir"));
        sample = new byte[SAMPLE_SIZE];
        new Random(7).nextBytes(sample);
        Files.write(storage.resolve("sample.bin"), sample);
        Files.writeString(storage.resolve("notes.txt"), "hello\n");
        Path assets = directory.resolve("assets.json");
        Files.writeString(
                assets,
                JSON.writeValueAsString(Map.of(
                        DID,
                        Map.of(
                                "files",
                                List.of(
                                        Map.of(
                                                "url",
                                                storage.resolve("sample.bin")
                                                        .toUri()
                                                        .toString(),
                                                "contentType",
                                                SAMPLE_CONTENT_TYPE),
                                        Map.of(
                                                "url",
                                                storage.resolve("notes.txt")
                                                        .toUri()
                                                        .toString()),
                                        Map.of("url", "fail://store/big.bin"))))));
        Path grants = directory.resolve("grants.json");
        Files.writeString(
                grants,
                JSON.writeValueAsString(List.of(
                        grant(AGREEMENT, consumer.address(), null),
                        grant(EXPIRED_AGREEMENT, consumer.address(), "2001-01-01T00:00:00Z"))));
        brizo = Brizo.builder()
                .settings(Settings.builder()
                        .put("BRIZO_ASSETS", assets.toString())
                        .put("BRIZO_GRANTS", grants.toString())
                        .put("BRIZO_FILE_ROOTS", storage.toString())
                        .put("PROVIDER_KEY", PROVIDER_KEY)
                        .build())
                .storageDriver(SyntheticStorageDriver.failingAfter("fail", FAILING_SIZE, FAILING_AFTER))
                .discover()
                .build();
        String uri = start(brizo).toString();
        base = URI.create(uri.endsWith("/") ? uri.substring(0, uri.length() - 1) : uri);
        conformance = OpenApiConformance.forApiAt(base);
    }

    private static Map<String, String> grant(String agreement, String consumer, String expiresAt) {
        Map<String, String> g = new LinkedHashMap<>();
        g.put("agreementId", agreement);
        g.put("did", DID);
        g.put("consumer", consumer);
        g.put("service", "access");
        if (expiresAt != null) {
            g.put("expiresAt", expiresAt);
        }
        return g;
    }

    @AfterEach
    void stopBinding() throws Exception {
        try {
            if (base != null) {
                stop();
            }
        } finally {
            if (brizo != null) {
                brizo.close();
            }
        }
    }

    // ---- helpers ---------------------------------------------------------------------------

    /** {@return the URI of {@code route} (such as {@link Routes#CONSUME}) with {@code query}, if any} */
    private URI uri(String route, String query) {
        return URI.create(base + route + (query == null ? "" : "?" + query));
    }

    /** {@return a Brizo-form consume query of {@code signer} for {@code agreement}} */
    private static String query(String agreement, TestConsumer signer, String address, Object index) {
        return "serviceAgreementId=" + agreement + "&consumerAddress=" + address + "&signature="
                + signer.sign(agreement) + "&index=" + index;
    }

    /** {@return the consumer's own query for file {@code index}} */
    private String query(Object index) {
        return query(AGREEMENT, consumer, consumer.address(), index);
    }

    private HttpResponse<byte[]> send(String method, URI uri, String body, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri)
                .timeout(Duration.ofSeconds(30))
                .method(method, body == null ? BodyPublishers.noBody() : BodyPublishers.ofString(body));
        for (int i = 0; i < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        // Every answer of the API is held to its OpenAPI document.
        HttpResponse<byte[]> r = conformance.check(HTTP.send(b.build(), BodyHandlers.ofByteArray()));
        String head = r.statusCode() + " " + r.headers().map();
        assertNothingLeaks(head, method + " " + uri);
        if (!isDownload(r) && !isDocumentation(uri)) {
            assertNothingLeaks(new String(r.body(), StandardCharsets.UTF_8), method + " " + uri);
        }
        return r;
    }

    private HttpResponse<byte[]> get(String query, String... headers) throws Exception {
        return send("GET", uri(Routes.CONSUME, query), null, headers);
    }

    private HttpResponse<byte[]> getWithBody(String body) throws Exception {
        return send("GET", uri(Routes.CONSUME, null), body, "Content-Type", "application/json");
    }

    /**
     * {@return whether {@code uri} is the document or a file of the docs page} Their bodies are
     * static text of the library, not answers about a request: the document's examples show a
     * signature's shape, and Swagger UI's script names JavaScript errors.
     */
    private boolean isDocumentation(URI uri) {
        String path = uri.getRawPath().substring(base.getRawPath().length());
        return path.equals(Routes.SPEC) || path.startsWith(Routes.DOCS);
    }

    private static boolean isDownload(HttpResponse<byte[]> r) {
        return r.headers().firstValue("Content-Disposition").isPresent();
    }

    /**
     * Asserts that {@code text} (an answer's head or body) shows no Java class name, stack trace,
     * storage location or signature.
     */
    private void assertNothingLeaks(String text, String what) {
        assertNoJavaNamesOrLocations(text, what);
        assertFalse(SIGNATURE.matcher(text).find(), () -> what + ": shows a signature: " + text);
    }

    /** Asserts that {@code text} shows no Java class name, stack trace or storage location. */
    private void assertNoJavaNamesOrLocations(String text, String what) {
        for (Pattern p : List.of(QUALIFIED_JAVA_NAME, THROWABLE_NAME, STACK_FRAME)) {
            Matcher m = p.matcher(text);
            assertFalse(m.find(), () -> what + ": shows a Java name or stack frame (" + m.group() + "): " + text);
        }
        for (String location : List.of("secret-storage-dir", "file:", "fail:", directory.toString())) {
            assertFalse(text.contains(location), () -> what + ": shows a storage location: " + text);
        }
    }

    private static String mediaType(String contentType) {
        return contentType.split(";", 2)[0].trim().toLowerCase(Locale.ROOT);
    }

    /** Asserts that {@code r} is the API's JSON error of {@code status} and {@code kind}. */
    private static JsonNode assertError(HttpResponse<byte[]> r, int status, String kind) throws IOException {
        return assertError(
                r.statusCode(),
                r.headers().firstValue("Content-Type").orElse(""),
                r.body(),
                status,
                kind,
                () -> r.statusCode() + " " + new String(r.body(), StandardCharsets.UTF_8));
    }

    private static JsonNode assertError(RawHttp.Answer a, int status, String kind) throws IOException {
        return assertError(a.status(), a.header("Content-Type").orElse(""), a.body(), status, kind, a::toString);
    }

    private static JsonNode assertError(
            int actualStatus, String contentType, byte[] body, int status, String kind, Supplier<String> answer)
            throws IOException {
        assertEquals(status, actualStatus, answer);
        assertEquals("application/json", mediaType(contentType), answer);
        JsonNode json = JSON.readTree(body);
        assertEquals(kind, json.path("error").asText(), answer);
        assertFalse(json.path("message").asText().isBlank(), answer);
        return json;
    }

    /** A request sent raw and what came back. */
    private record Raw(String request, RawHttp.Answer answer) {}

    /** {@return the answer to {@code GET target} sent raw, with {@code headerLines} (each ending CRLF)} */
    private Raw rawGet(String target, String headerLines) throws IOException {
        String request = "GET " + base.getRawPath() + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\n" + headerLines
                + "Connection: close\r\n\r\n";
        return new Raw(request, RawHttp.exchange(base, request));
    }

    /** Checks that the API, or the server as {@link #refusedByServer} says, refused {@code refusal}. */
    private void assertRefused(ServerRefusal refusal, Raw raw, int apiStatus, String apiKind) throws IOException {
        RawHttp.Answer a = raw.answer();
        OptionalInt server = refusedByServer(refusal);
        if (server.isPresent()) {
            checkServerRefusal(refusal, server.getAsInt(), a);
        } else {
            conformance.check(raw.request(), a);
            assertError(a, apiStatus, apiKind);
            assertNothingLeaks(a.toString(), refusal.toString());
        }
    }

    private void assertStillServes() throws Exception {
        HttpResponse<byte[]> r = get(query(0));
        assertEquals(200, r.statusCode());
        assertArrayEquals(sample, r.body());
    }

    /**
     * Asserts that the download at {@code uri} starts (200 with a {@code Content-Length} of
     * {@code contentLength}) and that the connection then ends, by a close or a reset, before
     * that many bytes of body came: a client can tell the transfer failed. For a binding's own
     * tests of a storage failure midway, for example in another configuration.
     *
     * @param uri a download whose storage fails before {@code contentLength} bytes
     */
    public static void assertAbortedMidway(URI uri, long contentLength) throws IOException {
        try (Socket socket = new Socket(uri.getHost(), uri.getPort())) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            out.write(("GET " + uri.getRawPath() + "?" + uri.getRawQuery() + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
                    .getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            InputStream in = socket.getInputStream();
            String head = RawHttp.readHead(in);
            assertTrue(head.startsWith("HTTP/1.1 200"), head);
            assertTrue(head.toLowerCase(Locale.ROOT).contains("content-length: " + contentLength), head);
            long body = 0;
            byte[] buffer = new byte[64 * 1024];
            try {
                for (int n; (n = in.read(buffer)) >= 0; ) {
                    body += n;
                }
            } catch (SocketTimeoutException e) {
                fail("the connection stayed open after " + body + " bytes instead of being aborted");
            } catch (SocketException reset) {
                // An abort may arrive as a reset: as good as an end of stream here.
            }
            assertTrue(body < contentLength, "a short body must not look complete: " + body);
        }
    }

    private static String addressOfKey(String privateKeyHex) {
        return "0x" + Keys.getAddress(ECKeyPair.create(new BigInteger(privateKeyHex.substring(2), 16)));
    }

    // ---- downloads -------------------------------------------------------------------------

    @Test
    void wholeFileIsServedWithItsExactBytesAndTheDownloadHeaders() throws Exception {
        HttpResponse<byte[]> r = get(query(0));
        assertEquals(200, r.statusCode());
        assertArrayEquals(sample, r.body());
        assertEquals(
                Integer.toString(SAMPLE_SIZE),
                r.headers().firstValue("Content-Length").orElseThrow());
        assertEquals("bytes", r.headers().firstValue("Accept-Ranges").orElseThrow());
        assertEquals(
                SAMPLE_CONTENT_TYPE,
                mediaType(r.headers().firstValue("Content-Type").orElseThrow()));
        assertEquals(
                "attachment; filename=\"sample.bin\"",
                r.headers().firstValue("Content-Disposition").orElseThrow());
        assertTrue(r.headers().firstValue("Content-Range").isEmpty());
    }

    @Test
    void secondFileIsServedByIndex() throws Exception {
        HttpResponse<byte[]> r = get(query(1));
        assertEquals(200, r.statusCode());
        assertEquals("hello\n", new String(r.body(), StandardCharsets.UTF_8));
        assertEquals("6", r.headers().firstValue("Content-Length").orElseThrow());
        assertEquals(
                "attachment; filename=\"notes.txt\"",
                r.headers().firstValue("Content-Disposition").orElseThrow());
    }

    @Test
    void singleRangeIsPartialContentWithContentRange() throws Exception {
        HttpResponse<byte[]> r = get(query(0), "Range", "bytes=1000-1999");
        assertEquals(206, r.statusCode());
        assertEquals(
                "bytes 1000-1999/100000",
                r.headers().firstValue("Content-Range").orElseThrow());
        assertEquals("1000", r.headers().firstValue("Content-Length").orElseThrow());
        assertArrayEquals(Arrays.copyOfRange(sample, 1000, 2000), r.body());
    }

    @Test
    void suffixRangeIsTheLastBytes() throws Exception {
        HttpResponse<byte[]> r = get(query(0), "Range", "bytes=-10");
        assertEquals(206, r.statusCode());
        assertEquals(
                "bytes 99990-99999/100000",
                r.headers().firstValue("Content-Range").orElseThrow());
        assertArrayEquals(Arrays.copyOfRange(sample, 99_990, SAMPLE_SIZE), r.body());
    }

    @Test
    void openEndedRangeFromZeroIsPartialContentOfTheWholeFile() throws Exception {
        HttpResponse<byte[]> r = get(query(0), "Range", "bytes=0-");
        assertEquals(206, r.statusCode());
        assertEquals(
                "bytes 0-99999/100000", r.headers().firstValue("Content-Range").orElseThrow());
        assertArrayEquals(sample, r.body());
    }

    @Test
    void rangeEndPastTheEndIsClamped() throws Exception {
        HttpResponse<byte[]> r = get(query(0), "Range", "bytes=99995-200000");
        assertEquals(206, r.statusCode());
        assertEquals(
                "bytes 99995-99999/100000",
                r.headers().firstValue("Content-Range").orElseThrow());
        assertArrayEquals(Arrays.copyOfRange(sample, 99_995, SAMPLE_SIZE), r.body());
    }

    @Test
    void rangeBeyondEndIsNotSatisfiable() throws Exception {
        HttpResponse<byte[]> r = get(query(0), "Range", "bytes=100000-");
        assertError(r, 416, "RANGE_NOT_SATISFIABLE");
        assertEquals("bytes */100000", r.headers().firstValue("Content-Range").orElseThrow());
    }

    @Test
    void multipleRangesAreAnsweredWithTheWholeFile() throws Exception {
        HttpResponse<byte[]> r = get(query(0), "Range", "bytes=0-1,5-9");
        assertEquals(200, r.statusCode());
        assertTrue(r.headers().firstValue("Content-Range").isEmpty());
        assertArrayEquals(sample, r.body());
    }

    @Test
    void storageFailureMidwayAbortsTheConnection() throws Exception {
        assertAbortedMidway(uri(Routes.CONSUME, query(FAILING)), FAILING_SIZE);
        // The binding is still sound after the abort.
        assertStillServes();
    }

    // ---- HEAD ------------------------------------------------------------------------------

    private static final List<String> COMPARED_HEADERS = List.of(
            "Content-Length",
            "Content-Type",
            "Content-Disposition",
            "Accept-Ranges",
            "Content-Range",
            "Allow",
            "Retry-After");

    /** Asserts that HEAD of {@code uri} answers GET's status and headers and no body. */
    private void assertHeadIsGetWithoutBody(URI uri, String... headers) throws Exception {
        HttpResponse<byte[]> get = send("GET", uri, null, headers);
        HttpResponse<byte[]> head = send("HEAD", uri, null, headers);
        assertEquals(get.statusCode(), head.statusCode(), uri::toString);
        assertEquals(0, head.body().length, uri::toString);
        assertEquals(
                Integer.toString(get.body().length),
                head.headers().firstValue("Content-Length").orElseThrow(),
                uri::toString);
        for (String name : COMPARED_HEADERS) {
            assertEquals(get.headers().allValues(name), head.headers().allValues(name), () -> name + " of " + uri);
        }
    }

    @Test
    void headOfADownloadHasTheHeadersOfItsGetAndNoBody() throws Exception {
        assertHeadIsGetWithoutBody(uri(Routes.CONSUME, query(0)));
        assertHeadIsGetWithoutBody(uri(Routes.CONSUME, query(0)), "Range", "bytes=10-19");
        assertHeadIsGetWithoutBody(uri(Routes.CONSUME, query(1)));
    }

    @Test
    void headOfAnErrorHasTheHeadersOfItsGetAndNoBody() throws Exception {
        for (String q : List.of(
                "index=zero",
                query(AGREEMENT, stranger, consumer.address(), 0),
                query(OTHER_AGREEMENT, consumer, consumer.address(), 0),
                query(3))) {
            assertHeadIsGetWithoutBody(uri(Routes.CONSUME, q));
        }
        assertHeadIsGetWithoutBody(uri(Routes.CONSUME, query(0)), "Range", "bytes=100000-");
        assertHeadIsGetWithoutBody(uri("/no/such/route", null));
    }

    /** {@return a path of every route of the API, a link's token and a docs file filled in} */
    private static List<String> everyRoute() {
        return List.of(
                "/",
                Routes.CONSUME,
                Routes.PUBLISH,
                Routes.ENCRYPT,
                Routes.COMPUTE,
                Routes.COMPUTE_LOGS,
                Routes.COMPUTE_RESULT,
                Routes.COMPUTE_RECEIPT,
                Routes.COMPUTE_ENVIRONMENTS,
                Routes.COMPUTE_TRANSFER + "/no-such-token",
                Routes.COMPUTE_UPLOAD + "/no-such-token",
                Routes.SPEC,
                Routes.DOCS,
                Routes.DOCS + "/swagger-ui.css");
    }

    @Test
    void headOnEveryRouteThatTakesGetIsItsGetWithoutBody() throws Exception {
        for (String route : everyRoute()) {
            URI uri = uri(route, null);
            HttpResponse<byte[]> head = send("HEAD", uri, null);
            assertEquals(0, head.body().length, route);
            assertTrue(head.headers().firstValue("Content-Length").isPresent(), route);
            if (route.startsWith(Routes.COMPUTE_UPLOAD)) {
                // The routes without GET say which methods they take.
                assertEquals(405, head.statusCode(), route);
                assertEquals("PUT", head.headers().firstValue("Allow").orElseThrow(), route);
            } else if (route.equals(Routes.PUBLISH) || route.equals(Routes.ENCRYPT)) {
                assertEquals(405, head.statusCode(), route);
                assertEquals("POST", head.headers().firstValue("Allow").orElseThrow(), route);
            } else {
                assertHeadIsGetWithoutBody(uri);
            }
        }
    }

    // ---- refusals --------------------------------------------------------------------------

    @Test
    void signatureOfAnotherKeyIsUnauthenticated() throws Exception {
        assertError(get(query(AGREEMENT, stranger, consumer.address(), 0)), 401, "UNAUTHENTICATED");
    }

    @Test
    void malformedParametersAreBadRequests() throws Exception {
        String sig = consumer.sign(AGREEMENT);
        String addr = consumer.address();
        for (String q : List.of(
                "serviceAgreementId=xyz&consumerAddress=" + addr + "&signature=" + sig + "&index=0",
                "serviceAgreementId=" + AGREEMENT + "&consumerAddress=0x1234&signature=" + sig + "&index=0",
                "serviceAgreementId=" + AGREEMENT + "&consumerAddress=" + addr + "&signature=0xdeadbeef&index=0",
                "serviceAgreementId=" + AGREEMENT + "&consumerAddress=" + addr + "&signature=" + sig + "&index=-1",
                "serviceAgreementId=" + AGREEMENT + "&consumerAddress=" + addr + "&signature=" + sig + "&index=abc",
                "serviceAgreementId=" + AGREEMENT + "&consumerAddress=" + addr + "&index=0",
                "consumerAddress=" + addr + "&signature=" + sig + "&index=0",
                "serviceAgreementId=" + AGREEMENT + "&consumerAddress=" + addr + "&signature=" + sig
                        + "&index=0&nonce=x")) {
            assertError(get(q), 400, "INVALID_REQUEST");
        }
    }

    @Test
    void malformedPercentEncodingIsABadRequest() throws Exception {
        // java.net.http refuses to send such a URI, so it goes raw.
        for (String q : List.of("serviceAgreementId=%zz&index=0", query(0).replace("index=0", "index=%3"))) {
            assertRefused(
                    ServerRefusal.MALFORMED_PERCENT_ENCODING,
                    rawGet(Routes.CONSUME + "?" + q, ""),
                    400,
                    "INVALID_REQUEST");
        }
        assertStillServes();
    }

    @Test
    void consumerWithoutGrantIsForbidden() throws Exception {
        assertError(get(query(OTHER_AGREEMENT, consumer, consumer.address(), 0)), 403, "FORBIDDEN");
        assertError(get(query(AGREEMENT, stranger, stranger.address(), 0)), 403, "FORBIDDEN");
    }

    @Test
    void expiredAgreementIsForbidden() throws Exception {
        JsonNode body = assertError(get(query(EXPIRED_AGREEMENT, consumer, consumer.address(), 0)), 403, "FORBIDDEN");
        assertTrue(body.get("message").asText().contains("expired"), body::toString);
    }

    @Test
    void indexPastTheLastFileIsNotFound() throws Exception {
        assertError(get(query(3)), 404, "NOT_FOUND");
    }

    @Test
    void indexBeyondAnIntOrALongIsNotFoundNeverAnotherFile() throws Exception {
        for (String index : List.of("4294967296", "4294967297", "9223372036854775807", "9".repeat(40))) {
            assertError(get(query(index)), 404, "NOT_FOUND");
        }
    }

    @Test
    void jsonBodyWithAKeyGivenTwiceIsRefused() throws Exception {
        String body = "{\"serviceAgreementId\": \"" + AGREEMENT + "\", \"consumerAddress\": \"" + consumer.address()
                + "\", \"index\": 0, \"signature\": \"0xbad\", \"signature\": \"" + consumer.sign(AGREEMENT) + "\"}";
        JsonNode e = assertError(getWithBody(body), 400, "INVALID_REQUEST");
        assertTrue(e.get("message").asText().contains("each key once"), e::toString);
    }

    @Test
    void overLongBodyIsRefusedWith413() throws Exception {
        String body = "{\"serviceAgreementId\": \"" + "x".repeat(OVER_LONG) + "\"}";
        OptionalInt server = refusedByServer(ServerRefusal.BODY_TOO_LARGE);
        if (server.isPresent()) {
            RawHttp.Answer a = RawHttp.exchange(
                    base,
                    "GET " + base.getRawPath() + Routes.CONSUME + " HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                            + "Content-Type: application/json\r\nContent-Length: " + body.length()
                            + "\r\nConnection: close\r\n\r\n" + body);
            checkServerRefusal(ServerRefusal.BODY_TOO_LARGE, server.getAsInt(), a);
        } else {
            assertError(getWithBody(body), 413, "PAYLOAD_TOO_LARGE");
        }
        assertStillServes();
    }

    @Test
    void overLongRequestTargetIsRefusedWith414() throws Exception {
        Raw a = rawGet(Routes.CONSUME + "?" + query(0) + "&pad=" + "x".repeat(OVER_LONG), "");
        assertRefused(ServerRefusal.URI_TOO_LONG, a, 414, "URI_TOO_LONG");
        assertStillServes();
    }

    @Test
    void overLongHeaderSectionIsRefusedWith431() throws Exception {
        Raw a = rawGet(Routes.CONSUME + "?" + query(0), "X-Pad: " + "x".repeat(OVER_LONG) + "\r\n");
        assertRefused(ServerRefusal.HEADERS_TOO_LARGE, a, 431, "HEADERS_TOO_LARGE");
        assertStillServes();
    }

    @Test
    void nonceSignatureWorksOnceAndItsReplayIsRefused() throws Exception {
        long nonce = System.currentTimeMillis();
        String q = "serviceAgreementId=" + AGREEMENT + "&consumerAddress=" + consumer.address() + "&signature="
                + consumer.signWithNonce(AGREEMENT, nonce) + "&index=0&nonce=" + nonce;
        HttpResponse<byte[]> first = get(q);
        assertEquals(200, first.statusCode());
        assertArrayEquals(sample, first.body());
        assertError(get(q), 401, "UNAUTHENTICATED");
    }

    // ---- parameters ------------------------------------------------------------------------

    @Test
    void jsonBodyParametersAreAcceptedWithIndexZero() throws Exception {
        String body = JSON.writeValueAsString(Map.of(
                "serviceAgreementId",
                AGREEMENT,
                "consumerAddress",
                consumer.address(),
                "signature",
                consumer.sign(AGREEMENT),
                "index",
                0));
        HttpResponse<byte[]> r = getWithBody(body);
        assertEquals(200, r.statusCode());
        assertArrayEquals(sample, r.body());
    }

    @Test
    void percentEncodedQueryReachesTheApiRawAndIsDecodedOnce() throws Exception {
        // %31 is "1": decoded by the API, so the binding must pass the query undecoded; %2531
        // would be "%31" after one decoding, which is no index.
        HttpResponse<byte[]> r = get(query(1).replace("&index=1", "&index=%31"));
        assertEquals(200, r.statusCode(), () -> new String(r.body(), StandardCharsets.UTF_8));
        assertEquals("hello\n", new String(r.body(), StandardCharsets.UTF_8));
        assertError(get(query(1).replace("&index=1", "&index=%2531")), 400, "INVALID_REQUEST");
    }

    @Test
    void percentEncodedPathReachesTheApiRaw() throws Exception {
        // %63 is "c": the API matches routes on the raw path, so an encoded route is not the route.
        String encoded = Routes.CONSUME.replace("/consume", "/%63onsume");
        assertError(send("GET", uri(encoded, query(0)), null), 404, "NOT_FOUND");
    }

    // ---- the service -----------------------------------------------------------------------

    @Test
    void rootDescribesTheServiceAndItsProvider() throws Exception {
        HttpResponse<byte[]> r = send("GET", uri("/", null), null);
        assertEquals(200, r.statusCode());
        assertEquals(
                "application/json",
                mediaType(r.headers().firstValue("Content-Type").orElseThrow()));
        JsonNode body = JSON.readTree(r.body());
        assertEquals("Brizo for Java", body.get("software").asText());
        assertFalse(body.get("version").asText().isBlank());
        assertEquals(
                addressOfKey(PROVIDER_KEY), body.get("providerAddress").asText().toLowerCase(Locale.ROOT));
        assertTrue(body.get("endpoints").get("consume").asText().contains(Routes.CONSUME), body::toString);
    }

    @Test
    void unknownRouteIsNotFoundInJson() throws Exception {
        assertError(send("GET", uri("/no/such/route", null), null), 404, "NOT_FOUND");
        assertError(send("GET", uri(Routes.SERVICES + "/nothing", "index=0"), null), 404, "NOT_FOUND");
    }

    @Test
    void wrongMethodIsNotAllowedInJsonWithAllow() throws Exception {
        for (String method : List.of("POST", "PUT", "DELETE", "PATCH")) {
            HttpResponse<byte[]> r = send(method, uri(Routes.CONSUME, query(0)), null);
            assertError(r, 405, "METHOD_NOT_ALLOWED");
            assertEquals("GET, HEAD", r.headers().firstValue("Allow").orElseThrow(), method);
        }
    }

    // ---- the API's documentation ----------------------------------------------------------

    /** {@return whether the Swagger UI webjar is on the class path, so the binding serves the page} */
    private static boolean swaggerUiOnClassPath() {
        return HttpBindingContract.class
                        .getClassLoader()
                        .getResource("META-INF/maven/org.webjars/swagger-ui/pom.properties")
                != null;
    }

    @Test
    void specIsTheOpenApiDocumentNamingThisServerAndTheLibraryVersion() throws Exception {
        HttpResponse<byte[]> r = send("GET", uri(Routes.SPEC, null), null);
        assertEquals(200, r.statusCode());
        assertEquals(
                "application/json",
                mediaType(r.headers().firstValue("Content-Type").orElseThrow()));
        JsonNode spec = JSON.readTree(r.body());
        assertTrue(spec.path("openapi").asText().startsWith("3."), spec.path("openapi")::toString);
        assertEquals(
                base.toString(), spec.path("servers").path(0).path("url").asText(), spec.path("servers")::toString);
        assertEquals(brizo.info().version(), spec.path("info").path("version").asText());
        assertEquals(OpenApiConformance.document().path("paths"), spec.path("paths"));
    }

    @Test
    void specIsYamlForFormatYamlOrAnAcceptThatPrefersIt() throws Exception {
        JsonNode json = JSON.readTree(send("GET", uri(Routes.SPEC, null), null).body());
        ObjectMapper yaml = new ObjectMapper(new com.fasterxml.jackson.dataformat.yaml.YAMLFactory());
        for (HttpResponse<byte[]> r : List.of(
                send("GET", uri(Routes.SPEC, "format=yaml"), null),
                send("GET", uri(Routes.SPEC, null), null, "Accept", "application/yaml"),
                send("GET", uri(Routes.SPEC, null), null, "Accept", "application/json;q=0.5, text/yaml"))) {
            assertEquals(200, r.statusCode());
            assertEquals(
                    "application/yaml",
                    mediaType(r.headers().firstValue("Content-Type").orElseThrow()));
            assertEquals(json, yaml.readTree(r.body()), "the YAML form is the same document");
        }
        HttpResponse<byte[]> preferJson =
                send("GET", uri(Routes.SPEC, null), null, "Accept", "application/json, application/yaml;q=0.9");
        assertEquals(
                "application/json",
                mediaType(preferJson.headers().firstValue("Content-Type").orElseThrow()));
        assertError(send("GET", uri(Routes.SPEC, "format=xml"), null), 400, "INVALID_REQUEST");
    }

    @Test
    void docsPageLoadsSwaggerUiAndTheDocumentRelativeToItselfOrSaysWhatToAdd() throws Exception {
        if (!swaggerUiOnClassPath()) {
            JsonNode e = assertError(send("GET", uri(Routes.DOCS, null), null), 404, "NOT_FOUND");
            assertTrue(e.get("message").asText().contains("org.webjars:swagger-ui"), e::toString);
            return;
        }
        for (String page : List.of(Routes.DOCS, Routes.DOCS + "/")) {
            URI pageUri = uri(page, null);
            HttpResponse<byte[]> r = send("GET", pageUri, null);
            assertEquals(200, r.statusCode(), page);
            assertEquals(
                    "text/html",
                    mediaType(r.headers().firstValue("Content-Type").orElseThrow()));
            String html = new String(r.body(), StandardCharsets.UTF_8);
            Matcher links =
                    Pattern.compile("(?:src|href|data-spec)=\"([^\"]+)\"").matcher(html);
            List<URI> seen = new java.util.ArrayList<>();
            while (links.find()) {
                URI target = pageUri.resolve(links.group(1));
                assertTrue(target.toString().startsWith(base + "/"), () -> page + " links outside the API: " + target);
                HttpResponse<byte[]> file = send("GET", target, null);
                assertEquals(200, file.statusCode(), target::toString);
                assertTrue(file.body().length > 0, target::toString);
                seen.add(target);
            }
            assertTrue(
                    seen.contains(uri(Routes.SPEC, null)),
                    () -> page + " does not point Swagger UI at the spec: " + seen);
            assertTrue(seen.contains(uri(Routes.DOCS + "/swagger-ui-bundle.js", null)), seen::toString);
        }
        assertError(send("GET", uri(Routes.DOCS + "/index.html", null), null), 404, "NOT_FOUND");
    }

    @Test
    void everyDocumentedPathTakesExactlyTheDocumentedMethods() throws Exception {
        // The conformance check of send() requires 405 with an Allow of exactly the document's
        // methods for any other, and a documented answer for these.
        for (String route : everyRoute()) {
            for (String method : List.of("GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS")) {
                send(method, uri(route, null), null);
            }
        }
    }

    @Test
    void rootNamesTheDocumentedRoutesWithTheirMethods() throws Exception {
        JsonNode endpoints =
                JSON.readTree(send("GET", uri("/", null), null).body()).get("endpoints");
        JsonNode paths = OpenApiConformance.document().path("paths");
        assertTrue(endpoints.size() >= 5, endpoints::toString);
        endpoints.fields().forEachRemaining(e -> {
            String[] methodsAndPath = e.getValue().asText().split(" ", 2);
            JsonNode item = paths.path(methodsAndPath[1]);
            assertFalse(item.isMissingNode(), () -> e + " is not in the document");
            for (String m : methodsAndPath[0].split("\\|")) {
                assertTrue(item.has(m.toLowerCase(Locale.ROOT)), () -> e + ": " + m + " is not in the document");
            }
        });
    }
}
