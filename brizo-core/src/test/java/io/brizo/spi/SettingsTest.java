package io.brizo.spi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SettingsTest {
    @TempDir
    Path dir;

    @Test
    void explicitValuesWinOverTheFileWhichWinsOverTheEnvironment() throws Exception {
        Path file = dir.resolve("brizo.properties");
        Files.writeString(file, "brizo.port=2\nBRIZO_HOST=file-host\n");
        Settings s = Settings.builder()
                .environment(Map.of("BRIZO_PORT", "3", "BRIZO_HOST", "env-host", "BRIZO_ASSETS", "env-assets"))
                .propertiesFile(file)
                .put("BRIZO_PORT", "1")
                .build();
        assertEquals("1", s.get("BRIZO_PORT").orElseThrow());
        assertEquals("file-host", s.get("BRIZO_HOST").orElseThrow());
        assertEquals("env-assets", s.get("brizo.assets").orElseThrow());
    }

    @Test
    void secretValuesAreMaskedAndTheEnvironmentIsNeverPrinted() {
        Settings s = Settings.builder()
                .environment(Map.of("SOME_ENV", "env-value"))
                .put("PROVIDER_KEY", "0xsupersecret")
                .put("AZURE_ACCOUNT_KEY", "alsosecret")
                .put("BRIZO_PORT", "8030")
                .build();
        String printed = s.toString();
        assertFalse(printed.contains("supersecret"), printed);
        assertFalse(printed.contains("alsosecret"), printed);
        assertFalse(printed.contains("env-value"), printed);
        assertTrue(printed.contains("BRIZO_PORT=8030"), printed);
    }

    @Test
    void malformedNumberNamesTheKeyAndTheExpectedForm() {
        Settings s = Settings.builder().put("BRIZO_PORT", "eighty").build();
        BrizoException e = assertThrows(BrizoException.class, () -> s.getInt("BRIZO_PORT", 8030, 0, 65535));
        assertEquals(ErrorKind.CONFIGURATION, e.kind());
        assertTrue(e.getMessage().contains("BRIZO_PORT"), e.getMessage());
        assertTrue(e.getMessage().contains("whole number"), e.getMessage());
    }

    @Test
    void malformedSecretIsReportedWithoutItsValue() {
        Settings s = Settings.builder().put("PROVIDER_KEY", "not-hex-secret").build();
        BrizoException e = s.malformed("PROVIDER_KEY", "64 hex digits");
        assertFalse(e.getMessage().contains("not-hex-secret"), e.getMessage());
        assertTrue(e.getMessage().contains("PROVIDER_KEY"), e.getMessage());
    }

    @Test
    void unknownKeyFailsAndSuggestsTheClosestKnownOne() {
        Settings s = Settings.builder().put("BRIZO_PROT", "1").build();
        BrizoException e = assertThrows(
                BrizoException.class, () -> s.requireKnown(List.of(SettingKey.of("BRIZO_PORT", "8030", "port"))));
        assertTrue(e.getMessage().contains("BRIZO_PROT"), e.getMessage());
        assertTrue(e.getMessage().contains("did you mean BRIZO_PORT"), e.getMessage());
    }

    @Test
    void unknownEnvironmentVariablesAreIgnored() {
        Settings s = Settings.builder().environment(Map.of("PATH", "/usr/bin")).build();
        s.requireKnown(List.of());
    }

    @Test
    void durationsAcceptShortAndIsoForms() {
        Settings s = Settings.builder()
                .put("A", "30s")
                .put("B", "PT2M")
                .put("C", "250ms")
                .put("D", "soon")
                .build();
        assertEquals(Duration.ofSeconds(30), s.getDuration("A", null));
        assertEquals(Duration.ofMinutes(2), s.getDuration("B", null));
        assertEquals(Duration.ofMillis(250), s.getDuration("C", null));
        assertThrows(BrizoException.class, () -> s.getDuration("D", null));
    }

    @Test
    void booleansAreStrict() {
        Settings s = Settings.builder().put("A", "yes").put("B", "maybe").build();
        assertTrue(s.getBoolean("A", false));
        assertThrows(BrizoException.class, () -> s.getBoolean("B", false));
    }

    @Test
    void missingPropertiesFileIsAConfigurationError() {
        BrizoException e = assertThrows(
                BrizoException.class, () -> Settings.builder().propertiesFile(dir.resolve("absent.properties")));
        assertEquals(ErrorKind.CONFIGURATION, e.kind());
    }
}
