package io.brizo.storage.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.brizo.spi.SettingKey;
import io.brizo.spi.Settings;
import io.brizo.spi.StorageDriver;
import java.util.Comparator;
import java.util.List;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;

/** The file (core) and http factories as an embedding application finds them: through ServiceLoader. */
class BuiltInStorageFactoriesTest {
    private static List<StorageDriver.Factory> discovered() {
        return ServiceLoader.load(StorageDriver.Factory.class).stream()
                .map(ServiceLoader.Provider::get)
                .sorted(Comparator.comparingInt(StorageDriver.Factory::priority).reversed())
                .toList();
    }

    @Test
    void serviceLoaderFindsTheFileAndHttpFactoriesWithHttpAskedLast() {
        List<String> names =
                discovered().stream().map(StorageDriver.Factory::name).toList();
        assertTrue(names.contains("file"), names.toString());
        assertEquals("http", names.get(names.size() - 1), names.toString());
    }

    @Test
    void withoutSettingsOnlyTheHttpDriverIsConfigured() {
        List<String> configured = discovered().stream()
                .flatMap(f -> f.create(Settings.empty()).stream())
                .map(d -> {
                    d.close();
                    return d.name();
                })
                .toList();
        assertEquals(List.of("http"), configured);
    }

    @Test
    void everyDeclaredSettingIsCanonicalDocumentedAndNotSecret() {
        for (StorageDriver.Factory f : discovered()) {
            for (SettingKey k : f.settingKeys()) {
                assertEquals(Settings.canonicalName(k.name()), k.name());
                assertTrue(k.name().startsWith("BRIZO_"), k.name());
                assertTrue(!k.description().isBlank(), k.name());
                assertTrue(!k.secret(), k.name());
            }
        }
    }

    @Test
    void declaredSettingsPassTheUnknownSettingCheck() {
        Settings settings = Settings.builder()
                .put("BRIZO_FILE_ROOTS", System.getProperty("java.io.tmpdir"))
                .put("BRIZO_HTTP_ALLOWED_NETWORKS", "127.0.0.1/32")
                .put("BRIZO_HTTP_MAX_REDIRECTS", "3")
                .put("BRIZO_HTTP_CONNECT_TIMEOUT", "5s")
                .put("BRIZO_HTTP_READ_TIMEOUT", "1m")
                .build();
        settings.requireKnown(
                discovered().stream().flatMap(f -> f.settingKeys().stream()).toList());
    }
}
