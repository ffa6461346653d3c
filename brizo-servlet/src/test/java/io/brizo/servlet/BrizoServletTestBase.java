package io.brizo.servlet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.brizo.Brizo;
import io.brizo.http.Routes;
import io.brizo.spi.Settings;
import io.brizo.testkit.HttpBindingContract;
import io.brizo.testkit.PublisherFiles;
import io.brizo.testkit.RawHttp;
import io.brizo.testkit.SyntheticStorageDriver;
import io.brizo.testkit.TestConsumer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What is particular to the servlet binding, over real HTTP in a real container started on
 * 127.0.0.1 and a free port: mappings other than the contract's ({@code /*} at the root and
 * {@code /ctx/brizo/*}), downloads without async support, and slow readers. The behaviour every
 * binding shares is {@link HttpBindingContract}'s, run by the {@code *HttpBindingContractTest}
 * classes.
 */
abstract class BrizoServletTestBase {
    static final String DID = "did:op:" + "ab".repeat(32);
    static final String AGREEMENT = "12".repeat(32);
    static final ObjectMapper JSON = new ObjectMapper();
    static final int FILE = 0;
    static final int FAILING = 1;
    static final int LARGE = 2;
    /** A local file of {@link #MAPPED_SIZE} bytes, written by the tests that need it. */
    static final int MAPPED = 3;
    /** Small enough to be sent from a memory mapping, large enough to outlast loopback's buffers. */
    static final int MAPPED_SIZE = 12 << 20;
    /** Too large to be kept mapped: sent from windows mapped for one download. */
    static final int LARGE_LOCAL_SIZE = (40 << 20) + 77;

    static final long FAILING_SIZE = 1_000_000;
    static final long FAILING_AFTER = 300_000;
    static final long LARGE_SIZE = 1L << 30;

    private final Container container;

    @TempDir
    Path dir;

    final TestConsumer consumer = TestConsumer.random();
    final HttpClient http = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10))
            .build();
    final List<AutoCloseable> toClose = new ArrayList<>();
    byte[] data;
    Brizo brizo;

    BrizoServletTestBase(Container container) {
        this.container = container;
    }

    @BeforeEach
    void setUp() throws IOException {
        Path dataDir = Files.createDirectories(dir.resolve("data"));
        data = new byte[100_000];
        new Random(7).nextBytes(data);
        Files.write(dataDir.resolve("sample.bin"), data);
        Path assets = dir.resolve("assets.json");
        Files.writeString(
                assets,
                JSON.writeValueAsString(Map.of(
                        DID,
                        Map.of(
                                "files",
                                List.of(
                                        Map.of(
                                                "url",
                                                dataDir.resolve("sample.bin")
                                                        .toUri()
                                                        .toString()),
                                        Map.of("url", "fail://x/big.bin"),
                                        Map.of("url", "large://x/huge.bin"),
                                        Map.of(
                                                "url",
                                                dataDir.resolve("mapped.bin")
                                                        .toUri()
                                                        .toString()))))));
        Path grants = PublisherFiles.writeAccessGrant(dir.resolve("grants.json"), AGREEMENT, DID, consumer.address());
        brizo = Brizo.builder()
                .settings(Settings.builder()
                        .put("BRIZO_ASSETS", assets.toString())
                        .put("BRIZO_GRANTS", grants.toString())
                        .put("BRIZO_FILE_ROOTS", dataDir.toString())
                        .build())
                .storageDriver(SyntheticStorageDriver.failingAfter("fail", FAILING_SIZE, FAILING_AFTER))
                .storageDriver(SyntheticStorageDriver.of("large", LARGE_SIZE))
                .discover()
                .build();
        toClose.add(brizo);
    }

    @AfterEach
    void tearDown() throws Exception {
        for (AutoCloseable c : toClose) {
            c.close();
        }
    }

    /** {@return the context URI of a container serving the servlet as given, with async support} */
    URI mounted(String contextPath, String mapping, int threads) throws Exception {
        return mounted(contextPath, mapping, threads, true);
    }

    URI mounted(String contextPath, String mapping, int threads, boolean async) throws Exception {
        Container.Running running = container.start(new BrizoServlet(brizo), contextPath, mapping, threads, async, dir);
        toClose.add(0, running);
        return running.contextUri();
    }

    URI consumeUri(URI mount, int index) {
        return URI.create(mount + Routes.CONSUME + "?serviceAgreementId=" + AGREEMENT + "&consumerAddress="
                + consumer.address() + "&signature=" + consumer.sign(AGREEMENT) + "&index=" + index);
    }

    HttpResponse<byte[]> get(URI uri) throws Exception {
        return http.send(
                HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(20)).build(), BodyHandlers.ofByteArray());
    }

    static String sha256(byte[] bytes) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }

    @Test
    void mountPointWithOrWithoutTheSlashDescribesTheServiceAndNothingOutsideItIsTheApi() throws Exception {
        URI context = mounted("/ctx", "/brizo/*", 8);
        for (String path : List.of("brizo/", "brizo")) {
            HttpResponse<byte[]> r = get(URI.create(context + "/" + path));
            assertEquals(200, r.statusCode(), path);
            JsonNode info = JSON.readTree(r.body());
            assertTrue(info.get("endpoints").has("consume"), path);
        }
        // Outside the mount point the container answers: a route is not found under another prefix.
        assertEquals(404, get(consumeUri(context, FILE)).statusCode());
    }

    @Test
    void servletAsTheDefaultServletServesTheApi() throws Exception {
        URI root = mounted("", "/", 8);
        JsonNode info = JSON.readTree(get(URI.create(root + "/")).body());
        assertTrue(info.get("endpoints").has("consume"));
        TestConsumer.Download d = consumer.consume(root, AGREEMENT, FILE, "bytes=0-99");
        assertEquals(206, d.status());
        assertEquals(100, d.bytes());
        assertEquals(sha256(Arrays.copyOf(data, 100)), d.sha256());
    }

    @Test
    void withoutAsyncSupportDownloadsAreWrittenOnTheRequestThreadAndStillAbort() throws Exception {
        URI mount = URI.create(mounted("/ctx", "/brizo/*", 8, false) + "/brizo");
        TestConsumer.Download d = consumer.consume(mount, AGREEMENT, FILE, "bytes=-1000");
        assertEquals(206, d.status());
        assertEquals(sha256(Arrays.copyOfRange(data, data.length - 1000, data.length)), d.sha256());
        HttpBindingContract.assertAbortedMidway(consumeUri(mount, FAILING), FAILING_SIZE);
    }

    @Test
    void fileChangedBetweenDownloadsIsServedAsItIsNow() throws Exception {
        URI root = mounted("", "/", 8);
        Path file = dir.resolve("data").resolve("sample.bin");
        assertEquals(sha256(data), consumer.consume(root, AGREEMENT, FILE, null).sha256());
        Random random = new Random(11);
        // Rewritten in place with its old time, replaced by another file, then shortened.
        byte[] same = new byte[data.length];
        random.nextBytes(same);
        FileTime time = Files.getLastModifiedTime(file);
        Files.write(file, same);
        Files.setLastModifiedTime(file, time);
        assertEquals(sha256(same), consumer.consume(root, AGREEMENT, FILE, null).sha256());
        byte[] other = new byte[data.length];
        random.nextBytes(other);
        Path next = dir.resolve("data").resolve("next.tmp");
        Files.write(next, other);
        Files.move(next, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        assertEquals(
                sha256(other), consumer.consume(root, AGREEMENT, FILE, null).sha256());
        Files.write(file, Arrays.copyOf(other, 10));
        TestConsumer.Download d = consumer.consume(root, AGREEMENT, FILE, null);
        assertEquals(10, d.bytes());
        assertEquals(sha256(Arrays.copyOf(other, 10)), d.sha256());
    }

    @Test
    void fileTruncatedDuringItsDownloadAbortsTheConnection() throws Exception {
        assertTruncationAborts(MAPPED_SIZE);
    }

    @Test
    void largeFileTruncatedDuringItsDownloadAbortsTheConnection() throws Exception {
        // Beyond what is kept mapped: sent in windows mapped for the download.
        assertTruncationAborts(LARGE_LOCAL_SIZE);
    }

    @Test
    void largeLocalFileIsSentWholeAndInRangesByteForByte() throws Exception {
        byte[] content = new byte[LARGE_LOCAL_SIZE];
        new Random(5).nextBytes(content);
        Files.write(dir.resolve("data").resolve("mapped.bin"), content);
        URI mount = URI.create(mounted("/ctx", "/brizo/*", 8) + "/brizo");
        assertEquals(
                sha256(content),
                consumer.consume(mount, AGREEMENT, MAPPED, null).sha256());
        // Across the boundary of two windows, and a tail shorter than one.
        int from = (16 << 20) - 1000;
        TestConsumer.Download part =
                consumer.consume(mount, AGREEMENT, MAPPED, "bytes=" + from + "-" + (from + (3 << 20)));
        assertEquals(206, part.status());
        assertEquals(sha256(Arrays.copyOfRange(content, from, from + (3 << 20) + 1)), part.sha256());
        TestConsumer.Download tail = consumer.consume(mount, AGREEMENT, MAPPED, "bytes=-5000000");
        assertEquals(sha256(Arrays.copyOfRange(content, content.length - 5_000_000, content.length)), tail.sha256());
    }

    /** A local file of {@code size} bytes truncated after the first 64 KiB of its download. */
    private void assertTruncationAborts(int size) throws Exception {
        Path file = dir.resolve("data").resolve("mapped.bin");
        byte[] content = new byte[size];
        new Random(3).nextBytes(content);
        Files.write(file, content);
        URI mount = URI.create(mounted("/ctx", "/brizo/*", 8) + "/brizo");
        URI uri = consumeUri(mount, MAPPED);
        // Read once whole, so that the second download finds the file already mapped.
        assertEquals(
                sha256(content),
                consumer.consume(mount, AGREEMENT, MAPPED, null).sha256());
        try (Socket s = new Socket()) {
            s.setReceiveBufferSize(16 * 1024);
            s.connect(new InetSocketAddress(uri.getHost(), uri.getPort()));
            s.setSoTimeout(10_000);
            s.getOutputStream()
                    .write(("GET " + uri.getRawPath() + "?" + uri.getRawQuery()
                                    + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
                            .getBytes(StandardCharsets.ISO_8859_1));
            InputStream in = s.getInputStream();
            String head = RawHttp.readHead(in);
            assertTrue(head.startsWith("HTTP/1.1 200"), head);
            assertTrue(head.contains("Content-Length: " + size), head);
            long read = in.readNBytes(64 * 1024).length;
            try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
                ch.truncate(0);
            }
            long rest = assertTimeoutPreemptively(
                    Duration.ofSeconds(20), () -> in.transferTo(OutputStream.nullOutputStream()));
            assertTrue(read + rest < size, "the consumer got " + (read + rest) + " bytes of " + size);
        }
    }

    @Test
    void onlyJettyIsHandedFileMappings() throws Exception {
        BrizoServlet servlet = new BrizoServlet(brizo);
        Container.Running running = container.start(servlet, "/ctx", "/brizo/*", 8, true, dir);
        toClose.add(0, running);
        // A servlet may be initialised at its first request.
        assertEquals(200, get(URI.create(running.contextUri() + "/brizo/")).statusCode());
        assertEquals(container == Container.JETTY, servlet.handsOverBuffers());
        assertTrue(BrizoServlet.writesBuffersNatively("jetty/12.1.13"));
        assertFalse(BrizoServlet.writesBuffersNatively("Apache Tomcat/11.0.29"));
        assertFalse(BrizoServlet.writesBuffersNatively(null));
    }

    @Test
    void slowReadersDoNotBlockAnotherDownload() throws Exception {
        int threads = 8;
        URI mount = URI.create(mounted("/ctx", "/brizo/*", threads) + "/brizo");
        URI large = consumeUri(mount, LARGE);
        List<Socket> stalled = new ArrayList<>();
        try {
            for (int i = 0; i < 20; i++) {
                Socket s = new Socket(large.getHost(), large.getPort());
                stalled.add(s);
                s.setSoTimeout(10_000);
                s.setReceiveBufferSize(16 * 1024);
                s.getOutputStream()
                        .write(("GET " + large.getRawPath() + "?" + large.getRawQuery()
                                        + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
                                .getBytes(StandardCharsets.ISO_8859_1));
                // The download has started; from here on this client reads nothing more.
                assertTrue(RawHttp.readHead(s.getInputStream()).startsWith("HTTP/1.1 200"));
            }
            TestConsumer.Download d = assertTimeoutPreemptively(
                    Duration.ofSeconds(10), () -> consumer.consume(mount, AGREEMENT, FILE, null));
            assertEquals(200, d.status());
            assertEquals(sha256(data), d.sha256());
        } finally {
            for (Socket s : stalled) {
                s.close();
            }
        }
    }
}
