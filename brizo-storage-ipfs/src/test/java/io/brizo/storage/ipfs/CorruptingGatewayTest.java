package io.brizo.storage.ipfs;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.brizo.spi.BrizoException;
import io.brizo.spi.ByteRange;
import io.brizo.spi.ErrorKind;
import io.brizo.spi.Settings;
import io.brizo.spi.StorageDriver;
import io.brizo.spi.StorageObject;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.function.Executable;

/**
 * The gateway lies: its corruption switch flips one byte of every response (or of the responses
 * about one block), and the driver must refuse what it hands over, before the first byte (a
 * BrizoException) or in the middle of a stream (an IOException), and never pass on a byte of a
 * block that failed. The unsafe trust mode, given the same lies, passes the corrupted bytes on.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CorruptingGatewayTest {
    private static final int CHUNK = 256 * 1024;

    private IpfsGateway gateway;
    private StorageDriver verifying;
    private StorageDriver trusting;

    private final byte[] single = bytes(1000, 1);
    private final byte[] multi = bytes(5 * 1024 * 1024 + 123, 2);
    private final byte[] nested = bytes(300 * 1024, 3);
    private URI singleBlock;
    private URI multiBlock;
    private String multiBlockCid;
    private URI inDirectory;

    @BeforeAll
    void start() throws IOException {
        gateway = IpfsGateway.start();
        singleBlock = URI.create("ipfs://" + gateway.add(single, IpfsGateway.Layout.HELIA));
        multiBlockCid = gateway.add(multi, IpfsGateway.Layout.KUBO); // 21 leaves of 256 KiB
        multiBlock = URI.create("ipfs://" + multiBlockCid);
        String file = gateway.add(nested, IpfsGateway.Layout.KUBO);
        inDirectory = URI.create("ipfs://" + gateway.directory(Map.of("sub/file.bin", file), 1) + "/sub/file.bin");
        verifying = driver(false);
        trusting = driver(true);
    }

    private StorageDriver driver(boolean trust) {
        return new IpfsStorageDriverFactory()
                .create(Settings.builder()
                        .put("IPFS_GATEWAY", gateway.url())
                        .put("IPFS_TRUST_GATEWAY", Boolean.toString(trust))
                        .build())
                .orElseThrow();
    }

    @AfterAll
    void stop() {
        for (AutoCloseable c : new AutoCloseable[] {verifying, trusting, gateway}) {
            try {
                if (c != null) {
                    c.close();
                }
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }
    }

    @BeforeEach
    void honestGateway() throws IOException {
        gateway.corruptEverything(false);
    }

    @Test
    void everyStatOpenAndRangeFailsVerificationWhenTheGatewayCorruptsItsResponses() throws IOException {
        gateway.corruptEverything(true);
        for (URI uri : List.of(singleBlock, multiBlock, inDirectory)) {
            assertMismatch(uri, () -> verifying.stat(uri));
            for (ByteRange range : List.of(
                    ByteRange.all(),
                    ByteRange.of(0, 9),
                    ByteRange.of(500, 599),
                    ByteRange.suffix(10),
                    ByteRange.from(1))) {
                assertMismatch(uri, () -> verifying.open(uri, range).close());
            }
        }
    }

    @Test
    void trustModePassesOnTheCorruptedBytesThatVerificationRefuses() throws Exception {
        gateway.corruptEverything(true);
        for (Map.Entry<URI, byte[]> e :
                Map.of(singleBlock, single, multiBlock, multi).entrySet()) {
            byte[] received;
            try (StorageObject o = trusting.open(e.getKey(), ByteRange.all())) {
                received = o.stream().readAllBytes();
            }
            assertEquals(e.getValue().length, received.length, "trust mode delivers a complete-looking file");
            assertFalse(Arrays.equals(e.getValue(), received), "trust mode delivers the corrupted bytes");
            assertEquals(1, differingBytes(e.getValue(), received), "one byte differs: the one the gateway flipped");
            URI uri = e.getKey();
            assertMismatch(uri, () -> verifying.open(uri, ByteRange.all()).close());
        }
        gateway.corruptEverything(false);
        try (StorageObject o = trusting.open(multiBlock, ByteRange.all())) {
            assertArrayEquals(multi, o.stream().readAllBytes(), "the same trust mode, from an honest gateway");
        }
    }

    @Test
    void aCorruptBlockInTheMiddleEndsTheStreamWithAnIoExceptionAfterExactlyTheBytesBeforeIt() throws Exception {
        List<IpfsGateway.Link> leaves = gateway.links(multiBlockCid);
        assertEquals(21, leaves.size());
        gateway.corruptBlock(leaves.get(2).cid());
        try (StorageObject o = verifying.open(multiBlock, ByteRange.all())) {
            InputStream in = o.stream();
            byte[] buffer = new byte[8192];
            long delivered = 0;
            IOException failure = null;
            try {
                for (int n; (n = in.read(buffer)) >= 0; ) {
                    assertArrayEquals(
                            Arrays.copyOfRange(multi, (int) delivered, (int) delivered + n),
                            Arrays.copyOf(buffer, n),
                            "bytes at " + delivered);
                    delivered += n;
                }
            } catch (IOException e) {
                failure = e;
            }
            assertInstanceOf(ContentMismatchException.class, failure, "the read fails with a verification error");
            assertEquals(IpfsErrors.MISMATCH, failure.getMessage());
            BrizoException cause = assertInstanceOf(BrizoException.class, failure.getCause());
            assertEquals(ErrorKind.UPSTREAM_FAILED, cause.kind());
            assertFalse(cause.retryable());
            assertEquals(2L * CHUNK, delivered, "every byte of the two good blocks, none of the corrupt one");
            IOException again = assertThrows(IOException.class, () -> in.read(buffer), "reads after it fail too");
            assertEquals(failure, again);
        }
    }

    @Test
    void aCorruptFirstBlockFailsTheOpenBeforeAnyByte() throws IOException {
        List<IpfsGateway.Link> leaves = gateway.links(multiBlockCid);
        gateway.corruptBlock(leaves.get(0).cid());
        assertMismatch(
                multiBlock, () -> verifying.open(multiBlock, ByteRange.all()).close());
        // The root is intact, so the size is still known.
        assertEquals(multi.length, verifying.stat(multiBlock).size());
    }

    @Test
    void aRangeThatSkipsTheCorruptBlockStillReads() throws Exception {
        List<IpfsGateway.Link> leaves = gateway.links(multiBlockCid);
        gateway.corruptBlock(leaves.get(2).cid());
        long first = 3L * CHUNK + 17;
        try (StorageObject o = verifying.open(multiBlock, ByteRange.of(first, first + 999))) {
            assertArrayEquals(
                    Arrays.copyOfRange(multi, (int) first, (int) first + 1000),
                    o.stream().readAllBytes());
        }
        assertMismatch(multiBlock, () -> verifying
                .open(multiBlock, ByteRange.of(2L * CHUNK, 2L * CHUNK))
                .close());
    }

    private void assertMismatch(URI uri, Executable call) {
        BrizoException e = assertThrows(BrizoException.class, call, "reading " + uri);
        assertEquals(ErrorKind.UPSTREAM_FAILED, e.kind(), "kind of " + e);
        assertFalse(e.retryable(), "a verification failure is not retryable: " + e);
        assertTrue(e.getMessage().startsWith(IpfsErrors.MISMATCH), e.getMessage());
        IpfsStorageDriverTest.assertNamesNoLocation(e, uri, gateway);
    }

    private static int differingBytes(byte[] a, byte[] b) {
        int n = 0;
        for (int i = 0; i < a.length; i++) {
            if (a[i] != b[i]) {
                n++;
            }
        }
        return n;
    }

    static byte[] bytes(int size, long seed) {
        byte[] b = new byte[size];
        new Random(seed).nextBytes(b);
        return b;
    }
}
