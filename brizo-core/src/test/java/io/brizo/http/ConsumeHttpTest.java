package io.brizo.http;

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
 * What consume does beyond the HTTP binding, over the JDK server binding on 127.0.0.1 or the API
 * directly: the built-in file driver, the JSON asset catalogue and the development verifier, all
 * found by discovery from settings. The HTTP behaviour every binding shares (downloads, ranges,
 * HEAD, refusals, limits, JSON errors, aborts) is brizo-testkit's {@code HttpBindingContract},
 * which brizo-testkit's {@code JdkHttpBindingContractTest} runs against this binding; core cannot
 * depend on the testkit.
 */
class ConsumeHttpTest {
    static final String DID = "did:op:" + "ab".repeat(32);
    static final String AGREEMENT = "12".repeat(32);
    static final String OTHER_AGREEMENT = "34".repeat(32);
    static final String EXPIRED_AGREEMENT = "56".repeat(32);
    /** A DID the consumer was given permission on, but this publisher does not serve. */
    static final String UNSERVED_DID = "did:op:" + "cd".repeat(32);

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
                                "2001-01-01T00:00:00Z"),
                        // Direct permissions on a DID, the original's DID form of consume.
                        Map.of("did", DID, "consumer", consumer.address(), "service", "permission"),
                        Map.of("did", UNSERVED_DID, "consumer", consumer.address(), "service", "permission"))));
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
    void didFormServesTheAssetToAConsumerGivenPermissionOnTheDid() throws Exception {
        var r = get(base, query(DID, consumer, consumer.address(), 0));
        assertEquals(200, r.statusCode(), () -> new String(r.body(), StandardCharsets.UTF_8));
        assertTrue(Arrays.equals(data, r.body()));
        var part = get(base, query(DID, consumer, consumer.address(), 0), "Range", "bytes=10-19");
        assertEquals(206, part.statusCode());
        assertTrue(Arrays.equals(Arrays.copyOfRange(data, 10, 20), part.body()));
        var second = get(base, query(DID, consumer, consumer.address(), 1));
        assertEquals("hello\n", new String(second.body(), StandardCharsets.UTF_8));
        error(get(base, query(DID, consumer, consumer.address(), 2)), 404, "NOT_FOUND");
    }

    @Test
    void didFormRefusesAStrangerAsAnAgreementNotGrantedWhetherOrNotTheDidExists() throws Exception {
        String refused = error(get(base, query(DID, stranger, stranger.address(), 0)), 403, "FORBIDDEN")
                .get("message")
                .asText();
        String nowhere = "did:op:" + "ef".repeat(32);
        for (String did : List.of(UNSERVED_DID, nowhere)) {
            assertEquals(
                    refused,
                    error(get(base, query(did, stranger, stranger.address(), 0)), 403, "FORBIDDEN")
                            .get("message")
                            .asText());
        }
        // The consumer's agreement on the asset is no permission on its DID, and the other way round.
        error(get(base, query(nowhere, consumer, consumer.address(), 0)), 403, "FORBIDDEN");
        error(get(base, query(AGREEMENT, stranger, stranger.address(), 0)), 403, "FORBIDDEN");
    }

    @Test
    void didFormOfAnAssetNotServedHereIsNotFound() throws Exception {
        error(get(base, query(UNSERVED_DID, consumer, consumer.address(), 0)), 404, "NOT_FOUND");
    }

    @Test
    void didFormNeedsTheSignatureOfTheDidTextAsSent() throws Exception {
        String q = "serviceAgreementId=" + DID + "&consumerAddress=" + consumer.address() + "&signature="
                + consumer.signText(DID.substring("did:op:".length())) + "&index=0";
        error(get(base, q), 401, "UNAUTHENTICATED");
        String upper = "did:op:" + DID.substring("did:op:".length()).toUpperCase(java.util.Locale.ROOT);
        assertEquals(
                200, get(base, query(upper, consumer, consumer.address(), 0)).statusCode());
    }

    @Test
    void didFormThatIsNotADidIsABadRequest() throws Exception {
        for (String bad :
                List.of("did:op:1234", "did:op:" + "zz".repeat(32), DID + "00", "did:op:0x" + "ab".repeat(32))) {
            error(get(base, query(bad, consumer, consumer.address(), 0)), 400, "INVALID_REQUEST");
        }
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
    void malformedPercentEncodingIsABadRequest() throws Exception {
        // The JDK server answers such a request target itself before the API sees it (pinned in
        // JdkBindingTest), so hand it to the API directly; the servlet binding carries it to the API
        // over HTTP in brizo-servlet's runs of HttpBindingContract.
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
    void nonceOnlyPublisherRefusesTheBrizoForm() throws Exception {
        URI strict = start(Map.of("BRIZO_NONCE_REQUIRED", "true"));
        error(get(strict, query(AGREEMENT, consumer, consumer.address(), 0)), 401, "UNAUTHENTICATED");
        long nonce = 42;
        String q = "serviceAgreementId=" + AGREEMENT + "&consumerAddress=" + consumer.address() + "&signature="
                + consumer.signWithNonce(AGREEMENT, nonce) + "&index=0&nonce=" + nonce;
        assertEquals(200, get(strict, q).statusCode());
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

    static final String ACCEL_KEY = "a-long-random-proxy-secret";

    /** A GET of the consumer's file 0 as the front proxy forwards it: with the proxy's key. */
    java.net.http.HttpResponse<byte[]> getViaProxy(URI proxied, TestKeys signer, String... headers) throws Exception {
        String[] all = new String[headers.length + 2];
        all[0] = "X-Brizo-Accel-Key";
        all[1] = ACCEL_KEY;
        System.arraycopy(headers, 0, all, 2, headers.length);
        return get(proxied, query(AGREEMENT, signer, signer.address(), 0), all);
    }

    URI startBehindProxy() throws IOException {
        return start(
                Map.of("BRIZO_ACCEL_REDIRECT", dataDir + "=/_brizo/files/", "BRIZO_ACCEL_REDIRECT_KEY", ACCEL_KEY));
    }

    @Test
    void authorisedGetThroughTheProxyIsHandedOverWithItsHeadersAndNoBody() throws Exception {
        URI proxied = startBehindProxy();
        var r = getViaProxy(proxied, consumer);
        assertEquals(200, r.statusCode());
        assertEquals(0, r.body().length);
        assertEquals(
                "/_brizo/files/sample.bin",
                r.headers().firstValue("X-Accel-Redirect").orElseThrow());
        assertEquals(
                "application/octet-stream",
                r.headers().firstValue("Content-Type").orElseThrow());
        assertEquals(
                "attachment; filename=\"sample.bin\"",
                r.headers().firstValue("Content-Disposition").orElseThrow());
        assertEquals("no-store", r.headers().firstValue("Cache-Control").orElseThrow());
        // The proxy answers the range from the request it kept: Brizo names no part of the file.
        var part = getViaProxy(proxied, consumer, "Range", "bytes=10-19");
        assertEquals(200, part.statusCode());
        assertEquals(
                "/_brizo/files/sample.bin",
                part.headers().firstValue("X-Accel-Redirect").orElseThrow());
        assertTrue(part.headers().firstValue("Content-Range").isEmpty());
        assertTrue(part.headers().firstValue("Accept-Ranges").isEmpty());
    }

    @Test
    void aRequestWithoutTheProxysKeyGetsTheBytesAndNeverAnInternalPath() throws Exception {
        URI proxied = startBehindProxy();
        for (String[] headers :
                List.of(new String[0], new String[] {"X-Brizo-Accel-Key", ACCEL_KEY + "!"}, new String[] {
                    "X-Brizo-Accel-Key", ACCEL_KEY.substring(0, 16)
                })) {
            var r = get(proxied, query(AGREEMENT, consumer, consumer.address(), 0), headers);
            assertEquals(200, r.statusCode());
            assertTrue(Arrays.equals(data, r.body()));
            assertTrue(
                    r.headers().firstValue("X-Accel-Redirect").isEmpty(),
                    r.headers().map()::toString);
        }
    }

    @Test
    void refusalsHeadAndUnsatisfiableRangesThroughTheProxyAreAnsweredByBrizo() throws Exception {
        URI proxied = startBehindProxy();
        var refused = getViaProxy(proxied, stranger);
        error(refused, 403, "FORBIDDEN");
        assertTrue(refused.headers().firstValue("X-Accel-Redirect").isEmpty());
        var beyond = getViaProxy(proxied, consumer, "Range", "bytes=200000-");
        assertEquals(416, beyond.statusCode());
        assertTrue(beyond.headers().firstValue("X-Accel-Redirect").isEmpty());
        var head = http.send(
                java.net.http.HttpRequest.newBuilder(URI.create(proxied + BrizoHttpApi.CONSUME + "?"
                                + query(AGREEMENT, consumer, consumer.address(), 0)))
                        .header("X-Brizo-Accel-Key", ACCEL_KEY)
                        .method("HEAD", java.net.http.HttpRequest.BodyPublishers.noBody())
                        .build(),
                BodyHandlers.discarding());
        assertEquals(200, head.statusCode());
        assertEquals(
                String.valueOf(data.length),
                head.headers().firstValue("Content-Length").orElseThrow());
        assertTrue(head.headers().firstValue("X-Accel-Redirect").isEmpty());
    }

    @Test
    void aFileOutsideTheMappedDirectoryIsSentByBrizoEvenThroughTheProxy() throws Exception {
        Path elsewhere = Files.createDirectories(dir.resolve("unmapped"));
        URI proxied = start(
                Map.of("BRIZO_ACCEL_REDIRECT", elsewhere + "=/_brizo/files/", "BRIZO_ACCEL_REDIRECT_KEY", ACCEL_KEY));
        var r = getViaProxy(proxied, consumer);
        assertEquals(200, r.statusCode());
        assertTrue(Arrays.equals(data, r.body()));
        assertTrue(r.headers().firstValue("X-Accel-Redirect").isEmpty());
    }
}
