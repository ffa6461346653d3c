package io.brizo.spring.boot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.brizo.auth.NonceStore;
import io.brizo.spi.ComputeBackend;
import io.brizo.spi.ServiceAgreementVerifier;
import io.brizo.spi.SettingKey;
import io.brizo.spi.Settings;
import io.brizo.spi.StorageDriver;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The configuration metadata IDEs read: the starter's own properties come from {@link
 * BrizoProperties} through Spring Boot's annotation processor; the library's settings of every
 * module are listed in {@code additional-spring-configuration-metadata.json}, which this test
 * generates from the modules' declared settings (all of them are on the test class path) and holds
 * equal to the committed file. After adding or changing a setting, regenerate it with {@code mvn
 * -o -pl brizo-spring-boot-starter -am verify -Dtest=ConfigurationMetadataTest
 * -Dsurefire.failIfNoSpecifiedTests=false -DwriteBrizoMetadata=true}.
 */
class ConfigurationMetadataTest {
    static final Path COMMITTED = Path.of("src/main/resources/META-INF/additional-spring-configuration-metadata.json");
    static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    final BrizoSettingNames names = BrizoSettingNames.of(getClass().getClassLoader());

    @Test
    void committedMetadataListsEverySettingOfEveryModuleWithItsDefault() throws IOException {
        String generated = JSON.writeValueAsString(generate()) + "\n";
        if (Boolean.getBoolean("writeBrizoMetadata")) {
            Files.writeString(COMMITTED, generated);
        }
        assertEquals(
                generated,
                Files.readString(COMMITTED),
                "the committed metadata is out of date; regenerate it as this class's Javadoc says");
    }

    @Test
    void everyPropertyNameMapsBackToItsOwnSettingAndNoTwoSettingsShareOne() {
        Set<String> seen = new HashSet<>();
        for (SettingKey key : names.settings()) {
            String property = BrizoSettingNames.propertyName(key);
            assertTrue(seen.add(property), "two settings share " + property);
            String rest = BrizoSettingNames.canonical(property.substring("brizo.".length()));
            assertEquals(key, names.setting(rest).orElseThrow(), property);
            assertFalse(BrizoSettingNames.isStarterProperty(rest), property + " collides with the starter's own");
        }
        assertEquals("brizo.file-roots", property("BRIZO_FILE_ROOTS"));
        assertEquals("brizo.keeper.url", property("KEEPER_URL"));
        assertEquals("brizo.compute.max-jobs-per-consumer", property("BRIZO_COMPUTE_MAX_JOBS_PER_CONSUMER"));
        assertEquals("brizo.azure.account-key", property("AZURE_ACCOUNT_KEY"));
    }

    @Test
    void serverSettingsOfTheLibrarysOwnServerAreNotOffered() {
        List<String> offered = names.settings().stream().map(SettingKey::name).toList();
        assertFalse(offered.contains("BRIZO_PORT"), offered.toString());
        assertFalse(offered.contains("BRIZO_HOST"), offered.toString());
        assertFalse(offered.contains("BRIZO_HTTP_THREADS"), offered.toString());
    }

    @Test
    void builtMetadataHoldsTheStartersOwnPropertiesAndTheLibrarysSettings() throws IOException {
        JsonNode metadata;
        try (InputStream in = getClass().getResourceAsStream("/META-INF/spring-configuration-metadata.json")) {
            metadata = JSON.readTree(in);
        }
        Map<String, JsonNode> byName = new HashMap<>();
        metadata.get("properties").forEach(p -> byName.put(p.get("name").asText(), p));
        assertEquals(
                "/api/v1/brizo",
                byName.get("brizo.http.base-path").get("defaultValue").asText());
        assertTrue(
                byName.containsKey("brizo.http.cors.allowed-origins"),
                byName.keySet().toString());
        assertTrue(byName.containsKey("brizo.enabled"), byName.keySet().toString());
        assertEquals(
                "1h",
                byName.get("brizo.compute.max-duration").get("defaultValue").asText());
        assertTrue(
                byName.get("brizo.provider.key").get("description").asText().contains("Secret"),
                byName.get("brizo.provider.key").toString());
    }

    private String property(String setting) {
        return BrizoSettingNames.propertyName(
                names.setting(setting.replaceFirst("^BRIZO_", "")).orElseThrow());
    }

    /** {@return the metadata of every library setting, sorted by property name} */
    private ObjectNode generate() {
        Map<String, String> modules = modules();
        ObjectNode root = JSON.createObjectNode();
        ArrayNode properties = root.putArray("properties");
        names.settings().stream()
                .sorted((a, b) -> BrizoSettingNames.propertyName(a).compareTo(BrizoSettingNames.propertyName(b)))
                .forEach(key -> {
                    ObjectNode p = properties.addObject();
                    p.put("name", BrizoSettingNames.propertyName(key));
                    p.put("type", "java.lang.String");
                    boolean secret = key.secret();
                    String description = sentence(key.description()) + " Library setting " + key.name() + " ("
                            + modules.getOrDefault(key.name(), "brizo-core") + ")."
                            + (secret
                                    ? " Secret: never logged, masked by Actuator."
                                    : Settings.isSecretName(key.name())
                                            ? " Masked by Actuator, as its name may hold a secret."
                                            : "");
                    p.put("description", description);
                    if (key.defaultValue() != null) {
                        p.put("defaultValue", key.defaultValue());
                    }
                });
        root.putArray("hints");
        return root;
    }

    private static String sentence(String description) {
        String s = description.strip();
        s = Character.toUpperCase(s.charAt(0)) + s.substring(1);
        return s.endsWith(".") ? s : s + ".";
    }

    /** {@return for each setting a module declares, that module's artifact, from its package} */
    private Map<String, String> modules() {
        Map<String, String> modules = new HashMap<>();
        ClassLoader loader = getClass().getClassLoader();
        ServiceLoader.load(StorageDriver.Factory.class, loader)
                .forEach(f -> f.settingKeys().forEach(k -> modules.put(k.name(), module(f.getClass()))));
        ServiceLoader.load(ServiceAgreementVerifier.Factory.class, loader)
                .forEach(f -> f.settingKeys().forEach(k -> modules.put(k.name(), module(f.getClass()))));
        ServiceLoader.load(ComputeBackend.Factory.class, loader)
                .forEach(f -> f.settingKeys().forEach(k -> modules.put(k.name(), module(f.getClass()))));
        ServiceLoader.load(NonceStore.Factory.class, loader)
                .forEach(f -> f.settingKeys().forEach(k -> modules.put(k.name(), module(f.getClass()))));
        return modules;
    }

    /** {@return brizo-storage-s3 for io.brizo.storage.s3; brizo-core for core's internal packages} */
    private static String module(Class<?> type) {
        String pkg = type.getPackageName();
        if (pkg.startsWith("io.brizo.internal")) {
            return "brizo-core";
        }
        return "brizo-" + pkg.substring("io.brizo.".length()).replace('.', '-');
    }
}
