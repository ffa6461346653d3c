package io.brizo.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.brizo.testkit.PublisherFiles;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code serve} over TLS with a certificate made at test time by {@code keytool} (a PKCS12 store)
 * and exported to PEM with {@code keytool} and {@code openssl}; checked with {@code curl --cacert}
 * and the JDK client. Also: a TLS setting that points at a missing or wrong file stops {@code
 * serve} at start naming the setting, and {@code serve --help} lists every setting.
 */
class ServeTlsTest {
    private static final String PASSWORD = "test-store-pass";

    @TempDir
    static Path work;

    private static Path keystore;
    private static Path certPem;
    private static Path keyPem;
    private static Map<String, String> base;

    @BeforeAll
    static void makeCertificate() throws Exception {
        keystore = work.resolve("server.p12");
        certPem = work.resolve("cert.pem");
        keyPem = work.resolve("key.pem");
        String keytool =
                Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
        run(List.of(
                keytool,
                "-genkeypair",
                "-alias",
                "brizo",
                "-keyalg",
                "EC",
                "-groupname",
                "secp256r1",
                "-dname",
                "CN=localhost",
                "-ext",
                "SAN=ip:127.0.0.1,dns:localhost",
                "-validity",
                "2",
                "-storetype",
                "PKCS12",
                "-keystore",
                keystore.toString(),
                "-storepass",
                PASSWORD));
        run(List.of(
                keytool,
                "-exportcert",
                "-rfc",
                "-alias",
                "brizo",
                "-keystore",
                keystore.toString(),
                "-storepass",
                PASSWORD,
                "-file",
                certPem.toString()));
        run(List.of(
                "openssl",
                "pkcs12",
                "-in",
                keystore.toString(),
                "-nocerts",
                "-nodes",
                "-passin",
                "pass:" + PASSWORD,
                "-out",
                keyPem.toString()));
        assertTrue(Files.readString(keyPem).contains("-----BEGIN PRIVATE KEY-----"), Files.readString(keyPem));

        Path storage = Files.createDirectories(work.resolve("storage"));
        Path assets = PublisherFiles.writeAsset(
                work.resolve("assets.json"),
                "did:op:" + "d1".repeat(32),
                Files.writeString(storage.resolve("x.txt"), "x").toUri(),
                "text/plain");
        base = Map.of(
                "BRIZO_ASSETS", assets.toString(),
                "BRIZO_GRANTS",
                        Files.writeString(work.resolve("grants.json"), "[]").toString(),
                "BRIZO_FILE_ROOTS", storage.toString());
    }

    private static String run(List<String> command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(30, TimeUnit.SECONDS), command.get(0) + " did not finish");
        assertEquals(0, p.exitValue(), String.join(" ", command) + ":\n" + output);
        return output;
    }

    private static Map<String, String> with(String... pairs) {
        Map<String, String> settings = new HashMap<>(base);
        for (int i = 0; i < pairs.length; i += 2) {
            settings.put(pairs[i], pairs[i + 1]);
        }
        return settings;
    }

    @Test
    void pemCertificateServesHttpsAndHttp2ToCurlAndPlainHttpOnTheExtraPort() throws Exception {
        try (ServeProcess serve = ServeProcess.start(
                with(
                        "BRIZO_TLS_CERT", certPem.toString(),
                        "BRIZO_TLS_KEY", keyPem.toString(),
                        "BRIZO_HTTP_PORT", "0"),
                work)) {
            serve.await(() -> serve.uris().size() == 2, Duration.ofSeconds(5), "second ready line");
            URI https = serve.uris().get(0);
            URI http = serve.uris().get(1);
            assertEquals("https", https.getScheme());
            assertEquals("http", http.getScheme());

            String out = run(List.of(
                    "curl",
                    "-sS",
                    "--max-time",
                    "10",
                    "--cacert",
                    certPem.toString(),
                    "--http2",
                    "-w",
                    "\\n%{http_version} %{response_code}",
                    https + "/health"));
            assertEquals("{\"status\":\"up\"}\n2 200", out.trim());
            String http1 = run(List.of(
                    "curl",
                    "-sS",
                    "--max-time",
                    "10",
                    "--cacert",
                    certPem.toString(),
                    "--http1.1",
                    "-w",
                    "\\n%{http_version} %{response_code}",
                    https + "/ready"));
            assertEquals("{\"status\":\"ready\"}\n1.1 200", http1.trim());
            String plain = run(List.of("curl", "-sS", "--max-time", "10", http + "/health"));
            assertEquals("{\"status\":\"up\"}", plain.trim());
        }
    }

    @Test
    void pkcs12KeystoreServesHttpsToAClientTrustingTheCertificate() throws Exception {
        try (ServeProcess serve = ServeProcess.start(
                with("BRIZO_TLS_KEYSTORE", keystore.toString(), "BRIZO_TLS_KEYSTORE_PASSWORD", PASSWORD), work)) {
            KeyStore trust = KeyStore.getInstance("PKCS12");
            trust.load(null, null);
            trust.setCertificateEntry(
                    "brizo",
                    CertificateFactory.getInstance("X.509")
                            .generateCertificate(new ByteArrayInputStream(Files.readAllBytes(certPem))));
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(trust);
            SSLContext ssl = SSLContext.getInstance("TLS");
            ssl.init(null, tmf.getTrustManagers(), null);
            HttpClient client = HttpClient.newBuilder()
                    .sslContext(ssl)
                    .connectTimeout(Duration.ofSeconds(5))
                    .build();
            HttpResponse<String> response = client.send(
                    HttpRequest.newBuilder(URI.create(serve.uri() + "/")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, response.statusCode());
            assertTrue(response.body().contains("Brizo for Java"), response.body());
            assertEquals(HttpClient.Version.HTTP_2, response.version());
            assertFalse(serve.stderr().contains(PASSWORD), "the password is in the log");
        }
    }

    @Test
    void aTlsSettingPointingAtAMissingFileStopsServeAtStartNamingIt() throws Exception {
        ServeProcess serve = ServeProcess.launch(
                with("BRIZO_TLS_CERT", work.resolve("missing-cert.pem").toString(), "BRIZO_TLS_KEY", keyPem.toString()),
                work);
        assertEquals(1, serve.exitCode(Duration.ofSeconds(30)), serve.stderr());
        String err = serve.stderr();
        assertTrue(err.contains("BRIZO_TLS_CERT"), err);
        assertTrue(err.contains("does not exist"), err);
        assertFalse(err.contains("\tat "), "a stack trace:\n" + err);
        assertTrue(serve.uris().isEmpty(), serve.stdout().toString());
    }

    @Test
    void aWrongKeystorePasswordOrAPkcs1KeyStopsServeNamingTheSettingAndHowToFixIt() throws Exception {
        ServeProcess wrongPassword = ServeProcess.launch(
                with("BRIZO_TLS_KEYSTORE", keystore.toString(), "BRIZO_TLS_KEYSTORE_PASSWORD", "not-it"), work);
        Path otherKey = work.resolve("other-key.pem");
        Files.writeString(otherKey, "-----BEGIN RSA PRIVATE KEY-----\nAAAA\n-----END RSA PRIVATE KEY-----\n");
        ServeProcess pkcs1 = ServeProcess.launch(
                with("BRIZO_TLS_CERT", certPem.toString(), "BRIZO_TLS_KEY", otherKey.toString()), work);

        assertEquals(1, wrongPassword.exitCode(Duration.ofSeconds(30)), wrongPassword.stderr());
        assertTrue(wrongPassword.stderr().contains("BRIZO_TLS_KEYSTORE_PASSWORD"), wrongPassword.stderr());
        assertFalse(wrongPassword.stderr().contains("not-it"), wrongPassword.stderr());
        assertFalse(wrongPassword.stderr().contains("\tat "), wrongPassword.stderr());

        assertEquals(1, pkcs1.exitCode(Duration.ofSeconds(30)), pkcs1.stderr());
        assertTrue(pkcs1.stderr().contains("BRIZO_TLS_KEY"), pkcs1.stderr());
        assertTrue(pkcs1.stderr().contains("openssl pkcs8 -topk8"), pkcs1.stderr());
        assertFalse(pkcs1.stderr().contains("\tat "), pkcs1.stderr());
    }

    @Test
    void helpListsEverySettingWithItsDefaultAndMeaningAndExitsZero() throws Exception {
        ServeProcess help = ServeProcess.launch(Map.of(), work, "--help");
        assertEquals(0, help.exitCode(Duration.ofSeconds(30)), help.stderr());
        String out = String.join("\n", help.stdout());
        for (String name : List.of(
                "BRIZO_TLS_CERT",
                "BRIZO_TLS_KEYSTORE_PASSWORD  (secret)",
                "BRIZO_HTTP_PORT",
                "BRIZO_IDLE_TIMEOUT  (default: 30s)",
                "BRIZO_HEADER_TIMEOUT  (default: 10s)",
                "BRIZO_MAX_CONNECTIONS",
                "BRIZO_MAX_HEADER_SIZE",
                "BRIZO_CORS_ORIGINS",
                "BRIZO_METRICS  (default: false)",
                "BRIZO_DRAIN_TIMEOUT  (default: 30s)",
                "BRIZO_PORT  (default: 8030)",
                "BRIZO_ASSETS",
                "PROVIDER_KEY  (secret)",
                "BRIZO_COMPUTE_MAX_JOBS",
                "BRIZO_HTTP_ALLOWED_NETWORKS",
                "KEEPER_URL",
                "BRIZO_DATABASE_URL  (secret)",
                "BRIZO_DATABASE_POOL_SIZE  (default: 10)")) {
            assertTrue(out.contains(name), name + " missing from:\n" + out);
        }
        for (var key : ServeSettings.ALL) {
            assertTrue(out.contains(key.description()), key.name() + "'s meaning missing");
        }
    }
}
