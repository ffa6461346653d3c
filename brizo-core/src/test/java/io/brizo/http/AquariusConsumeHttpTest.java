package io.brizo.http;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.brizo.Brizo;
import io.brizo.TestKeys;
import io.brizo.internal.asset.ScriptedMetadataStore;
import io.brizo.internal.auth.Eip191;
import io.brizo.spi.Settings;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.web3j.crypto.ECKeyPair;

/**
 * Consume over real HTTP (the JDK binding on 127.0.0.1) of assets whose DDOs come from a metadata
 * store ({@code AQUARIUS_URL}), with the built-in file driver and the development verifier. The
 * store is {@link ScriptedMetadataStore}, a scripted HTTP server on 127.0.0.1 serving DDOs in the
 * original's format with {@code encryptedFiles} made by the library's ECIES for the provider's
 * key: no real Aquarius runs in these tests.
 */
class AquariusConsumeHttpTest {
    static final String PROVIDER_KEY = "0x" + "0f".repeat(32);
    static final ECKeyPair PROVIDER = Eip191.keyPairOf(PROVIDER_KEY);
    static final String DID = "did:op:" + "ab".repeat(32);
    static final String UNKNOWN_DID = "did:op:" + "cd".repeat(32);
    static final String MALFORMED_DID = "did:op:" + "ee".repeat(32);
    static final String AGREEMENT = "12".repeat(32);
    static final String UNKNOWN_AGREEMENT = "34".repeat(32);
    static final String MALFORMED_AGREEMENT = "56".repeat(32);
    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    final TestKeys consumer = TestKeys.random();
    final HttpClient http = HttpClient.newHttpClient();
    final List<AutoCloseable> toClose = new ArrayList<>();
    ScriptedMetadataStore store;
    byte[] data;
    Path dataDir;

    @BeforeEach
    void setUp() throws IOException {
        dataDir = Files.createDirectories(dir.resolve("secret-storage-dir"));
        data = new byte[100_000];
        new Random(7).nextBytes(data);
        Files.write(dataDir.resolve("sample.bin"), data);
        Files.writeString(dataDir.resolve("notes.txt"), "hello\n");
        store = new ScriptedMetadataStore();
        toClose.add(store);
        String files = JSON.writeValueAsString(List.of(
                Map.of("url", dataDir.resolve("sample.bin").toUri().toString(), "index", 0),
                Map.of("url", dataDir.resolve("notes.txt").toUri().toString(), "index", 1)));
        store.put(
                DID,
                ScriptedMetadataStore.datasetDdo(
                        DID,
                        "0x70997970c51812dc3a010c7d01b50e0d17dc79c8",
                        ScriptedMetadataStore.encryptedFiles(PROVIDER, files),
                        0));
        store.put(MALFORMED_DID, "{\"id\": \"" + MALFORMED_DID + "\", \"service\": \"" + dataDir + "\"}");
    }

    @AfterEach
    void tearDown() throws Exception {
        for (AutoCloseable c : toClose) {
            c.close();
        }
    }

    URI start(Map<String, String> extra) throws IOException {
        Path grants = dir.resolve("grants.json");
        Files.writeString(
                grants,
                JSON.writeValueAsString(List.of(
                        grant(AGREEMENT, DID),
                        grant(UNKNOWN_AGREEMENT, UNKNOWN_DID),
                        grant(MALFORMED_AGREEMENT, MALFORMED_DID))));
        Settings.Builder s = Settings.builder()
                .put("BRIZO_GRANTS", grants.toString())
                .put("BRIZO_FILE_ROOTS", dataDir.toString())
                .put("PROVIDER_KEY", PROVIDER_KEY);
        extra.forEach(s::put);
        Brizo brizo = Brizo.builder().settings(s.build()).discover().build();
        BrizoHttpServer server = BrizoHttpServer.start(brizo, new java.net.InetSocketAddress("127.0.0.1", 0), 8);
        toClose.add(0, brizo);
        toClose.add(0, server);
        return server.uri();
    }

    Map<String, String> grant(String agreement, String did) {
        return Map.of("agreementId", agreement, "did", did, "consumer", consumer.address(), "service", "access");
    }

    HttpResponse<byte[]> consume(URI base, String agreement, int index, String... headers) throws Exception {
        String q = "serviceAgreementId=" + agreement + "&consumerAddress=" + consumer.address() + "&signature="
                + consumer.signText(agreement) + "&index=" + index;
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + BrizoHttpApi.CONSUME + "?" + q));
        for (int i = 0; i < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        HttpResponse<byte[]> r = http.send(b.GET().build(), BodyHandlers.ofByteArray());
        String everything = r.headers().map() + new String(r.body(), StandardCharsets.ISO_8859_1);
        assertFalse(everything.contains("secret-storage-dir"), everything);
        assertFalse(everything.contains("file:"), everything);
        return r;
    }

    static JsonNode error(HttpResponse<byte[]> r, int status, String kind) throws IOException {
        assertEquals(status, r.statusCode(), () -> new String(r.body(), StandardCharsets.UTF_8));
        JsonNode body = JSON.readTree(r.body());
        assertEquals(kind, body.get("error").asText());
        return body;
    }

    @Test
    void aConsumeStreamsTheFilesOfADdoFromTheStore() throws Exception {
        URI base = start(Map.of("AQUARIUS_URL", store.url().toString()));
        HttpResponse<byte[]> r = consume(base, AGREEMENT, 0);
        assertEquals(200, r.statusCode(), () -> new String(r.body(), StandardCharsets.UTF_8));
        assertArrayEquals(data, r.body());
        HttpResponse<byte[]> part = consume(base, AGREEMENT, 0, "Range", "bytes=10-19");
        assertEquals(206, part.statusCode());
        assertArrayEquals(java.util.Arrays.copyOfRange(data, 10, 20), part.body());
        assertEquals("hello\n", new String(consume(base, AGREEMENT, 1).body(), StandardCharsets.UTF_8));
        error(consume(base, AGREEMENT, 2), 404, "NOT_FOUND");
        // four consumes within the TTL, one request to the store
        assertEquals(1, store.requests(DID));
    }

    @Test
    void anAssetTheStoreDoesNotHaveAnswersAsAnUnknownAssetOfTheJsonCatalogue() throws Exception {
        URI base = start(Map.of("AQUARIUS_URL", store.url().toString()));
        JsonNode fromStore = error(consume(base, UNKNOWN_AGREEMENT, 0), 404, "NOT_FOUND");
        Path empty = Files.writeString(dir.resolve("assets.json"), "{}");
        URI catalogue = start(Map.of("BRIZO_ASSETS", empty.toString()));
        JsonNode fromFile = error(consume(catalogue, UNKNOWN_AGREEMENT, 0), 404, "NOT_FOUND");
        assertEquals(fromFile, fromStore);
    }

    @Test
    void aStoreThatIsDownAnswers503WithRetryAfter() throws Exception {
        String down;
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            down = "http://127.0.0.1:" + s.getLocalPort();
        }
        URI base = start(Map.of("AQUARIUS_URL", down));
        HttpResponse<byte[]> r = consume(base, AGREEMENT, 0);
        error(r, 503, "UNAVAILABLE");
        assertTrue(r.headers().firstValue("Retry-After").isPresent());

        store.answer(DID, new ScriptedMetadataStore.Answer(502, "bad gateway", 0));
        URI other = start(Map.of("AQUARIUS_URL", store.url().toString()));
        HttpResponse<byte[]> failing = consume(other, AGREEMENT, 0);
        error(failing, 503, "UNAVAILABLE");
        assertTrue(failing.headers().firstValue("Retry-After").isPresent());
    }

    @Test
    void aMalformedDdoIsA404NamingTheDidNotTheContent() throws Exception {
        URI base = start(Map.of("AQUARIUS_URL", store.url().toString()));
        String message = error(consume(base, MALFORMED_AGREEMENT, 0), 404, "NOT_FOUND")
                .get("message")
                .asText();
        assertTrue(message.contains(MALFORMED_DID) && message.contains("DDO"), message);
    }

    @Test
    void withBrizoAssetsAsWellTheFileIsAskedFirstThenTheStore() throws Exception {
        Path assets = Files.writeString(
                dir.resolve("assets.json"),
                JSON.writeValueAsString(Map.of(
                        UNKNOWN_DID,
                        Map.of(
                                "files",
                                List.of(Map.of(
                                        "url",
                                        dataDir.resolve("notes.txt").toUri().toString()))))));
        URI base = start(Map.of("AQUARIUS_URL", store.url().toString(), "BRIZO_ASSETS", assets.toString()));
        assertEquals("hello\n", new String(consume(base, UNKNOWN_AGREEMENT, 0).body(), StandardCharsets.UTF_8));
        assertEquals(0, store.requests(UNKNOWN_DID));
        assertArrayEquals(data, consume(base, AGREEMENT, 0).body());
        assertEquals(1, store.requests(DID));
    }
}
