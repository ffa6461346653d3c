package io.brizo.storage.ipfs;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.function.Executable;

/**
 * The driver's own behaviour against the real Helia node: which blocks it fetches for a range,
 * how many it keeps in flight, CID forms, directory paths (plain and HAMT-sharded), and the
 * guards against hostile DAGs.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class IpfsStorageDriverTest {
    private static final int CHUNK = 256 * 1024;

    private IpfsGateway gateway;
    private StorageDriver driver;
    private final byte[] multi = CorruptingGatewayTest.bytes(5 * 1024 * 1024 + 123, 11); // 21 kubo leaves
    private String multiCid;

    @BeforeAll
    void start() throws IOException {
        gateway = IpfsGateway.start();
        multiCid = gateway.add(multi, IpfsGateway.Layout.KUBO);
        driver = driver(Map.of());
    }

    @AfterAll
    void stop() {
        if (driver != null) {
            driver.close();
        }
        if (gateway != null) {
            gateway.close();
        }
    }

    private StorageDriver driver(Map<String, String> settings) {
        return new IpfsStorageDriverFactory()
                .create(Settings.builder()
                        .put("IPFS_GATEWAY", gateway.url())
                        .putAll(settings)
                        .build())
                .orElseThrow();
    }

    // ---------------------------------------------------------------------------------------
    // blocks fetched

    @Test
    void aWholeReadFetchesTheRootAndEachLeafOnce() throws Exception {
        gateway.resetStats();
        assertArrayEquals(multi, readAll(driver, "ipfs://" + multiCid, ByteRange.all()));
        assertEquals(1 + 21, gateway.stats().blockRequests());
    }

    @Test
    void aRangeFetchesOnlyTheBlocksItOverlapsAndSkipsTheOthers() throws Exception {
        gateway.resetStats();
        byte[] tail = readAll(driver, "ipfs://" + multiCid, ByteRange.suffix(10));
        assertArrayEquals(Arrays.copyOfRange(multi, multi.length - 10, multi.length), tail);
        assertEquals(2, gateway.stats().blockRequests(), "the root and the last leaf");

        gateway.resetStats();
        long first = 7L * CHUNK - 5; // the last 5 bytes of leaf 6 and the first 5 of leaf 7
        byte[] middle = readAll(driver, "ipfs://" + multiCid, ByteRange.of(first, first + 9));
        assertArrayEquals(Arrays.copyOfRange(multi, (int) first, (int) first + 10), middle);
        assertEquals(3, gateway.stats().blockRequests(), "the root and the two leaves the range spans");
    }

    @Test
    void statFetchesOnlyTheRootBlock() throws Exception {
        gateway.resetStats();
        ObjectInfo info = driver.stat(URI.create("ipfs://" + multiCid));
        assertEquals(multi.length, info.size());
        assertEquals(1, gateway.stats().blockRequests());
    }

    @Test
    void statReportsNoContentTypeAndNoEtagBecauseTheCidMustStaySecret() {
        ObjectInfo info = driver.stat(URI.create("ipfs://" + multiCid));
        assertTrue(info.contentType().isEmpty());
        assertTrue(info.etag().isEmpty(), "the CID would let anyone fetch the content from any gateway");
    }

    @Test
    void readingAheadKeepsAtMostPrefetchPlusOneBlockRequestsInFlight() throws Exception {
        for (int prefetch : new int[] {0, 2, 6}) {
            try (StorageDriver d = driver(Map.of("IPFS_PREFETCH_BLOCKS", Integer.toString(prefetch)))) {
                gateway.resetStats();
                assertArrayEquals(multi, readAll(d, "ipfs://" + multiCid, ByteRange.all()));
                IpfsGateway.Stats stats = gateway.stats();
                assertEquals(22, stats.blockRequests(), "prefetch " + prefetch);
                assertTrue(
                        stats.maxConcurrentBlockRequests() <= prefetch + 1,
                        "prefetch " + prefetch + ": " + stats.maxConcurrentBlockRequests() + " at once");
            }
        }
    }

    @Test
    void closingAStreamHalfwayLeavesTheDriverUsable() throws Exception {
        for (int i = 0; i < 20; i++) {
            try (StorageObject o = driver.open(URI.create("ipfs://" + multiCid), ByteRange.all())) {
                o.stream().readNBytes(CHUNK + 10); // requests for later blocks are on their way
            }
        }
        assertArrayEquals(multi, readAll(driver, "ipfs://" + multiCid, ByteRange.all()));
    }

    // ---------------------------------------------------------------------------------------
    // CID forms and paths

    @Test
    void theSameFileReadsThroughCidV0AndCidV1InBase32AndBase58() throws Exception {
        Cid v0 = Cid.parse(multiCid);
        assertEquals(0, v0.version());
        String base32 = v0.toV1().toString();
        String base58 = "z" + Multibase.encodeBase58(v0.toV1().toBytes());
        String upper = "B" + base32.substring(1).toUpperCase(java.util.Locale.ROOT);
        for (String form : List.of(multiCid, base32, base58, upper)) {
            assertArrayEquals(
                    Arrays.copyOfRange(multi, 1000, 2000),
                    readAll(driver, "ipfs://" + form, ByteRange.of(1000, 1999)),
                    form);
        }
    }

    @Test
    void filesInsideDirectoriesAreFoundByTheirPath() throws Exception {
        byte[] a = "first file\n".getBytes(StandardCharsets.UTF_8);
        byte[] b = CorruptingGatewayTest.bytes(600 * 1024, 12);
        String aCid = gateway.add(a, IpfsGateway.Layout.HELIA);
        String bCid = gateway.add(b, IpfsGateway.Layout.KUBO);
        Map<String, String> entries = new LinkedHashMap<>();
        entries.put("a.txt", aCid);
        entries.put("deep/er/still/b.bin", bCid);
        entries.put("with space+plus é.txt", aCid);
        for (int cidVersion : new int[] {0, 1}) {
            String dir = gateway.directory(entries, cidVersion);
            assertArrayEquals(a, readAll(driver, "ipfs://" + dir + "/a.txt", ByteRange.all()));
            assertArrayEquals(b, readAll(driver, "ipfs://" + dir + "/deep/er/still/b.bin", ByteRange.all()));
            assertArrayEquals(b, readAll(driver, "ipfs://" + dir + "//deep/er/still/b.bin/", ByteRange.all()));
            assertArrayEquals(a, readAll(driver, "ipfs://" + dir + "/with%20space+plus%20%C3%A9.txt", ByteRange.all()));
            assertEquals(
                    b.length,
                    driver.stat(URI.create("ipfs://" + dir + "/deep/er/still/b.bin"))
                            .size());

            assertNotFound(URI.create("ipfs://" + dir + "/missing.txt"), IpfsErrors.NO_SUCH_PATH);
            assertNotFound(URI.create("ipfs://" + dir + "/deep/missing/b.bin"), IpfsErrors.NO_SUCH_PATH);
            assertNotFound(URI.create("ipfs://" + dir + "/a.txt/below-a-file"), IpfsErrors.NO_SUCH_PATH);
            assertNotFound(URI.create("ipfs://" + dir + "/deep"), IpfsErrors.DIRECTORY);
            assertNotFound(URI.create("ipfs://" + dir), IpfsErrors.DIRECTORY);
        }
    }

    @Test
    void entriesOfAHamtShardedDirectoryAreFoundByTheHashOfTheirName() throws Exception {
        String file = gateway.add("in a shard\n".getBytes(StandardCharsets.UTF_8), IpfsGateway.Layout.HELIA);
        Map<String, String> entries = new LinkedHashMap<>();
        for (int i = 0; i < 100; i++) {
            entries.put("entry-" + i + ".txt", file);
        }
        String dir = gateway.directory(entries, 1, 100);
        List<IpfsGateway.Link> top = gateway.links(dir);
        assertTrue(top.stream().allMatch(l -> l.name().length() >= 2), "the root is a HAMT shard");
        assertTrue(
                top.stream().anyMatch(l -> l.name().length() == 2),
                "some names share a bucket, so the shard has sub-shards");
        for (int i = 0; i < 100; i++) {
            assertArrayEquals(
                    "in a shard\n".getBytes(StandardCharsets.UTF_8),
                    readAll(driver, "ipfs://" + dir + "/entry-" + i + ".txt", ByteRange.all()),
                    "entry " + i);
        }
        assertNotFound(URI.create("ipfs://" + dir + "/entry-100.txt"), IpfsErrors.NO_SUCH_PATH);
    }

    @Test
    void anIdentityCidIsReadFromTheCidItselfWithoutAskingTheGateway() throws Exception {
        byte[] inline = "tiny".getBytes(StandardCharsets.UTF_8);
        Cid cid = new Cid(1, Cid.RAW, new Multihash(Multihash.IDENTITY, inline));
        gateway.resetStats();
        assertArrayEquals(inline, readAll(driver, "ipfs://" + cid, ByteRange.all()));
        assertEquals(0, gateway.stats().blockRequests());
    }

    @Test
    void aMissingRootIsNotFoundButAMissingInnerBlockIsARetryableFailureOfTheGateway() throws Exception {
        Cid absent = new Cid(1, Cid.RAW, Multihash.sha256Of("not in the node".getBytes(StandardCharsets.UTF_8)));
        assertNotFound(URI.create("ipfs://" + absent), IpfsErrors.NOT_FOUND);

        byte[] partial = CorruptingGatewayTest.bytes(6 * CHUNK, 15);
        String cid = gateway.add(partial, IpfsGateway.Layout.KUBO);
        gateway.forget(gateway.links(cid).get(3).cid());
        URI uri = URI.create("ipfs://" + cid);
        assertEquals(partial.length, driver.stat(uri).size(), "the root is still there");
        try (StorageObject o = driver.open(uri, ByteRange.all())) {
            InputStream in = o.stream();
            assertArrayEquals(Arrays.copyOf(partial, 3 * CHUNK), in.readNBytes(3 * CHUNK));
            IOException e = assertThrows(IOException.class, () -> in.read());
            assertEquals(IpfsErrors.BLOCK_MISSING, e.getMessage());
            BrizoException cause = (BrizoException) e.getCause();
            assertEquals(ErrorKind.UPSTREAM_FAILED, cause.kind());
            assertTrue(cause.retryable());
        }
        BrizoException e =
                assertThrows(BrizoException.class, () -> driver.open(uri, ByteRange.of(3L * CHUNK, 3L * CHUNK + 9))
                        .close());
        assertEquals(IpfsErrors.BLOCK_MISSING, e.getMessage());
        assertTrue(e.retryable());
    }

    // ---------------------------------------------------------------------------------------
    // guards

    @Test
    void aBlockLargerThanTheLimitIsRefused() throws Exception {
        String cid = gateway.add(new byte[4000], IpfsGateway.Layout.HELIA);
        try (StorageDriver d = driver(Map.of("IPFS_MAX_BLOCK_SIZE", "1024"))) {
            BrizoException e = assertThrows(BrizoException.class, () -> d.stat(URI.create("ipfs://" + cid)));
            assertEquals(ErrorKind.UPSTREAM_FAILED, e.kind());
            assertFalse(e.retryable());
            assertTrue(e.getMessage().contains("IPFS_MAX_BLOCK_SIZE"), e.getMessage());
        }
    }

    @Test
    void aDagDeeperThanTheLimitIsRefusedBeforeTheFirstByte() throws Exception {
        // 1000 bytes in 100-byte chunks with 2 links per node: leaves 4 levels below the root.
        String cid = gateway.add(
                CorruptingGatewayTest.bytes(1000, 13),
                IpfsGateway.Layout.HELIA.withChunk(100).withMaxChildren(2));
        URI uri = URI.create("ipfs://" + cid);
        try (StorageDriver d = driver(Map.of("IPFS_MAX_DAG_DEPTH", "3"))) {
            assertEquals(1000, d.stat(uri).size(), "the root alone is fine");
            BrizoException e = assertThrows(
                    BrizoException.class, () -> d.open(uri, ByteRange.all()).close());
            assertEquals(ErrorKind.UPSTREAM_FAILED, e.kind());
            assertTrue(e.getMessage().contains("IPFS_MAX_DAG_DEPTH"), e.getMessage());
        }
        try (StorageDriver d = driver(Map.of("IPFS_MAX_DAG_DEPTH", "4"))) {
            assertEquals(1000, readAll(d, uri.toString(), ByteRange.all()).length);
        }
    }

    @Test
    void aReadNeedingMoreBlocksThanTheLimitFailsWhenItReachesIt() throws Exception {
        String cid = gateway.add(CorruptingGatewayTest.bytes(1000, 14), IpfsGateway.Layout.HELIA.withChunk(100));
        try (StorageDriver d = driver(Map.of("IPFS_MAX_BLOCKS", "5", "IPFS_PREFETCH_BLOCKS", "0"))) {
            try (StorageObject o = d.open(URI.create("ipfs://" + cid), ByteRange.all())) {
                InputStream in = o.stream();
                // The root and leaves 1 to 4 are allowed: 400 bytes, then the sixth block fails.
                assertEquals(400, in.readNBytes(400).length);
                IOException e = assertThrows(IOException.class, () -> in.read());
                assertTrue(e.getMessage().contains("IPFS_MAX_BLOCKS"), e.getMessage());
            }
        }
    }

    // ---------------------------------------------------------------------------------------
    // locations

    @Test
    void malformedIpfsLocationsAreConfigurationErrors() {
        for (String bad : List.of(
                "ipfs://not-a-cid",
                "ipfs:///no-authority",
                "ipfs:QmZULkCELmmk5XNfCgTnCyFgAVxBRBXyDHGGMVoLFLiXEN",
                "ipfs://QmZULkCELmmk5XNfCgTnCyFgAVxBRBXyDHGGMVoLFLiXE",
                "ipfs://bafkreicysg23kiwv34eg2d7qweipxwosdo2py4ldv42nbauguluen5v6a",
                "ipfs://QmZULkCELmmk5XNfCgTnCyFgAVxBRBXyDHGGMVoLFLiXEN/../x",
                "ipfs://QmZULkCELmmk5XNfCgTnCyFgAVxBRBXyDHGGMVoLFLiXEN/a%2Fb")) {
            URI uri = URI.create(bad);
            assertTrue(driver.supports(uri), bad);
            BrizoException e = assertThrows(BrizoException.class, () -> driver.stat(uri), bad);
            assertEquals(ErrorKind.CONFIGURATION, e.kind(), bad);
            assertNamesNoLocation(e, uri, gateway);
        }
        assertFalse(
                driver.supports(URI.create("https://example.org/ipfs/QmZULkCELmmk5XNfCgTnCyFgAVxBRBXyDHGGMVoLFLiXEN")));
        assertFalse(driver.supports(URI.create("file:///tmp/x")));
    }

    @Test
    void aCidWithAHashTheDriverCannotCheckIsRefusedWithoutFetching() throws Exception {
        Cid blake = new Cid(1, Cid.RAW, new Multihash(0xb220, new byte[32]));
        gateway.resetStats();
        BrizoException e = assertThrows(BrizoException.class, () -> driver.stat(URI.create("ipfs://" + blake)));
        assertEquals(ErrorKind.UPSTREAM_FAILED, e.kind());
        assertTrue(e.getMessage().contains("cannot verify"), e.getMessage());
        assertEquals(0, gateway.stats().blockRequests());
    }

    // ---------------------------------------------------------------------------------------
    // helpers

    private void assertNotFound(URI uri, String message) {
        for (Executable call : List.<Executable>of(
                () -> driver.stat(uri), () -> driver.open(uri, ByteRange.all()).close())) {
            BrizoException e = assertThrows(BrizoException.class, call, uri.toString());
            assertEquals(ErrorKind.NOT_FOUND, e.kind(), "kind of " + e);
            assertEquals(message, e.getMessage());
            assertNamesNoLocation(e, uri, gateway);
        }
    }

    static byte[] readAll(StorageDriver d, String uri, ByteRange range) throws IOException {
        try (StorageObject o = d.open(URI.create(uri), range)) {
            byte[] bytes = o.stream().readAllBytes();
            assertEquals(o.slice().length(), bytes.length, "bytes versus the slice's length");
            return bytes;
        }
    }

    /** Asserts that an error names neither the location (CID, path) nor the gateway (host, port). */
    static void assertNamesNoLocation(Throwable e, URI uri, IpfsGateway gateway) {
        String message = String.valueOf(e.getMessage());
        List<String> forbidden = new java.util.ArrayList<>(List.of(uri.toString(), "127.0.0.1", "localhost"));
        if (uri.getRawAuthority() != null) {
            forbidden.add(uri.getRawAuthority());
        }
        if (uri.getPath() != null) {
            for (String segment : uri.getPath().split("/")) {
                if (segment.length() >= 3) {
                    forbidden.add(segment);
                }
            }
        }
        forbidden.add(":" + URI.create(gateway.url()).getPort());
        for (String f : forbidden) {
            assertFalse(message.contains(f), "the message '" + message + "' reveals '" + f + "'");
        }
    }
}
