package io.brizo.storage.azure;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.brizo.spi.BrizoException;
import io.brizo.spi.ErrorKind;
import io.brizo.spi.SettingKey;
import io.brizo.spi.Settings;
import io.brizo.spi.StorageDriver;
import java.net.URI;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Settings of the Azure driver: when it is on, what is refused at creation, what stays hidden. */
class AzureBlobStorageDriverFactoryTest {
    private static final String KEY = Azurite.KEY;
    private static final String SAS =
            "sv=2025-01-05&ss=b&srt=co&sp=rl&se=2030-01-01T00:00:00Z&sig=c2VjcmV0c2lnbmF0dXJl";
    private final AzureBlobStorageDriverFactory factory = new AzureBlobStorageDriverFactory();

    @Test
    void withoutAnAzureCredentialTheDriverIsNotConfigured() {
        assertEquals(Optional.empty(), factory.create(Settings.empty()));
        assertEquals(
                Optional.empty(),
                factory.create(settings(Map.of(AzureBlobStorageDriverFactory.ACCOUNT_NAME, "myaccount"))));
    }

    @Test
    void anAccountKeyConfiguresADriverForThatAccountsCanonicalUrls() {
        try (StorageDriver driver = create(Map.of(
                        AzureBlobStorageDriverFactory.ACCOUNT_NAME,
                        "myaccount",
                        AzureBlobStorageDriverFactory.ACCOUNT_KEY,
                        KEY))
                .orElseThrow()) {
            assertEquals("azure", driver.name());
            assertTrue(driver.supports(URI.create("https://myaccount.blob.core.windows.net/c/a/b/c.csv")));
            assertTrue(driver.supports(URI.create("https://MyAccount.Blob.Core.Windows.Net:443/c/d.csv")));
            assertFalse(driver.supports(URI.create("https://other.blob.core.windows.net/c/d.csv")));
            assertFalse(driver.toString().contains(KEY));
        }
    }

    @Test
    void aDevelopmentStorageConnectionStringServesTheDevelopmentAccount() {
        try (StorageDriver driver = create(
                        Map.of(AzureBlobStorageDriverFactory.CONNECTION_STRING, "UseDevelopmentStorage=true"))
                .orElseThrow()) {
            assertTrue(driver.supports(URI.create(Azurite.CANONICAL + "/c/d.csv")));
        }
    }

    @Test
    void aSasConnectionStringWithoutAccountNameTakesTheAccountFromItsEndpoint() {
        for (String endpoint : List.of("https://myaccount.blob.core.windows.net", "http://127.0.0.1:10000/myaccount")) {
            try (StorageDriver driver = create(Map.of(
                            AzureBlobStorageDriverFactory.CONNECTION_STRING,
                            "BlobEndpoint=" + endpoint + ";SharedAccessSignature=" + SAS))
                    .orElseThrow()) {
                assertTrue(driver.supports(URI.create("https://myaccount.blob.core.windows.net/c/d.csv")), endpoint);
                assertEquals(
                        Optional.empty(),
                        driver.presignGet(
                                URI.create("https://myaccount.blob.core.windows.net/c/d.csv"),
                                java.time.Duration.ofMinutes(1)),
                        "no key, no presigning");
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(
            delimiter = '|',
            value = {
                "key without account | AZURE_ACCOUNT_KEY=" + KEY + " | AZURE_ACCOUNT_NAME",
                "SAS without account | AZURE_SAS_TOKEN=" + SAS + " | AZURE_ACCOUNT_NAME",
                "key and SAS | AZURE_ACCOUNT_NAME=myaccount,AZURE_ACCOUNT_KEY=" + KEY + ",AZURE_SAS_TOKEN=" + SAS
                        + " | AZURE_SAS_TOKEN",
                "connection string and key | AZURE_CONNECTION_STRING=AccountName=a;AccountKey=" + KEY
                        + ",AZURE_ACCOUNT_KEY=" + KEY + " | AZURE_CONNECTION_STRING",
                "key not base64 | AZURE_ACCOUNT_NAME=myaccount,AZURE_ACCOUNT_KEY=not*base64!secret | AZURE_ACCOUNT_KEY",
                "SAS without signature | AZURE_ACCOUNT_NAME=myaccount,AZURE_SAS_TOKEN=sv=2025-01-05&secretpart"
                        + " | AZURE_SAS_TOKEN",
                "account name with capitals | AZURE_ACCOUNT_NAME=My_Account,AZURE_ACCOUNT_KEY=" + KEY
                        + " | AZURE_ACCOUNT_NAME",
                "connection string without account | AZURE_CONNECTION_STRING=AccountKey=" + KEY
                        + ";secretpart | AZURE_CONNECTION_STRING",
                "connection string for another account | AZURE_ACCOUNT_NAME=myaccount,AZURE_CONNECTION_STRING="
                        + "AccountName=otheraccount;AccountKey=" + KEY + " | AZURE_ACCOUNT_NAME",
                "endpoint not http | AZURE_ACCOUNT_NAME=myaccount,AZURE_ACCOUNT_KEY=" + KEY
                        + ",AZURE_BLOB_ENDPOINT=ftp://127.0.0.1/x | AZURE_BLOB_ENDPOINT",
                "endpoint with query | AZURE_ACCOUNT_NAME=myaccount,AZURE_ACCOUNT_KEY=" + KEY
                        + ",AZURE_BLOB_ENDPOINT=https://h.example/?sig=x | AZURE_BLOB_ENDPOINT",
                "block size 0 | AZURE_ACCOUNT_NAME=myaccount,AZURE_ACCOUNT_KEY=" + KEY
                        + ",AZURE_UPLOAD_BLOCK_SIZE_MB=0 | AZURE_UPLOAD_BLOCK_SIZE_MB",
                "concurrency 0 | AZURE_ACCOUNT_NAME=myaccount,AZURE_ACCOUNT_KEY=" + KEY
                        + ",AZURE_UPLOAD_CONCURRENCY=0 | AZURE_UPLOAD_CONCURRENCY",
                "tries 0 | AZURE_ACCOUNT_NAME=myaccount,AZURE_ACCOUNT_KEY=" + KEY
                        + ",AZURE_MAX_TRIES=0 | AZURE_MAX_TRIES",
                "read timeout 0 | AZURE_ACCOUNT_NAME=myaccount,AZURE_ACCOUNT_KEY=" + KEY
                        + ",AZURE_READ_TIMEOUT=0 | AZURE_READ_TIMEOUT",
                "connect timeout junk | AZURE_ACCOUNT_NAME=myaccount,AZURE_ACCOUNT_KEY=" + KEY
                        + ",AZURE_CONNECT_TIMEOUT=soon | AZURE_CONNECT_TIMEOUT",
                "presign lifetime 0 | AZURE_ACCOUNT_NAME=myaccount,AZURE_ACCOUNT_KEY=" + KEY
                        + ",AZURE_PRESIGN_MAX_LIFETIME=0 | AZURE_PRESIGN_MAX_LIFETIME"
            })
    void wrongSettingsFailAtCreationNamingTheSettingWithoutShowingSecrets(
            String name, String pairs, String expectedKey) {
        Map<String, String> values = new HashMap<>();
        for (String pair : pairs.split(",")) {
            int eq = pair.indexOf('=');
            values.put(pair.substring(0, eq), pair.substring(eq + 1));
        }
        BrizoException e = assertThrows(BrizoException.class, () -> create(values));
        assertEquals(ErrorKind.CONFIGURATION, e.kind(), name);
        assertTrue(e.getMessage().contains(expectedKey), () -> name + ": " + e.getMessage());
        for (String secret : List.of(KEY, "c2VjcmV0c2lnbmF0dXJl", "secretpart", "not*base64!secret")) {
            assertFalse(e.getMessage().contains(secret), () -> name + " shows a secret: " + e.getMessage());
        }
    }

    @Test
    void everySettingIsDeclaredAndTheSecretOnesAreMasked() {
        List<SettingKey> keys = factory.settingKeys();
        Set<String> names = keys.stream().map(SettingKey::name).collect(Collectors.toSet());
        assertEquals(
                Set.of(
                        "AZURE_ACCOUNT_NAME",
                        "AZURE_ACCOUNT_KEY",
                        "AZURE_SAS_TOKEN",
                        "AZURE_CONNECTION_STRING",
                        "AZURE_CLIENT_ID",
                        "AZURE_CLIENT_SECRET",
                        "AZURE_TENANT_ID",
                        "AZURE_AUTHORITY_HOST",
                        "AZURE_BLOB_ENDPOINT",
                        "AZURE_PRESIGN_MAX_LIFETIME",
                        "AZURE_UPLOAD_BLOCK_SIZE_MB",
                        "AZURE_UPLOAD_CONCURRENCY",
                        "AZURE_MAX_TRIES",
                        "AZURE_CONNECT_TIMEOUT",
                        "AZURE_READ_TIMEOUT"),
                names);
        Set<String> secret =
                keys.stream().filter(SettingKey::secret).map(SettingKey::name).collect(Collectors.toSet());
        assertEquals(
                Set.of("AZURE_ACCOUNT_KEY", "AZURE_SAS_TOKEN", "AZURE_CONNECTION_STRING", "AZURE_CLIENT_SECRET"),
                secret);

        Settings settings = settings(Map.of(
                "AZURE_ACCOUNT_NAME",
                "myaccount",
                "AZURE_ACCOUNT_KEY",
                KEY,
                "AZURE_CONNECTION_STRING",
                "AccountName=myaccount;AccountKey=" + KEY,
                "AZURE_SAS_TOKEN",
                SAS));
        settings.requireKnown(keys);
        assertFalse(settings.toString().contains(KEY), settings::toString);
        assertFalse(settings.toString().contains("c2VjcmV0c2lnbmF0dXJl"), settings::toString);
        assertTrue(settings.toString().contains("myaccount"), "the account name is not a secret");
    }

    @Test
    void aClientSecretWithClientIdTenantAndAccountConfiguresAServicePrincipalForThePublicCloud() {
        String secret = "sp-secret-value";
        Map<String, String> values = new HashMap<>(Map.of(
                "AZURE_ACCOUNT_NAME", "myaccount",
                "AZURE_CLIENT_ID", "11111111-2222-3333-4444-555555555555",
                "AZURE_CLIENT_SECRET", secret,
                "AZURE_TENANT_ID", "contoso.onmicrosoft.com"));

        AzureConfig config =
                AzureBlobStorageDriverFactory.config(settings(values)).orElseThrow();

        assertEquals(
                AzureConfig.CredentialKind.SERVICE_PRINCIPAL,
                config.credential().kind());
        assertEquals(
                "https://login.microsoftonline.com/",
                config.credential().principal().authorityHost());
        assertFalse(config.credential().hasAccountKey());
        assertFalse(config.toString().contains(secret), config::toString);
        assertFalse(settings(values).toString().contains(secret));
        try (StorageDriver driver = create(values).orElseThrow()) {
            assertTrue(driver.supports(URI.create("https://myaccount.blob.core.windows.net/c/d.csv")));
            assertFalse(driver.toString().contains(secret));
        }
    }

    @Test
    void aClientIdAndTenantWithoutASecretLeaveTheDriverOffAsWorkloadIdentitiesSetThemToo() {
        assertEquals(
                Optional.empty(),
                create(Map.of(
                        "AZURE_ACCOUNT_NAME", "myaccount",
                        "AZURE_CLIENT_ID", "11111111-2222-3333-4444-555555555555",
                        "AZURE_TENANT_ID", "72f988bf-86f1-41af-91ab-2d7cd011db47")));
    }

    @Test
    void aServicePrincipalThatIsIncompleteMixedWithAnotherCredentialOrPointedAtPlainHttpIsRefused() {
        String secret = "sp-secret-value";
        Map<String, String> full = Map.of(
                "AZURE_ACCOUNT_NAME", "myaccount",
                "AZURE_CLIENT_ID", "11111111-2222-3333-4444-555555555555",
                "AZURE_CLIENT_SECRET", secret,
                "AZURE_TENANT_ID", "72f988bf-86f1-41af-91ab-2d7cd011db47");
        Map<String, String> expectations = Map.of(
                "AZURE_TENANT_ID", "setting AZURE_TENANT_ID is required with AZURE_CLIENT_SECRET",
                "AZURE_CLIENT_ID", "setting AZURE_CLIENT_ID is required with AZURE_CLIENT_SECRET",
                "AZURE_ACCOUNT_NAME", "setting AZURE_ACCOUNT_NAME is required with AZURE_CLIENT_SECRET");
        for (var missing : expectations.entrySet()) {
            Map<String, String> values = new HashMap<>(full);
            values.remove(missing.getKey());
            BrizoException e = assertThrows(BrizoException.class, () -> create(values));
            assertEquals(ErrorKind.CONFIGURATION, e.kind());
            assertTrue(e.getMessage().contains(missing.getValue()), e.getMessage());
            assertFalse(e.getMessage().contains(secret), e.getMessage());
        }

        Map<String, String> withKey = new HashMap<>(full);
        withKey.put("AZURE_ACCOUNT_KEY", KEY);
        BrizoException both = assertThrows(BrizoException.class, () -> create(withKey));
        assertTrue(
                both.getMessage().contains("AZURE_CLIENT_SECRET and AZURE_ACCOUNT_KEY are both set"),
                both.getMessage());
        assertFalse(both.getMessage().contains(secret) || both.getMessage().contains(KEY), both.getMessage());

        Map<String, String> plainHttp = new HashMap<>(full);
        plainHttp.put("AZURE_AUTHORITY_HOST", "http://login.example.test/");
        BrizoException http = assertThrows(BrizoException.class, () -> create(plainHttp));
        assertTrue(http.getMessage().contains("AZURE_AUTHORITY_HOST"), http.getMessage());
        assertTrue(http.getMessage().contains("an https URL"), http.getMessage());
    }

    @Test
    void serviceLoaderFindsTheFactory() {
        assertTrue(ServiceLoader.load(StorageDriver.Factory.class).stream()
                .anyMatch(p -> p.type() == AzureBlobStorageDriverFactory.class));
    }

    private Optional<StorageDriver> create(Map<String, String> values) {
        return factory.create(settings(values));
    }

    private static Settings settings(Map<String, String> values) {
        return Settings.builder().putAll(values).build();
    }
}
