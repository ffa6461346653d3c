package io.brizo.storage.s3;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.brizo.Brizo;
import io.brizo.spi.BrizoException;
import io.brizo.spi.ErrorKind;
import io.brizo.spi.SettingKey;
import io.brizo.spi.Settings;
import io.brizo.spi.StorageDriver;
import io.brizo.testkit.PublisherFiles;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.sync.RequestBody;

/**
 * When the S3 factory makes a driver, how strictly it reads its settings, and how it is found.
 * Drivers that talk to a store use a real one (S3Proxy).
 */
class S3StorageDriverFactoryTest {
    private static final String SECRET = "do-not-print-this-secret-3c4d";

    @TempDir
    static Path workDir;

    static S3ProxyServer server;

    @BeforeAll
    static void start() throws Exception {
        server = S3ProxyServer.startInMemory(workDir);
    }

    @AfterAll
    static void stop() throws Exception {
        if (server != null) {
            server.close();
        }
    }

    static Optional<StorageDriver> create(Map<String, String> values) {
        return new S3StorageDriverFactory()
                .create(Settings.builder().putAll(values).build());
    }

    static BrizoException refused(Map<String, String> values) {
        BrizoException e = assertThrows(BrizoException.class, () -> create(values));
        assertEquals(ErrorKind.CONFIGURATION, e.kind(), "kind of " + e);
        return e;
    }

    // ---------------------------------------------------------------------------------------
    // when there is a driver

    @Test
    void withoutS3SettingsThereIsNoDriver() {
        assertEquals(Optional.empty(), new S3StorageDriverFactory().create(Settings.empty()));
    }

    @Test
    void regionAloneDoesNotTurnTheDriverOn() {
        // AWS platforms set AWS_REGION for every process; that is no wish to serve s3: URLs.
        assertEquals(Optional.empty(), create(Map.of(S3StorageDriverFactory.REGION, "eu-west-1")));
    }

    @Test
    void enabledFalseTurnsTheDriverOffWhateverElseIsSet() {
        assertEquals(
                Optional.empty(),
                create(Map.of(
                        S3StorageDriverFactory.ENABLED,
                        "false",
                        S3StorageDriverFactory.ENDPOINT,
                        server.endpoint().toString())));
    }

    @Test
    void everyS3SettingTurnsTheDriverOn() {
        Map<String, String> valid = Map.of(
                S3StorageDriverFactory.ENABLED, "true",
                S3StorageDriverFactory.ENDPOINT, "http://127.0.0.1:9",
                S3StorageDriverFactory.PATH_STYLE, "true",
                S3StorageDriverFactory.PRESIGN_LIFETIME, "15m",
                S3StorageDriverFactory.MULTIPART_PART_SIZE, "16MiB",
                S3StorageDriverFactory.MAX_CONNECTIONS, "8",
                S3StorageDriverFactory.CONNECT_TIMEOUT, "3s",
                S3StorageDriverFactory.READ_TIMEOUT, "1m",
                S3StorageDriverFactory.MAX_ATTEMPTS, "5");
        valid.forEach((name, value) -> {
            Optional<StorageDriver> d = create(Map.of(name, value));
            assertTrue(d.isPresent(), name + " alone turns the driver on");
            d.get().close();
        });
        Optional<StorageDriver> keys =
                create(Map.of(S3StorageDriverFactory.ACCESS_KEY, "id", S3StorageDriverFactory.SECRET_KEY, SECRET));
        assertTrue(keys.isPresent(), "explicit keys turn the driver on");
        keys.get().close();
    }

    @Test
    void creatingTheDriverSendsNoRequest() throws Exception {
        try (ServerSocket store = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            try (StorageDriver d = create(
                            Map.of(S3StorageDriverFactory.ENDPOINT, "http://127.0.0.1:" + store.getLocalPort()))
                    .orElseThrow()) {
                assertEquals("s3", d.name());
                // Nothing connected while the driver was made (without keys, so with the lazy
                // default credential chain): the connection queue is empty.
                store.setSoTimeout(200);
                assertThrows(SocketTimeoutException.class, store::accept);
            }
        }
    }

    @Test
    void withoutKeysTheAwsDefaultChainIsAskedAtTheFirstRequest() throws Exception {
        String bucket = server.createBucket("chain");
        server.client()
                .putObject(b -> b.bucket(bucket).key("a.txt").contentType("text/plain"), RequestBody.fromString("abc"));
        URI uri = URI.create("s3://" + bucket + "/a.txt");
        // System properties come first in the default chain, before the environment and profiles.
        StorageDriver d = create(Map.of(
                        S3StorageDriverFactory.ENDPOINT,
                        server.endpoint().toString(),
                        S3StorageDriverFactory.MAX_ATTEMPTS,
                        "1"))
                .orElseThrow();
        try {
            assertTrue(d.toString().contains("credentials=default chain"), d.toString());
            System.setProperty("aws.accessKeyId", server.identity());
            System.setProperty("aws.secretAccessKey", server.credential());
            assertEquals(3, d.stat(uri).size());
        } finally {
            System.clearProperty("aws.accessKeyId");
            System.clearProperty("aws.secretAccessKey");
            d.close();
        }
    }

    // ---------------------------------------------------------------------------------------
    // strict settings

    @Test
    void anAccessKeyWithoutASecretIsRefusedNamingBothSettings() {
        for (Map<String, String> half : List.of(
                Map.of(S3StorageDriverFactory.ACCESS_KEY, "AKIDEXAMPLE"),
                Map.of(S3StorageDriverFactory.SECRET_KEY, SECRET))) {
            BrizoException e = refused(half);
            assertTrue(e.getMessage().contains("AWS_ACCESS_KEY"), e.getMessage());
            assertTrue(e.getMessage().contains("AWS_SECRET_KEY"), e.getMessage());
            assertFalse(e.getMessage().contains(SECRET), e.getMessage());
            assertFalse(e.getMessage().contains("AKIDEXAMPLE"), e.getMessage());
        }
    }

    @Test
    void malformedEndpointIsRefusedWithoutShowingIt() {
        for (String endpoint : List.of(
                "ftp://files.example.com",
                "not a url",
                "store.example.com:9000",
                "http://user:pw@store.example.com",
                "http://store.example.com/?x=1",
                "https:///no-host")) {
            BrizoException e = refused(Map.of(S3StorageDriverFactory.ENDPOINT, endpoint));
            assertTrue(e.getMessage().contains("S3_ENDPOINT"), e.getMessage());
            assertFalse(e.getMessage().contains(endpoint), e.getMessage());
        }
    }

    @Test
    void malformedValuesAreRefusedNamingTheSetting() {
        Map<String, List<String>> bad = Map.of(
                S3StorageDriverFactory.ENABLED, List.of("maybe"),
                S3StorageDriverFactory.REGION, List.of("US East", "eu_west_1", "-x"),
                S3StorageDriverFactory.PATH_STYLE, List.of("sometimes"),
                S3StorageDriverFactory.PRESIGN_LIFETIME, List.of("8d", "soon", "-5s"),
                S3StorageDriverFactory.MULTIPART_PART_SIZE, List.of("4MiB", "1GiB", "lots", "8MB", "-8MiB"),
                S3StorageDriverFactory.MAX_CONNECTIONS, List.of("0", "many"),
                S3StorageDriverFactory.CONNECT_TIMEOUT, List.of("0", "fast"),
                S3StorageDriverFactory.READ_TIMEOUT, List.of("0"),
                S3StorageDriverFactory.MAX_ATTEMPTS, List.of("0", "21"));
        bad.forEach((name, values) -> {
            for (String value : values) {
                Map<String, String> settings = new HashMap<>();
                settings.put(S3StorageDriverFactory.ENABLED, "true");
                settings.put(name, value);
                BrizoException e = refused(settings);
                assertTrue(e.getMessage().contains(name), name + "=" + value + ": " + e.getMessage());
            }
        });
    }

    @Test
    void partSizesAreReadInBytesKibMibAndGib() {
        assertEquals(8 * 1024 * 1024, S3StorageDriverFactory.partSize(Settings.empty()));
        Map<String, Integer> sizes = Map.of(
                "5MiB", 5 * 1024 * 1024,
                "5242880", 5 * 1024 * 1024,
                "6144k", 6 * 1024 * 1024,
                "16 mib", 16 * 1024 * 1024,
                "512m", 512 * 1024 * 1024);
        sizes.forEach((text, bytes) -> assertEquals(
                bytes,
                S3StorageDriverFactory.partSize(Settings.builder()
                        .put(S3StorageDriverFactory.MULTIPART_PART_SIZE, text)
                        .build()),
                text));
    }

    @Test
    void settingKeysDeclareEverySettingAndMarkTheKeysSecret() {
        List<SettingKey> keys = new S3StorageDriverFactory().settingKeys();
        Set<String> names = keys.stream().map(SettingKey::name).collect(Collectors.toSet());
        assertEquals(
                Set.of(
                        S3StorageDriverFactory.ENABLED,
                        S3StorageDriverFactory.REGION,
                        S3StorageDriverFactory.ENDPOINT,
                        S3StorageDriverFactory.PATH_STYLE,
                        S3StorageDriverFactory.ACCESS_KEY,
                        S3StorageDriverFactory.SECRET_KEY,
                        S3StorageDriverFactory.PRESIGN_LIFETIME,
                        S3StorageDriverFactory.MULTIPART_PART_SIZE,
                        S3StorageDriverFactory.MAX_CONNECTIONS,
                        S3StorageDriverFactory.CONNECT_TIMEOUT,
                        S3StorageDriverFactory.READ_TIMEOUT,
                        S3StorageDriverFactory.MAX_ATTEMPTS),
                names);
        assertEquals(
                Set.of(S3StorageDriverFactory.ACCESS_KEY, S3StorageDriverFactory.SECRET_KEY),
                keys.stream().filter(SettingKey::secret).map(SettingKey::name).collect(Collectors.toSet()));
        Settings settings = Settings.builder()
                .put(S3StorageDriverFactory.SECRET_KEY, SECRET)
                .build();
        assertFalse(settings.toString().contains(SECRET), settings.toString());
    }

    @Test
    void driverDescriptionShowsNeitherSecretNorEndpoint() {
        try (StorageDriver d = create(Map.of(
                        S3StorageDriverFactory.ENDPOINT, "http://store.internal.example:9000",
                        S3StorageDriverFactory.ACCESS_KEY, "AKIDEXAMPLE",
                        S3StorageDriverFactory.SECRET_KEY, SECRET))
                .orElseThrow()) {
            String text = d.toString();
            assertFalse(text.contains(SECRET), text);
            assertFalse(text.contains("AKIDEXAMPLE"), text);
            assertFalse(text.contains("store.internal.example"), text);
            assertTrue(text.contains("pathStyle=true"), "path style by default with an endpoint: " + text);
        }
    }

    // ---------------------------------------------------------------------------------------
    // discovery

    @Test
    void serviceLoaderFindsTheFactory() {
        List<String> names = ServiceLoader.load(StorageDriver.Factory.class).stream()
                .map(p -> p.type().getName())
                .toList();
        assertTrue(names.contains(S3StorageDriverFactory.class.getName()), names.toString());
    }

    @Test
    void discoveryBuildsAnS3DriverOnlyWhenS3IsConfigured() throws IOException {
        Map<String, String> base = Map.of(
                "BRIZO_ASSETS",
                PublisherFiles.writeAsset(
                                workDir.resolve("assets.json"),
                                "did:op:" + "ab".repeat(32),
                                URI.create("s3://bucket/key.bin"),
                                "application/octet-stream")
                        .toString(),
                "BRIZO_GRANTS",
                PublisherFiles.writeAccessGrant(
                                workDir.resolve("grants.json"),
                                "cd".repeat(32),
                                "did:op:" + "ab".repeat(32),
                                "0x" + "11".repeat(20))
                        .toString());
        try (Brizo plain = Brizo.builder()
                .settings(Settings.builder().putAll(base).build())
                .discover()
                .build()) {
            assertFalse(
                    plain.storageDriverNames().contains("s3"),
                    plain.storageDriverNames().toString());
        }
        Map<String, String> withS3 = new HashMap<>(base);
        withS3.putAll(server.driverSettings());
        try (Brizo configured = Brizo.builder()
                .settings(Settings.builder().putAll(withS3).build())
                .discover()
                .build()) {
            assertTrue(
                    configured.storageDriverNames().contains("s3"),
                    configured.storageDriverNames().toString());
        }
        Map<String, String> misspelt = new HashMap<>(base);
        misspelt.put("S3_ENDPIONT", server.endpoint().toString());
        BrizoException e = assertThrows(BrizoException.class, () -> Brizo.builder()
                .settings(Settings.builder().putAll(misspelt).build())
                .discover()
                .build());
        assertTrue(e.getMessage().contains("did you mean S3_ENDPOINT?"), e.getMessage());
    }
}
