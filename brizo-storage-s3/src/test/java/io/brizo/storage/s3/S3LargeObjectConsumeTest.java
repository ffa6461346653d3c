package io.brizo.storage.s3;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.brizo.testkit.PublisherFiles;
import io.brizo.testkit.PublisherProcess;
import io.brizo.testkit.TestConsumer;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.sync.RequestBody;

/**
 * A 1 GiB S3 object consumed through the HTTP consume API from a publisher JVM limited to 64 MiB
 * of heap, with the S3 driver found by discovery: the driver streams, never buffers. The object
 * lives in S3Proxy's file-system store (a temporary directory), so neither the test nor the
 * store holds it in memory; it is uploaded with the SDK from content generated on the fly.
 */
class S3LargeObjectConsumeTest {
    private static final long GIB = 1024L * 1024 * 1024;
    private static final long MIB = 1024L * 1024;
    private static final String AGREEMENT = "5e".repeat(32);
    private static final String DID = "did:op:" + "3a".repeat(32);

    @TempDir
    Path dir;

    @Test
    void oneGibObjectIsConsumedWholeAndByRangeFromAPublisherWith64MibOfHeap() throws Exception {
        Path store = Files.createDirectories(dir.resolve("store"));
        try (S3ProxyServer s3 = S3ProxyServer.startOnDisk(dir, store)) {
            String bucket = s3.createBucket("large");
            GeneratedContent content = new GeneratedContent(2026, GIB);

            long start = System.nanoTime();
            // The digest is taken from the bytes as the SDK reads them for the upload; every read
            // of the (deterministic) content gives the same one.
            AtomicReference<String> uploaded = new AtomicReference<>();
            s3.client()
                    .putObject(
                            b -> b.bucket(bucket)
                                    .key("big.bin")
                                    .contentType("application/octet-stream")
                                    .contentLength(GIB),
                            RequestBody.fromContentProvider(
                                    () -> new Digesting(content.stream(), GIB, uploaded),
                                    GIB,
                                    "application/octet-stream"));
            String sha256 = uploaded.get();
            assertNotNull(sha256, "the SDK read the whole content");
            double uploadSeconds = seconds(start);

            TestConsumer consumer = TestConsumer.random();
            Path assets = PublisherFiles.writeAsset(
                    dir.resolve("assets.json"),
                    DID,
                    URI.create("s3://" + bucket + "/big.bin"),
                    "application/octet-stream");
            Path grants =
                    PublisherFiles.writeAccessGrant(dir.resolve("grants.json"), AGREEMENT, DID, consumer.address());
            Map<String, String> env = new HashMap<>(s3.driverSettings());
            env.put("BRIZO_ASSETS", assets.toString());
            env.put("BRIZO_GRANTS", grants.toString());
            try (PublisherProcess publisher = PublisherProcess.start(env, "64m", dir)) {
                long consumeStart = System.nanoTime();
                TestConsumer.Download whole = consumer.consume(publisher.uri(), AGREEMENT, 0, null);
                double consumeSeconds = seconds(consumeStart);
                assertEquals(200, whole.status(), publisher::stderrTail);
                assertEquals(GIB, whole.contentLength());
                assertEquals(GIB, whole.bytes());
                assertEquals(sha256, whole.sha256());

                // The last MiB and one byte: a ranged GET through the whole chain.
                long first = GIB - MIB - 1;
                TestConsumer.Download tail = consumer.consume(publisher.uri(), AGREEMENT, 0, "bytes=" + first + "-");
                assertEquals(206, tail.status(), publisher::stderrTail);
                assertEquals(MIB + 1, tail.bytes());
                assertEquals(content.sha256(first, MIB + 1), tail.sha256());

                assertTrue(publisher.isAlive(), publisher::stderrTail);
                System.out.printf(
                        "1 GiB through S3: upload %.1f s, consume %.1f s (%.0f MiB/s), publisher RSS %d MiB with -Xmx64m%n",
                        uploadSeconds, consumeSeconds, 1024 / consumeSeconds, publisher.rssKib() / 1024);
            }
        }
    }

    private static double seconds(long startNanos) {
        return (System.nanoTime() - startNanos) / 1e9;
    }

    /**
     * Hashes what passes through and publishes the digest once all {@code length} bytes have
     * (the SDK reads exactly the announced length, never up to the end of the stream).
     */
    private static final class Digesting extends FilterInputStream {
        private final MessageDigest sha = GeneratedContent.digest();
        private final long length;
        private final AtomicReference<String> result;
        private long total;

        Digesting(InputStream in, long length, AtomicReference<String> result) {
            super(in);
            this.length = length;
            this.result = result;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = super.read(b, off, len);
            if (n > 0) {
                sha.update(b, off, n);
                total += n;
                if (total == length) {
                    result.set(HexFormat.of().formatHex(sha.digest()));
                }
            }
            return n;
        }
    }
}
