package io.brizo.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
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
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Predicate;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * The behaviour every {@link AssetResolver} must have, as a JUnit 5 test class to extend.
 *
 * <p>A subclass connects the suite to the catalogue's store (a file in a temporary directory, a
 * database) by implementing two hooks: {@link #writeCatalogue(List)}, which writes the assets the
 * suite gives, in the implementation's own format, into the store, and {@link #createResolver()},
 * which creates a resolver over that store. Catalogues are written without the resolver, so a
 * resolver cannot pass by agreeing with itself. If the format can be malformed (a file a person
 * edits), {@link #writeMalformedCatalogue()} writes such content and the suite checks that it is
 * refused. Each test writes before it creates, and writes again while the resolver runs.
 *
 * <p>The suite checks: a known DID resolves to its files in order, with their content types and
 * checksums (or none), its agreement timeout, publisher and algorithm container; an unknown DID,
 * text that is no DID, and any DID of an empty catalogue resolve to nothing; concurrent
 * resolutions agree; a catalogue changed while the resolver runs (an asset added, changed,
 * removed) is seen within {@link #changeDeadline()}; and, when the format can be malformed, a
 * malformed catalogue is a CONFIGURATION error at creation and a malformed change never breaks a
 * running resolver. Registration, an optional capability: a resolver that {@linkplain
 * AssetResolver#canRegister can register} serves a registered asset at once and keeps it in the
 * store (a new resolver finds it), accepts an equal asset again, refuses another asset under a
 * registered or catalogued DID as CONFLICT without naming a location, and loses no concurrent
 * registration; one that cannot refuses as CONFIGURATION. It takes well under a second for a
 * file.
 *
 * <pre>{@code
 * class SqlAssetResolverContractTest extends AssetResolverContract {
 *     static Database db = Database.startTemporary();
 *     final String table = "assets_" + UUID.randomUUID().toString().replace("-", "");
 *
 *     protected void writeCatalogue(List<Asset> assets) { db.replaceRows(table, assets); }
 *     protected AssetResolver createResolver() { return new SqlAssetResolver(db.url(), table); }
 * }
 * }</pre>
 */
public abstract class AssetResolverContract {
    private final List<AssetResolver> created = new ArrayList<>();

    /** Creates the suite; subclasses set up their store in constructors or lifecycle methods. */
    protected AssetResolverContract() {}

    /**
     * Replaces the whole catalogue in the store by {@code assets}, written in the implementation's
     * format, without using the resolver under test. Called before {@link #createResolver()}
     * and again while a resolver runs.
     *
     * @param assets the assets, each with a distinct DID; may be empty
     * @throws Exception if the store fails; the test fails with it
     */
    protected abstract void writeCatalogue(List<Asset> assets) throws Exception;

    /**
     * {@return a new resolver over the store's current catalogue} The suite closes it after the
     * test if it is {@link AutoCloseable}.
     *
     * @throws BrizoException of kind CONFIGURATION if the catalogue is malformed
     * @throws Exception if the store fails; the test fails with it
     */
    protected abstract AssetResolver createResolver() throws Exception;

    /**
     * Replaces the catalogue in the store by content the implementation must refuse (text that
     * does not parse, an entry without files), and returns {@code true}; or returns {@code
     * false}, the default, if the store cannot hold malformed content (a typed database). With
     * {@code false} the tests of malformed catalogues do not run.
     *
     * @throws Exception if the store fails; the test fails with it
     */
    protected boolean writeMalformedCatalogue() throws Exception {
        return false;
    }

    /**
     * {@return how long a running resolver may take to see a changed catalogue} The default is
     * 10 seconds; the suite polls and goes on as soon as the change is seen.
     */
    protected Duration changeDeadline() {
        return Duration.ofSeconds(10);
    }

    @AfterEach
    void closeResolvers() throws Exception {
        for (AssetResolver resolver : created) {
            if (resolver instanceof AutoCloseable c) {
                c.close();
            }
        }
        created.clear();
    }

    // ---------------------------------------------------------------------------------------
    // the catalogue of each test; fresh DIDs, so one store may serve every test

    private final String datasetDid = randomDid();
    private final String plainDid = randomDid();
    private final String algorithmDid = randomDid();

    /** Three files in an order that is not alphabetical, with and without type and checksum. */
    private final Asset dataset = new Asset(
            datasetDid,
            List.of(
                    new AssetFile(
                            URI.create("https://data.example.org/sets/weather/part-2.csv?sig=k3y"),
                            "text/csv",
                            "sha256:" + "2b".repeat(32)),
                    new AssetFile(URI.create("s3://bucket/sets/weather/part-1.parquet"), null, null),
                    new AssetFile(
                            URI.create("file:///srv/data/weather/readme.txt"),
                            "text/plain; charset=utf-8",
                            "md5:" + "0f".repeat(16))),
            Duration.ofHours(24),
            "0x70997970C51812dc3A010C7d01b50e0d17dc79C8",
            null);

    private final Asset plain = new Asset(
            plainDid, List.of(new AssetFile(URI.create("ipfs://bafybeigdyrztexample/plain.bin"), null, null)));

    private final Asset algorithm = new Asset(
            algorithmDid,
            List.of(new AssetFile(URI.create("https://code.example.org/algo/train.py"), "text/x-python", null)),
            Duration.ofMinutes(30),
            "0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266",
            new AlgorithmMetadata(
                    "python",
                    "3.12",
                    new AlgorithmContainer("python", "3.12-slim", "sha256:" + "ab".repeat(32), "python $ALGO")));

    // ---------------------------------------------------------------------------------------
    // known and unknown DIDs

    @Test
    void knownDidResolvesToItsFilesInOrder() throws Exception {
        AssetResolver resolver = resolverOver(List.of(dataset, plain, algorithm));
        Asset resolved = resolver.resolve(datasetDid).orElseThrow(() -> new AssertionError("known DID not found"));
        assertEquals(datasetDid, resolved.did());
        List<AssetFile> files = resolved.files();
        assertEquals(3, files.size(), "number of files");
        for (int i = 0; i < 3; i++) {
            AssetFile expected = dataset.files().get(i);
            assertEquals(expected.url(), files.get(i).url(), "URL of file " + i);
            assertEquals(expected.contentType(), files.get(i).contentType(), "content type of file " + i);
            assertEquals(expected.checksum(), files.get(i).checksum(), "checksum of file " + i);
        }
    }

    @Test
    void fileWithoutContentTypeOrChecksumResolvesWithNeither() throws Exception {
        AssetResolver resolver = resolverOver(List.of(dataset, plain));
        AssetFile file = resolver.resolve(plainDid).orElseThrow().files().get(0);
        assertEquals(Optional.empty(), file.contentTypeIfKnown(), "content type, not an empty or 'null' text");
        assertNull(file.checksum(), "checksum, not an empty or 'null' text");
    }

    @Test
    void timeoutAndPublisherResolveAsCatalogued() throws Exception {
        AssetResolver resolver = resolverOver(List.of(dataset, plain));
        Asset resolved = resolver.resolve(datasetDid).orElseThrow();
        assertEquals(Duration.ofHours(24), resolved.timeout(), "agreement timeout");
        assertEquals(Optional.of("0x70997970c51812dc3a010c7d01b50e0d17dc79c8"), resolved.publisherIfKnown());
        Asset resolvedPlain = resolver.resolve(plainDid).orElseThrow();
        assertEquals(Duration.ZERO, resolvedPlain.timeout(), "no timeout is zero: agreements never expire");
        assertEquals(Optional.empty(), resolvedPlain.publisherIfKnown());
    }

    @Test
    void algorithmResolvesWithItsContainerAndDataWithoutOne() throws Exception {
        AssetResolver resolver = resolverOver(List.of(dataset, algorithm));
        Asset resolved = resolver.resolve(algorithmDid).orElseThrow();
        assertEquals(algorithm.algorithm(), resolved.algorithm(), "algorithm metadata");
        assertEquals(algorithm, resolved, "the whole asset");
        assertEquals(
                Optional.empty(), resolver.resolve(datasetDid).orElseThrow().algorithmIfAny());
    }

    @Test
    void everyCataloguedAssetResolvesEqualToItsEntry() throws Exception {
        List<Asset> catalogue = List.of(dataset, plain, algorithm);
        AssetResolver resolver = resolverOver(catalogue);
        for (Asset asset : catalogue) {
            assertEquals(Optional.of(asset), resolver.resolve(asset.did()), asset.did());
        }
    }

    @Test
    void unknownDidResolvesToNothing() throws Exception {
        AssetResolver resolver = resolverOver(List.of(dataset, plain, algorithm));
        assertEquals(Optional.empty(), resolver.resolve(randomDid()));
    }

    @Test
    void textThatIsNoDidResolvesToNothing() throws Exception {
        AssetResolver resolver = resolverOver(List.of(dataset, plain));
        String hex = datasetDid.substring("did:op:".length());
        for (String text : List.of("", "did:op:", hex, "did:ethr:" + hex, datasetDid + "/0", "' OR '1'='1")) {
            assertEquals(Optional.empty(), resolver.resolve(text), "'" + text + "'");
        }
    }

    @Test
    void emptyCatalogueResolvesNothing() throws Exception {
        AssetResolver resolver = resolverOver(List.of());
        assertEquals(Optional.empty(), resolver.resolve(datasetDid));
        assertEquals(Optional.empty(), resolver.resolve(randomDid()));
    }

    @Test
    void concurrentResolutionsAgree() throws Exception {
        AssetResolver resolver = resolverOver(List.of(dataset, plain, algorithm));
        String unknown = randomDid();
        int threads = 8;
        List<Callable<Void>> tasks = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            tasks.add(() -> {
                for (int i = 0; i < 100; i++) {
                    assertEquals(Optional.of(dataset), resolver.resolve(datasetDid));
                    assertEquals(Optional.of(algorithm), resolver.resolve(algorithmDid));
                    assertEquals(Optional.empty(), resolver.resolve(unknown));
                }
                return null;
            });
        }
        Polling.concurrently(tasks, Duration.ofSeconds(60), "a concurrent resolution");
    }

    // ---------------------------------------------------------------------------------------
    // changes while running

    @Test
    void assetAddedWhileRunningIsSeenWithinTheDeadline() throws Exception {
        AssetResolver resolver = resolverOver(List.of(plain));
        assertEquals(Optional.empty(), resolver.resolve(datasetDid), "not yet catalogued");
        writeCatalogue(List.of(plain, dataset));
        awaitResolution(resolver, datasetDid, r -> r.equals(Optional.of(dataset)), "the added asset");
        assertEquals(Optional.of(plain), resolver.resolve(plainDid), "the asset that was there before");
    }

    @Test
    void assetChangedWhileRunningResolvesToItsNewFiles() throws Exception {
        AssetResolver resolver = resolverOver(List.of(plain, dataset));
        Asset changed = new Asset(
                datasetDid,
                List.of(
                        dataset.files().get(2),
                        dataset.files().get(0),
                        dataset.files().get(1),
                        plain.files().get(0)),
                Duration.ofHours(48),
                dataset.publisher(),
                null);
        writeCatalogue(List.of(plain, changed));
        awaitResolution(resolver, datasetDid, r -> r.equals(Optional.of(changed)), "the changed asset");
    }

    @Test
    void assetRemovedWhileRunningResolvesToNothingWithinTheDeadline() throws Exception {
        AssetResolver resolver = resolverOver(List.of(plain, dataset, algorithm));
        writeCatalogue(List.of(algorithm));
        awaitResolution(resolver, datasetDid, Optional::isEmpty, "nothing for the removed asset");
        awaitResolution(resolver, plainDid, Optional::isEmpty, "nothing for the removed asset");
        assertEquals(Optional.of(algorithm), resolver.resolve(algorithmDid), "the asset that stayed");
    }

    // ---------------------------------------------------------------------------------------
    // registration (an optional capability)

    private Asset derived(String did, String name) {
        return new Asset(
                did,
                List.of(
                        new AssetFile(
                                URI.create("https://outputs.example.org/jobs/" + name + "?sig=k3y"),
                                "text/csv",
                                "sha256:" + "3c".repeat(32)),
                        new AssetFile(URI.create("s3://outputs/jobs/" + name + ".log"), null, null)),
                Duration.ZERO,
                "0x3c44cdddb6a900fa2b585dd299e03d12fa4293bc",
                null);
    }

    @Test
    void registeredAssetIsServedAtOnceAndKeptOrRegistrationIsRefusedAsConfiguration() throws Exception {
        AssetResolver resolver = resolverOver(List.of(plain));
        Asset asset = derived(randomDid(), "job-1");
        if (!resolver.canRegister()) {
            BrizoException e = assertThrows(
                    BrizoException.class, () -> resolver.register(asset), "a resolver that cannot register refuses to");
            assertEquals(ErrorKind.CONFIGURATION, e.kind(), "kind of " + e);
            assertEquals(Optional.empty(), resolver.resolve(asset.did()));
            return;
        }
        resolver.register(asset);
        assertEquals(
                Optional.of(asset), resolver.resolve(asset.did()), "served at once by the resolver that registered it");
        assertEquals(Optional.of(plain), resolver.resolve(plainDid), "the asset that was there before");
        assertEquals(
                Optional.of(asset), created(createResolver()).resolve(asset.did()), "kept: a new resolver finds it");
    }

    @Test
    void registeringAnEqualAssetAgainSucceedsAndAnotherUnderItsDidIsAConflict() throws Exception {
        AssetResolver resolver = resolverOver(List.of(plain));
        if (!resolver.canRegister()) {
            return;
        }
        Asset asset = derived(randomDid(), "job-2");
        resolver.register(asset);
        resolver.register(derived(asset.did(), "job-2"));
        for (String did : List.of(asset.did(), plainDid)) {
            BrizoException e = assertThrows(
                    BrizoException.class,
                    () -> resolver.register(derived(did, "job-3")),
                    "another asset under a registered or catalogued DID");
            assertEquals(ErrorKind.CONFLICT, e.kind(), "kind of " + e);
            String message = String.valueOf(e.getMessage());
            assertFalse(
                    message.contains("outputs.example.org") || message.contains("s3://"),
                    "names a location: " + message);
        }
        assertEquals(Optional.of(asset), resolver.resolve(asset.did()), "the first registration stays");
        assertEquals(Optional.of(plain), resolver.resolve(plainDid), "the catalogued asset stays");
    }

    @Test
    void concurrentRegistrationsAreAllKept() throws Exception {
        AssetResolver resolver = resolverOver(List.of(plain));
        if (!resolver.canRegister()) {
            return;
        }
        int threads = 8;
        int each = 5;
        List<Asset> assets = new ArrayList<>();
        for (int i = 0; i < threads * each; i++) {
            assets.add(derived(randomDid(), "job-c" + i));
        }
        List<Callable<Void>> tasks = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            List<Asset> mine = assets.subList(t * each, (t + 1) * each);
            tasks.add(() -> {
                for (Asset a : mine) {
                    resolver.register(a);
                    assertEquals(Optional.of(plain), resolver.resolve(plainDid), "meanwhile");
                }
                return null;
            });
        }
        Polling.concurrently(tasks, Duration.ofSeconds(120), "a concurrent registration");
        AssetResolver fresh = created(createResolver());
        for (Asset a : assets) {
            assertEquals(Optional.of(a), fresh.resolve(a.did()), "a concurrent registration was lost");
        }
        assertEquals(Optional.of(plain), fresh.resolve(plainDid));
    }

    // ---------------------------------------------------------------------------------------
    // malformed catalogues

    @TestFactory
    Stream<DynamicTest> malformedCatalogues() throws Exception {
        if (!writeMalformedCatalogue()) {
            return Stream.empty(); // the store cannot hold malformed content: nothing to run
        }
        return Stream.of(
                DynamicTest.dynamicTest(
                        "malformedCatalogueIsAConfigurationErrorAtCreation",
                        this::malformedCatalogueIsAConfigurationErrorAtCreation),
                DynamicTest.dynamicTest(
                        "malformedChangeNeverBreaksARunningResolver",
                        this::malformedChangeNeverBreaksARunningResolver));
    }

    private void malformedCatalogueIsAConfigurationErrorAtCreation() throws Exception {
        assertTrue(writeMalformedCatalogue(), "writeMalformedCatalogue() answered true once, then not");
        BrizoException e = assertThrows(BrizoException.class, () -> created(createResolver()));
        assertEquals(ErrorKind.CONFIGURATION, e.kind(), "kind of " + e);
    }

    private void malformedChangeNeverBreaksARunningResolver() throws Exception {
        AssetResolver resolver = resolverOver(List.of(plain, dataset));
        assertTrue(writeMalformedCatalogue(), "writeMalformedCatalogue() answered true once, then not");
        for (int i = 0; i < 3; i++) {
            // Seen or not yet seen, a malformed change keeps the last good catalogue.
            assertEquals(Optional.of(dataset), resolver.resolve(datasetDid), "after a malformed change");
        }
        writeCatalogue(List.of(plain, dataset, algorithm));
        awaitResolution(resolver, algorithmDid, r -> r.equals(Optional.of(algorithm)), "a good catalogue after it");
        assertEquals(Optional.of(dataset), resolver.resolve(datasetDid));
    }

    // ---------------------------------------------------------------------------------------
    // helpers

    /** {@return a fresh DID, {@code did:op:} and 64 random lowercase hex digits} */
    protected static String randomDid() {
        byte[] bytes = new byte[32];
        ThreadLocalRandom.current().nextBytes(bytes);
        return "did:op:" + HexFormat.of().formatHex(bytes);
    }

    private AssetResolver resolverOver(List<Asset> catalogue) throws Exception {
        writeCatalogue(catalogue);
        return created(createResolver());
    }

    private AssetResolver created(AssetResolver resolver) {
        if (resolver == null) {
            throw new AssertionError("createResolver() returned null");
        }
        created.add(resolver);
        return resolver;
    }

    /** Polls until the resolution of {@code did} satisfies {@code expected}, up to the deadline. */
    private void awaitResolution(
            AssetResolver resolver, String did, Predicate<Optional<Asset>> expected, String description)
            throws Exception {
        Polling.until(
                changeDeadline(),
                () -> resolver.resolve(did),
                expected,
                last -> "a running resolver did not see " + description + " within " + changeDeadline() + "; it has "
                        + last);
    }
}
