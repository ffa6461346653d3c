package io.brizo.storage.azure;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.azure.core.util.BinaryData;
import com.azure.storage.blob.BlobClient;
import com.azure.storage.blob.BlobContainerClient;
import com.azure.storage.blob.models.BlobHttpHeaders;
import com.azure.storage.blob.models.BlobProperties;
import com.azure.storage.blob.models.BlockListType;
import com.azure.storage.blob.options.BlobParallelUploadOptions;
import com.azure.storage.common.sas.AccountSasPermission;
import com.azure.storage.common.sas.AccountSasResourceType;
import com.azure.storage.common.sas.AccountSasService;
import com.azure.storage.common.sas.AccountSasSignatureValues;
import io.brizo.spi.BrizoException;
import io.brizo.spi.ByteRange;
import io.brizo.spi.ErrorKind;
import io.brizo.spi.ObjectInfo;
import io.brizo.spi.StorageDriver;
import io.brizo.spi.StorageObject;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * What the Azure driver does beyond the contract, against a real Azurite: metadata, names,
 * every kind of credential, presigned URLs, writes in one request and in blocks, and refusals.
 */
class AzureBlobStorageDriverTest {
    private static final String WRONG_KEY =
            Base64.getEncoder().encodeToString("a key Azure never issued".getBytes(StandardCharsets.US_ASCII));

    private static Azurite azurite;
    private static BlobContainerClient container;
    private static StorageDriver driver;
    private static final HttpClient HTTP = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10))
            .build();

    @BeforeAll
    static void start() throws Exception {
        azurite = Azurite.inMemory();
        container = azurite.container("driver");
        driver = Azurite.driver(azurite.keySettings());
    }

    @AfterAll
    static void stop() {
        if (driver != null) {
            driver.close();
        }
        if (azurite != null) {
            azurite.close();
        }
    }

    // ---------------------------------------------------------------------------------------
    // metadata and names

    @Test
    void statReportsSizeContentTypeEtagMd5AndLastModifiedAsAzureKeepsThem() throws Exception {
        byte[] content = "id,name\n1,alice\n".getBytes(StandardCharsets.UTF_8);
        String name = unique("meta/data.csv");
        BlobClient blob = upload(name, content, "text/csv");
        BlobProperties expected = blob.getProperties();

        ObjectInfo info = driver.stat(canonical(name));

        assertEquals(content.length, info.size());
        assertEquals(Optional.of("text/csv"), info.contentType());
        assertEquals(Optional.of(md5(content)), info.md5());
        assertTrue(info.etag().orElseThrow().contains(expected.getETag().replace("\"", "")), info::toString);
        assertEquals(Optional.of(expected.getLastModified().toInstant()), info.lastModified());
        try (StorageObject o = driver.open(canonical(name), ByteRange.all())) {
            assertEquals(info, o.info(), "open reports what stat reports");
            assertArrayEquals(content, o.stream().readAllBytes());
        }
        try (StorageObject o = driver.open(canonical(name), ByteRange.of(3, 6))) {
            assertEquals(info, o.info(), "a range reports the whole blob's metadata, MD5 included");
        }
    }

    @Test
    void blobNamesOfAnyDepthWithSpacesPlusSignsAndUnicodeAreRead() throws Exception {
        String name = unique("a/b/c/d/with space+plus/ünïcödé ✓ 𝄞.txt");
        byte[] content = "deep".getBytes(StandardCharsets.UTF_8);
        upload(name, content, "text/plain");
        URI encoded = URI.create(
                new URI("https", "devstoreaccount1.blob.core.windows.net", "/driver/" + name, null).toASCIIString());
        URI unicode = new URI("https", "devstoreaccount1.blob.core.windows.net", "/driver/" + name, null);
        for (URI location : List.of(encoded, unicode)) {
            assertTrue(driver.supports(location), location::toString);
            try (StorageObject o = driver.open(location, ByteRange.all())) {
                assertArrayEquals(content, o.stream().readAllBytes(), location::toString);
            }
        }
    }

    @Test
    void locationsUnderTheEndpointAreReadToo() throws Exception {
        String name = unique("endpoint-form.bin");
        upload(name, new byte[] {1, 2, 3}, null);
        URI viaEndpoint = URI.create(azurite.endpoint() + "/driver/" + name);
        assertTrue(driver.supports(viaEndpoint));
        assertEquals(3, driver.stat(viaEndpoint).size());
    }

    @Test
    void locationsOfOtherAccountsSchemesOrWithAQueryAreLeftToOtherDrivers() {
        for (String other : List.of(
                "https://otheraccount.blob.core.windows.net/driver/a.bin",
                "http://devstoreaccount1.blob.core.windows.net/driver/a.bin",
                "https://devstoreaccount1.blob.core.windows.net:8443/driver/a.bin",
                "https://devstoreaccount1.blob.core.windows.net/driver/a.bin?sv=2024-01-01&sig=abc",
                "https://devstoreaccount1.file.core.windows.net/share/a.bin",
                "https://user@devstoreaccount1.blob.core.windows.net/driver/a.bin",
                "s3://driver/a.bin",
                "file:///driver/a.bin",
                azurite.endpoint().replace("devstoreaccount1", "otheraccount") + "/driver/a.bin")) {
            assertFalse(driver.supports(URI.create(other)), other);
        }
    }

    @Test
    void locationWithoutAContainerAndBlobNameIsAConfigurationError() {
        for (String bad : List.of(
                "https://devstoreaccount1.blob.core.windows.net/",
                "https://devstoreaccount1.blob.core.windows.net/driver",
                "https://devstoreaccount1.blob.core.windows.net/driver/",
                "https://devstoreaccount1.blob.core.windows.net/driver/bad%C3name")) {
            BrizoException e = assertThrows(BrizoException.class, () -> driver.stat(URI.create(bad)), bad);
            assertEquals(ErrorKind.CONFIGURATION, e.kind(), bad);
            assertFalse(e.getMessage().contains("devstoreaccount1"), e.getMessage());
        }
    }

    @Test
    void missingContainerIsNotFoundAndNamesNothing() {
        URI location = Azurite.canonical("no-such-container", "secret-dataset.csv");
        for (ThrowingCall call :
                List.<ThrowingCall>of(() -> driver.stat(location), () -> driver.open(location, ByteRange.all())
                        .close())) {
            BrizoException e = assertThrows(BrizoException.class, call::run);
            assertEquals(ErrorKind.NOT_FOUND, e.kind(), e::toString);
            assertFalse(e.retryable());
            assertFalse(e.getMessage().contains("no-such-container"), e.getMessage());
            assertFalse(e.getMessage().contains("secret-dataset"), e.getMessage());
        }
    }

    // ---------------------------------------------------------------------------------------
    // credentials

    @Test
    void wrongKeyIsRefusedWithAClearErrorThatNeverShowsTheKey() throws Exception {
        String name = unique("guarded.bin");
        upload(name, new byte[] {1}, null);
        Map<String, String> settings = new HashMap<>(azurite.keySettings());
        settings.put(AzureBlobStorageDriverFactory.ACCOUNT_KEY, WRONG_KEY);
        try (StorageDriver wrong = Azurite.driver(settings)) {
            for (ThrowingCall call : List.<ThrowingCall>of(
                    () -> wrong.stat(canonical(name)),
                    () -> wrong.open(canonical(name), ByteRange.all()).close(),
                    () -> wrong.write(canonical(unique("w.bin")), new ByteArrayInputStream(new byte[1]), 1, null))) {
                BrizoException e = assertThrows(BrizoException.class, call::run);
                assertEquals(ErrorKind.UPSTREAM_FAILED, e.kind(), e::toString);
                assertFalse(e.retryable(), e::toString);
                assertTrue(e.getMessage().startsWith("Azure refused the credentials for this account"), e.getMessage());
                assertTrue(e.getMessage().contains("check AZURE_ACCOUNT_KEY"), e.getMessage());
                assertNothingSecret(e, WRONG_KEY);
            }
        }
    }

    @Test
    void connectionStringWithAnAccountKeyReadsWritesAndPresigns() throws Exception {
        String name = unique("cs.bin");
        upload(name, new byte[] {4, 5, 6}, null);
        String connectionString = "DefaultEndpointsProtocol=http;AccountName=" + Azurite.ACCOUNT + ";AccountKey="
                + Azurite.KEY + ";BlobEndpoint=" + azurite.endpoint() + ";";
        try (StorageDriver cs =
                Azurite.driver(Map.of(AzureBlobStorageDriverFactory.CONNECTION_STRING, connectionString))) {
            assertEquals(3, cs.stat(canonical(name)).size());
            cs.write(canonical(unique("cs-written.bin")), new ByteArrayInputStream(new byte[7]), 7, null);
            assertTrue(cs.presignGet(canonical(name), Duration.ofMinutes(5)).isPresent());
        }
    }

    @Test
    void sasTokenReadsButCannotPresignAndIsRefusedWhereItGrantsNothing() throws Exception {
        String name = unique("sas.bin");
        byte[] content = {7, 8, 9, 10};
        upload(name, content, null);
        String readOnly = azurite.sdk()
                .generateAccountSas(new AccountSasSignatureValues(
                        OffsetDateTime.now(ZoneOffset.UTC).plusHours(1),
                        AccountSasPermission.parse("rl"),
                        new AccountSasService().setBlobAccess(true),
                        new AccountSasResourceType().setContainer(true).setObject(true)));
        Map<String, String> settings = Map.of(
                AzureBlobStorageDriverFactory.ACCOUNT_NAME,
                Azurite.ACCOUNT,
                AzureBlobStorageDriverFactory.SAS_TOKEN,
                "?" + readOnly,
                AzureBlobStorageDriverFactory.BLOB_ENDPOINT,
                azurite.endpoint());
        try (StorageDriver sas = Azurite.driver(settings)) {
            try (StorageObject o = sas.open(canonical(name), ByteRange.of(1, 2))) {
                assertArrayEquals(new byte[] {8, 9}, o.stream().readAllBytes());
            }
            assertEquals(Optional.empty(), sas.presignGet(canonical(name), Duration.ofMinutes(1)));

            BrizoException e = assertThrows(
                    BrizoException.class,
                    () -> sas.write(canonical(unique("no-write.bin")), new ByteArrayInputStream(new byte[1]), 1, null));
            assertEquals(ErrorKind.UPSTREAM_FAILED, e.kind(), e::toString);
            assertFalse(e.retryable());
            assertTrue(e.getMessage().contains("AZURE_SAS_TOKEN"), e.getMessage());
            assertNothingSecret(e, readOnly);
        }
        String forged = readOnly.replaceAll("sig=[^&]+", "sig=" + WRONG_KEY.replace("=", "%3D"));
        Map<String, String> wrong = new HashMap<>(settings);
        wrong.put(AzureBlobStorageDriverFactory.SAS_TOKEN, forged);
        try (StorageDriver sas = Azurite.driver(wrong)) {
            BrizoException e = assertThrows(BrizoException.class, () -> sas.stat(canonical(name)));
            assertEquals(ErrorKind.UPSTREAM_FAILED, e.kind(), e::toString);
            assertFalse(e.retryable());
            assertTrue(e.getMessage().contains("check AZURE_SAS_TOKEN"), e.getMessage());
            assertNothingSecret(e, forged);
        }
    }

    // ---------------------------------------------------------------------------------------
    // presigned URLs

    @Test
    void presignedUrlDownloadsWithAPlainHttpClientAndStopsWorkingAfterItsLifetime() throws Exception {
        String name = unique("presigned/report.csv");
        byte[] content = "a,b\n1,2\n".getBytes(StandardCharsets.UTF_8);
        upload(name, content, "text/csv");
        Duration lifetime = Duration.ofSeconds(3);

        long issued = System.nanoTime();
        URI url = driver.presignGet(canonical(name), lifetime).orElseThrow();
        assertTrue(url.toString().startsWith(azurite.endpoint() + "/driver/"), "served from the endpoint");
        assertFalse(url.toString().contains(Azurite.KEY), "the account key is not in the URL");
        assertTrue(url.getQuery().contains("sp=r"), () -> "read-only: " + url.getQuery());

        HttpResponse<byte[]> ok =
                HTTP.send(HttpRequest.newBuilder(url).build(), HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(200, ok.statusCode());
        assertArrayEquals(content, ok.body());
        HttpResponse<byte[]> put = HTTP.send(
                HttpRequest.newBuilder(url)
                        .PUT(HttpRequest.BodyPublishers.ofString("overwritten"))
                        .header("x-ms-blob-type", "BlockBlob")
                        .build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(403, put.statusCode(), "the URL does not allow writing");

        // Poll a few times a second until Azurite refuses the URL, with a deadline; no sleeping.
        int expiredStatus = firstStatusOtherThan200(url, Duration.ofSeconds(20));
        double seconds = (System.nanoTime() - issued) / 1e9;
        assertEquals(403, expiredStatus, "status once the lifetime is over");
        // The expiry is rounded down to whole seconds: never later than asked.
        assertTrue(seconds >= lifetime.toSeconds() - 1.0, () -> "refused after only " + seconds + " s");
        assertTrue(seconds < lifetime.toSeconds() + 5.0, () -> "still valid after " + seconds + " s");
    }

    @Test
    void presignRefusesLifetimesThatAreNotPositiveOrAboveTheMaximum() {
        URI location = canonical("any.bin");
        for (Duration bad : List.of(Duration.ZERO, Duration.ofSeconds(-1), Duration.ofHours(25))) {
            BrizoException e = assertThrows(BrizoException.class, () -> driver.presignGet(location, bad));
            assertEquals(ErrorKind.INVALID_REQUEST, e.kind(), bad::toString);
        }
        Map<String, String> settings = new HashMap<>(azurite.keySettings());
        settings.put(AzureBlobStorageDriverFactory.PRESIGN_MAX_LIFETIME, "1d");
        try (StorageDriver longer = Azurite.driver(settings)) {
            assertTrue(longer.presignGet(location, Duration.ofHours(24)).isPresent());
        }
    }

    // ---------------------------------------------------------------------------------------
    // writes

    @Test
    void smallWriteRoundTripsInOneRequest() throws Exception {
        String name = unique("outputs/result.json");
        byte[] content = "{\"accuracy\": 0.93}".getBytes(StandardCharsets.UTF_8);

        ObjectInfo written =
                driver.write(canonical(name), new ByteArrayInputStream(content), content.length, "application/json");

        BlobClient blob = container.getBlobClient(name);
        assertArrayEquals(content, blob.downloadContent().toBytes(), "what the SDK's own client reads");
        BlobProperties properties = blob.getProperties();
        assertEquals("application/json", properties.getContentType());
        assertEquals(content.length, written.size());
        assertEquals(Optional.of("application/json"), written.contentType());
        assertEquals(driver.stat(canonical(name)).etag(), written.etag());
        assertEquals(Optional.of(md5(content)), written.md5());
        assertEquals(
                0,
                blob.getBlockBlobClient()
                        .listBlocks(BlockListType.COMMITTED)
                        .getCommittedBlocks()
                        .size(),
                "one Put Blob, no blocks");

        byte[] replacement = "{}".getBytes(StandardCharsets.UTF_8);
        driver.write(canonical(name), new ByteArrayInputStream(replacement), -1, null);
        assertArrayEquals(replacement, blob.downloadContent().toBytes(), "a second write replaces the first");
        assertEquals("application/octet-stream", blob.getProperties().getContentType());
    }

    @Test
    void largeWriteOfUnknownLengthIsUploadedInBlocksAndRoundTrips() throws Exception {
        String name = unique("outputs/model.bin");
        int size = 12 * 1024 * 1024 + 12_345;
        byte[] content = new byte[size];
        new Random(42).nextBytes(content);
        Map<String, String> settings = new HashMap<>(azurite.keySettings());
        settings.put(AzureBlobStorageDriverFactory.UPLOAD_BLOCK_SIZE_MB, "1");
        try (StorageDriver small = Azurite.driver(settings)) {
            ObjectInfo written = small.write(canonical(name), new ByteArrayInputStream(content), -1, null);
            assertEquals(size, written.size());
        }

        BlobClient blob = container.getBlobClient(name);
        int blocks = blob.getBlockBlobClient()
                .listBlocks(BlockListType.COMMITTED)
                .getCommittedBlocks()
                .size();
        assertEquals(13, blocks, "12 MiB and a bit in 1 MiB blocks");
        assertEquals(Optional.of(md5(content)), driver.stat(canonical(name)).md5(), "the whole MD5 is stored");
        try (StorageObject o = driver.open(canonical(name), ByteRange.all())) {
            assertEquals(sha256(content), sha256(o.stream()));
        }
        try (InputStream in = blob.openInputStream()) {
            assertEquals(sha256(content), sha256(in), "what the SDK's own client reads");
        }
    }

    @Test
    void writeWhoseDataIsShorterOrLongerThanAnnouncedStoresNothing() {
        Map<String, String> settings = new HashMap<>(azurite.keySettings());
        settings.put(AzureBlobStorageDriverFactory.UPLOAD_BLOCK_SIZE_MB, "1");
        try (StorageDriver small = Azurite.driver(settings)) {
            record Case(int actual, long announced) {}
            for (Case c : List.of(
                    new Case(50, 100),
                    new Case(20, 10),
                    new Case(2 * 1024 * 1024 + 1, 3L * 1024 * 1024),
                    new Case(3 * 1024 * 1024, 2L * 1024 * 1024 + 1))) {
                String name = unique("outputs/wrong-length.bin");
                BrizoException e = assertThrows(
                        BrizoException.class,
                        () -> small.write(
                                canonical(name), new ByteArrayInputStream(new byte[c.actual()]), c.announced(), null),
                        c::toString);
                assertEquals(ErrorKind.INVALID_REQUEST, e.kind(), c + ": " + e);
                assertFalse(container.getBlobClient(name).exists(), () -> c + ": nothing is stored");
            }
        }
    }

    @Test
    void writeWhoseDataFailsIsRetryableAndStoresNothing() {
        String name = unique("outputs/broken.bin");
        InputStream failing = new InputStream() {
            private int served;

            @Override
            public int read() throws IOException {
                if (served++ >= 1000) {
                    throw new IOException("the algorithm's output disappeared");
                }
                return 'x';
            }
        };
        BrizoException e = assertThrows(BrizoException.class, () -> driver.write(canonical(name), failing, 5000, null));
        assertEquals(ErrorKind.UPSTREAM_FAILED, e.kind(), e::toString);
        assertTrue(e.retryable());
        assertFalse(container.getBlobClient(name).exists());
    }

    @Test
    void closedDriverRefusesFurtherCalls() throws Exception {
        StorageDriver closing = Azurite.driver(azurite.keySettings());
        String name = unique("closing.bin");
        upload(name, new byte[] {1}, null);
        assertEquals(1, closing.stat(canonical(name)).size());
        closing.close();
        closing.close(); // twice is harmless
        BrizoException e = assertThrows(BrizoException.class, () -> closing.stat(canonical(name)));
        assertEquals(ErrorKind.INTERNAL, e.kind());
    }

    // ---------------------------------------------------------------------------------------
    // helpers

    @FunctionalInterface
    interface ThrowingCall {
        void run() throws Exception;
    }

    private static String unique(String name) {
        int slash = name.lastIndexOf('/');
        return name.substring(0, slash + 1) + UUID.randomUUID().toString().substring(0, 8) + "-"
                + name.substring(slash + 1);
    }

    private static URI canonical(String name) {
        try {
            return URI.create(new URI("https", "devstoreaccount1.blob.core.windows.net", "/driver/" + name, null)
                    .toASCIIString());
        } catch (java.net.URISyntaxException e) {
            throw new IllegalArgumentException(e);
        }
    }

    private static BlobClient upload(String name, byte[] content, String contentType) {
        BlobClient blob = container.getBlobClient(name);
        BlobParallelUploadOptions options = new BlobParallelUploadOptions(BinaryData.fromBytes(content));
        if (contentType != null) {
            options.setHeaders(new BlobHttpHeaders().setContentType(contentType));
        }
        blob.uploadWithResponse(options, null, null);
        return blob;
    }

    /** Asks for {@code url} several times a second until the answer is not 200; returns it. */
    private static int firstStatusOtherThan200(URI url, Duration deadline) throws Exception {
        CompletableFuture<Integer> refused = new CompletableFuture<>();
        ScheduledExecutorService poller = Executors.newSingleThreadScheduledExecutor();
        try {
            poller.scheduleWithFixedDelay(
                    () -> {
                        try {
                            int status = HTTP.send(
                                            HttpRequest.newBuilder(url).build(), HttpResponse.BodyHandlers.discarding())
                                    .statusCode();
                            if (status != 200) {
                                refused.complete(status);
                            }
                        } catch (IOException | InterruptedException | RuntimeException e) {
                            refused.completeExceptionally(e);
                        }
                    },
                    0,
                    200,
                    TimeUnit.MILLISECONDS);
            return refused.get(deadline.toMillis(), TimeUnit.MILLISECONDS);
        } finally {
            poller.shutdownNow();
        }
    }

    private static void assertNothingSecret(BrizoException e, String secret) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            String message = String.valueOf(t.getMessage());
            for (String forbidden : List.of(secret, Azurite.KEY, "127.0.0.1", "devstoreaccount1", "/driver/")) {
                assertFalse(message.contains(forbidden), () -> "'" + message + "' reveals '" + forbidden + "'");
            }
        }
    }

    private static String md5(byte[] content) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(content));
    }

    private static String sha256(byte[] content) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content));
    }

    private static String sha256(InputStream in) throws Exception {
        MessageDigest d = MessageDigest.getInstance("SHA-256");
        byte[] buffer = new byte[64 * 1024];
        for (int n; (n = in.read(buffer)) >= 0; ) {
            d.update(buffer, 0, n);
        }
        return HexFormat.of().formatHex(d.digest());
    }
}
