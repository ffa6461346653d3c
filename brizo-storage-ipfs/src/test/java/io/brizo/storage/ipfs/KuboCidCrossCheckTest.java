package io.brizo.storage.ipfs;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.brizo.spi.ByteRange;
import io.brizo.spi.Settings;
import io.brizo.spi.StorageDriver;
import io.brizo.spi.StorageObject;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Cross-checks kubo-layout CIDs three ways, for six deterministic files (empty, "hello\n", one
 * chunk, two chunks, 21 chunks, and 175 chunks, which needs a second level of parents):
 *
 * <ol>
 *   <li>Debian's {@code ipfs_cid} (package ipfs-cid, a kubo-compatible CID calculator: 256 KiB
 *       chunks, balanced DAG of 174 links, UnixFS leaves, CIDv0) computed the CIDs once, by {@code
 *       src/test/resources/kubo-cids/generate.sh} over files written by {@code KuboFixtureFiles.java}
 *       in the same folder; the output is committed as {@code kubo-cids.txt}, with each file's size
 *       and SHA-256 so this test knows it regenerates the very same bytes. CI needs no apt.
 *   <li>The project's own Java code ({@link KuboImporter}, test-only) computes the CID of the same
 *       bytes and must agree with {@code ipfs_cid}.
 *   <li>The real Helia node adds the same bytes with kubo's parameters (CIDv0, 256 KiB fixed chunks,
 *       balanced DAG with 174 links, raw leaves off) and must answer the same CID; the driver then
 *       reads the file back through the gateway, verified block by block, byte for byte.
 * </ol>
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class KuboCidCrossCheckTest {
    private record Fixture(String name, int size, String sha256, String cidV0, String cidV1) {}

    private List<Fixture> fixtures;
    private final java.util.Map<String, String> heliaCids = new java.util.HashMap<>();
    private IpfsGateway gateway;
    private StorageDriver driver;

    @BeforeAll
    void start() throws IOException {
        fixtures = readFixtures();
        gateway = IpfsGateway.start();
        for (Fixture f : fixtures) {
            heliaCids.put(f.name(), gateway.add(content(f.name(), f.size()), IpfsGateway.Layout.KUBO));
        }
        driver = new IpfsStorageDriverFactory()
                .create(Settings.builder().put("IPFS_GATEWAY", gateway.url()).build())
                .orElseThrow();
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

    @Test
    void theFixtureBytesAreTheOnesIpfsCidWasRunOver() {
        assertEquals(6, fixtures.size());
        for (Fixture f : fixtures) {
            byte[] content = content(f.name(), f.size());
            assertEquals(f.size(), content.length, f.name());
            assertEquals(f.sha256(), sha256(content), "SHA-256 of " + f.name());
        }
    }

    @Test
    void ourOwnKuboLayoutGivesTheCidsIpfsCidComputed() {
        for (Fixture f : fixtures) {
            assertEquals(f.cidV0(), KuboImporter.cidV0(content(f.name(), f.size())), f.name());
        }
    }

    @Test
    void ourCidParserReadsIpfsCidsV0AndV1AsTheSameContent() {
        for (Fixture f : fixtures) {
            Cid v0 = Cid.parse(f.cidV0());
            Cid v1 = Cid.parse(f.cidV1());
            assertEquals(0, v0.version(), f.name());
            assertEquals(1, v1.version(), f.name());
            assertEquals(v0.toV1(), v1, f.name());
            assertEquals(f.cidV0(), v0.toString(), f.name());
            assertEquals(f.cidV1(), v1.toString(), f.name());
        }
    }

    @Test
    void heliaWithKubosParametersGivesTheSameCidsAndTheDriverReadsThemBackVerified() throws Exception {
        for (Fixture f : fixtures) {
            assertEquals(f.cidV0(), heliaCids.get(f.name()), "Helia's CID of " + f.name());
            for (String form : List.of(f.cidV0(), f.cidV1())) {
                URI uri = URI.create("ipfs://" + form);
                assertEquals(f.size(), driver.stat(uri).size(), "size of " + f.name());
                try (StorageObject o = driver.open(uri, ByteRange.all())) {
                    assertEquals(f.sha256(), sha256(o.stream()), "bytes of " + f.name() + " read as " + form);
                }
            }
        }
    }

    @Test
    void aRangeOfTheTwoLevelFileReadsTheSameBytesAsTheFile() throws Exception {
        Fixture f = fixtures.get(fixtures.size() - 1);
        byte[] content = content(f.name(), f.size());
        // Across the boundary of the two level-1 parents: leaf 173 is the last of the first.
        long first = 174L * KuboImporter.CHUNK - 1000;
        long last = 174L * KuboImporter.CHUNK; // the file's last byte, alone in leaf 174
        try (StorageObject o = driver.open(URI.create("ipfs://" + f.cidV0()), ByteRange.of(first, last))) {
            byte[] expected = java.util.Arrays.copyOfRange(content, (int) first, (int) last + 1);
            assertArrayEquals(expected, o.stream().readAllBytes());
        }
    }

    /** The generator of {@code KuboFixtureFiles.java}, which wrote the files ipfs_cid read. */
    static byte[] content(String name, int size) {
        if (name.equals("hello")) {
            return "hello\n".getBytes(StandardCharsets.US_ASCII);
        }
        byte[] out = new byte[size];
        int x = name.hashCode();
        for (int i = 0; i < size; i++) {
            x = x * 1664525 + 1013904223;
            out[i] = (byte) (x >>> 24);
        }
        return out;
    }

    private static List<Fixture> readFixtures() throws IOException {
        List<Fixture> out = new ArrayList<>();
        try (InputStream in = KuboCidCrossCheckTest.class.getResourceAsStream("/kubo-cids/kubo-cids.txt")) {
            for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                if (line.isBlank() || line.startsWith("#")) {
                    continue;
                }
                String[] p = line.trim().split(" ");
                out.add(new Fixture(p[0], Integer.parseInt(p[1]), p[2], p[3], p[4]));
            }
        }
        return out;
    }

    private static String sha256(byte[] content) {
        return HexFormat.of().formatHex(Multihash.sha256(content));
    }

    private static String sha256(InputStream in) throws Exception {
        MessageDigest d = MessageDigest.getInstance("SHA-256");
        byte[] buffer = new byte[65536];
        for (int n; (n = in.read(buffer)) >= 0; ) {
            d.update(buffer, 0, n);
        }
        return HexFormat.of().formatHex(d.digest());
    }
}
