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
import io.brizo.internal.crypto.Ecies;
import io.brizo.internal.json.Json;
import io.brizo.spi.BrizoException;
import io.brizo.spi.ErrorKind;
import io.brizo.spi.Settings;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.web3j.crypto.ECKeyPair;

/**
 * The publish and encrypt routes over the JDK binding on 127.0.0.1, and assets whose catalogue
 * entry has only the {@code encryptedFiles} that publish made: consumed as any other, and, when
 * the ciphertext does not decrypt, refused with an error that names the DID and never the file's
 * location, in answers or in the log (slf4j-simple writes to {@code System.err}, captured here).
 */
class PublishHttpTest {
    static final String PROVIDER_KEY = "0x" + "0f".repeat(32);
    static final ECKeyPair PROVIDER = io.brizo.internal.auth.Eip191.keyPairOf(PROVIDER_KEY);
    static final String PLAIN_DID = "did:op:" + "ab".repeat(32);
    static final String SEALED_DID = "did:op:" + "cd".repeat(32);
    static final String AGREEMENT = "12".repeat(32);
    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    final TestKeys publisher = TestKeys.random();
    final TestKeys consumer = TestKeys.random();
    final TestKeys stranger = TestKeys.random();
    final HttpClient http = HttpClient.newHttpClient();
    final List<AutoCloseable> toClose = new ArrayList<>();
    final ByteArrayOutputStream log = new ByteArrayOutputStream();
    PrintStream originalErr;
    Path dataDir;
    Path assets;
    byte[] data;
    String fileList;

    @BeforeEach
    void setUp() throws IOException {
        originalErr = System.err;
        PrintStream tee = new PrintStream(
                new OutputStream() {
                    @Override
                    public void write(int b) {
                        originalErr.write(b);
                        synchronized (log) {
                            log.write(b);
                        }
                    }

                    @Override
                    public void write(byte[] b, int off, int len) {
                        originalErr.write(b, off, len);
                        synchronized (log) {
                            log.write(b, off, len);
                        }
                    }
                },
                true,
                StandardCharsets.UTF_8);
        System.setErr(tee);
        dataDir = Files.createDirectories(dir.resolve("secret-storage-dir"));
        data = new byte[50_000];
        new Random(3).nextBytes(data);
        Files.write(dataDir.resolve("sealed.bin"), data);
        fileList = JSON.writeValueAsString(List.of(Map.of(
                "url",
                dataDir.resolve("sealed.bin").toUri().toString(),
                "contentType",
                "application/octet-stream",
                "index",
                0)));
        assets = dir.resolve("assets.json");
        writeAssets(Map.of(
                PLAIN_DID,
                Map.of(
                        "files",
                        List.of(Map.of(
                                "url", dataDir.resolve("sealed.bin").toUri().toString())))));
    }

    @AfterEach
    void tearDown() throws Exception {
        for (AutoCloseable c : toClose) {
            c.close();
        }
        System.setErr(originalErr);
        String logged;
        synchronized (log) {
            logged = log.toString(StandardCharsets.UTF_8);
        }
        // The storage location is in no log line, whatever the test did.
        assertFalse(logged.contains("secret-storage-dir"), logged);
        assertFalse(logged.contains("sealed.bin"), logged);
    }

    void writeAssets(Map<String, ?> catalogue) throws IOException {
        Files.writeString(assets, JSON.writeValueAsString(catalogue));
    }

    URI start(Map<String, String> extra) throws IOException {
        Path grants = dir.resolve("grants.json");
        Files.writeString(
                grants,
                JSON.writeValueAsString(List.of(Map.of(
                        "agreementId",
                        AGREEMENT,
                        "did",
                        SEALED_DID,
                        "consumer",
                        consumer.address(),
                        "service",
                        "access"))));
        Settings.Builder s = Settings.builder()
                .put("BRIZO_ASSETS", assets.toString())
                .put("BRIZO_GRANTS", grants.toString())
                .put("BRIZO_FILE_ROOTS", dataDir.toString())
                .put("BRIZO_RELOAD_INTERVAL", "0");
        extra.forEach(s::put);
        Brizo brizo = Brizo.builder().settings(s.build()).discover().build();
        BrizoHttpServer server = BrizoHttpServer.start(brizo, new java.net.InetSocketAddress("127.0.0.1", 0), 4);
        toClose.add(0, brizo);
        toClose.add(0, server);
        return server.uri();
    }

    URI withKey() throws IOException {
        return start(Map.of("PROVIDER_KEY", PROVIDER_KEY));
    }

    static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    String publishQuery(TestKeys signer, String address, String document) {
        return "documentId=" + enc(SEALED_DID) + "&signature=" + signer.signText(SEALED_DID) + "&document="
                + enc(document) + "&publisherAddress=" + address;
    }

    HttpResponse<byte[]> post(URI base, String route, String query, byte[] body, String contentType) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + route + (query == null ? "" : "?" + query)));
        if (contentType != null) {
            b.header("Content-Type", contentType);
        }
        HttpResponse<byte[]> r = http.send(
                b.POST(
                                body == null
                                        ? HttpRequest.BodyPublishers.noBody()
                                        : HttpRequest.BodyPublishers.ofByteArray(body))
                        .build(),
                BodyHandlers.ofByteArray());
        String everything = r.headers().map() + new String(r.body(), StandardCharsets.ISO_8859_1);
        assertFalse(everything.contains("secret-storage-dir"), everything);
        assertFalse(everything.contains("file:"), everything);
        return r;
    }

    HttpResponse<byte[]> consume(URI base) throws Exception {
        String q = "serviceAgreementId=" + AGREEMENT + "&consumerAddress=" + consumer.address() + "&signature="
                + consumer.signText(AGREEMENT) + "&index=0";
        HttpResponse<byte[]> r = http.send(
                HttpRequest.newBuilder(URI.create(base + BrizoHttpApi.CONSUME + "?" + q))
                        .GET()
                        .build(),
                BodyHandlers.ofByteArray());
        String everything = r.headers().map() + new String(r.body(), StandardCharsets.ISO_8859_1);
        if (r.statusCode() != 200) {
            assertFalse(everything.contains("secret-storage-dir"), everything);
            assertFalse(everything.contains("file:"), everything);
        }
        return r;
    }

    static JsonNode error(HttpResponse<byte[]> r, int status, String kind) throws IOException {
        assertEquals(status, r.statusCode(), () -> new String(r.body(), StandardCharsets.UTF_8));
        assertEquals("application/json", r.headers().firstValue("Content-Type").orElseThrow());
        JsonNode body = JSON.readTree(r.body());
        assertEquals(kind, body.get("error").asText());
        return body;
    }

    /** {@return the hex of a 201 answer, checked to decrypt with the provider's key to {@code expected}} */
    static String ciphertext(HttpResponse<byte[]> r, String expected) {
        assertEquals(201, r.statusCode(), () -> new String(r.body(), StandardCharsets.UTF_8));
        assertTrue(r.headers().firstValue("Content-Type").orElseThrow().startsWith("text/plain"));
        String hex = new String(r.body(), StandardCharsets.US_ASCII);
        assertTrue(hex.matches("0x[0-9a-f]+"), hex);
        assertEquals(
                expected,
                new String(Ecies.decrypt(PROVIDER, HexFormat.of().parseHex(hex.substring(2))), StandardCharsets.UTF_8));
        return hex;
    }

    @Test
    void publishAnswersTheDocumentEncryptedToTheProviderFromAQueryOrAJsonBody() throws Exception {
        URI base = withKey();
        ciphertext(
                post(base, Routes.PUBLISH, publishQuery(publisher, publisher.address(), fileList), null, null),
                fileList);
        Map<String, String> body = new LinkedHashMap<>();
        body.put("documentId", SEALED_DID);
        body.put("signature", publisher.signText(SEALED_DID));
        body.put("document", fileList);
        body.put("publisherAddress", publisher.address().toUpperCase().replace("0X", "0x"));
        ciphertext(
                post(base, Routes.PUBLISH, null, Json.write(body).getBytes(StandardCharsets.UTF_8), "application/json"),
                fileList);
        // and the nonce form
        long nonce = System.currentTimeMillis();
        body.put("signature", publisher.signWithNonce(SEALED_DID, nonce));
        body.put("nonce", Long.toString(nonce));
        ciphertext(
                post(base, Routes.PUBLISH, null, Json.write(body).getBytes(StandardCharsets.UTF_8), "application/json"),
                fileList);
        error(
                post(base, Routes.PUBLISH, null, Json.write(body).getBytes(StandardCharsets.UTF_8), "application/json"),
                401,
                "UNAUTHENTICATED");
    }

    @Test
    void aSignatureOfAnotherKeyIs401AndAPublisherNotListedIs403() throws Exception {
        URI base = start(Map.of("PROVIDER_KEY", PROVIDER_KEY, "BRIZO_PUBLISHERS", " " + publisher.address() + " ,"));
        JsonNode e = error(
                post(base, Routes.PUBLISH, publishQuery(stranger, publisher.address(), fileList), null, null),
                401,
                "UNAUTHENTICATED");
        assertTrue(e.get("message").asText().contains("publisherAddress"), e::toString);
        JsonNode f = error(
                post(base, Routes.PUBLISH, publishQuery(stranger, stranger.address(), fileList), null, null),
                403,
                "FORBIDDEN");
        assertTrue(f.get("message").asText().contains("BRIZO_PUBLISHERS"), f::toString);
        ciphertext(
                post(base, Routes.PUBLISH, publishQuery(publisher, publisher.address(), fileList), null, null),
                fileList);
    }

    @Test
    void missingParametersAreNamedAndADocumentThatIsNoFileListIsRefused() throws Exception {
        URI base = withKey();
        JsonNode e =
                error(post(base, Routes.PUBLISH, "documentId=" + enc(SEALED_DID), null, null), 400, "INVALID_REQUEST");
        assertEquals(
                "missing parameters: signature, document, publisherAddress",
                e.get("message").asText());
        JsonNode none = error(post(base, Routes.PUBLISH, null, null, null), 400, "INVALID_REQUEST");
        assertEquals(
                "missing parameters: documentId, signature, document, publisherAddress",
                none.get("message").asText());
        error(
                post(base, Routes.PUBLISH, publishQuery(publisher, "0x1234", fileList), null, null),
                400,
                "INVALID_REQUEST");
        for (String notAList : List.of("{\"url\": \"x\"}", "[]", "not json", "[{\"contentType\": \"text/csv\"}]")) {
            error(
                    post(base, Routes.PUBLISH, publishQuery(publisher, publisher.address(), notAList), null, null),
                    400,
                    "INVALID_REQUEST");
        }
        var get = http.send(
                HttpRequest.newBuilder(URI.create(base + Routes.PUBLISH)).GET().build(), BodyHandlers.ofByteArray());
        assertEquals(405, get.statusCode());
        assertEquals("POST", get.headers().firstValue("Allow").orElseThrow());
    }

    @Test
    void withoutAProviderKeyBothRoutesSayWhatToSetWithA503() throws Exception {
        URI base = start(Map.of());
        for (HttpResponse<byte[]> r : List.of(
                post(base, Routes.PUBLISH, publishQuery(publisher, publisher.address(), fileList), null, null),
                post(
                        base,
                        Routes.ENCRYPT,
                        null,
                        fileList.getBytes(StandardCharsets.UTF_8),
                        "application/octet-stream"))) {
            JsonNode e = error(r, 503, "CONFIGURATION");
            assertTrue(e.get("message").asText().contains("PROVIDER_KEY"), e::toString);
            assertTrue(r.headers().firstValue("Retry-After").isEmpty());
        }
    }

    @Test
    void encryptTakesARawBody() throws Exception {
        URI base = withKey();
        ciphertext(
                post(base, Routes.ENCRYPT, null, fileList.getBytes(StandardCharsets.UTF_8), "application/octet-stream"),
                fileList);
        error(post(base, Routes.ENCRYPT, null, null, null), 400, "INVALID_REQUEST");
        error(post(base, Routes.ENCRYPT, null, new byte[70_000], "application/octet-stream"), 413, "PAYLOAD_TOO_LARGE");
    }

    @Test
    void anAssetWithOnlyEncryptedFilesFromPublishIsConsumed() throws Exception {
        URI base = withKey();
        String hex = ciphertext(
                post(base, Routes.PUBLISH, publishQuery(publisher, publisher.address(), fileList), null, null),
                fileList);
        assertEquals(404, consume(base).statusCode()); // not in the catalogue yet
        writeAssets(Map.of(SEALED_DID, Map.of("encryptedFiles", hex, "timeout", 0)));
        HttpResponse<byte[]> r = consume(base);
        assertEquals(200, r.statusCode(), () -> new String(r.body(), StandardCharsets.UTF_8));
        assertArrayEquals(data, r.body());
        assertEquals(
                "application/octet-stream",
                r.headers().firstValue("Content-Type").orElseThrow());
        // and without the 0x, as Ocean Provider's later versions write it
        writeAssets(Map.of(SEALED_DID, Map.of("encryptedFiles", hex.substring(2))));
        assertArrayEquals(data, consume(base).body());
    }

    @Test
    void aTamperedCiphertextOrOneForAnotherKeyIsAClearNotFoundNamingTheDid() throws Exception {
        URI base = withKey();
        byte[] sealed = Ecies.encrypt(PROVIDER, fileList.getBytes(StandardCharsets.UTF_8));
        sealed[sealed.length - 5] ^= 1;
        writeAssets(Map.of(SEALED_DID, Map.of("encryptedFiles", HexFormat.of().formatHex(sealed))));
        JsonNode e = error(consume(base), 404, "NOT_FOUND");
        assertTrue(e.get("message").asText().contains(SEALED_DID), e::toString);
        assertTrue(e.get("message").asText().contains("do not decrypt"), e::toString);
        // the same again: the outcome is kept, the answer the same
        assertEquals(e, error(consume(base), 404, "NOT_FOUND"));

        byte[] foreign =
                Ecies.encrypt(org.web3j.crypto.Keys.createEcKeyPair(), fileList.getBytes(StandardCharsets.UTF_8));
        writeAssets(Map.of(SEALED_DID, Map.of("encryptedFiles", HexFormat.of().formatHex(foreign))));
        assertTrue(
                error(consume(base), 404, "NOT_FOUND").get("message").asText().contains(SEALED_DID));

        // the right key, but not a file list
        byte[] notAList = Ecies.encrypt(PROVIDER, "{\"files\": 1}".getBytes(StandardCharsets.UTF_8));
        writeAssets(Map.of(SEALED_DID, Map.of("encryptedFiles", HexFormat.of().formatHex(notAList))));
        assertTrue(
                error(consume(base), 404, "NOT_FOUND").get("message").asText().contains(SEALED_DID));

        // fixed: served at once
        writeAssets(Map.of(
                SEALED_DID,
                Map.of(
                        "encryptedFiles",
                        HexFormat.of().formatHex(Ecies.encrypt(PROVIDER, fileList.getBytes(StandardCharsets.UTF_8))))));
        assertArrayEquals(data, consume(base).body());
    }

    @Test
    void encryptedFilesWithoutAProviderKeyAreAClearNotFound() throws Exception {
        writeAssets(Map.of(
                SEALED_DID,
                Map.of(
                        "encryptedFiles",
                        HexFormat.of().formatHex(Ecies.encrypt(PROVIDER, fileList.getBytes(StandardCharsets.UTF_8))))));
        URI base = start(Map.of());
        JsonNode e = error(consume(base), 404, "NOT_FOUND");
        assertTrue(e.get("message").asText().contains(SEALED_DID), e::toString);
        assertTrue(e.get("message").asText().contains("PROVIDER_KEY"), e::toString);
    }

    @Test
    void filesAndEncryptedFilesTogetherOrMalformedHexAreConfigurationErrorsNamingTheDid() throws Exception {
        for (Object encrypted : List.of("zz", "0x1234", 7)) {
            writeAssets(Map.of(SEALED_DID, Map.of("encryptedFiles", encrypted)));
            BrizoException e = assertThrows(BrizoException.class, this::withKey);
            assertEquals(ErrorKind.CONFIGURATION, e.kind());
            assertTrue(e.getMessage().contains(SEALED_DID), e.getMessage());
        }
        writeAssets(Map.of(
                SEALED_DID,
                Map.of(
                        "files",
                        List.of(Map.of("url", "file:///x")),
                        "encryptedFiles",
                        HexFormat.of().formatHex(Ecies.encrypt(PROVIDER, fileList.getBytes(StandardCharsets.UTF_8))))));
        BrizoException e = assertThrows(BrizoException.class, this::withKey);
        assertEquals(ErrorKind.CONFIGURATION, e.kind());
        assertTrue(e.getMessage().contains(SEALED_DID) && e.getMessage().contains("both"), e.getMessage());
    }

    @Test
    void malformedPublishersFailAtStartup() {
        BrizoException e = assertThrows(
                BrizoException.class, () -> start(Map.of("PROVIDER_KEY", PROVIDER_KEY, "BRIZO_PUBLISHERS", "0x12")));
        assertEquals(ErrorKind.CONFIGURATION, e.kind());
        assertTrue(e.getMessage().contains("BRIZO_PUBLISHERS"), e.getMessage());
    }
}
