package io.brizo.compute.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.brizo.Brizo;
import io.brizo.http.BrizoHttpApi;
import io.brizo.http.BrizoHttpServer;
import io.brizo.spi.ComputeBackend;
import io.brizo.spi.Settings;
import io.brizo.spi.StorageAccess;
import io.brizo.testkit.OpenApiConformance;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
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
        // The sandbox user must be able to traverse to the compute directory.
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx--x--x"));
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

    /** {@return the answer to {@code request}, held to the API's OpenAPI document} */
    private <T> HttpResponse<T> send(HttpRequest request, HttpResponse.BodyHandler<T> body) throws Exception {
        return OpenApiConformance.forApiAt(request.uri().resolve("/")).check(http.send(request, body));
    }

    private HttpResponse<byte[]> get(URI uri) throws Exception {
        return send(HttpRequest.newBuilder(uri).GET().build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    private HttpResponse<byte[]> head(URI uri) throws Exception {
        return send(
                HttpRequest.newBuilder(uri)
                        .method("HEAD", HttpRequest.BodyPublishers.noBody())
                        .build(),
                HttpResponse.BodyHandlers.ofByteArray());
    }

    @Test
    void aHeadOfATransferLinkShowsTheGetsHeadersAndLeavesTheLinkUnused() throws Exception {
        Capturing factory = new Capturing();
        int port = freePort();
        try (Brizo brizo = brizo(factory, "http://127.0.0.1:" + port + "/");
                BrizoHttpServer server = BrizoHttpServer.start(brizo, new InetSocketAddress("127.0.0.1", port), 4)) {
            Path file = Files.writeString(dir.resolve("data/secret-name.csv"), "a\nb\nc\n");
            URI link = factory.storage
                    .get()
                    .transferLink(file.toUri(), Duration.ofMinutes(1))
                    .orElseThrow();
            for (int i = 0; i < 2; i++) {
                HttpResponse<byte[]> head = head(link);
                assertEquals(200, head.statusCode());
                assertEquals("6", head.headers().firstValue("Content-Length").orElseThrow());
                assertEquals(0, head.body().length);
            }
            HttpResponse<byte[]> get = get(link);
            assertEquals(200, get.statusCode(), "the HEADs left the link unused");
            assertEquals("a\nb\nc\n", new String(get.body(), StandardCharsets.UTF_8));
            assertEquals(404, head(link).statusCode(), "a used link is gone for HEAD too");
        }
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
            HttpResponse<byte[]> put = send(
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

    /** A Brizo server on 127.0.0.1 whose public URL is itself, with the access its backend got. */
    private final class Served implements AutoCloseable {
        final Capturing factory = new Capturing();
        final Brizo brizo;
        final BrizoHttpServer server;

        Served() throws Exception {
            int port = freePort();
            brizo = brizo(factory, "http://127.0.0.1:" + port);
            server = BrizoHttpServer.start(brizo, new InetSocketAddress("127.0.0.1", port), 4);
        }

        /** {@return an upload link under the folder {@code prefix}, which must be inside the file roots} */
        URI uploadLink(Path prefix, long maxBytes) {
            return factory.storage
                    .get()
                    .uploadLink(URI.create(prefix.toUri() + "/"), Duration.ofMinutes(1), maxBytes)
                    .orElseThrow();
        }

        @Override
        public void close() {
            server.close();
            brizo.close();
        }
    }

    private HttpResponse<String> put(URI link, String name, HttpRequest.BodyPublisher body) throws Exception {
        URI target = URI.create(
                link + (name == null ? "" : "?name=" + java.net.URLEncoder.encode(name, StandardCharsets.UTF_8)));
        return send(HttpRequest.newBuilder(target).PUT(body).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void anUploadLinkWritesObjectsUnderItsPrefixAndNeverShowsTheLocation() throws Exception {
        try (Served served = new Served()) {
            Path prefix = dir.resolve("data/secret-outputs/job-1");
            URI link = served.uploadLink(prefix, 1 << 20);
            assertTrue(link.toString().startsWith(served.server.uri() + BrizoHttpApi.COMPUTE_UPLOAD + "/"));
            assertFalse(link.toString().contains("secret-outputs"));

            HttpResponse<String> first = put(link, "outputs/a b%.txt", HttpRequest.BodyPublishers.ofString("hello"));
            assertEquals(201, first.statusCode(), first.body());
            assertEquals("{\"name\":\"outputs/a b%.txt\",\"size\":5}", first.body());
            assertFalse(first.headers().map().toString().contains("secret-outputs"));
            assertEquals("hello", Files.readString(prefix.resolve("outputs/a b%.txt")));

            HttpResponse<String> again = put(link, "outputs/a b%.txt", HttpRequest.BodyPublishers.ofString("bye"));
            assertEquals(201, again.statusCode(), "a retried upload replaces the object");
            assertEquals("bye", Files.readString(prefix.resolve("outputs/a b%.txt")));
        }
    }

    @Test
    void uploadsWithNamesThatAreNotRelativePathsAreRefusedAndWriteNothing() throws Exception {
        try (Served served = new Served()) {
            Path prefix = Files.createDirectories(dir.resolve("data/out/job-2"));
            URI link = served.uploadLink(prefix, 1 << 20);
            for (String bad : List.of("../escape.txt", "/abs.txt", "a//b", "a/./b", "", "tab\there", "back\\slash")) {
                HttpResponse<String> r = put(link, bad, HttpRequest.BodyPublishers.ofString("x"));
                assertEquals(400, r.statusCode(), bad + ": " + r.body());
                assertTrue(r.body().contains("\"INVALID_REQUEST\""), r.body());
                assertFalse(r.body().contains(dir.toString()), r.body());
            }
            HttpResponse<String> noName = put(link, null, HttpRequest.BodyPublishers.ofString("x"));
            assertEquals(400, noName.statusCode());
            assertTrue(noName.body().contains("name is required"), noName.body());
            assertFalse(Files.exists(dir.resolve("data/out/escape.txt")));
            try (var files = Files.list(prefix)) {
                assertEquals(0, files.count());
            }
        }
    }

    @Test
    void uploadsWithoutALengthBeyondTheAllowanceOrWithAnUnknownTokenAreRefused() throws Exception {
        try (Served served = new Served()) {
            Path prefix = Files.createDirectories(dir.resolve("data/out/job-3"));
            URI link = served.uploadLink(prefix, 10);
            HttpResponse<String> chunked = put(
                    link,
                    "a.txt",
                    HttpRequest.BodyPublishers.ofInputStream(
                            () -> new java.io.ByteArrayInputStream("abc".getBytes(StandardCharsets.UTF_8))));
            assertEquals(400, chunked.statusCode(), chunked.body());
            assertTrue(chunked.body().contains("Content-Length"), chunked.body());

            HttpResponse<String> tooBig = put(link, "big.txt", HttpRequest.BodyPublishers.ofString("x".repeat(11)));
            assertEquals(400, tooBig.statusCode());
            assertTrue(tooBig.body().contains("allows 10 bytes"), tooBig.body());
            assertFalse(Files.exists(prefix.resolve("big.txt")));
            assertEquals(
                    201,
                    put(link, "fits.txt", HttpRequest.BodyPublishers.ofString("x".repeat(10)))
                            .statusCode());

            URI unknown = URI.create(served.server.uri() + BrizoHttpApi.COMPUTE_UPLOAD + "/" + "B".repeat(43));
            assertEquals(
                    404,
                    put(unknown, "a.txt", HttpRequest.BodyPublishers.ofString("x"))
                            .statusCode());
            assertEquals(405, get(link).statusCode());
        }
    }

    @Test
    void withoutAPublicUrlNoUploadLinksAreMade() throws Exception {
        Capturing factory = new Capturing();
        try (Brizo brizo = brizo(factory, null)) {
            URI prefix = URI.create(dir.resolve("data").toUri() + "out/");
            assertEquals(Optional.empty(), factory.storage.get().uploadLink(prefix, Duration.ofMinutes(1), 1));
        }
    }
}
