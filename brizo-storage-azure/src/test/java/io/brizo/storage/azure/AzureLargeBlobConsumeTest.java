package io.brizo.storage.azure;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.azure.core.util.BinaryData;
import com.azure.storage.blob.BlobClient;
import com.azure.storage.blob.models.BlobHttpHeaders;
import com.azure.storage.blob.options.BlockBlobCommitBlockListOptions;
import com.azure.storage.blob.specialized.BlockBlobClient;
import io.brizo.testkit.PublisherFiles;
import io.brizo.testkit.PublisherProcess;
import io.brizo.testkit.TestConsumer;
import java.io.InputStream;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Flat memory with Azure: a 1 GiB blob goes whole, byte for byte, through the consume API of a
 * publisher JVM whose heap is 64 MiB, from Azurite (keeping blobs on disk), at the blob's
 * canonical {@code https://devstoreaccount1.blob.core.windows.net} URL.
 */
class AzureLargeBlobConsumeTest {
    private static final long SIZE = 1024L * 1024 * 1024;
    private static final int BLOCK = 8 * 1024 * 1024;
    private static final int RANGES = 16;
    private static final long RANGE_LENGTH = 4L * 1024 * 1024;
    private static final String AGREEMENT = "a2b1".repeat(16);
    private static final String DID = "did:op:" + "b7".repeat(32);

    @TempDir
    Path work;

    @Test
    @Timeout(value = 4, unit = TimeUnit.MINUTES)
    void oneGibBlobArrivesWholeThroughThePublisherWith64MibHeap() throws Exception {
        try (Azurite azurite = Azurite.onDisk(work.resolve("azurite"))) {
            long started = System.nanoTime();
            BlobClient blob = azurite.container("large").getBlobClient("datasets/2024/one-gib.bin");
            PseudoRandomStream data = new PseudoRandomStream(SIZE);
            // Staged 8 MiB at a time with the SDK's own client, four blocks in flight: the SDK's
            // upload of a stream reads ahead without bound.
            BlockBlobClient blocks = blob.getBlockBlobClient();
            List<String> ids = new ArrayList<>();
            ExecutorService stagers = Executors.newFixedThreadPool(4);
            Semaphore inFlight = new Semaphore(4);
            List<Future<?>> staged = new ArrayList<>();
            try {
                for (byte[] block; (block = data.readNBytes(BLOCK)).length > 0; ) {
                    String id = Base64.getEncoder()
                            .encodeToString(String.format("%08d", ids.size()).getBytes(StandardCharsets.US_ASCII));
                    ids.add(id);
                    byte[] bytes = block;
                    inFlight.acquire();
                    staged.add(stagers.submit(() -> {
                        try {
                            blocks.stageBlock(id, BinaryData.fromBytes(bytes));
                        } finally {
                            inFlight.release();
                        }
                    }));
                }
                for (Future<?> f : staged) {
                    f.get(60, TimeUnit.SECONDS);
                }
            } finally {
                stagers.shutdownNow();
            }
            blocks.commitBlockListWithResponse(
                    new BlockBlobCommitBlockListOptions(ids)
                            .setHeaders(new BlobHttpHeaders().setContentType("application/octet-stream")),
                    null,
                    null);
            assertEquals(SIZE, data.served(), "bytes uploaded");
            String expectedSha256 = data.sha256();
            log("uploaded and hashed 1 GiB in %.1f s", seconds(started));

            TestConsumer consumer = TestConsumer.random();
            URI location = Azurite.canonical("large", "datasets/2024/one-gib.bin");
            Path assets =
                    PublisherFiles.writeAsset(work.resolve("assets.json"), DID, location, "application/octet-stream");
            Path grants =
                    PublisherFiles.writeAccessGrant(work.resolve("grants.json"), AGREEMENT, DID, consumer.address());
            Map<String, String> env = Map.of(
                    "BRIZO_ASSETS",
                    assets.toString(),
                    "BRIZO_GRANTS",
                    grants.toString(),
                    AzureBlobStorageDriverFactory.ACCOUNT_NAME,
                    Azurite.ACCOUNT,
                    AzureBlobStorageDriverFactory.ACCOUNT_KEY,
                    Azurite.KEY,
                    AzureBlobStorageDriverFactory.BLOB_ENDPOINT,
                    azurite.endpoint(),
                    // As the module's README advises for production: lets the JDK client take
                    // the Content-Length the SDK sets, instead of warning on every request.
                    "JAVA_TOOL_OPTIONS",
                    "-Djdk.httpclient.allowRestrictedHeaders=content-length");

            try (PublisherProcess publisher = PublisherProcess.start(env, "64m", work)) {
                AtomicLong peakRssKib = new AtomicLong(publisher.rssKib());
                ScheduledExecutorService sampler = Executors.newSingleThreadScheduledExecutor();
                sampler.scheduleAtFixedRate(
                        () -> peakRssKib.accumulateAndGet(publisher.rssKib(), Math::max),
                        0,
                        100,
                        TimeUnit.MILLISECONDS);
                long downloadStarted = System.nanoTime();
                TestConsumer.Download download;
                try {
                    download = consumer.consume(publisher.uri(), AGREEMENT, 0, null);
                } finally {
                    sampler.shutdownNow();
                }
                double downloadSeconds = seconds(downloadStarted);
                log(
                        "consumed 1 GiB through the publisher in %.1f s (%.0f MiB/s); publisher peak RSS %d MiB",
                        downloadSeconds, download.bytes() / 1048576.0 / downloadSeconds, peakRssKib.get() / 1024);

                assertEquals(200, download.status(), publisher::stderrTail);
                assertEquals(SIZE, download.contentLength(), "Content-Length");
                assertEquals(SIZE, download.bytes(), "bytes received");
                assertEquals(expectedSha256, download.sha256(), "SHA-256 of the bytes received");
                assertTrue(publisher.isAlive(), () -> "the publisher died; its stderr:\n" + publisher.stderrTail());
                // Many ranges at once: each download holds only its own small buffers.
                long rangesStarted = System.nanoTime();
                concurrentRangesMatch(consumer, publisher, peakRssKib);
                log(
                        "%d concurrent %d MiB ranges in %.1f s; publisher peak RSS %d MiB",
                        RANGES, RANGE_LENGTH / 1048576, seconds(rangesStarted), peakRssKib.get() / 1024);
                assertTrue(publisher.isAlive(), () -> "the publisher died; its stderr:\n" + publisher.stderrTail());
                TestConsumer.Download range = consumer.consume(publisher.uri(), AGREEMENT, 0, "bytes=-1");
                assertEquals(206, range.status(), "a suffix range after the whole file");
                assertEquals(1, range.bytes());
                assertTrue(publisher.isAlive(), () -> "the publisher died; its stderr:\n" + publisher.stderrTail());
            }
            log("whole test %.1f s", seconds(started));
        }
    }

    private static void concurrentRangesMatch(TestConsumer consumer, PublisherProcess publisher, AtomicLong peakRssKib)
            throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(RANGES);
        ScheduledExecutorService sampler = Executors.newSingleThreadScheduledExecutor();
        sampler.scheduleAtFixedRate(
                () -> peakRssKib.accumulateAndGet(publisher.rssKib(), Math::max), 0, 100, TimeUnit.MILLISECONDS);
        try {
            List<Future<?>> downloads = new ArrayList<>();
            for (int i = 0; i < RANGES; i++) {
                // Spread over the blob, 8-byte aligned so the expected bytes are easy to make.
                long first = (SIZE / RANGES) * i + 8L * 1000 * i;
                downloads.add(pool.submit(() -> {
                    String header = "bytes=" + first + "-" + (first + RANGE_LENGTH - 1);
                    TestConsumer.Download d = consumer.consume(publisher.uri(), AGREEMENT, 0, header);
                    assertEquals(206, d.status(), header);
                    assertEquals(RANGE_LENGTH, d.bytes(), header);
                    assertEquals(PseudoRandomStream.sha256Of(first, RANGE_LENGTH), d.sha256(), header);
                    return null;
                }));
            }
            for (Future<?> f : downloads) {
                f.get(120, TimeUnit.SECONDS);
            }
        } finally {
            sampler.shutdownNow();
            pool.shutdownNow();
        }
    }

    private static double seconds(long since) {
        return (System.nanoTime() - since) / 1e9;
    }

    private static void log(String format, Object... args) {
        System.out.println("[AzureLargeBlobConsumeTest] " + String.format(format, args));
    }

    /**
     * {@code size} bytes of SplitMix64 output (fixed seed), made as they are read and hashed on
     * the way: no file and no array of the whole content. Read by one thread at a time.
     */
    static final class PseudoRandomStream extends InputStream {
        private final long size;
        private final MessageDigest sha;
        private final ByteBuffer block = ByteBuffer.allocate(64 * 1024).order(ByteOrder.LITTLE_ENDIAN);
        private long state = 0x2545F4914F6CDD1DL;
        private long served;

        PseudoRandomStream(long size) throws Exception {
            this.size = size;
            this.sha = MessageDigest.getInstance("SHA-256");
            block.limit(0);
        }

        @Override
        public int read() {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) {
            Objects.checkFromIndexSize(off, len, b.length);
            if (len == 0) {
                return 0;
            }
            if (served == size) {
                return -1;
            }
            if (!block.hasRemaining()) {
                refill();
            }
            int n = (int) Math.min(Math.min(len, block.remaining()), size - served);
            block.get(b, off, n);
            sha.update(b, off, n);
            served += n;
            return n;
        }

        private void refill() {
            block.clear();
            while (block.hasRemaining()) {
                state += 0x9E3779B97F4A7C15L;
                long z = state;
                z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
                z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
                block.putLong(z ^ (z >>> 31));
            }
            block.flip();
        }

        /** {@return the SHA-256 of the stream's bytes {@code first} (a multiple of 8) to {@code first + length}} */
        static String sha256Of(long first, long length) throws Exception {
            PseudoRandomStream s = new PseudoRandomStream(first + length);
            // SplitMix64's state after k outputs is the seed plus k times its increment.
            s.state += 0x9E3779B97F4A7C15L * (first / Long.BYTES);
            s.served = first;
            byte[] buffer = new byte[64 * 1024];
            while (s.read(buffer, 0, buffer.length) >= 0) {
                // hashed on the way
            }
            return s.sha256();
        }

        long served() {
            return served;
        }

        String sha256() {
            return HexFormat.of().formatHex(sha.digest());
        }
    }
}
