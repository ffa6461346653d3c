package io.brizo.storage.http;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.brizo.spi.BrizoException;
import io.brizo.spi.ByteRange;
import io.brizo.spi.ErrorKind;
import io.brizo.spi.StorageObject;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.SecureRequestCustomizer;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.server.handler.ResourceHandler;
import org.eclipse.jetty.util.resource.ResourceFactory;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * HTTPS through the guarded socket factory: OkHttp layers TLS over the plain socket the factory
 * made, so the address check and TLS must work together. A real Jetty HTTPS server on 127.0.0.1
 * with a certificate made by the JDK's keytool for this run.
 */
class HttpStorageDriverTlsTest {
    private static final char[] PASSWORD = "test-only".toCharArray();

    @TempDir
    static Path dir;

    private static Server server;
    private static int port;
    private static SSLContext clientTls;
    private static X509TrustManager trustManager;
    private static final byte[] CONTENT = new byte[100_000];

    @BeforeAll
    static void startHttpsServer() throws Exception {
        new Random(1).nextBytes(CONTENT);
        Path docs = Files.createDirectory(dir.resolve("docs"));
        Files.write(docs.resolve("data.bin"), CONTENT);
        Path keystore = dir.resolve("server.p12");
        Process keytool = new ProcessBuilder(
                        Path.of(System.getProperty("java.home"), "bin", "keytool")
                                .toString(),
                        "-genkeypair",
                        "-alias",
                        "server",
                        "-keyalg",
                        "EC",
                        "-groupname",
                        "secp256r1",
                        "-dname",
                        "CN=127.0.0.1",
                        "-ext",
                        "SAN=ip:127.0.0.1",
                        "-validity",
                        "2",
                        "-storetype",
                        "PKCS12",
                        "-keystore",
                        keystore.toString(),
                        "-storepass",
                        new String(PASSWORD))
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("keytool.log").toFile())
                .start();
        assertTrue(keytool.waitFor(60, TimeUnit.SECONDS), "keytool finished");
        assertEquals(0, keytool.exitValue(), () -> readLog(dir.resolve("keytool.log")));

        SslContextFactory.Server tls = new SslContextFactory.Server();
        tls.setKeyStorePath(keystore.toString());
        tls.setKeyStorePassword(new String(PASSWORD));
        tls.setKeyStoreType("PKCS12");
        server = new Server();
        HttpConfiguration config = new HttpConfiguration();
        config.addCustomizer(new SecureRequestCustomizer(false));
        ServerConnector https = new ServerConnector(
                server, new SslConnectionFactory(tls, "http/1.1"), new HttpConnectionFactory(config));
        https.setHost("127.0.0.1");
        https.setPort(0);
        server.addConnector(https);
        ResourceHandler files = new ResourceHandler();
        files.setBaseResource(ResourceFactory.of(server).newResource(docs));
        server.setHandler(files);
        server.start();
        port = https.getLocalPort();

        // The client trusts exactly the server's certificate.
        KeyStore serverStore = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(keystore)) {
            serverStore.load(in, PASSWORD);
        }
        KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
        trust.load(null, null);
        trust.setCertificateEntry("server", serverStore.getCertificate("server"));
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        trustManager = (X509TrustManager) tmf.getTrustManagers()[0];
        clientTls = SSLContext.getInstance("TLS");
        clientTls.init(null, new javax.net.ssl.TrustManager[] {trustManager}, null);
    }

    @AfterAll
    static void stopServer() throws Exception {
        if (server != null) {
            server.stop();
        }
    }

    private static String readLog(Path log) {
        try {
            return Files.readString(log);
        } catch (Exception e) {
            return "(no keytool output)";
        }
    }

    private static HttpStorageDriver driver(List<Cidr> allowed) {
        return new HttpStorageDriver(
                HttpStorageDriverFactory.clientBuilder(
                                AddressPolicy.allowing(allowed), Duration.ofSeconds(5), Duration.ofSeconds(5))
                        .sslSocketFactory(clientTls.getSocketFactory(), trustManager)
                        .build(),
                5);
    }

    @Test
    void httpsLocationIsReadThroughTheGuardedSockets() throws Exception {
        URI uri = URI.create("https://127.0.0.1:" + port + "/data.bin");
        try (HttpStorageDriver driver = driver(List.of(Cidr.parse("127.0.0.1/32")))) {
            assertEquals(CONTENT.length, driver.stat(uri).size());
            try (StorageObject o = driver.open(uri, ByteRange.of(1000, 1999))) {
                assertArrayEquals(
                        java.util.Arrays.copyOfRange(CONTENT, 1000, 2000),
                        o.stream().readAllBytes());
            }
        }
    }

    @Test
    void httpsToARefusedAddressIsRefusedBeforeTheHandshake() {
        URI uri = URI.create("https://127.0.0.1:" + port + "/data.bin");
        try (HttpStorageDriver driver = driver(List.of())) {
            BrizoException e = assertThrows(BrizoException.class, () -> driver.stat(uri));
            assertEquals(ErrorKind.UPSTREAM_FAILED, e.kind());
            assertFalse(e.retryable());
            assertEquals(HttpStorageDriver.REFUSED_MESSAGE, e.getMessage());
        }
    }

    @Test
    void untrustedCertificateIsAnUpstreamFailureThatIsNotRetried() {
        URI uri = URI.create("https://127.0.0.1:" + port + "/data.bin");
        HttpStorageDriver driver = new HttpStorageDriver(
                HttpStorageDriverFactory.clientBuilder(
                                AddressPolicy.allowing(List.of(Cidr.parse("127.0.0.1/32"))),
                                Duration.ofSeconds(5),
                                Duration.ofSeconds(5))
                        .build(),
                5);
        try (driver) {
            BrizoException e = assertThrows(BrizoException.class, () -> driver.stat(uri));
            assertEquals(ErrorKind.UPSTREAM_FAILED, e.kind(), e.toString());
            assertFalse(e.retryable());
            assertFalse(e.getMessage().contains("127.0.0.1"), e.getMessage());
        }
    }
}
