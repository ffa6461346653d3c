package io.brizo.storage.ipfs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.brizo.spi.BrizoException;
import io.brizo.spi.ErrorKind;
import io.brizo.spi.SettingKey;
import io.brizo.spi.Settings;
import io.brizo.spi.StorageDriver;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;

class IpfsStorageDriverFactoryTest {
    @Test
    void isFoundThroughServiceLoader() {
        List<StorageDriver.Factory> found = ServiceLoader.load(StorageDriver.Factory.class).stream()
                .map(ServiceLoader.Provider::get)
                .filter(f -> f instanceof IpfsStorageDriverFactory)
                .toList();
        assertEquals(1, found.size());
        assertEquals("ipfs", found.get(0).name());
        assertEquals(0, found.get(0).priority());
    }

    @Test
    void needsNoSettingsAndVerifiesByDefault() {
        IpfsConfig config = IpfsStorageDriverFactory.config(Settings.empty());
        assertEquals("https://trustless-gateway.link/", config.gateway().toString());
        assertEquals(Duration.ofSeconds(30), config.timeout());
        assertFalse(config.trustGateway());
        assertEquals(4, config.prefetchBlocks());
        assertEquals(2 * 1024 * 1024, config.maxBlockSize());
        assertEquals(32, config.maxDagDepth());
        assertEquals(1_000_000, config.maxBlocks());
        try (StorageDriver d =
                new IpfsStorageDriverFactory().create(Settings.empty()).orElseThrow()) {
            assertEquals("ipfs", d.name());
            assertTrue(d.supports(java.net.URI.create("ipfs://" + CidTest.HELLO_V0)));
            assertFalse(d.toString().contains("trustless-gateway"), "the gateway is not printed");
        }
    }

    @Test
    void readsEverySetting() {
        IpfsConfig config = IpfsStorageDriverFactory.config(Settings.builder()
                .putAll(Map.of(
                        "IPFS_GATEWAY", "http://127.0.0.1:8080/prefix/",
                        "IPFS_TIMEOUT", "5s",
                        "IPFS_TRUST_GATEWAY", "true",
                        "IPFS_PREFETCH_BLOCKS", "0",
                        "IPFS_MAX_BLOCK_SIZE", "1048576",
                        "IPFS_MAX_DAG_DEPTH", "8",
                        "IPFS_MAX_BLOCKS", "100"))
                .build());
        assertEquals("http://127.0.0.1:8080/prefix/", config.gateway().toString());
        assertEquals(Duration.ofSeconds(5), config.timeout());
        assertTrue(config.trustGateway());
        assertEquals(0, config.prefetchBlocks());
        assertEquals(1048576, config.maxBlockSize());
        assertEquals(8, config.maxDagDepth());
        assertEquals(100, config.maxBlocks());
    }

    @Test
    void malformedValuesFailNamingTheSetting() {
        Map<String, List<String>> bad = Map.of(
                "IPFS_GATEWAY",
                        List.of(
                                "not a url",
                                "ftp://host",
                                "https://user:pw@host",
                                "https://host/?token=1",
                                "https://h/#x"),
                "IPFS_TIMEOUT", List.of("0", "soon", "-5s"),
                "IPFS_TRUST_GATEWAY", List.of("maybe"),
                "IPFS_PREFETCH_BLOCKS", List.of("-1", "65", "many"),
                "IPFS_MAX_BLOCK_SIZE", List.of("10", "999999999"),
                "IPFS_MAX_DAG_DEPTH", List.of("0"),
                "IPFS_MAX_BLOCKS", List.of("0"));
        bad.forEach((key, values) -> {
            for (String value : values) {
                Settings s = Settings.builder().put(key, value).build();
                BrizoException e = assertThrows(
                        BrizoException.class, () -> new IpfsStorageDriverFactory().create(s), key + "=" + value);
                assertEquals(ErrorKind.CONFIGURATION, e.kind());
                assertTrue(e.getMessage().contains(key), e.getMessage());
            }
        });
    }

    @Test
    void theModuleReadmeDocumentsEverySettingWithItsDefault() throws Exception {
        String readme = Files.readString(Path.of("README.md"));
        for (SettingKey key : new IpfsStorageDriverFactory().settingKeys()) {
            String row = "| `" + key.name() + "` | `" + key.defaultValue() + "` |";
            assertTrue(readme.contains(row), "README.md has the row " + row);
            assertFalse(key.secret(), key.name());
        }
    }
}
