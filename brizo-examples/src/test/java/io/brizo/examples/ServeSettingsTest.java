package io.brizo.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.brizo.spi.Settings;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ServeSettingsTest {
    private static final long MIB = 1024 * 1024;

    @Test
    void connectionLimitFollowsTheHeapWhenUnset() {
        assertEquals(1365, ServeSettings.defaultMaxConnections(64 * MIB, 1_048_576));
        assertEquals(5461, ServeSettings.defaultMaxConnections(256 * MIB, 1_048_576));
        assertEquals(10_000, ServeSettings.defaultMaxConnections(4096 * MIB, 1_048_576));
    }

    @Test
    void connectionLimitStaysUnderTheOpenFilesLimit() {
        assertEquals(768, ServeSettings.defaultMaxConnections(4096 * MIB, 1024));
        assertEquals(1365, ServeSettings.defaultMaxConnections(64 * MIB, -1));
        assertEquals(16, ServeSettings.defaultMaxConnections(64 * MIB, 100));
    }

    @Test
    void aConnectionLimitThatIsSetWins() {
        Settings settings = Settings.builder()
                .environment(Map.of("BRIZO_MAX_CONNECTIONS", "250"))
                .build();
        assertEquals(250, ServeSettings.config(settings).maxConnections());
    }
}
