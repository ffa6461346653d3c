package io.brizo.storage.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.brizo.spi.ByteRange;
import io.brizo.spi.Settings;
import io.brizo.spi.StorageDriver;
import io.brizo.spi.StorageObject;
import io.brizo.testkit.StorageDriverContract;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs the storage driver contract against the built-in HTTP driver and a real Jetty server that
 * serves a temporary directory on 127.0.0.1, with Jetty's own Range support. Files under
 * {@code /protected/} need Basic credentials, which the refused-credentials test gets wrong.
 */
class HttpStorageDriverContractTest extends StorageDriverContract {
    private static final String USER = "publisher";
    private static final String PASSWORD = "right-secret";

    @TempDir
    static Path docs;

    private static LocalJetty jetty;
    private static StorageDriver driver;

    @BeforeAll
    static void start() throws Exception {
        String authorization =
                "Basic " + Base64.getEncoder().encodeToString((USER + ":" + PASSWORD).getBytes(StandardCharsets.UTF_8));
        jetty = LocalJetty.start(
                new LocalJetty.BasicAuthGate("/protected/", authorization, LocalJetty.files(docs)), "127.0.0.1");
        driver = new HttpStorageDriverFactory()
                .create(Settings.builder()
                        .put(HttpStorageDriverFactory.ALLOWED_NETWORKS, "127.0.0.1/32")
                        .build())
                .orElseThrow();
    }

    @AfterAll
    static void stop() throws Exception {
        if (driver != null) {
            driver.close();
        }
        if (jetty != null) {
            jetty.close();
        }
    }

    @Test
    void jettyServesRangesAsPartialContentSoThe206PathIsExercised() throws Exception {
        URI uri = createObject(name("partial", ".bin"), content(SMALL, 1));
        try (StorageObject o = driver.open(uri, ByteRange.of(10, 19))) {
            assertEquals(10, o.stream().readAllBytes().length);
        }
        assertTrue(
                jetty.awaitLogged("GET " + uri.getPath() + " 206"),
                jetty.requests().toString());
    }

    @Override
    protected StorageDriver driver() {
        return driver;
    }

    @Override
    protected URI createObject(String name, byte[] content) throws Exception {
        Files.write(docs.resolve(name), content);
        return jetty.uri(0, "/" + name);
    }

    @Override
    protected URI missingObject() {
        return jetty.uri(0, "/no-such-object.bin");
    }

    @Override
    protected Optional<String> expectedContentType(String name) {
        return name.endsWith(".txt") ? Optional.of("text/plain") : Optional.empty();
    }

    @Override
    protected Optional<RefusedAccess> refusedAccess() throws Exception {
        Files.createDirectories(docs.resolve("protected"));
        Files.write(docs.resolve("protected/guarded.bin"), new byte[100]);
        URI wrong =
                URI.create("http://" + USER + ":wrong-secret@127.0.0.1:" + jetty.port(0) + "/protected/guarded.bin");
        return Optional.of(new RefusedAccess(driver, wrong, "wrong-secret"));
    }
}
