package io.brizo.state.postgres;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.brizo.Brizo;
import io.brizo.auth.NonceStore;
import io.brizo.http.BrizoHttpServer;
import io.brizo.http.Routes;
import io.brizo.spi.BrizoException;
import io.brizo.spi.ErrorKind;
import io.brizo.spi.Settings;
import io.brizo.testkit.InMemoryStorageDriver;
import io.brizo.testkit.PublisherFiles;
import io.brizo.testkit.TestConsumer;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Discovery through settings, the errors of wrong settings, and replays over real HTTP. */
class PostgresNonceStoreFactoryTest {
    static final String DID = "did:op:" + "ab".repeat(32);
    static final String AGREEMENT = "cd".repeat(32);
    static PostgresServer server;

    @TempDir
    Path dir;

    final TestConsumer consumer = TestConsumer.random();
    final HttpClient http = HttpClient.newHttpClient();
    final InMemoryStorageDriver storage = new InMemoryStorageDriver();
    String database;
    Map<String, String> publisher;

    @BeforeAll
    static void startServer() throws Exception {
        server = PostgresServer.start();
    }

    @AfterAll
    static void stopServer() throws Exception {
        if (server != null) {
            server.close();
        }
    }

    @BeforeEach
    void publisher() throws Exception {
        database = server.createDatabase();
        URI file = InMemoryStorageDriver.location("data.bin");
        storage.put(file, "hello".getBytes(StandardCharsets.UTF_8), "application/octet-stream");
        publisher = new HashMap<>(server.settings(database));
        publisher.put(
                "BRIZO_ASSETS",
                PublisherFiles.writeAsset(dir.resolve("assets.json"), DID, file, "application/octet-stream")
                        .toString());
        publisher.put(
                "BRIZO_GRANTS",
                PublisherFiles.writeAccessGrant(dir.resolve("grants.json"), AGREEMENT, DID, consumer.address())
                        .toString());
    }

    Brizo replica(Map<String, String> settings) {
        return Brizo.builder()
                .settings(Settings.builder().putAll(settings).build())
                .storageDriver(storage)
                .discover()
                .build();
    }

    static BrizoHttpServer serve(Brizo brizo) {
        return BrizoHttpServer.start(brizo, new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 4);
    }

    int consume(URI base, long nonce) throws Exception {
        URI uri = URI.create(base + Routes.CONSUME + "?serviceAgreementId=" + AGREEMENT + "&consumerAddress="
                + consumer.address() + "&signature=" + consumer.signWithNonce(AGREEMENT, nonce) + "&index=0&nonce="
                + nonce);
        return http.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.discarding())
                .statusCode();
    }

    @Test
    void serviceLoaderFindsTheFactory() {
        List<String> names = ServiceLoader.load(NonceStore.Factory.class).stream()
                .map(p -> p.type().getName())
                .toList();
        assertTrue(names.contains(PostgresNonceStoreFactory.class.getName()), names.toString());
    }

    @Test
    void withoutADatabaseUrlTheFactoryMakesNothing() {
        assertTrue(new PostgresNonceStoreFactory()
                .create(Settings.builder().put("BRIZO_DATABASE_USER", "x").build())
                .isEmpty());
    }

    @Test
    void aNonceReplayedOverHttpToTheSameOrAnotherReplicaIs401() throws Exception {
        try (Brizo one = replica(publisher);
                Brizo two = replica(publisher);
                BrizoHttpServer http1 = serve(one);
                BrizoHttpServer http2 = serve(two)) {
            assertEquals(200, consume(http1.uri(), 100));
            assertEquals(401, consume(http1.uri(), 100), "replayed to the same replica");
            assertEquals(401, consume(http2.uri(), 100), "replayed to the other replica");
            assertEquals(200, consume(http2.uri(), 101));
            assertEquals(401, consume(http1.uri(), 101), "replayed back to the first replica");
        }
        // the nonces are in the database, and survive both replicas
        try (Connection c = server.connect(database);
                Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("SELECT address, nonce FROM brizo_nonces")) {
            assertTrue(rs.next());
            assertEquals(consumer.address(), rs.getString(1));
            assertEquals(101, rs.getLong(2));
        }
        try (Brizo restarted = replica(publisher);
                BrizoHttpServer http3 = serve(restarted)) {
            assertEquals(401, consume(http3.uri(), 101), "replayed after a restart of every replica");
        }
    }

    @Test
    void anExplicitNonceStoreWinsOverTheDatabaseSettings() throws Exception {
        Map<String, String> settings = new HashMap<>(publisher);
        settings.put("BRIZO_DATABASE_URL", "jdbc:postgresql://127.0.0.1:" + closedPort() + "/nowhere");
        NonceStore explicit = NonceStore.inMemory();
        try (Brizo brizo = Brizo.builder()
                        .settings(Settings.builder().putAll(settings).build())
                        .storageDriver(storage)
                        .nonceStore(explicit)
                        .discover()
                        .build();
                BrizoHttpServer http1 = serve(brizo)) {
            assertEquals(200, consume(http1.uri(), 7));
            assertFalse(explicit.tryAccept(consumer.address(), 7), "the explicit store recorded the nonce");
        }
    }

    @Test
    void aDatabaseUrlWithANonceFileIsAConfigurationErrorNamingBoth() {
        Map<String, String> settings = new HashMap<>(publisher);
        settings.put("BRIZO_NONCE_FILE", dir.resolve("nonces").toString());
        BrizoException e = assertThrows(BrizoException.class, () -> replica(settings));
        assertEquals(ErrorKind.CONFIGURATION, e.kind());
        assertTrue(e.getMessage().contains("BRIZO_DATABASE_URL"), e.getMessage());
        assertTrue(e.getMessage().contains("BRIZO_NONCE_FILE"), e.getMessage());
    }

    @Test
    void aWrongPasswordFailsAtStartNamingTheSettingNotTheSecret() {
        String wrong = "not-the-password-42";
        startFails(
                s -> s.put("BRIZO_DATABASE_PASSWORD", wrong),
                ErrorKind.CONFIGURATION,
                "BRIZO_DATABASE_PASSWORD",
                wrong);
    }

    @Test
    void aWrongUserFailsAtStartNamingTheSetting() {
        startFails(
                s -> s.put("BRIZO_DATABASE_USER", "mallory_user"),
                ErrorKind.CONFIGURATION,
                "BRIZO_DATABASE_USER",
                "mallory_user");
    }

    @Test
    void aUserCarriedByTheUrlIsUsed() throws Exception {
        Map<String, String> settings = new HashMap<>(publisher);
        settings.remove("BRIZO_DATABASE_USER");
        settings.put("BRIZO_DATABASE_URL", server.jdbcUrl(database) + "?user=" + PostgresServer.USER);
        try (Brizo brizo = replica(settings);
                BrizoHttpServer http1 = serve(brizo)) {
            assertEquals(200, consume(http1.uri(), 1));
            assertEquals(401, consume(http1.uri(), 1));
        }
    }

    @Test
    void anUnknownDatabaseFailsAtStartNamingTheUrl() {
        startFails(
                s -> s.put("BRIZO_DATABASE_URL", server.jdbcUrl("no_such_db")),
                ErrorKind.CONFIGURATION,
                "BRIZO_DATABASE_URL",
                "no_such_db");
    }

    @Test
    void anUnreachableDatabaseFailsAtStartNamingTheUrl() throws Exception {
        int port = closedPort();
        String log = startFails(
                s -> s.put("BRIZO_DATABASE_URL", "jdbc:postgresql://127.0.0.1:" + port + "/brizo"),
                ErrorKind.UNAVAILABLE,
                "BRIZO_DATABASE_URL",
                String.valueOf(port));
        // what was logged meanwhile was captured, and names neither the host nor the port
        assertTrue(log.contains("cannot reach the database at start"), log);
        assertFalse(log.contains("127.0.0.1"), log);
    }

    @Test
    void aMalformedUrlFailsAtStartNamingTheSettingNotItsValue() {
        startFails(
                s -> s.put("BRIZO_DATABASE_URL", "postgres://alice:hunter2@db/brizo"),
                ErrorKind.CONFIGURATION,
                "BRIZO_DATABASE_URL",
                "hunter2");
    }

    @Test
    void aMalformedPoolSizeFailsAtStartNamingIt() {
        startFails(
                s -> s.put("BRIZO_DATABASE_POOL_SIZE", "0"),
                ErrorKind.CONFIGURATION,
                "BRIZO_DATABASE_POOL_SIZE",
                PostgresServer.PASSWORD);
    }

    @Test
    void settingsShowNeitherThePasswordNorTheUrl() {
        String shown = Settings.builder().putAll(publisher).build().toString();
        assertFalse(shown.contains(PostgresServer.PASSWORD), shown);
        assertFalse(shown.contains(server.jdbcUrl(database)), shown);
        assertTrue(PostgresSettings.PASSWORD.secret());
        assertTrue(PostgresSettings.URL.secret());
    }

    /**
     * Starts a publisher with {@code change} applied to its settings and expects it to fail with
     * {@code kind}, a message naming {@code setting}, and neither {@code secret} nor the password
     * in its messages or in anything logged meanwhile.
     */
    String startFails(Consumer<Map<String, String>> change, ErrorKind kind, String setting, String secret) {
        Map<String, String> settings = new HashMap<>(publisher);
        change.accept(settings);
        PrintStream err = System.err;
        ByteArrayOutputStream logged = new ByteArrayOutputStream();
        BrizoException e;
        System.setErr(new PrintStream(logged, true, StandardCharsets.UTF_8));
        try {
            e = assertThrows(BrizoException.class, () -> replica(settings));
        } finally {
            System.setErr(err);
        }
        String log = logged.toString(StandardCharsets.UTF_8);
        err.print(log);
        assertEquals(kind, e.kind(), e.toString());
        assertTrue(e.getMessage().contains(setting), e.getMessage());
        StringBuilder messages = new StringBuilder();
        for (Throwable t = e; t != null; t = t.getCause()) {
            messages.append(t).append('\n');
        }
        for (String s : new String[] {secret, PostgresServer.PASSWORD, "hunter2"}) {
            assertFalse(messages.toString().contains(s), "'" + s + "' in " + messages);
            assertFalse(log.contains(s), "'" + s + "' logged: " + log);
        }
        return log;
    }

    static int closedPort() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
