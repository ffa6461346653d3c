package io.brizo.internal.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.brizo.spi.BrizoException;
import io.brizo.spi.ErrorKind;
import io.brizo.spi.SettingKey;
import io.brizo.spi.Settings;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BrizoIniTest {
    /** The Python Brizo's sample config.ini, with the keys a real publisher fills in. */
    static final String SAMPLE = """

            [keeper-contracts]
            keeper.url = http://127.0.0.1:8545
            keeper.path = artifacts

            secret_store.url = http://127.0.0.1:12001
            parity.url = http://127.0.0.1:8545

            [resources]
            aquarius.url = http://127.0.0.1:5000
            auth_token_expiration = 86400
            brizo.url = http://localhost:8030
            operator_service.url =

            [osmosis]
            azure.account.name =
            azure.account.key =
            azure.resource_group =
            azure.location =
            azure.client.id =
            azure.client.secret =
            azure.tenant.id =
            azure.subscription.id =
            ; azure.share.input and azure.share.output are only used
            ; for Azure Compute data assets (not for Azure Storage data assets).
            azure.share.input = compute
            azure.share.output = output
            """;

    @TempDir
    Path dir;

    Path write(String name, String text) throws Exception {
        return Files.writeString(dir.resolve(name), text);
    }

    @Test
    void theOriginalsSampleConfigIniMapsEachKeyToThisLibrarysSetting() throws Exception {
        Path ini = write("config.ini", SAMPLE);
        Settings s = Settings.builder().configFile(ini).build();
        assertEquals(Optional.of("http://127.0.0.1:8545"), s.get("KEEPER_URL"));
        assertEquals(Optional.of("artifacts"), s.get("KEEPER_PATH"));
        assertEquals(Optional.of("http://127.0.0.1:5000"), s.get("AQUARIUS_URL"));
        assertEquals(Duration.ofDays(1), s.getDuration("BRIZO_AUTH_TOKEN_LIFETIME", Duration.ZERO));
        // Blank keys are unset, as they were in the original.
        assertFalse(s.has("AZURE_ACCOUNT_NAME"));
        assertFalse(s.has("OPERATOR_SERVICE_URL"));
        assertFalse(s.has("SECRET_STORE_URL"));
    }

    @Test
    void azureKeysMapToTheStorageDriversAndServicePrincipalsNames() throws Exception {
        Path ini = write("config.ini", """
                [osmosis]
                azure.account.name = publisher1
                azure.account.key = c2VjcmV0
                azure.client.id = 11111111-2222-3333-4444-555555555555
                azure.client.secret = shh
                azure.tenant.id = 66666666-7777-8888-9999-000000000000
                """);
        Settings s = Settings.builder().configFile(ini).build();
        assertEquals(Optional.of("publisher1"), s.get("AZURE_ACCOUNT_NAME"));
        assertEquals(Optional.of("c2VjcmV0"), s.get("AZURE_ACCOUNT_KEY"));
        assertEquals(Optional.of("11111111-2222-3333-4444-555555555555"), s.get("AZURE_CLIENT_ID"));
        assertEquals(Optional.of("shh"), s.get("AZURE_CLIENT_SECRET"));
        assertEquals(Optional.of("66666666-7777-8888-9999-000000000000"), s.get("AZURE_TENANT_ID"));
        assertFalse(s.toString().contains("c2VjcmV0"), s.toString());
        assertFalse(s.toString().contains("shh"), s.toString());
    }

    @Test
    void environmentVariablesOverrideTheFileUnderTheOriginalsAndThisLibrarysNames() throws Exception {
        Path ini = write("config.ini", SAMPLE + "\n[extra]\nauth_token_message = From the file\n");
        Settings s = Settings.builder()
                .environment(Map.of(
                        "KEEPER_URL", "http://127.0.0.1:9999",
                        "AUTH_TOKEN_EXPIRATION", "60",
                        "AUTH_TOKEN_MESSAGE", "From the original's variable"))
                .configFile(ini)
                .build();
        assertEquals(Optional.of("http://127.0.0.1:9999"), s.get("KEEPER_URL"));
        assertEquals(Duration.ofMinutes(1), s.getDuration("BRIZO_AUTH_TOKEN_LIFETIME", Duration.ZERO));
        assertEquals(Optional.of("From the original's variable"), s.get("BRIZO_AUTH_TOKEN_MESSAGE"));

        Settings ours = Settings.builder()
                .environment(Map.of("AUTH_TOKEN_EXPIRATION", "60", "BRIZO_AUTH_TOKEN_LIFETIME", "2h"))
                .configFile(ini)
                .build();
        assertEquals(Duration.ofHours(2), ours.getDuration("BRIZO_AUTH_TOKEN_LIFETIME", Duration.ZERO));
    }

    @Test
    void eachUnsupportedKeyLogsExactlyOneWarningNamingItAndWhatReplacesIt() throws Exception {
        Path ini = write("config.ini", SAMPLE);
        String log = stderrOf(() -> Settings.builder()
                .environment(Map.of("OPERATOR_SERVICE_URL", "http://operator:8050"))
                .configFile(ini)
                .build());
        assertEquals(1, count(log, "secret_store.url ([keeper-contracts] of config.ini) is not used"), log);
        assertEquals(1, count(log, "parity.url ([keeper-contracts] of config.ini) is not used"), log);
        assertEquals(1, count(log, "brizo.url ([resources] of config.ini) is not used"), log);
        assertEquals(
                1,
                count(
                        log,
                        "environment variable OPERATOR_SERVICE_URL (operator_service.url of config.ini) is not used"),
                log);
        assertEquals(1, count(log, "azure.share.input ([osmosis] of config.ini) is not used"), log);
        assertTrue(log.contains("WARN"), log);
        assertTrue(log.contains("BRIZO_PUBLIC_URL"), log);
        assertTrue(log.contains("brizo-compute-k8s"), log);
        // Blank unsupported keys are unset: nothing to warn about.
        assertEquals(0, count(log, "azure.location"), log);
        // Values are not printed.
        assertFalse(log.contains("12001"), log);
        assertFalse(log.contains("operator:8050"), log);
    }

    @Test
    void aKeyTheOriginalDidNotKnowIsWarnedAboutWithTheClosestNameAndDoesNotStopTheStart() throws Exception {
        Path ini = write("config.ini", "[keeper-contracts]\nkeeper.ulr = http://127.0.0.1:8545\n");
        String log = stderrOf(() -> Settings.builder().configFile(ini).build());
        assertEquals(1, count(log, "keeper.ulr"), log);
        assertTrue(log.contains("did you mean keeper.url?"), log);
    }

    @Test
    void theFilesValuesPassTheUnknownSettingCheckWhateverModulesAreOnTheClassPath() throws Exception {
        Path ini = write("config.ini", "[osmosis]\nazure.client.id = abc\n");
        Settings s = Settings.builder().configFile(ini).build();
        s.requireKnown(List.of(SettingKey.of("KEEPER_URL", null, "node")));
    }

    @Test
    void malformedIniFailsWithAConfigurationErrorNamingTheFileAndLineButNotTheValue() throws Exception {
        Path ini = write("config.ini", "[resources]\naquarius.url = http://127.0.0.1:5000\nsupersecretvalue\n");
        BrizoException e =
                assertThrows(BrizoException.class, () -> Settings.builder().configFile(ini));
        assertEquals(ErrorKind.CONFIGURATION, e.kind());
        assertTrue(e.getMessage().contains("config.ini"), e.getMessage());
        assertTrue(e.getMessage().contains("line 3"), e.getMessage());
        assertFalse(e.getMessage().contains("supersecretvalue"), e.getMessage());
        assertFalse(e.getMessage().contains(dir.toString()), e.getMessage());
    }

    @Test
    void aLineMissingItsSeparatorIsMalformedEvenWhenItsValueHoldsAnEqualsSign() throws Exception {
        // A base64 key ends with '=': without the separator, the secret would stand where the key is.
        Path ini = write("config.ini", "[osmosis]\nazure.account.key c2VjcmV0LWtleQ==\n");
        BrizoException e =
                assertThrows(BrizoException.class, () -> Settings.builder().configFile(ini));
        assertEquals(ErrorKind.CONFIGURATION, e.kind());
        assertTrue(e.getMessage().contains("line 2"), e.getMessage());
        assertFalse(e.getMessage().toLowerCase(Locale.ROOT).contains("c2vjcmv0lwtleq"), e.getMessage());
    }

    @Test
    void aKeyBeforeAnySectionAndAKeyGivenTwiceAreErrorsAsInConfigparser() throws Exception {
        BrizoException before = assertThrows(BrizoException.class, () -> Settings.builder()
                .configFile(write("a.ini", "keeper.url = http://x\n[keeper-contracts]\n")));
        assertTrue(before.getMessage().contains("line 1: a key comes before the first [section]"), before.getMessage());
        BrizoException twice = assertThrows(BrizoException.class, () -> Settings.builder()
                .configFile(write("b.ini", "[keeper-contracts]\nkeeper.url = http://x\n; c\nKEEPER.URL = http://y\n")));
        assertTrue(twice.getMessage().contains("line 4: key keeper.url is given twice"), twice.getMessage());
        BrizoException header =
                assertThrows(BrizoException.class, () -> Settings.builder().configFile(write("c.ini", "[resources\n")));
        assertTrue(header.getMessage().contains("line 1: a section header is written [name]"), header.getMessage());
    }

    @Test
    void colonSeparatorsCommentsAndContinuationLinesReadAsConfigparserReadsThem() throws Exception {
        Path ini = write("settings.conf", """
                # a comment
                [resources]
                auth_token_message: Welcome
                  to the provider
                aquarius.url = http://127.0.0.1:5000 ; not a comment in configparser
                """);
        assertTrue(BrizoIni.isIni(ini));
        Settings s = Settings.builder().configFile(ini).build();
        assertEquals(Optional.of("Welcome\nto the provider"), s.get("BRIZO_AUTH_TOKEN_MESSAGE"));
        assertEquals(Optional.of("http://127.0.0.1:5000 ; not a comment in configparser"), s.get("AQUARIUS_URL"));
    }

    @Test
    void aByteOrderMarkBeforeTheFirstSectionIsIgnored() throws Exception {
        Path ini = write("config.ini", "\uFEFF[keeper-contracts]\nkeeper.url = http://127.0.0.1:8545\n");
        assertEquals(
                Optional.of("http://127.0.0.1:8545"),
                Settings.builder().configFile(ini).build().get("KEEPER_URL"));
    }

    @Test
    void aPropertiesFileGivenAsConfigFileIsStillReadAsProperties() throws Exception {
        Path props = write("brizo.properties", "# settings\nbrizo.port=0\nKEEPER_URL=http://127.0.0.1:8545\n");
        assertFalse(BrizoIni.isIni(props));
        Settings s = Settings.builder()
                .environment(Map.of("KEEPER_URL", "http://127.0.0.1:9999"))
                .configFile(props)
                .build();
        assertEquals(Optional.of("0"), s.get("BRIZO_PORT"));
        // A properties file still wins over the environment.
        assertEquals(Optional.of("http://127.0.0.1:8545"), s.get("KEEPER_URL"));
    }

    @Test
    void configFileVariableOrConfigIniInTheWorkingDirectoryIsWhereTheOriginalLooked() throws Exception {
        assertEquals(Optional.empty(), BrizoIni.defaultLocation(Map.of(), dir));
        Path local = write("config.ini", SAMPLE);
        assertEquals(Optional.of(local), BrizoIni.defaultLocation(Map.of(), dir));
        assertEquals(
                Optional.of(Path.of("/etc/brizo/other.ini")),
                BrizoIni.defaultLocation(Map.of("CONFIG_FILE", "/etc/brizo/other.ini"), dir));
    }

    static int count(String text, String part) {
        int n = 0;
        for (int i = text.indexOf(part); i >= 0; i = text.indexOf(part, i + 1)) {
            n++;
        }
        return n;
    }

    /** {@return what {@code action} logs on standard error (slf4j-simple writes there)} */
    static String stderrOf(Supplier<?> action) {
        PrintStream original = System.err;
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        System.setErr(new PrintStream(log, true, StandardCharsets.UTF_8));
        try {
            action.get();
        } finally {
            System.setErr(original);
        }
        return log.toString(StandardCharsets.UTF_8);
    }
}
