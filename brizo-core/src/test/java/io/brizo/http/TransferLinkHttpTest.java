package io.brizo.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.brizo.Brizo;
import io.brizo.internal.compute.local.LocalProcessComputeBackendFactory;
import io.brizo.spi.ComputeBackend;
import io.brizo.spi.Settings;
import io.brizo.spi.StorageAccess;
import java.net.InetSocketAddress;
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
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The transfer links that compute backends get from the storage access handed to them, served
 * over real HTTP on 127.0.0.1.
 */
class TransferLinkHttpTest {
    @TempDir
    Path dir;

    final HttpClient http = HttpClient.newHttpClient();

    /** The local backend's factory, keeping the storage access Brizo hands to it. */
    static final class Capturing implements ComputeBackend.Factory {
        final AtomicReference<StorageAccess> storage = new AtomicReference<>();
        final LocalProcessComputeBackendFactory local = new LocalProcessComputeBackendFactory();

        @Override
        public String name() {
            return "capturing";
        }

        @Override
        public Optional<ComputeBackend> create(Settings settings, StorageAccess access) {
            storage.set(access);
            return local.create(settings, access);
        }
    }

    private Brizo brizo(Capturing factory, String publicUrl) throws Exception {
        Path data = Files.createDirectories(dir.resolve("data"));
        Files.writeString(dir.resolve("assets.json"), new ObjectMapper().writeValueAsString(Map.of()));
        Settings.Builder s = Settings.builder()
                .put("BRIZO_ASSETS", dir.resolve("assets.json").toString())
                .put(
                        "BRIZO_GRANTS",
                        Files.writeString(dir.resolve("grants.json"), "[]").toString())
                .put("BRIZO_FILE_ROOTS", data.toString())
                .put(
                        "BRIZO_COMPUTE_DIR",
                        Files.createDirectories(dir.resolve("jobs")).toString());
        if (publicUrl != null) {
            s.put("BRIZO_PUBLIC_URL", publicUrl);
        }
        return Brizo.builder()
                .settings(s.build())
                .computeBackend(factory)
                .discover()
                .build();
    }

    private static int freePort() throws Exception {
        try (java.net.ServerSocket socket =
                new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    private HttpResponse<byte[]> get(URI uri) throws Exception {
        return http.send(HttpRequest.newBuilder(uri).GET().build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    @Test
    void aTransferLinkStreamsTheObjectOnceThen404sAndNeverShowsTheLocation() throws Exception {
        Capturing factory = new Capturing();
        int port = freePort();
        try (Brizo brizo = brizo(factory, "http://127.0.0.1:" + port + "/");
                BrizoHttpServer server = BrizoHttpServer.start(brizo, new InetSocketAddress("127.0.0.1", port), 4)) {
            Path file = Files.writeString(dir.resolve("data/secret-name.csv"), "a\nb\nc\n");
            URI link = factory.storage
                    .get()
                    .transferLink(file.toUri(), Duration.ofMinutes(1))
                    .orElseThrow();
            assertTrue(link.toString().startsWith("http://127.0.0.1:" + port + BrizoHttpApi.COMPUTE_TRANSFER + "/"));
            assertFalse(link.toString().contains("secret-name"));

            HttpResponse<byte[]> first = get(link);
            assertEquals(200, first.statusCode());
            assertEquals("a\nb\nc\n", new String(first.body(), StandardCharsets.UTF_8));
            assertFalse(
                    first.headers().map().toString().contains("secret-name"),
                    first.headers().toString());
            assertFalse(first.headers().map().toString().contains(dir.toString()));

            HttpResponse<byte[]> second = get(link);
            assertEquals(404, second.statusCode());
            String body = new String(second.body(), StandardCharsets.UTF_8);
            assertTrue(body.contains("\"NOT_FOUND\""), body);
            assertFalse(body.contains("secret-name"));
            assertFalse(second.headers().map().toString().contains("secret-name"));
        }
    }

    @Test
    void unknownTokensAndOtherMethodsAreRefusedWithoutRevealingAnything() throws Exception {
        Capturing factory = new Capturing();
        int port = freePort();
        try (Brizo brizo = brizo(factory, "http://127.0.0.1:" + port);
                BrizoHttpServer server = BrizoHttpServer.start(brizo, new InetSocketAddress("127.0.0.1", port), 4)) {
            URI base = server.uri();
            assertEquals(
                    404,
                    get(URI.create(base + BrizoHttpApi.COMPUTE_TRANSFER + "/" + "A".repeat(43)))
                            .statusCode());
            assertEquals(
                    404,
                    get(URI.create(base + BrizoHttpApi.COMPUTE_TRANSFER + "/nonsense"))
                            .statusCode());
            Path file = Files.writeString(dir.resolve("data/x.csv"), "x");
            URI link = factory.storage
                    .get()
                    .transferLink(file.toUri(), Duration.ofMinutes(1))
                    .orElseThrow();
            HttpResponse<byte[]> put = http.send(
                    HttpRequest.newBuilder(link)
                            .PUT(HttpRequest.BodyPublishers.ofString("y"))
                            .build(),
                    HttpResponse.BodyHandlers.ofByteArray());
            assertEquals(405, put.statusCode());
            assertEquals(200, get(link).statusCode());
        }
    }

    @Test
    void withoutAPublicUrlNoTransferLinksAreMade() throws Exception {
        Capturing factory = new Capturing();
        try (Brizo brizo = brizo(factory, null)) {
            Path file = Files.writeString(dir.resolve("data/x.csv"), "x");
            assertEquals(Optional.empty(), factory.storage.get().transferLink(file.toUri(), Duration.ofMinutes(1)));
        }
    }

    @Test
    void aPublicUrlThatIsNotAnAbsoluteHttpUrlIsAConfigurationError() {
        for (String bad : List.of("brizo:8030", "ftp://host/", "http://host/?q=1")) {
            io.brizo.spi.BrizoException e = org.junit.jupiter.api.Assertions.assertThrows(
                    io.brizo.spi.BrizoException.class, () -> brizo(new Capturing(), bad), bad);
            assertEquals(io.brizo.spi.ErrorKind.CONFIGURATION, e.kind());
        }
    }
}
