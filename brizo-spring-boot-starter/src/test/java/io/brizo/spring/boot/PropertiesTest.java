package io.brizo.spring.boot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.brizo.Brizo;
import io.brizo.spi.BrizoException;
import io.brizo.spi.ErrorKind;
import io.brizo.spi.Settings;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.env.MapPropertySource;
import org.springframework.core.env.SystemEnvironmentPropertySource;

/**
 * How {@code brizo.*} properties become the library's settings, in applications without a web
 * server (the facade is built all the same): relaxed names, environment variables, precedence, and
 * failures at start that name the property.
 */
class PropertiesTest {
    @TempDir
    Path dir;

    private ConfigurableApplicationContext run(Map<String, Object> properties, Map<String, Object> environment) {
        SpringApplicationBuilder builder = new SpringApplicationBuilder(TestApp.class)
                .web(WebApplicationType.NONE)
                .properties(Map.of("spring.main.banner-mode", "off"))
                .properties(properties);
        if (!environment.isEmpty()) {
            // Environment variables as the process would have them, in the same kind of source.
            builder.initializers(context -> context.getEnvironment()
                    .getPropertySources()
                    .addFirst(new SystemEnvironmentPropertySource("test-systemEnvironment", environment)));
        }
        return builder.run();
    }

    private Map<String, Object> publisher() throws Exception {
        return new HashMap<>(new Publisher(dir).properties());
    }

    @Test
    void relaxedNamesAndEnvironmentVariablesSetTheLibrarysSettings() throws Exception {
        Map<String, Object> p = publisher();
        p.put("brizo.keeper-url", "http://127.0.0.1:1");
        p.put("brizo.keeper.agreementStoreManager", "0x" + "11".repeat(20));
        p.put("brizo.keeper.access-secret-store-condition", "0x" + "22".repeat(20));
        p.put("brizo.keeper.did-registry", "0x" + "33".repeat(20));
        p.put("brizo.nonceRequired", "true");
        p.put("brizo.compute.max-jobs", "5");
        Map<String, Object> env = Map.of("BRIZO_COMPUTE_MAX_DURATION", "5m", "BRIZO_COMPUTE_MAX_JOBS", "7");
        try (ConfigurableApplicationContext context = run(p, env)) {
            Settings settings = context.getBean(Brizo.class).settings();
            assertEquals("http://127.0.0.1:1", settings.get("KEEPER_URL").orElseThrow());
            assertEquals("true", settings.get("BRIZO_NONCE_REQUIRED").orElseThrow());
            assertEquals("5m", settings.get("BRIZO_COMPUTE_MAX_DURATION").orElseThrow());
            // An environment variable wins over application properties, as everywhere in Spring Boot.
            assertEquals("7", settings.get("BRIZO_COMPUTE_MAX_JOBS").orElseThrow());
            assertEquals("keeper", context.getBean(Brizo.class).verifierName());
        }
    }

    @Test
    void unknownPropertyFailsAtStartNamingItAndTheClosestOne() throws Exception {
        Map<String, Object> p = publisher();
        p.put("brizo.file-rots", "/srv");
        BrizoException e = startFailure(p, Map.of());
        assertEquals(ErrorKind.CONFIGURATION, e.kind());
        assertTrue(e.getMessage().contains("brizo.file-rots"), e.getMessage());
        assertTrue(e.getMessage().contains("did you mean brizo.file-roots?"), e.getMessage());
    }

    @Test
    void unknownEnvironmentVariablesAreLeftAloneAsTheLibraryDoes() throws Exception {
        try (ConfigurableApplicationContext context = run(publisher(), Map.of("BRIZO_SOMETHING_ELSE", "x"))) {
            assertFalse(context.getBean(Brizo.class).settings().names().contains("BRIZO_SOMETHING_ELSE"));
        }
    }

    @Test
    void portOfTheLibrarysOwnServerIsRefusedPointingAtServerPort() throws Exception {
        Map<String, Object> p = publisher();
        p.put("brizo.port", "8030");
        BrizoException e = startFailure(p, Map.of());
        assertTrue(e.getMessage().contains("brizo.port"), e.getMessage());
        assertTrue(e.getMessage().contains("server.port"), e.getMessage());
    }

    @Test
    void malformedValueFailsNamingTheSettingAndItsPropertyWithoutShowingASecret() throws Exception {
        Map<String, Object> p = publisher();
        p.put("brizo.provider.key", "0xnot-a-key-but-secret");
        BrizoException e = startFailure(p, Map.of());
        assertTrue(e.getMessage().contains("PROVIDER_KEY"), e.getMessage());
        assertTrue(e.getMessage().contains("brizo.provider.key"), e.getMessage());
        assertFalse(e.getMessage().contains("not-a-key-but-secret"), e.getMessage());
    }

    @Test
    void listValueIsRefusedSayingToWriteOneValue() throws Exception {
        Map<String, Object> p = publisher();
        p.remove("brizo.file-roots");
        p.put("brizo.file-roots[0]", dir.toString());
        BrizoException e = startFailure(p, Map.of());
        assertTrue(e.getMessage().contains("is a list"), e.getMessage());
    }

    @Test
    void disabledStarterBuildsNothing() throws Exception {
        Map<String, Object> p = publisher();
        p.put("brizo.enabled", "false");
        p.put("brizo.not-even-checked", "x");
        try (ConfigurableApplicationContext context = run(p, Map.of())) {
            assertTrue(context.getBeansOfType(Brizo.class).isEmpty());
        }
    }

    @Test
    void applicationPropertiesFromAnotherSourceKeepSpringsPrecedence() throws Exception {
        Map<String, Object> p = publisher();
        p.put("brizo.compute.max-jobs", "5");
        SpringApplicationBuilder builder = new SpringApplicationBuilder(TestApp.class)
                .web(WebApplicationType.NONE)
                .properties(Map.of("spring.main.banner-mode", "off"))
                .properties(p)
                .initializers(context -> context.getEnvironment()
                        .getPropertySources()
                        .addFirst(new MapPropertySource("commandLineLike", Map.of("brizo.compute.max-jobs", "9"))));
        try (ConfigurableApplicationContext context = builder.run()) {
            assertEquals(
                    "9",
                    context.getBean(Brizo.class)
                            .settings()
                            .get("BRIZO_COMPUTE_MAX_JOBS")
                            .orElseThrow());
        }
    }

    private BrizoException startFailure(Map<String, Object> properties, Map<String, Object> environment) {
        RuntimeException e = assertThrows(
                RuntimeException.class, () -> run(properties, environment).close());
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof BrizoException b) {
                return b;
            }
        }
        throw new AssertionError("not a Brizo configuration error", e);
    }
}
