package io.brizo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.brizo.spi.Asset;
import io.brizo.spi.AssetFile;
import io.brizo.spi.BrizoException;
import io.brizo.spi.ErrorKind;
import io.brizo.spi.SettingKey;
import io.brizo.spi.Settings;
import io.brizo.spi.Verdict;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BrizoBuilderTest {
    static final String AGREEMENT = "aa".repeat(32);
    static final String DID = "did:op:" + "bb".repeat(32);

    @TempDir
    Path dir;

    @Test
    void unknownSettingFailsAtBuildTimeNamingTheKey() {
        Settings settings = Settings.builder().put("BRIZO_FILE_ROOT", "/srv").build();
        BrizoException e = assertThrows(BrizoException.class, () -> Brizo.builder()
                .settings(settings)
                .verifier(claim -> Verdict.denied("no"))
                .assetResolver(did -> Optional.empty())
                .build());
        assertEquals(ErrorKind.CONFIGURATION, e.kind());
        assertTrue(e.getMessage().contains("BRIZO_FILE_ROOT"), e.getMessage());
        assertTrue(e.getMessage().contains("did you mean BRIZO_FILE_ROOTS"), e.getMessage());
    }

    @Test
    void settingsTheApplicationDeclaresAreAcceptedAtBuildTime() {
        Settings settings =
                Settings.builder().put("BRIZO_TLS_CERT", "/etc/cert.pem").build();
        Brizo brizo = Brizo.builder()
                .settings(settings)
                .applicationSettings(List.of(SettingKey.of("BRIZO_TLS_CERT", null, "the server's certificate")))
                .verifier(claim -> Verdict.denied("no"))
                .assetResolver(did -> Optional.empty())
                .build();
        brizo.close();
    }

    @Test
    void settingKeysListCoreAndDiscoverableSettingsAndEveryListedOneIsAcceptedAtBuildTime() {
        List<SettingKey> keys = Brizo.settingKeys(getClass().getClassLoader());
        List<String> names = keys.stream().map(SettingKey::name).toList();
        assertTrue(names.contains("BRIZO_ASSETS"), names.toString());
        assertTrue(names.contains("BRIZO_FILE_ROOTS"), "the file driver's own setting: " + names);
        assertTrue(names.contains("BRIZO_GRANTS"), "the development verifier's own setting: " + names);
        assertTrue(names.contains("BRIZO_COMPUTE_MAX_JOBS"), "the compute policy: " + names);
        assertTrue(keys.stream().anyMatch(k -> k.name().equals("PROVIDER_KEY") && k.secret()), names.toString());
        Settings.Builder every = Settings.builder();
        keys.forEach(k -> every.put(k.name(), ""));
        Brizo.builder()
                .settings(every.build())
                .verifier(claim -> Verdict.denied("no"))
                .assetResolver(did -> Optional.empty())
                .build()
                .close();
    }

    @Test
    void verifierAvailabilityIsAskedOfTheVerifierInUse() {
        Brizo brizo = Brizo.builder()
                .verifier(new io.brizo.spi.ServiceAgreementVerifier() {
                    @Override
                    public Verdict verify(io.brizo.spi.AgreementClaim claim) {
                        return Verdict.denied("no");
                    }

                    @Override
                    public void checkAvailable() {
                        throw new BrizoException(ErrorKind.UNAVAILABLE, "the store is down", null, true);
                    }
                })
                .assetResolver(did -> Optional.empty())
                .build();
        BrizoException e = assertThrows(BrizoException.class, brizo::checkVerifierAvailable);
        assertEquals(ErrorKind.UNAVAILABLE, e.kind());
        brizo.close();
    }

    @Test
    void malformedSwitchFailsAtBuildTime() {
        Settings settings =
                Settings.builder().put("BRIZO_NONCE_REQUIRED", "perhaps").build();
        BrizoException e = assertThrows(BrizoException.class, () -> Brizo.builder()
                .settings(settings)
                .verifier(claim -> Verdict.denied("no"))
                .assetResolver(did -> Optional.empty())
                .build());
        assertTrue(e.getMessage().contains("BRIZO_NONCE_REQUIRED"), e.getMessage());
    }

    @Test
    void malformedProviderKeyIsRefusedWithoutPrintingIt() {
        Settings settings =
                Settings.builder().put("PROVIDER_KEY", "0xnot-a-key-secret").build();
        BrizoException e = assertThrows(BrizoException.class, () -> Brizo.builder()
                .settings(settings)
                .verifier(claim -> Verdict.denied("no"))
                .assetResolver(did -> Optional.empty())
                .build());
        assertTrue(e.getMessage().contains("PROVIDER_KEY"), e.getMessage());
        assertFalse(e.getMessage().contains("not-a-key-secret"), e.getMessage());
    }

    @Test
    void missingVerifierIsAConfigurationErrorThatSaysHowToFixIt() {
        BrizoException e = assertThrows(BrizoException.class, () -> Brizo.builder()
                .assetResolver(did -> Optional.empty())
                .discover()
                .build());
        assertEquals(ErrorKind.CONFIGURATION, e.kind());
        assertTrue(e.getMessage().contains("BRIZO_GRANTS"), e.getMessage());
        assertTrue(e.getMessage().contains("development"), e.getMessage());
    }

    @Test
    void missingAssetCatalogueIsAConfigurationError() {
        BrizoException e = assertThrows(
                BrizoException.class,
                () -> Brizo.builder().verifier(claim -> Verdict.denied("no")).build());
        assertTrue(e.getMessage().contains("BRIZO_ASSETS"), e.getMessage());
    }

    @Test
    void explicitWiringNeedsNoDiscoveryAndStreamsThroughTheGivenDriver() throws Exception {
        TestKeys consumer = TestKeys.random();
        Path root = Files.createDirectories(dir.resolve("root"));
        Files.writeString(root.resolve("a.csv"), "x,y\n1,2\n");
        var files = new io.brizo.internal.storage.FileStorageDriverFactory()
                .create(Settings.builder()
                        .put("BRIZO_FILE_ROOTS", root.toString())
                        .build())
                .orElseThrow();
        try (Brizo brizo = Brizo.builder()
                .storageDriver(files)
                .verifier(claim ->
                        claim.consumer().equals(consumer.address()) ? Verdict.granted(DID, null) : Verdict.denied("no"))
                .assetResolver(did -> Optional.of(new Asset(
                        did, List.of(new AssetFile(root.resolve("a.csv").toUri(), "text/csv", null)))))
                .build()) {
            assertEquals(List.of("file"), brizo.storageDriverNames());
            ConsumableFile file = brizo.consume(ConsumeRequest.builder()
                    .agreementId(AGREEMENT)
                    .consumerAddress(consumer.address())
                    .signature(consumer.signText(AGREEMENT))
                    .index(0)
                    .build());
            assertEquals(8, file.size());
            assertEquals("text/csv", file.contentType());
            assertEquals("a.csv", file.fileName());
            try (var object = file.open(io.brizo.spi.ByteRange.of(4, 7))) {
                assertEquals("1,2\n", new String(object.stream().readAllBytes()));
            }
        } finally {
            files.close();
        }
    }

    @Test
    void verifierThatBreaksNeverGrants() {
        TestKeys consumer = TestKeys.random();
        try (Brizo brizo = Brizo.builder()
                .verifier(claim -> {
                    throw new IllegalStateException("chain client bug");
                })
                .assetResolver(
                        did -> Optional.of(new Asset(did, List.of(new AssetFile(URI.create("file:///x"), null, null)))))
                .build()) {
            BrizoException e = assertThrows(
                    BrizoException.class,
                    () -> brizo.consume(ConsumeRequest.builder()
                            .agreementId(AGREEMENT)
                            .consumerAddress(consumer.address())
                            .signature(consumer.signText(AGREEMENT))
                            .index(0)
                            .build()));
            assertEquals(ErrorKind.UNAVAILABLE, e.kind());
            assertTrue(e.retryable());
        }
    }

    /** {@return what building with {@code settings} logs on standard error} */
    static String logOfBuilding(Settings settings) {
        java.io.PrintStream original = System.err;
        java.io.ByteArrayOutputStream log = new java.io.ByteArrayOutputStream();
        System.setErr(new java.io.PrintStream(log, true, java.nio.charset.StandardCharsets.UTF_8));
        try {
            Brizo.builder()
                    .settings(settings)
                    .verifier(claim -> Verdict.denied("no"))
                    .assetResolver(did -> Optional.empty())
                    .build()
                    .close();
        } finally {
            System.setErr(original);
        }
        return log.toString(java.nio.charset.StandardCharsets.UTF_8);
    }

    @Test
    void withoutLinkKeysOneWarningSaysLinksDieWithTheProcessAndWithKeysNone() {
        String unset = logOfBuilding(Settings.builder()
                .put("BRIZO_PUBLIC_URL", "http://brizo.internal:8030")
                .build());
        assertEquals(1, unset.split("BRIZO_LINK_KEYS is not set", -1).length - 1, unset);
        assertTrue(unset.contains("WARN"), unset);
        String key = java.util.Base64.getEncoder().encodeToString(new byte[32]);
        String set = logOfBuilding(Settings.builder()
                .put("BRIZO_PUBLIC_URL", "http://brizo.internal:8030")
                .put("BRIZO_LINK_KEYS", key)
                .build());
        assertFalse(set.contains("BRIZO_LINK_KEYS is not set"), set);
        assertFalse(set.contains(key), set);
        String noLinks = logOfBuilding(Settings.empty());
        assertFalse(noLinks.contains("BRIZO_LINK_KEYS"), "no public URL, no links: " + noLinks);
    }

    @Test
    void malformedLinkKeysFailTheBuildNamingTheSettingNeverTheValue() {
        BrizoException e = assertThrows(BrizoException.class, () -> Brizo.builder()
                .settings(Settings.builder()
                        .put("BRIZO_LINK_KEYS", "c2hvcnQtc2VjcmV0LWtleQ==")
                        .build())
                .verifier(claim -> Verdict.denied("no"))
                .assetResolver(did -> Optional.empty())
                .build());
        assertEquals(ErrorKind.CONFIGURATION, e.kind());
        assertTrue(e.getMessage().contains("BRIZO_LINK_KEYS"), e.getMessage());
        assertFalse(e.getMessage().contains("c2hvcnQtc2VjcmV0LWtleQ"), e.getMessage());
    }
}
