package io.brizo.state.postgres;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.brizo.auth.NonceStore;
import io.brizo.spi.Settings;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Two stores with pools of their own over one database, as two replicas of a publisher. */
class PostgresReplicasTest {
    static final String ALICE = "0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266";
    static PostgresServer server;

    final List<NonceStore> opened = new ArrayList<>();
    String database;

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
    void newDatabase() throws Exception {
        database = server.createDatabase();
    }

    @AfterEach
    void closeStores() {
        opened.forEach(NonceStore::close);
    }

    NonceStore replica() {
        NonceStore store = PostgresNonceStore.open(
                Settings.builder().putAll(server.settings(database)).build());
        opened.add(store);
        return store;
    }

    @Test
    void aNonceAcceptedByOneReplicaIsRefusedByTheOther() {
        NonceStore one = replica();
        NonceStore two = replica();
        assertTrue(one.tryAccept(ALICE, 10));
        assertFalse(two.tryAccept(ALICE, 10), "replayed to the other replica");
        assertFalse(two.tryAccept(ALICE.toUpperCase().replace("0X", "0x"), 9), "an older nonce, other spelling");
        assertTrue(two.tryAccept(ALICE, 11));
        assertFalse(one.tryAccept(ALICE, 11), "replayed back to the first");
    }

    @Test
    void fiftyThreadsRacingOneNonceOverTwoReplicasLetExactlyOnePass() throws Exception {
        NonceStore[] replicas = {replica(), replica()};
        ExecutorService pool = Executors.newFixedThreadPool(50);
        try {
            for (long nonce = 1; nonce <= 10; nonce++) {
                CountDownLatch ready = new CountDownLatch(50);
                CountDownLatch go = new CountDownLatch(1);
                List<Future<Boolean>> results = new ArrayList<>();
                for (int t = 0; t < 50; t++) {
                    NonceStore store = replicas[t % 2];
                    long n = nonce;
                    results.add(pool.submit(() -> {
                        ready.countDown();
                        go.await();
                        return store.tryAccept(ALICE, n);
                    }));
                }
                ready.await();
                go.countDown();
                int passed = 0;
                for (Future<Boolean> r : results) {
                    passed += r.get(30, TimeUnit.SECONDS) ? 1 : 0;
                }
                assertEquals(1, passed, "requests that passed with nonce " + nonce);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void replicasStartingAtOnceOnAnEmptyDatabaseMigrateItOnce() throws Exception {
        int replicas = 6;
        ExecutorService pool = Executors.newFixedThreadPool(replicas);
        try {
            CountDownLatch go = new CountDownLatch(1);
            List<Future<NonceStore>> started = new ArrayList<>();
            for (int i = 0; i < replicas; i++) {
                started.add(pool.submit(() -> {
                    go.await();
                    return replica();
                }));
            }
            go.countDown();
            for (Future<NonceStore> f : started) {
                f.get(60, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        try (Connection c = server.connect(database);
                Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("SELECT version, script FROM brizo_schema_version ORDER BY version")) {
            assertTrue(rs.next());
            assertEquals(1, rs.getInt(1));
            assertEquals("V1__nonces.sql", rs.getString(2));
            assertTrue(rs.next());
            assertEquals(2, rs.getInt(1));
            assertEquals("V2__links.sql", rs.getString(2));
            assertFalse(rs.next(), "one row per version");
        }
    }

    @Test
    void aRestartedReplicaKeepsTheNonces() {
        NonceStore one = replica();
        assertTrue(one.tryAccept(ALICE, 5));
        one.close();
        NonceStore restarted = replica();
        assertFalse(restarted.tryAccept(ALICE, 5));
        assertTrue(restarted.tryAccept(ALICE, 6));
    }

    @Test
    void aDatabaseAtVersion1IsMigratedToVersion2KeepingItsNonces() throws Exception {
        try (Connection c = server.connect(database);
                Statement st = c.createStatement()) {
            st.execute("CREATE TABLE brizo_schema_version (version integer PRIMARY KEY, script text NOT NULL,"
                    + " applied_at timestamptz NOT NULL DEFAULT now())");
            st.execute(new String(
                    Schema.class.getResourceAsStream("schema/V1__nonces.sql").readAllBytes(),
                    java.nio.charset.StandardCharsets.UTF_8));
            st.execute("INSERT INTO brizo_schema_version (version, script) VALUES (1, 'V1__nonces.sql')");
            st.execute("INSERT INTO brizo_nonces (address, nonce) VALUES ('" + ALICE + "', 7)");
        }
        NonceStore store = replica();
        assertFalse(store.tryAccept(ALICE, 7));
        try (Connection c = server.connect(database);
                Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("SELECT max(version) FROM brizo_schema_version")) {
            assertTrue(rs.next());
            assertEquals(2, rs.getInt(1));
            st.execute("SELECT id, expires_at, bytes, files FROM brizo_links");
        }
    }

    @Test
    void aDatabaseWithANewerSchemaIsRefusedAtStart() throws Exception {
        replica().close();
        try (Connection c = server.connect(database);
                Statement st = c.createStatement()) {
            st.execute("INSERT INTO brizo_schema_version (version, script) VALUES (99, 'V99__future.sql')");
        }
        io.brizo.spi.BrizoException e =
                org.junit.jupiter.api.Assertions.assertThrows(io.brizo.spi.BrizoException.class, this::replica);
        assertEquals(io.brizo.spi.ErrorKind.CONFIGURATION, e.kind());
        assertTrue(e.getMessage().contains("schema version 99"), e.getMessage());
    }
}
