package io.brizo.storage.azure;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.brizo.spi.BrizoException;
import io.brizo.spi.ByteRange;
import io.brizo.spi.ErrorKind;
import io.brizo.spi.ObjectInfo;
import io.brizo.spi.Settings;
import io.brizo.spi.StorageDriver;
import io.brizo.spi.StorageObject;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The driver with a service principal (AZURE_CLIENT_ID, AZURE_CLIENT_SECRET, AZURE_TENANT_ID)
 * through azure-identity, against a real Azurite over HTTPS with OAuth at its "basic" level.
 *
 * <p>What is real: Azurite (its bearer-token checks of issuer, audience and lifetime, its user
 * delegation keys and its checks of user delegation SAS signatures), azure-identity and MSAL
 * (the client-credentials request, token caching, the bearer policy), the SDK, the driver, and
 * TLS with a certificate made for the test. What stands in: the identity platform's token
 * endpoint ({@link StandInIdentityPlatform}, reached through AZURE_AUTHORITY_HOST), whose tokens
 * Azurite does not verify the signature of; Azure's role assignments, which Azurite does not
 * model. The only hook is trust: the driver is built with an {@code SSLContext} that trusts the
 * test's self-signed certificate, as a JVM would with the certificate in its trust store.
 */
class AzureServicePrincipalTest {
    static final String TENANT = UUID.randomUUID().toString();
    static final String CLIENT = UUID.randomUUID().toString();
    static final String SECRET = "client-secret-" + UUID.randomUUID();

    @TempDir
    static Path dir;

    static TestTls tls;
    static Azurite azurite;
    static StandInIdentityPlatform identity;

    @BeforeAll
    static void start() throws Exception {
        tls = TestTls.create(dir);
        azurite = Azurite.oauth(tls);
        identity = new StandInIdentityPlatform(tls, TENANT, CLIENT, SECRET);
        azurite.container("sp-blobs");
    }

    @AfterAll
    static void stop() {
        if (identity != null) {
            identity.close();
        }
        if (azurite != null) {
            azurite.close();
        }
    }

    static Map<String, String> settings(String secret) {
        Map<String, String> s = new HashMap<>();
        s.put(AzureBlobStorageDriverFactory.ACCOUNT_NAME, Azurite.ACCOUNT);
        s.put(AzureBlobStorageDriverFactory.CLIENT_ID, CLIENT);
        s.put(AzureBlobStorageDriverFactory.CLIENT_SECRET, secret);
        s.put(AzureBlobStorageDriverFactory.TENANT_ID, TENANT);
        s.put(AzureBlobStorageDriverFactory.AUTHORITY_HOST, identity.authorityHost());
        s.put(AzureBlobStorageDriverFactory.BLOB_ENDPOINT, azurite.endpoint());
        return s;
    }

    /** {@return the driver the factory's settings give, trusting the test's certificate} */
    static StorageDriver driver(Map<String, String> values) {
        Settings settings = Settings.builder().putAll(values).build();
        AzureConfig config = AzureBlobStorageDriverFactory.config(settings).orElseThrow();
        return AzureBlobStorageDriver.create(config, settings, tls.context());
    }

    static URI location(String name) {
        return Azurite.canonical("sp-blobs", name);
    }

    @Test
    void aServicePrincipalWritesStatsReadsAndDeletesBlobsWithTheTokenTheIdentityPlatformIssued() throws Exception {
        byte[] content = "written with a bearer token\n".getBytes(StandardCharsets.UTF_8);
        String name = "sp/" + UUID.randomUUID() + ".txt";
        int before = identity.tokenRequests().size();

        try (StorageDriver driver = driver(settings(SECRET))) {
            assertTrue(azurite.endpoint().startsWith("https://127.0.0.1:"), azurite.endpoint());
            ObjectInfo written =
                    driver.write(location(name), new ByteArrayInputStream(content), content.length, "text/plain");
            ObjectInfo stat = driver.stat(location(name));
            // ByteRange.of is inclusive: bytes 0 to 9.
            byte[] read;
            try (StorageObject o = driver.open(location(name), ByteRange.of(0, 9))) {
                read = o.stream().readAllBytes();
            }
            driver.delete(location(name));

            assertEquals(content.length, written.size());
            assertEquals(content.length, stat.size());
            assertArrayEquals("written wi".getBytes(StandardCharsets.UTF_8), read);
            assertFalse(azurite.sdk()
                    .getBlobContainerClient("sp-blobs")
                    .getBlobClient(name)
                    .exists());
        }

        List<Map<String, String>> requests = identity.tokenRequests();
        // MSAL caches the token: one request served every call of this driver.
        assertEquals(before + 1, requests.size(), requests.toString());
        Map<String, String> form = requests.get(requests.size() - 1);
        assertEquals("client_credentials", form.get("grant_type"));
        assertEquals(CLIENT, form.get("client_id"));
        assertEquals(SECRET, form.get("client_secret"));
        // MSAL adds the OpenID scopes to the resource's own.
        assertTrue(
                List.of(form.get("scope").split(" ")).contains("https://storage.azure.com/.default"), form::toString);
        assertEquals(List.of(), identity.otherRequests(), "no instance discovery, no other call");
    }

    @Test
    void presignGetGivesAUserDelegationSasThatAPlainClientReadsAndThatFailsWhenItsSignatureIsAltered()
            throws Exception {
        byte[] content = "handed out by a user delegation SAS".getBytes(StandardCharsets.UTF_8);
        String name = "sp/presigned-" + UUID.randomUUID() + ".txt";
        azurite.container("sp-blobs").getBlobClient(name).upload(new ByteArrayInputStream(content), content.length);
        HttpClient plain = HttpClient.newBuilder().sslContext(tls.context()).build();

        try (StorageDriver driver = driver(settings(SECRET))) {
            URI url = driver.presignGet(location(name), Duration.ofMinutes(5)).orElseThrow();
            URI second =
                    driver.presignGet(location(name), Duration.ofMinutes(10)).orElseThrow();

            String query = url.getRawQuery();
            // skoid/sktid name the principal whose delegation key signed it: a user delegation SAS,
            // not a service SAS (there is no account key to make one).
            assertTrue(query.contains("skoid=") && query.contains("sktid=" + TENANT), query);
            assertTrue(query.contains("sp=r"), query);
            HttpResponse<byte[]> ok =
                    plain.send(HttpRequest.newBuilder(url).build(), HttpResponse.BodyHandlers.ofByteArray());
            assertEquals(200, ok.statusCode(), () -> new String(ok.body(), StandardCharsets.UTF_8));
            assertArrayEquals(content, ok.body());
            HttpResponse<byte[]> alsoOk =
                    plain.send(HttpRequest.newBuilder(second).build(), HttpResponse.BodyHandlers.ofByteArray());
            assertEquals(200, alsoOk.statusCode());

            String sig = query.replaceAll(".*sig=([^&]*).*", "$1");
            String flipped = (sig.charAt(0) == 'A' ? "B" : "A") + sig.substring(1);
            URI tampered = URI.create(url.toString().replace("sig=" + sig, "sig=" + flipped));
            HttpResponse<byte[]> refused =
                    plain.send(HttpRequest.newBuilder(tampered).build(), HttpResponse.BodyHandlers.ofByteArray());
            assertEquals(403, refused.statusCode());

            BrizoException tooLong =
                    assertThrows(BrizoException.class, () -> driver.presignGet(location(name), Duration.ofDays(8)));
            assertEquals(ErrorKind.INVALID_REQUEST, tooLong.kind());
        }
    }

    @Test
    void aWrongClientSecretFailsTheRequestNamingTheSettingsButNotTheSecretTheTenantOrTheHosts() throws Exception {
        String wrong = "wrong-secret-" + UUID.randomUUID();
        String name = "sp/never-" + UUID.randomUUID() + ".txt";

        try (StorageDriver driver = driver(settings(wrong))) {
            BrizoException e = assertThrows(BrizoException.class, () -> driver.stat(location(name)));
            BrizoException read =
                    assertThrows(BrizoException.class, () -> driver.open(location(name), ByteRange.all()));

            for (BrizoException x : List.of(e, read)) {
                assertEquals(ErrorKind.UPSTREAM_FAILED, x.kind(), x.getMessage());
                assertFalse(x.retryable());
                String m = x.getMessage();
                assertTrue(m.contains("AZURE_CLIENT_SECRET") && m.contains("AZURE_CLIENT_ID"), m);
                assertFalse(m.contains(wrong) || m.contains(SECRET) || m.contains(TENANT), m);
                assertFalse(m.contains("127.0.0.1") || m.contains("sp-blobs"), m);
            }
        }
        assertTrue(identity.tokenRequests().stream().anyMatch(f -> wrong.equals(f.get("client_secret"))));
    }

    @Test
    void azuriteRefusesATokenForAnotherAudienceSoTheTokenIsWhatAuthorizes() throws Exception {
        String name = "sp/audience-" + UUID.randomUUID() + ".txt";
        azurite.container("sp-blobs").getBlobClient(name).upload(new ByteArrayInputStream(new byte[3]), 3);
        identity.issueForAudience("https://vault.azure.net");
        try (StorageDriver driver = driver(settings(SECRET))) {
            BrizoException e = assertThrows(BrizoException.class, () -> driver.stat(location(name)));

            assertEquals(ErrorKind.UPSTREAM_FAILED, e.kind(), e.getMessage());
            assertTrue(e.getMessage().contains("Azure refused the credentials"), e.getMessage());
        } finally {
            identity.issueForAudience(StandInIdentityPlatform.AUDIENCE);
        }
    }
}
