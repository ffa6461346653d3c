package io.brizo.http;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.brizo.Brizo;
import io.brizo.TestKeys;
import io.brizo.spi.BrizoException;
import io.brizo.spi.ByteRange;
import io.brizo.spi.ErrorKind;
import io.brizo.spi.ObjectInfo;
import io.brizo.spi.Settings;
import io.brizo.spi.StorageDriver;
import io.brizo.spi.StorageObject;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Consume over real HTTP: the JDK server binding on 127.0.0.1, the built-in file driver, the
 * JSON asset catalogue and the development verifier, all found by discovery from settings.
 */
class ConsumeHttpTest {
    static final String DID = "did:op:" + "ab".repeat(32);
    static final String AGREEMENT = "12".repeat(32);
    static final String OTHER_AGREEMENT = "34".repeat(32);
    static final String EXPIRED_AGREEMENT = "56".repeat(32);
    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    final TestKeys consumer = TestKeys.random();
    final TestKeys stranger = TestKeys.random();
    final HttpClient http = HttpClient.newHttpClient();
    final List<AutoCloseable> toClose = new ArrayList<>();
    byte[] data;
    Path dataDir;
    URI base;

    @BeforeEach
    void setUp() throws IOException {
        dataDir = Files.createDirectories(dir.resolve("secret-storage-dir"));
        data = new byte[100_000];
        new Random(7).nextBytes(data);
        Files.write(dataDir.resolve("sample.bin"), data);
        Files.writeString(dataDir.resolve("notes.txt"), "hello\n");
        base = start(Map.of());
    }

    @AfterEach
    void tearDown() throws Exception {
        for (AutoCloseable c : toClose) {
            c.close();
        }
    }

    URI start(Map<String, String> extra) throws IOException {
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
                                                        .toString()))))));
        Path grants = dir.resolve("grants.json");
        Files.writeString(
                grants,
                JSON.writeValueAsString(List.of(
                        Map.of(
                                "agreementId",
                                AGREEMENT,
                                "did",
                                DID,
                                "consumer",
                                consumer.address(),
                                "service",
                                "access"),
                        Map.of(
                                "agreementId",
                                EXPIRED_AGREEMENT,
                                "did",
                                DID,
                                "consumer",
                                consumer.address(),
                                "service",
                                "access",
                                "expiresAt",
                                "2001-01-01T00:00:00Z"))));
        Settings.Builder s = Settings.builder()
                .put("BRIZO_ASSETS", assets.toString())
                .put("BRIZO_GRANTS", grants.toString())
                .put("BRIZO_FILE_ROOTS", dataDir.toString())
                .put("PROVIDER_KEY", "0x" + "0f".repeat(32));
        extra.forEach(s::put);
        Brizo brizo = Brizo.builder().settings(s.build()).discover().build();
        BrizoHttpServer server = BrizoHttpServer.start(brizo, new java.net.InetSocketAddress("127.0.0.1", 0), 8);
        toClose.add(0, brizo);
        toClose.add(0, server);
        return server.uri();
    }

    String query(String agreement, TestKeys signer, String address, Object index) {
        return "serviceAgreementId=" + agreement + "&consumerAddress=" + address + "&signature="
                + signer.signText(agreement) + "&index=" + index;
    }

    java.net.http.HttpResponse<byte[]> get(URI root, String query, String... headers) throws Exception {
        var b = java.net.http.HttpRequest.newBuilder(URI.create(root + BrizoHttpApi.CONSUME + "?" + query));
        for (int i = 0; i < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        var response = http.send(b.GET().build(), BodyHandlers.ofByteArray());
        assertNoLocationLeaks(response);
        return response;
    }

    void assertNoLocationLeaks(java.net.http.HttpResponse<byte[]> response) {
        String everything = response.headers().map() + new String(response.body(), StandardCharsets.ISO_8859_1);
        assertFalse(everything.contains("secret-storage-dir"), everything);
        assertFalse(everything.contains("file:"), everything);
        assertFalse(everything.contains(dir.toString()), everything);
    }

    JsonNode error(java.net.http.HttpResponse<byte[]> r, int status, String kind) throws IOException {
        assertEquals(status, r.statusCode(), () -> new String(r.body(), StandardCharsets.UTF_8));
        assertEquals("application/json", r.headers().firstValue("Content-Type").orElseThrow());
        JsonNode body = JSON.readTree(r.body());
        assertEquals(kind, body.get("error").asText());
        assertFalse(body.get("message").asText().isBlank());
        return body;
    }

    @Test
    void fullDownloadReturnsTheExactBytesWithHeaders() throws Exception {
        var r = get(base, query(AGREEMENT, consumer, consumer.address(), 0));
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
    void secondFileIsServedByIndexWithTheStoresContentType() throws Exception {
        var r = get(base, query(AGREEMENT, consumer, consumer.address(), 1));
        assertEquals(200, r.statusCode());
        assertEquals("hello\n", new String(r.body(), StandardCharsets.UTF_8));
        assertEquals(
                "attachment; filename=\"notes.txt\"",
                r.headers().firstValue("Content-Disposition").orElseThrow());
    }

    @Test
    void addressIsComparedCaseInsensitively() throws Exception {
        var r = get(
                base,
                query(
                        AGREEMENT,
                        consumer,
                        "0x" + consumer.address().substring(2).toUpperCase(),
                        0));
        assertEquals(200, r.statusCode());
    }

    @Test
    void headAnswersTheHeadersOfGetWithoutBody() throws Exception {
        var request = java.net.http.HttpRequest.newBuilder(URI.create(
                        base + BrizoHttpApi.CONSUME + "?" + query(AGREEMENT, consumer, consumer.address(), 0)))
                .method("HEAD", BodyPublishers.noBody())
                .build();
        var r = http.send(request, BodyHandlers.ofByteArray());
        assertEquals(200, r.statusCode());
        assertEquals("100000", r.headers().firstValue("Content-Length").orElseThrow());
        assertEquals(0, r.body().length);
    }

    @Test
    void everyHeadAnswerOfTheApiHasTheHeadersOfItsGetAndNoBodyErrorsIncluded() {
        Brizo brizo = Brizo.builder()
                .settings(Settings.builder()
                        .put("BRIZO_ASSETS", dir.resolve("assets.json").toString())
                        .put("BRIZO_GRANTS", dir.resolve("grants.json").toString())
                        .put("BRIZO_FILE_ROOTS", dataDir.toString())
                        .build())
                .discover()
                .build();
        toClose.add(brizo);
        BrizoHttpApi api = new BrizoHttpApi(brizo);
        // An unknown route, malformed parameters (400) and a target too long (414): errors that
        // arise before or outside a route's own HEAD handling.
        for (String[] target :
                List.of(new String[] {"/nowhere", null}, new String[] {BrizoHttpApi.CONSUME, "index=x"}, new String[] {
                    BrizoHttpApi.CONSUME, "pad=" + "x".repeat(70_000)
                })) {
            HttpResponse get =
                    api.handle(new HttpRequest("GET", target[0], target[1], Map.of(), InputStream.nullInputStream()));
            HttpResponse head =
                    api.handle(new HttpRequest("HEAD", target[0], target[1], Map.of(), InputStream.nullInputStream()));
            assertTrue(get.status() >= 400 && !get.isHeadOnly(), target[0]);
            assertEquals(get.status(), head.status(), target[0]);
            assertEquals(get.contentLength(), head.contentLength(), target[0]);
            assertTrue(head.isHeadOnly(), target[0]);
        }
    }

    @Test
    void rangeReturnsPartialContentWithContentRange() throws Exception {
        var r = get(base, query(AGREEMENT, consumer, consumer.address(), 0), "Range", "bytes=1000-1999");
        assertEquals(206, r.statusCode());
        assertEquals(
                "bytes 1000-1999/100000",
                r.headers().firstValue("Content-Range").orElseThrow());
        assertEquals("1000", r.headers().firstValue("Content-Length").orElseThrow());
        assertArrayEquals(Arrays.copyOfRange(data, 1000, 2000), r.body());
    }

    @Test
    void suffixRangeReturnsTheLastBytes() throws Exception {
        var r = get(base, query(AGREEMENT, consumer, consumer.address(), 0), "Range", "bytes=-10");
        assertEquals(206, r.statusCode());
        assertEquals(
                "bytes 99990-99999/100000",
                r.headers().firstValue("Content-Range").orElseThrow());
        assertArrayEquals(Arrays.copyOfRange(data, 99_990, 100_000), r.body());
    }

    @Test
    void openEndedRangeFromZeroIsPartialContentOfTheWholeFile() throws Exception {
        var r = get(base, query(AGREEMENT, consumer, consumer.address(), 0), "Range", "bytes=0-");
        assertEquals(206, r.statusCode());
        assertEquals(
                "bytes 0-99999/100000", r.headers().firstValue("Content-Range").orElseThrow());
        assertArrayEquals(data, r.body());
    }

    @Test
    void rangeEndPastTheEndIsClamped() throws Exception {
        var r = get(base, query(AGREEMENT, consumer, consumer.address(), 0), "Range", "bytes=99995-200000");
        assertEquals(206, r.statusCode());
        assertEquals(
                "bytes 99995-99999/100000",
                r.headers().firstValue("Content-Range").orElseThrow());
        assertArrayEquals(Arrays.copyOfRange(data, 99_995, 100_000), r.body());
    }

    @Test
    void rangeBeyondEndIsNotSatisfiable() throws Exception {
        var r = get(base, query(AGREEMENT, consumer, consumer.address(), 0), "Range", "bytes=100000-");
        error(r, 416, "RANGE_NOT_SATISFIABLE");
        assertEquals("bytes */100000", r.headers().firstValue("Content-Range").orElseThrow());
    }

    @Test
    void multipleRangesAreAnsweredWithTheWholeFile() throws Exception {
        var r = get(base, query(AGREEMENT, consumer, consumer.address(), 0), "Range", "bytes=0-1,5-9");
        assertEquals(200, r.statusCode());
        assertTrue(r.headers().firstValue("Content-Range").isEmpty());
        assertArrayEquals(data, r.body());
    }

    @Test
    void signatureOfAnotherKeyIsUnauthenticated() throws Exception {
        error(get(base, query(AGREEMENT, stranger, consumer.address(), 0)), 401, "UNAUTHENTICATED");
    }

    @Test
    void malformedParametersAreBadRequests() throws Exception {
        String sig = consumer.signText(AGREEMENT);
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
            error(get(base, q), 400, "INVALID_REQUEST");
        }
    }

    @Test
    void malformedPercentEncodingIsABadRequest() throws Exception {
        // The JDK client refuses to send such a URI, so hand it to the API directly.
        Brizo brizo = Brizo.builder()
                .settings(Settings.builder()
                        .put("BRIZO_ASSETS", dir.resolve("assets.json").toString())
                        .put("BRIZO_GRANTS", dir.resolve("grants.json").toString())
                        .build())
                .discover()
                .build();
        toClose.add(brizo);
        var response = new BrizoHttpApi(brizo)
                .handle(new io.brizo.http.HttpRequest(
                        "GET",
                        BrizoHttpApi.CONSUME,
                        "serviceAgreementId=%zz&index=0",
                        Map.of(),
                        InputStream.nullInputStream()));
        assertEquals(400, response.status());
        assertEquals("application/json", response.header("Content-Type"));
    }

    @Test
    void consumerWithoutGrantIsForbidden() throws Exception {
        error(get(base, query(OTHER_AGREEMENT, consumer, consumer.address(), 0)), 403, "FORBIDDEN");
        error(get(base, query(AGREEMENT, stranger, stranger.address(), 0)), 403, "FORBIDDEN");
    }

    @Test
    void expiredAgreementIsForbidden() throws Exception {
        JsonNode body = error(get(base, query(EXPIRED_AGREEMENT, consumer, consumer.address(), 0)), 403, "FORBIDDEN");
        assertTrue(body.get("message").asText().contains("expired"));
    }

    @Test
    void indexPastTheLastFileIsNotFound() throws Exception {
        error(get(base, query(AGREEMENT, consumer, consumer.address(), 2)), 404, "NOT_FOUND");
    }

    @Test
    void indexBeyondAnIntOrALongIsNotFoundNeverAnotherFile() throws Exception {
        for (String index : List.of("4294967296", "4294967297", "9223372036854775807", "9".repeat(40))) {
            error(get(base, query(AGREEMENT, consumer, consumer.address(), index)), 404, "NOT_FOUND");
        }
    }

    java.net.http.HttpResponse<byte[]> getWithBody(String body) throws Exception {
        var request = java.net.http.HttpRequest.newBuilder(URI.create(base + BrizoHttpApi.CONSUME))
                .method("GET", BodyPublishers.ofString(body))
                .header("Content-Type", "application/json")
                .build();
        return http.send(request, BodyHandlers.ofByteArray());
    }

    @Test
    void aJsonBodyWithAKeyGivenTwiceIsRefused() throws Exception {
        String body = "{\"serviceAgreementId\": \"" + AGREEMENT + "\", \"consumerAddress\": \"" + consumer.address()
                + "\", \"index\": 0, \"signature\": \"0xbad\", \"signature\": \"" + consumer.signText(AGREEMENT)
                + "\"}";
        JsonNode e = error(getWithBody(body), 400, "INVALID_REQUEST");
        assertTrue(e.get("message").asText().contains("each key once"), e.toString());
    }

    @Test
    void overLongBodyUrlAndHeadersGet413414And431AsJson() throws Exception {
        String big = "x".repeat(BrizoHttpApi.MAX_BODY);
        error(getWithBody("{\"serviceAgreementId\": \"" + big + "\"}"), 413, "PAYLOAD_TOO_LARGE");
        error(
                get(base, query(AGREEMENT, consumer, consumer.address(), 0) + "&pad=" + "x".repeat(100_000)),
                414,
                "URI_TOO_LONG");
        error(
                get(base, query(AGREEMENT, consumer, consumer.address(), 0), "X-Pad", "x".repeat(100_000)),
                431,
                "HEADERS_TOO_LARGE");
        assertEquals(
                200,
                get(base, query(AGREEMENT, consumer, consumer.address(), 0)).statusCode());
    }

    @Test
    void nonceSignatureWorksOnceAndItsReplayIsRefused() throws Exception {
        long nonce = System.currentTimeMillis();
        String q = "serviceAgreementId=" + AGREEMENT + "&consumerAddress=" + consumer.address() + "&signature="
                + consumer.signWithNonce(AGREEMENT, nonce) + "&index=0&nonce=" + nonce;
        assertEquals(200, get(base, q).statusCode());
        error(get(base, q), 401, "UNAUTHENTICATED");
    }

    @Test
    void nonceOnlyPublisherRefusesTheBrizoForm() throws Exception {
        URI strict = start(Map.of("BRIZO_NONCE_REQUIRED", "true"));
        error(get(strict, query(AGREEMENT, consumer, consumer.address(), 0)), 401, "UNAUTHENTICATED");
        long nonce = 42;
        String q = "serviceAgreementId=" + AGREEMENT + "&consumerAddress=" + consumer.address() + "&signature="
                + consumer.signWithNonce(AGREEMENT, nonce) + "&index=0&nonce=" + nonce;
        assertEquals(200, get(strict, q).statusCode());
    }

    @Test
    void jsonBodyParametersAcceptIndexZero() throws Exception {
        String body = JSON.writeValueAsString(Map.of(
                "serviceAgreementId",
                AGREEMENT,
                "consumerAddress",
                consumer.address(),
                "signature",
                consumer.signText(AGREEMENT),
                "index",
                0));
        var request = java.net.http.HttpRequest.newBuilder(URI.create(base + BrizoHttpApi.CONSUME))
                .method("GET", BodyPublishers.ofString(body))
                .header("Content-Type", "application/json")
                .build();
        var r = http.send(request, BodyHandlers.ofByteArray());
        assertEquals(200, r.statusCode());
        assertArrayEquals(data, r.body());
    }

    @Test
    void oldUrlFormIsRefusedUnlessEnabled() throws Exception {
        String url = dataDir.resolve("sample.bin").toUri().toString();
        var r = get(base, "consumerAddress=" + consumer.address() + "&serviceAgreementId=" + AGREEMENT + "&url=" + url);
        error(r, 400, "INVALID_REQUEST");
    }

    @Test
    void oldUrlFormServesOnlyAFileOfTheAgreementsOwnAsset() throws Exception {
        URI legacy = start(Map.of("BRIZO_ALLOW_URL_PARAMETER", "true"));
        String url = dataDir.resolve("notes.txt").toUri().toString();
        var ok = get(
                legacy, "url=" + url + "&consumerAddress=" + consumer.address() + "&serviceAgreementId=" + AGREEMENT);
        assertEquals(200, ok.statusCode());
        assertEquals("hello\n", new String(ok.body(), StandardCharsets.UTF_8));
        Files.writeString(dataDir.resolve("other.txt"), "not in the asset");
        String other = dataDir.resolve("other.txt").toUri().toString();
        error(
                get(
                        legacy,
                        "consumerAddress=" + consumer.address() + "&serviceAgreementId=" + AGREEMENT + "&url=" + other),
                403,
                "FORBIDDEN");
        error(
                get(
                        legacy,
                        "consumerAddress=" + stranger.address() + "&serviceAgreementId=" + AGREEMENT + "&url=" + url),
                403,
                "FORBIDDEN");
    }

    @Test
    void unencodedUrlWithItsOwnQueryStringIsKeptWhole() {
        var request = new io.brizo.http.HttpRequest(
                "GET",
                BrizoHttpApi.CONSUME,
                "consumerAddress=0xab&url=https://store.example/f.csv?a=1&b=2&serviceAgreementId=12",
                Map.of(),
                InputStream.nullInputStream());
        Map<String, String> p = BrizoHttpApi.parameters(
                request, java.util.Set.of("consumerAddress", "url", "serviceAgreementId"), BrizoHttpApi.MAX_BODY);
        assertEquals("https://store.example/f.csv?a=1&b=2", p.get("url"));
        assertEquals("12", p.get("serviceAgreementId"));
        assertEquals("0xab", p.get("consumerAddress"));
    }

    @Test
    void rootDescribesTheServiceAndItsProvider() throws Exception {
        var r = http.send(
                java.net.http.HttpRequest.newBuilder(base.resolve("/")).build(), BodyHandlers.ofByteArray());
        assertEquals(200, r.statusCode());
        JsonNode body = JSON.readTree(r.body());
        assertEquals("Brizo for Java", body.get("software").asText());
        assertEquals(
                TestKeys.of("0x" + "0f".repeat(32)).address(),
                body.get("providerAddress").asText().toLowerCase());
        assertTrue(body.get("endpoints").get("consume").asText().contains(BrizoHttpApi.CONSUME));
        assertFalse(body.get("version").asText().isBlank());
    }

    @Test
    void unknownRouteAndWrongMethodAreJsonErrors() throws Exception {
        var r = http.send(
                java.net.http.HttpRequest.newBuilder(base.resolve("/nope")).build(), BodyHandlers.ofByteArray());
        error(r, 404, "NOT_FOUND");
        var post = http.send(
                java.net.http.HttpRequest.newBuilder(URI.create(base + BrizoHttpApi.CONSUME))
                        .POST(BodyPublishers.noBody())
                        .build(),
                BodyHandlers.ofByteArray());
        error(post, 405, "METHOD_NOT_ALLOWED");
        assertEquals("GET, HEAD", post.headers().firstValue("Allow").orElseThrow());
    }

    @Test
    void storageFailureMidwayAbortsTheConnection() throws Exception {
        // Fault injector, not a mock of a real store: nothing real fails on demand halfway.
        StorageDriver failing = new FailingDriver(1_000_000, 300_000);
        Path assets = dir.resolve("assets-failing.json");
        Files.writeString(
                assets,
                JSON.writeValueAsString(Map.of(DID, Map.of("files", List.of(Map.of("url", "fail://x/big.bin"))))));
        Brizo brizo = Brizo.builder()
                .settings(Settings.builder()
                        .put("BRIZO_ASSETS", assets.toString())
                        .put("BRIZO_GRANTS", dir.resolve("grants.json").toString())
                        .build())
                .storageDriver(failing)
                .discover()
                .build();
        BrizoHttpServer server = BrizoHttpServer.start(brizo, new java.net.InetSocketAddress("127.0.0.1", 0), 2);
        toClose.add(0, brizo);
        toClose.add(0, server);
        var request = java.net.http.HttpRequest.newBuilder(URI.create(
                        server.uri() + BrizoHttpApi.CONSUME + "?" + query(AGREEMENT, consumer, consumer.address(), 0)))
                .build();
        // The client sees the connection end before Content-Length bytes: an error, never a short file.
        assertThrows(IOException.class, () -> http.send(request, BodyHandlers.ofByteArray()));
    }

    /** Serves {@code size} bytes and throws after {@code failAfter} of them. */
    static final class FailingDriver implements StorageDriver {
        final long size;
        final long failAfter;

        FailingDriver(long size, long failAfter) {
            this.size = size;
            this.failAfter = failAfter;
        }

        @Override
        public String name() {
            return "failing";
        }

        @Override
        public boolean supports(URI location) {
            return "fail".equals(location.getScheme());
        }

        @Override
        public ObjectInfo stat(URI location) {
            return ObjectInfo.builder(size).build();
        }

        @Override
        public StorageObject open(URI location, ByteRange range) {
            ByteRange.Slice slice = range.resolve(size);
            return new StorageObject(stat(location), slice, new InputStream() {
                long served;

                @Override
                public int read() throws IOException {
                    if (served >= failAfter) {
                        throw new IOException("disk on fire");
                    }
                    served++;
                    return 'x';
                }

                @Override
                public int read(byte[] b, int off, int len) throws IOException {
                    if (served >= failAfter) {
                        throw new IOException("disk on fire");
                    }
                    int n = (int) Math.min(len, failAfter - served);
                    Arrays.fill(b, off, off + n, (byte) 'x');
                    served += n;
                    return n;
                }
            });
        }
    }

    @Test
    void explicitDriverIsAskedBeforeDiscoveredOnes() throws Exception {
        Brizo brizo = Brizo.builder()
                .settings(Settings.builder()
                        .put("BRIZO_ASSETS", dir.resolve("assets.json").toString())
                        .put("BRIZO_GRANTS", dir.resolve("grants.json").toString())
                        .put("BRIZO_FILE_ROOTS", dataDir.toString())
                        .build())
                .storageDriver(new FailingDriver(1, 1))
                .discover()
                .build();
        toClose.add(brizo);
        assertEquals(List.of("failing", "file"), brizo.storageDriverNames());
    }

    @Test
    void missingDriverErrorNamesTheInstalledDriversButNotTheLocation() throws Exception {
        Path assets = dir.resolve("assets-unknown.json");
        Files.writeString(
                assets,
                JSON.writeValueAsString(
                        Map.of(DID, Map.of("files", List.of(Map.of("url", "gopher://hidden-host/x"))))));
        Brizo brizo = Brizo.builder()
                .settings(Settings.builder()
                        .put("BRIZO_ASSETS", assets.toString())
                        .put("BRIZO_GRANTS", dir.resolve("grants.json").toString())
                        .build())
                .discover()
                .build();
        toClose.add(brizo);
        var e = assertThrows(
                BrizoException.class,
                () -> brizo.consume(io.brizo.ConsumeRequest.builder()
                        .agreementId(AGREEMENT)
                        .consumerAddress(consumer.address())
                        .signature(consumer.signText(AGREEMENT))
                        .index(0)
                        .build()));
        assertEquals(ErrorKind.CONFIGURATION, e.kind());
        assertTrue(e.getMessage().contains("file"), e.getMessage());
        assertFalse(e.getMessage().contains("gopher") || e.getMessage().contains("hidden-host"), e.getMessage());
    }
}
