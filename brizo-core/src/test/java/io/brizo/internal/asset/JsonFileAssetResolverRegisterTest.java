package io.brizo.internal.asset;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.brizo.spi.AlgorithmContainer;
import io.brizo.spi.AlgorithmMetadata;
import io.brizo.spi.Asset;
import io.brizo.spi.AssetFile;
import io.brizo.spi.AssetResolver;
import io.brizo.spi.BrizoException;
import io.brizo.spi.ErrorKind;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Registering assets into the JSON catalogue file. */
class JsonFileAssetResolverRegisterTest {
    static final String EXISTING = "did:op:" + "a1".repeat(32);
    // A long interval: registrations must be served at once, not when the watcher looks again.
    static final Duration RARELY = Duration.ofHours(1);

    @TempDir
    Path dir;

    static String did(int n) {
        return "did:op:" + HexFormat.of().toHexDigits(n) + "0".repeat(56);
    }

    static Asset derived(String did, String secretName) {
        return new Asset(
                did,
                List.of(
                        new AssetFile(URI.create("file:///srv/secret-outputs/" + secretName), "text/csv", null),
                        new AssetFile(
                                URI.create("s3://secret-bucket/" + secretName + ".log"),
                                null,
                                "sha256:" + "12".repeat(32))),
                Duration.ofSeconds(3600),
                "0x" + "Ab".repeat(20),
                null);
    }

    Path catalogue() throws Exception {
        Path file = dir.resolve("assets.json");
        Files.writeString(
                file,
                "{\"" + EXISTING + "\": {\"files\": [{\"url\": \"file:///srv/a.csv\"}],"
                        + " \"algorithm\": {\"language\": \"python\", \"format\": \"docker-image\","
                        + " \"container\": {\"entrypoint\": \"python $ALGO\", \"image\": \"python\"}}}}");
        return file;
    }

    @Test
    void theDefaultResolverCannotRegister() {
        AssetResolver readOnly = did -> Optional.empty();
        assertFalse(readOnly.canRegister());
        BrizoException e = assertThrows(BrizoException.class, () -> readOnly.register(derived(did(1), "x")));
        assertEquals(ErrorKind.CONFIGURATION, e.kind());
    }

    @Test
    void aRegisteredAssetIsServedAtOnceAndByANewReaderOfTheFile() throws Exception {
        Path file = catalogue();
        JsonFileAssetResolver resolver = new JsonFileAssetResolver(file, RARELY);
        assertTrue(resolver.canRegister());
        Asset asset = derived(did(1), "out.csv");
        resolver.register(asset);
        assertEquals(Optional.of(asset), resolver.resolve(asset.did()));
        JsonFileAssetResolver reread = new JsonFileAssetResolver(file, RARELY);
        assertEquals(Optional.of(asset), reread.resolve(asset.did()));
        // The publisher's entry is kept as written, fields this library ignores included.
        assertTrue(reread.resolve(EXISTING).isPresent());
        assertTrue(Files.readString(file).contains("docker-image"));
        // Nothing is left beside the file.
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(List.of(file), files.toList());
        }
    }

    @Test
    void anAlgorithmAssetRoundTrips() throws Exception {
        Path file = catalogue();
        JsonFileAssetResolver resolver = new JsonFileAssetResolver(file, RARELY);
        Asset algorithm = new Asset(
                did(2),
                List.of(new AssetFile(URI.create("file:///srv/algo.py"), null, null)),
                Duration.ZERO,
                null,
                new AlgorithmMetadata(
                        "python",
                        "3.12",
                        new AlgorithmContainer("python", "3.12", "sha256:" + "0e".repeat(32), "python $ALGO")));
        resolver.register(algorithm);
        assertEquals(Optional.of(algorithm), resolver.resolve(did(2)));
        assertEquals(Optional.of(algorithm), new JsonFileAssetResolver(file, RARELY).resolve(did(2)));
    }

    @Test
    void registeringAnEqualAssetAgainChangesNothing() throws Exception {
        Path file = catalogue();
        JsonFileAssetResolver resolver = new JsonFileAssetResolver(file, RARELY);
        resolver.register(derived(did(3), "out.csv"));
        byte[] before = Files.readAllBytes(file);
        resolver.register(derived(did(3), "out.csv"));
        assertEquals(new String(before, StandardCharsets.UTF_8), Files.readString(file));
    }

    @Test
    void anotherAssetUnderARegisteredDidIsAConflictThatNamesNoLocation() throws Exception {
        Path file = catalogue();
        JsonFileAssetResolver resolver = new JsonFileAssetResolver(file, RARELY);
        resolver.register(derived(did(4), "out.csv"));
        String before = Files.readString(file);
        for (String did : List.of(did(4), EXISTING)) {
            BrizoException e =
                    assertThrows(BrizoException.class, () -> resolver.register(derived(did, "different.csv")));
            assertEquals(ErrorKind.CONFLICT, e.kind());
            assertFalse(e.getMessage().contains("secret"), e.getMessage());
            assertFalse(e.getMessage().contains("/srv"), e.getMessage());
        }
        assertEquals(before, Files.readString(file));
        assertEquals(derived(did(4), "out.csv"), resolver.resolve(did(4)).orElseThrow());
    }

    @Test
    void aCatalogueFileThatNoLongerParsesIsNotOverwritten() throws Exception {
        Path file = catalogue();
        JsonFileAssetResolver resolver = new JsonFileAssetResolver(file, RARELY);
        Files.writeString(file, "{\"half-edited\": ");
        BrizoException e = assertThrows(BrizoException.class, () -> resolver.register(derived(did(5), "out.csv")));
        assertEquals(ErrorKind.CONFIGURATION, e.kind());
        assertEquals("{\"half-edited\": ", Files.readString(file));
        assertTrue(resolver.resolve(EXISTING).isPresent(), "the last good catalogue is still served");
    }

    @Test
    void concurrentRegistrationsNeverLoseOneAnother() throws Exception {
        Path file = catalogue();
        JsonFileAssetResolver resolver = new JsonFileAssetResolver(file, Duration.ZERO);
        int threads = 8;
        int each = 10;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        CountDownLatch go = new CountDownLatch(1);
        List<Future<?>> done = new ArrayList<>();
        try {
            for (int t = 0; t < threads; t++) {
                int thread = t;
                done.add(pool.submit(() -> {
                    go.await();
                    for (int i = 0; i < each; i++) {
                        int n = 100 + thread * each + i;
                        resolver.register(derived(did(n), "out-" + n));
                        // Readers meanwhile always see a whole catalogue.
                        assertTrue(resolver.resolve(EXISTING).isPresent());
                    }
                    return null;
                }));
            }
            go.countDown();
            for (Future<?> f : done) {
                f.get(60, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        JsonFileAssetResolver reread = new JsonFileAssetResolver(file, RARELY);
        for (int n = 100; n < 100 + threads * each; n++) {
            assertEquals(derived(did(n), "out-" + n), reread.resolve(did(n)).orElseThrow(), did(n));
        }
        assertTrue(reread.resolve(EXISTING).isPresent());
    }
}
