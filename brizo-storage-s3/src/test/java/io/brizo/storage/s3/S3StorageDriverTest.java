package io.brizo.storage.s3;

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
import java.io.ByteArrayInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;

/**
 * What the S3 driver does beyond the contract — presigned URLs, writes (single and multipart),
 * refused credentials, missing buckets, malformed locations, connections — against a real S3
 * server (S3Proxy). Fixtures are made and checked with the SDK's own client.
 */
class S3StorageDriverTest {
    private static final int MIB = 1024 * 1024;
    private static final String WRONG_SECRET = "not-the-secret-5e6f7a8b9c";

    @TempDir
    static Path workDir;

    static S3ProxyServer server;
    static String bucket;
    static StorageDriver driver;

    @BeforeAll
    static void start() throws Exception {
        server = S3ProxyServer.startInMemory(workDir);
        bucket = server.createBucket("driver");
        driver = driver(Map.of());
    }

    @AfterAll
    static void stop() throws Exception {
        if (driver != null) {
            driver.close();
        }
        if (server != null) {
            server.close();
        }
    }

    /** {@return a driver for the server with {@code extra} settings over the right ones} */
    static StorageDriver driver(Map<String, String> extra) {
        Map<String, String> settings = new HashMap<>(server.driverSettings());
        settings.putAll(extra);
        return new S3StorageDriverFactory()
                .create(Settings.builder().putAll(settings).build())
                .orElseThrow();
    }

    static String key(String base) {
        return "objects/" + base + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    static URI uri(String key) {
        return URI.create("s3://" + bucket + "/" + key);
    }

    static URI put(String key, byte[] content, String contentType) {
        server.client()
                .putObject(b -> b.bucket(bucket).key(key).contentType(contentType), RequestBody.fromBytes(content));
        return uri(key);
    }

    static byte[] get(String key) {
        return server.client().getObjectAsBytes(b -> b.bucket(bucket).key(key)).asByteArray();
    }

    static boolean exists(String key) {
        try {
            server.client().headObject(b -> b.bucket(bucket).key(key));
            return true;
        } catch (NoSuchKeyException e) {
            return false;
        }
    }

    static byte[] bytes(int size, long seed) throws IOException {
        return new GeneratedContent(seed, size).stream().readAllBytes();
    }

    /** Asserts that neither the message nor any message in the cause chain shows {@code secrets}. */
    static void assertShowsNone(Throwable e, String... secrets) {
        StringWriter trace = new StringWriter();
        e.printStackTrace(new PrintWriter(trace));
        for (String s : secrets) {
            assertFalse(trace.toString().contains(s), "the error or its causes reveal '" + s + "':\n" + trace);
        }
    }

    // ---------------------------------------------------------------------------------------
    // stat

    @Test
    void statReportsTheEtagAndLastModificationTimeOfTheStore() throws Exception {
        String key = key("stat");
        URI uri = put(key, bytes(1234, 1), "text/csv");
        HeadObjectResponse head =
                server.client().headObject(b -> b.bucket(bucket).key(key));
        ObjectInfo info = driver.stat(uri);
        assertEquals(1234, info.size());
        assertEquals(Optional.of("text/csv"), info.contentType());
        assertEquals(Optional.of(head.eTag()), info.etag());
        assertEquals(Optional.of(head.lastModified()), info.lastModified());
    }

    @Test
    void keyWithPercentEncodedSpacesAndSlashesIsFound() throws Exception {
        String key = "objects/with space/" + UUID.randomUUID() + " (1).bin";
        byte[] content = bytes(100, 2);
        server.client().putObject(b -> b.bucket(bucket).key(key), RequestBody.fromBytes(content));
        URI uri = new URI("s3", bucket, "/" + key, null);
        assertEquals(100, driver.stat(uri).size());
        try (StorageObject o = driver.open(uri, ByteRange.all())) {
            assertArrayEquals(content, o.stream().readAllBytes());
        }
    }

    // ---------------------------------------------------------------------------------------
    // presigned URLs

    @Test
    void presignedUrlDownloadsWithAPlainHttpClient() throws Exception {
        String key = key("presigned");
        byte[] content = bytes(50_000, 3);
        URI uri = put(key, content, "application/octet-stream");
        URI url = driver.presignGet(uri, Duration.ofMinutes(5)).orElseThrow();
        assertEquals("127.0.0.1", url.getHost(), "all traffic stays on this machine");
        HttpResponse<byte[]> r = HttpClient.newHttpClient()
                .send(HttpRequest.newBuilder(url).build(), HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(200, r.statusCode());
        assertArrayEquals(content, r.body());
    }

    @Test
    void presignedUrlSignedWithAWrongSecretIsRefusedByTheStore() throws Exception {
        URI uri = put(key("presigned-wrong"), bytes(10, 4), "application/octet-stream");
        try (StorageDriver wrong = driver(Map.of(S3StorageDriverFactory.SECRET_KEY, WRONG_SECRET))) {
            URI url = wrong.presignGet(uri, Duration.ofMinutes(5)).orElseThrow();
            HttpResponse<String> r = HttpClient.newHttpClient()
                    .send(HttpRequest.newBuilder(url).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(403, r.statusCode());
        }
    }

    @Test
    void presignedUrlLifetimeIsTheConfiguredOneWhenNoneIsGiven() {
        URI uri = uri(key("presign-default"));
        try (StorageDriver d = driver(Map.of(S3StorageDriverFactory.PRESIGN_LIFETIME, "10m"))) {
            URI url = d.presignGet(uri, null).orElseThrow();
            assertTrue(url.getRawQuery().contains("X-Amz-Expires=600"), "lifetime in " + url.getRawQuery());
        }
    }

    @Test
    void presignLifetimeLongerThanTheConfiguredMaximumIsRefused() {
        URI uri = uri(key("presign-long"));
        try (StorageDriver d = driver(Map.of(S3StorageDriverFactory.PRESIGN_LIFETIME, "10m"))) {
            BrizoException e = assertThrows(BrizoException.class, () -> d.presignGet(uri, Duration.ofMinutes(11)));
            assertEquals(ErrorKind.INVALID_REQUEST, e.kind());
            assertTrue(e.getMessage().contains("S3_PRESIGN_LIFETIME"), e.getMessage());
            assertEquals(
                    ErrorKind.INVALID_REQUEST,
                    assertThrows(BrizoException.class, () -> d.presignGet(uri, Duration.ZERO))
                            .kind());
        }
    }

    @Test
    void presigningTurnedOffGivesNoUrl() {
        try (StorageDriver d = driver(Map.of(S3StorageDriverFactory.PRESIGN_LIFETIME, "0"))) {
            assertEquals(Optional.empty(), d.presignGet(uri(key("presign-off")), Duration.ofMinutes(1)));
        }
    }

    // ---------------------------------------------------------------------------------------
    // refused credentials

    @Test
    void wrongSecretIsRefusedOnEveryOperationWithAClearErrorThatDoesNotContainIt() throws Exception {
        String key = key("guarded");
        URI uri = put(key, bytes(100, 5), "application/octet-stream");
        try (StorageDriver wrong = driver(
                Map.of(S3StorageDriverFactory.SECRET_KEY, WRONG_SECRET, S3StorageDriverFactory.MAX_ATTEMPTS, "1"))) {
            List<BrizoException> errors = List.of(
                    assertThrows(BrizoException.class, () -> wrong.stat(uri)),
                    assertThrows(BrizoException.class, () -> wrong.open(uri, ByteRange.of(0, 9))
                            .close()),
                    assertThrows(
                            BrizoException.class,
                            () -> wrong.write(uri, new ByteArrayInputStream(new byte[5]), 5, "text/plain")));
            for (BrizoException e : errors) {
                assertEquals(ErrorKind.UPSTREAM_FAILED, e.kind(), "kind of " + e);
                assertFalse(e.retryable(), "a refusal does not pass by retrying: " + e);
                assertEquals(S3Errors.REFUSED_MESSAGE, e.getMessage());
                assertTrue(e.getMessage().contains("AWS_SECRET_KEY"), "says which setting to check");
                assertShowsNone(
                        e,
                        WRONG_SECRET,
                        server.credential(),
                        bucket,
                        key,
                        server.endpoint().getAuthority());
            }
        }
        assertArrayEquals(bytes(100, 5), get(key), "the refused write changed nothing");
    }

    // ---------------------------------------------------------------------------------------
    // write

    @Test
    void smallWriteRoundTripsWithItsContentType() throws Exception {
        String key = key("small-write");
        byte[] content = bytes(10_000, 6);
        ObjectInfo info = driver.write(uri(key), new ByteArrayInputStream(content), content.length, "text/csv");
        assertEquals(10_000, info.size());
        assertEquals(Optional.of("text/csv"), info.contentType());
        assertArrayEquals(content, get(key));
        HeadObjectResponse head =
                server.client().headObject(b -> b.bucket(bucket).key(key));
        assertEquals("text/csv", head.contentType());
        assertEquals(Optional.of(head.eTag()), info.etag());
    }

    @Test
    void writeOfUnknownLengthRoundTrips() throws Exception {
        String key = key("unknown-length");
        byte[] content = bytes(3000, 7);
        ObjectInfo info = driver.write(uri(key), new ByteArrayInputStream(content), -1, null);
        assertEquals(3000, info.size());
        assertArrayEquals(content, get(key));
    }

    @Test
    void emptyWriteMakesAnEmptyObject() {
        String key = key("empty-write");
        assertEquals(
                0,
                driver.write(uri(key), InputStream.nullInputStream(), 0, null).size());
        assertEquals(0, get(key).length);
    }

    @Test
    void writeReplacesAnExistingObject() throws Exception {
        String key = key("replace");
        put(key, bytes(500, 8), "text/plain");
        byte[] content = bytes(700, 9);
        driver.write(uri(key), new ByteArrayInputStream(content), content.length, "text/plain");
        assertArrayEquals(content, get(key));
    }

    @Test
    void largeWriteIsAMultipartUploadThatRoundTrips() throws Exception {
        GeneratedContent content = new GeneratedContent(10, 12L * MIB);
        String key = key("multipart");
        try (StorageDriver d = driver(Map.of(S3StorageDriverFactory.MULTIPART_PART_SIZE, "5MiB"))) {
            ObjectInfo info = d.write(uri(key), content.stream(), content.length(), "application/octet-stream");
            assertEquals(content.length(), info.size());
        }
        HeadObjectResponse head =
                server.client().headObject(b -> b.bucket(bucket).key(key));
        assertEquals(content.length(), head.contentLength());
        // A multipart object's ETag ends with the number of its parts: 5 + 5 + 2 MiB.
        assertTrue(head.eTag().replace("\"", "").endsWith("-3"), "ETag of a 3-part upload: " + head.eTag());
        assertEquals(content.sha256(), GeneratedContent.sha256(get(key)));
    }

    @Test
    void largeWriteOfUnknownLengthIsAMultipartUploadThatRoundTrips() throws Exception {
        GeneratedContent content = new GeneratedContent(11, 12L * MIB + 1);
        String key = key("multipart-unknown");
        try (StorageDriver d = driver(Map.of(S3StorageDriverFactory.MULTIPART_PART_SIZE, "5MiB"))) {
            assertEquals(
                    content.length(),
                    d.write(uri(key), content.stream(), -1, null).size());
        }
        assertEquals(content.sha256(), GeneratedContent.sha256(get(key)));
    }

    @Test
    void writeOfExactlyOnePartIsASinglePut() throws Exception {
        GeneratedContent content = new GeneratedContent(12, 5L * MIB);
        String key = key("one-part");
        try (StorageDriver d = driver(Map.of(S3StorageDriverFactory.MULTIPART_PART_SIZE, "5MiB"))) {
            d.write(uri(key), content.stream(), -1, null);
        }
        HeadObjectResponse head =
                server.client().headObject(b -> b.bucket(bucket).key(key));
        assertFalse(head.eTag().contains("-"), "a single PUT's ETag: " + head.eTag());
        assertEquals(content.sha256(), GeneratedContent.sha256(get(key)));
    }

    @Test
    void failedMultipartWriteLeavesNoObjectAndNoUpload() {
        String key = key("failed-multipart");
        // The input fails after 7 MiB: one 5 MiB part is already stored when it does.
        InputStream failing = new FilterInputStream(new GeneratedContent(13, 12L * MIB).stream()) {
            long read;

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                if (read >= 7L * MIB) {
                    throw new IOException("the compute job's output disappeared");
                }
                int n = super.read(b, off, (int) Math.min(len, 7L * MIB - read));
                read += Math.max(n, 0);
                return n;
            }
        };
        // The store lists uploads in progress, so an empty list below means "aborted".
        String control = key + "-control";
        String open = server.client()
                .createMultipartUpload(b -> b.bucket(bucket).key(control))
                .uploadId();
        assertEquals(
                1,
                server.client()
                        .listMultipartUploads(b -> b.bucket(bucket).prefix(control))
                        .uploads()
                        .size(),
                "an upload in progress is listed");
        server.client().abortMultipartUpload(b -> b.bucket(bucket).key(control).uploadId(open));
        try (StorageDriver d = driver(Map.of(S3StorageDriverFactory.MULTIPART_PART_SIZE, "5MiB"))) {
            BrizoException e = assertThrows(BrizoException.class, () -> d.write(uri(key), failing, 12L * MIB, null));
            assertEquals(ErrorKind.UPSTREAM_FAILED, e.kind());
            assertTrue(e.retryable(), "a failed input may succeed next time");
        }
        assertFalse(exists(key), "no object after a failed write");
        assertEquals(
                List.of(),
                server.client()
                        .listMultipartUploads(b -> b.bucket(bucket).prefix(key))
                        .uploads(),
                "the multipart upload was aborted");
    }

    @Test
    void writeLongerOrShorterThanAnnouncedIsRefusedAndLeavesNoObject() {
        try (StorageDriver d = driver(Map.of(S3StorageDriverFactory.MULTIPART_PART_SIZE, "5MiB"))) {
            // {announced, actual}: single PUTs and multipart uploads, too short and too long.
            List<long[]> cases = List.of(
                    new long[] {100, 99},
                    new long[] {99, 100},
                    new long[] {0, 1},
                    new long[] {12L * MIB, 11L * MIB},
                    new long[] {11L * MIB, 12L * MIB});
            for (long[] c : cases) {
                String key = key("wrong-length");
                String name = c[0] + " announced, " + c[1] + " given";
                InputStream data = new GeneratedContent(14, c[1]).stream();
                BrizoException e = assertThrows(BrizoException.class, () -> d.write(uri(key), data, c[0], null), name);
                assertEquals(ErrorKind.INVALID_REQUEST, e.kind(), name);
                assertFalse(exists(key), "no object: " + name);
                assertEquals(
                        List.of(),
                        server.client()
                                .listMultipartUploads(b -> b.bucket(bucket).prefix(key))
                                .uploads(),
                        "no multipart upload left: " + name);
            }
        }
    }

    @Test
    void writeToAMissingBucketIsNotFound() {
        URI uri = URI.create("s3://no-such-bucket-" + UUID.randomUUID() + "/out.bin");
        BrizoException e = assertThrows(
                BrizoException.class, () -> driver.write(uri, new ByteArrayInputStream(new byte[3]), 3, null));
        assertEquals(ErrorKind.NOT_FOUND, e.kind(), "kind of " + e);
        assertShowsNone(e, uri.getHost());
    }

    // ---------------------------------------------------------------------------------------
    // missing buckets, malformed locations

    @Test
    void missingBucketIsNotFoundAndNotNamed() {
        URI uri = URI.create("s3://no-such-bucket-" + UUID.randomUUID() + "/data.bin");
        for (BrizoException e : List.of(
                assertThrows(BrizoException.class, () -> driver.stat(uri)),
                assertThrows(BrizoException.class, () -> driver.open(uri, ByteRange.all())
                        .close()))) {
            assertEquals(ErrorKind.NOT_FOUND, e.kind(), "kind of " + e);
            assertShowsNone(e, uri.getHost());
        }
    }

    @Test
    void malformedLocationsAreConfigurationErrorsThatDoNotEchoThem() {
        for (String location : List.of(
                "s3:///only-a-key.bin",
                "s3://secret-bucket",
                "s3://secret-bucket/",
                "s3://secret-bucket/key.bin?versionId=1",
                "s3://secret-bucket/key.bin#part",
                "s3://user@secret-bucket/key.bin",
                "s3://secret-bucket:9000/key.bin",
                "s3:secret-bucket/key.bin")) {
            URI uri = URI.create(location);
            assertTrue(driver.supports(uri), "an s3 location, even a malformed one: " + location);
            BrizoException e = assertThrows(BrizoException.class, () -> driver.stat(uri), location);
            assertEquals(ErrorKind.CONFIGURATION, e.kind(), location);
            assertShowsNone(e, "secret-bucket", "only-a-key");
        }
        assertFalse(driver.supports(URI.create("https://s3.amazonaws.com/bucket/key")));
        assertFalse(driver.supports(URI.create("file:///data/key")));
    }

    // ---------------------------------------------------------------------------------------
    // connections

    @Test
    void closingALargeObjectEarlyReleasesItsConnection() throws Exception {
        GeneratedContent content = new GeneratedContent(15, 16L * MIB);
        String key = key("abandoned");
        server.client()
                .putObject(
                        b -> b.bucket(bucket).key(key),
                        RequestBody.fromInputStream(content.stream(), content.length()));
        // One connection only: a response closed without being released would block the next
        // open until the acquisition timeout (the connect timeout) and fail it.
        try (StorageDriver d = driver(
                Map.of(S3StorageDriverFactory.MAX_CONNECTIONS, "1", S3StorageDriverFactory.CONNECT_TIMEOUT, "2s"))) {
            for (int i = 0; i < 20; i++) {
                try (StorageObject o = d.open(uri(key), ByteRange.all())) {
                    assertEquals(1024, o.stream().readNBytes(1024).length);
                }
            }
            try (StorageObject o = d.open(uri(key), ByteRange.from(8L * MIB))) {
                assertEquals(content.sha256(8L * MIB, 8L * MIB), GeneratedContent.sha256(o.stream()));
            }
        }
    }

    @Test
    void storeThatCannotBeReachedIsUnavailableAndRetryable() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        try (StorageDriver d = new S3StorageDriverFactory()
                .create(Settings.builder()
                        .putAll(server.driverSettings())
                        .put(S3StorageDriverFactory.ENDPOINT, "http://127.0.0.1:" + port)
                        .put(S3StorageDriverFactory.MAX_ATTEMPTS, "1")
                        .build())
                .orElseThrow()) {
            BrizoException e = assertThrows(BrizoException.class, () -> d.stat(uri("objects/any.bin")));
            assertEquals(ErrorKind.UNAVAILABLE, e.kind(), "kind of " + e);
            assertTrue(e.retryable());
            assertShowsNone(e, "127.0.0.1", Integer.toString(port), bucket);
        }
    }

    @Test
    void readsAreStreamedInOrderAcrossManyReads() throws Exception {
        String key = key("streamed");
        byte[] content = bytes(300_000, 16);
        URI uri = put(key, content, "application/octet-stream");
        try (StorageObject o = driver.open(uri, ByteRange.of(1, 299_998))) {
            InputStream in = o.stream();
            byte[] out = new byte[299_998];
            int at = 0;
            for (int n; (n = in.read(out, at, Math.min(777, out.length - at))) > 0; ) {
                at += n;
            }
            assertEquals(out.length, at);
            assertEquals(-1, in.read(), "the end stays the end");
            byte[] expected = new byte[299_998];
            System.arraycopy(content, 1, expected, 0, expected.length);
            assertArrayEquals(expected, out);
        }
    }
}
