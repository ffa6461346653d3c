package io.brizo.compute.k8s;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.brizo.spi.BrizoException;
import io.brizo.spi.ComputeBackend;
import io.brizo.spi.ComputeEnvironment;
import io.brizo.spi.ErrorKind;
import io.brizo.spi.Settings;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;

class KubernetesComputeBackendFactoryTest {
    private final KubernetesComputeBackendFactory factory = new KubernetesComputeBackendFactory();

    /** {@code values} plus what every configured backend needs: an output location and a public URL. */
    private static Settings settings(Map<String, String> values) {
        return Settings.builder()
                .put("BRIZO_K8S_OUTPUT_LOCATION", "s3://secret-bucket/jobs")
                .put("BRIZO_PUBLIC_URL", "http://brizo.internal:8030")
                .putAll(values)
                .build();
    }

    @Test
    void theFactoryIsFoundByServiceLoaderAsKubernetesAboveTheLocalBackend() {
        ComputeBackend.Factory found = ServiceLoader.load(ComputeBackend.Factory.class).stream()
                .map(ServiceLoader.Provider::get)
                .filter(f -> f.name().equals("kubernetes"))
                .findFirst()
                .orElseThrow();
        assertTrue(found.priority() > -10);
    }

    @Test
    void withoutANamespaceThereIsNoKubernetesBackend() {
        assertTrue(factory.create(Settings.empty(), new FakeStorage("https://127.0.0.1/"))
                .isEmpty());
    }

    @Test
    void everySettingIsReadIntoTheConfiguration() {
        K8sConfig c = KubernetesComputeBackendFactory.config(settings(Map.of(
                        "BRIZO_K8S_NAMESPACE", "compute",
                        "BRIZO_K8S_HELPER_IMAGE", "helper@sha256:1",
                        "BRIZO_K8S_STORAGE_CLASS", "ssd",
                        "BRIZO_K8S_VOLUME_SIZE", "5Gi",
                        "BRIZO_K8S_NODE_SELECTOR", "pool=compute, zone=a",
                        "BRIZO_K8S_PULL_SECRETS", "one,two",
                        "BRIZO_K8S_ENVIRONMENTS", "small:0.5:512Mi:0:30m,gpu:4:16Gi:1:4h",
                        "BRIZO_K8S_STAGE_TIMEOUT", "2m",
                        "BRIZO_K8S_POLL_INTERVAL", "500ms",
                        "BRIZO_K8S_RUN_AS_USER", "4242")))
                .orElseThrow();
        assertEquals("compute", c.namespace());
        assertEquals("helper@sha256:1", c.helperImage());
        assertEquals("ssd", c.storageClass());
        assertEquals("5Gi", c.volumeSize());
        assertEquals(Map.of("pool", "compute", "zone", "a"), c.nodeSelector());
        assertEquals(List.of("one", "two"), c.pullSecrets());
        assertEquals(
                List.of(
                        new ComputeEnvironment(
                                "small",
                                "small: 0.5 CPU, 512Mi memory, 0 GPU, at most 30m",
                                0.5,
                                512L << 20,
                                0,
                                Duration.ofMinutes(30)),
                        new ComputeEnvironment(
                                "gpu",
                                "gpu: 4 CPU, 16Gi memory, 1 GPU, at most 4h",
                                4,
                                16L << 30,
                                1,
                                Duration.ofHours(4))),
                c.environments());
        assertEquals(Duration.ofMinutes(2), c.stageTimeout());
        assertEquals(Duration.ofMillis(500), c.pollInterval());
        assertEquals(4242, c.runAsUser());
        assertEquals(java.net.URI.create("s3://secret-bucket/jobs/"), c.outputLocation());
        assertEquals(5L << 30, c.maxOutputBytes());
        assertEquals(null, c.runtimeClass());
        assertEquals(
                "gvisor",
                KubernetesComputeBackendFactory.config(
                                settings(Map.of("BRIZO_K8S_NAMESPACE", "compute", "BRIZO_K8S_RUNTIME_CLASS", "gvisor")))
                        .orElseThrow()
                        .runtimeClass());
    }

    @Test
    void malformedSettingsAreConfigurationErrorsNamingTheSetting() {
        for (Map<String, String> bad : List.of(
                Map.of("BRIZO_K8S_NAMESPACE", "Not_A_Name"),
                Map.of("BRIZO_K8S_NAMESPACE", "ok", "BRIZO_K8S_ENVIRONMENTS", "small:1:1Gi"),
                Map.of("BRIZO_K8S_NAMESPACE", "ok", "BRIZO_K8S_ENVIRONMENTS", "a:1:1Gi:0:1h,a:1:1Gi:0:1h"),
                Map.of("BRIZO_K8S_NAMESPACE", "ok", "BRIZO_K8S_VOLUME_SIZE", "lots"),
                Map.of("BRIZO_K8S_NAMESPACE", "ok", "BRIZO_K8S_NODE_SELECTOR", "novalue"),
                Map.of("BRIZO_K8S_NAMESPACE", "ok", "BRIZO_K8S_RUN_AS_USER", "0"),
                Map.of("BRIZO_K8S_NAMESPACE", "ok", "BRIZO_K8S_RUNTIME_CLASS", "No Such"))) {
            BrizoException e =
                    assertThrows(BrizoException.class, () -> KubernetesComputeBackendFactory.config(settings(bad)));
            assertEquals(ErrorKind.CONFIGURATION, e.kind());
            String key = bad.keySet().stream()
                    .filter(k -> bad.size() == 1 || !k.equals("BRIZO_K8S_NAMESPACE"))
                    .findFirst()
                    .orElseThrow();
            assertTrue(e.getMessage().contains(key), e.getMessage());
        }
    }

    @Test
    void withoutAnOutputLocationOrAPublicUrlTheBackendRefusesToStartSayingWhatToSet() {
        BrizoException noLocation = assertThrows(
                BrizoException.class,
                () -> KubernetesComputeBackendFactory.config(Settings.builder()
                        .put("BRIZO_K8S_NAMESPACE", "ok")
                        .put("BRIZO_PUBLIC_URL", "http://brizo.internal:8030")
                        .build()));
        assertEquals(ErrorKind.CONFIGURATION, noLocation.kind());
        assertTrue(noLocation.getMessage().contains("BRIZO_K8S_OUTPUT_LOCATION"), noLocation.getMessage());

        BrizoException noUrl = assertThrows(
                BrizoException.class,
                () -> KubernetesComputeBackendFactory.config(Settings.builder()
                        .put("BRIZO_K8S_NAMESPACE", "ok")
                        .put("BRIZO_K8S_OUTPUT_LOCATION", "s3://secret-bucket/jobs/")
                        .build()));
        assertEquals(ErrorKind.CONFIGURATION, noUrl.kind());
        assertTrue(noUrl.getMessage().contains("BRIZO_PUBLIC_URL"), noUrl.getMessage());
    }

    @Test
    void aMalformedOutputLocationIsRefusedWithoutShowingIt() {
        for (String bad : List.of("relative/secret-bucket/", "s3://secret-bucket/jobs/?x=1", "mailto:secret-bucket")) {
            BrizoException e = assertThrows(
                    BrizoException.class,
                    () -> KubernetesComputeBackendFactory.config(
                            settings(Map.of("BRIZO_K8S_NAMESPACE", "ok", "BRIZO_K8S_OUTPUT_LOCATION", bad))),
                    bad);
            assertEquals(ErrorKind.CONFIGURATION, e.kind());
            assertTrue(e.getMessage().contains("BRIZO_K8S_OUTPUT_LOCATION"), e.getMessage());
            assertFalse(e.getMessage().contains("secret-bucket"), e.getMessage());
        }
    }

    @Test
    void everySettingIsDeclared() {
        assertEquals(14, factory.settingKeys().size());
        assertTrue(factory.settingKeys().stream().allMatch(k -> k.name().startsWith("BRIZO_K8S_")));
    }
}
