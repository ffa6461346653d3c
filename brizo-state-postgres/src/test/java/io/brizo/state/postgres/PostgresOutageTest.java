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
import io.brizo.testkit.Polling;
import io.brizo.testkit.PublisherFiles;
import io.brizo.testkit.TestConsumer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.LongFunction;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** PostgreSQL stopped under a running store: refused as UNAVAILABLE, nothing accepted, then back. */
class PostgresOutageTest {
    static final String ALICE = "0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266";
    static PostgresServer server;

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

    @Test
    void storeFailsClosedWhileTheDatabaseIsDownAndRecoversWhenItIsBack() throws Exception {
        String database = server.createDatabase();
        Map<String, String> settings = new java.util.HashMap<>(server.settings(database));
        settings.put("BRIZO_DATABASE_TIMEOUT", "1s");
        try (NonceStore store =
                PostgresNonceStore.open(Settings.builder().putAll(settings).build())) {
            assertTrue(store.tryAccept(ALICE, 1));
            server.stop();
            for (long nonce = 2; nonce <= 3; nonce++) {
                long n = nonce;
                long started = System.nanoTime();
                BrizoException e = assertThrows(BrizoException.class, () -> store.tryAccept(ALICE, n));
                long millis = (System.nanoTime() - started) / 1_000_000;
                assertEquals(ErrorKind.UNAVAILABLE, e.kind(), e.toString());
                assertTrue(e.retryable());
                assertTrue(millis < 5_000, "refused after " + millis + " ms");
                assertNoSecrets(e, database);
            }
            server.restart();
            // the pool replaces its broken connections; the first calls may still meet one
            Optional<Boolean> accepted = Polling.until(
                    Duration.ofSeconds(15),
                    () -> {
                        try {
                            return Optional.of(store.tryAccept(ALICE, 2));
                        } catch (BrizoException e) {
                            assertEquals(ErrorKind.UNAVAILABLE, e.kind());
                            return Optional.<Boolean>empty();
                        }
                    },
                    Optional::isPresent,
                    last -> "the store stayed unavailable after PostgreSQL came back");
            assertTrue(accepted.get(), "nonce 2 was refused during the outage, so it is new now");
            assertFalse(store.tryAccept(ALICE, 1), "nonce 1, accepted before the outage, is still known");
            assertFalse(store.tryAccept(ALICE, 2));
            assertTrue(store.tryAccept(ALICE, 3));
        } finally {
            server.restart();
        }
    }

    @Test
    void consumeOverHttpIs503WhileTheDatabaseIsDownAndWorksWhenItIsBack(@TempDir Path dir) throws Exception {
        String did = "did:op:" + "ab".repeat(32);
        String agreement = "cd".repeat(32);
        TestConsumer consumer = TestConsumer.random();
        InMemoryStorageDriver storage = new InMemoryStorageDriver();
        URI file = InMemoryStorageDriver.location("data.bin");
        storage.put(file, "hello".getBytes(StandardCharsets.UTF_8), "application/octet-stream");
        Map<String, String> settings = new HashMap<>(server.settings(server.createDatabase()));
        settings.put("BRIZO_DATABASE_TIMEOUT", "1s");
        settings.put(
                "BRIZO_ASSETS",
                PublisherFiles.writeAsset(dir.resolve("assets.json"), did, file, "application/octet-stream")
                        .toString());
        settings.put(
                "BRIZO_GRANTS",
                PublisherFiles.writeAccessGrant(dir.resolve("grants.json"), agreement, did, consumer.address())
                        .toString());
        HttpClient http = HttpClient.newHttpClient();
        try (Brizo brizo = Brizo.builder()
                        .settings(Settings.builder().putAll(settings).build())
                        .storageDriver(storage)
                        .discover()
                        .build();
                BrizoHttpServer api =
                        BrizoHttpServer.start(brizo, new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 4)) {
            LongFunction<HttpResponse<String>> consume = nonce -> {
                URI uri = URI.create(api.uri() + Routes.CONSUME + "?serviceAgreementId=" + agreement
                        + "&consumerAddress=" + consumer.address() + "&signature="
                        + consumer.signWithNonce(agreement, nonce) + "&index=0&nonce=" + nonce);
                try {
                    return http.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString());
                } catch (Exception e) {
                    throw new AssertionError(e);
                }
            };
            assertEquals(200, consume.apply(1).statusCode());
            server.stop();
            HttpResponse<String> refused = consume.apply(2);
            assertEquals(503, refused.statusCode(), refused.body());
            assertTrue(refused.body().contains("UNAVAILABLE"), refused.body());
            assertFalse(refused.body().contains(String.valueOf(server.port())), refused.body());
            server.restart();
            int status = Polling.until(
                    Duration.ofSeconds(15),
                    () -> consume.apply(2).statusCode(),
                    answer -> {
                        if (answer != 200) {
                            assertEquals(503, answer);
                        }
                        return answer == 200;
                    },
                    answer -> "still " + answer + " after PostgreSQL came back");
            assertEquals(200, status, "nonce 2, refused during the outage, is accepted once the database is back");
            assertEquals(401, consume.apply(2).statusCode());
            assertEquals(401, consume.apply(1).statusCode());
        } finally {
            server.restart();
        }
    }

    /** Fails if a message in {@code e}'s cause chain names the password, user, database, host or port. */
    static void assertNoSecrets(Throwable e, String database) {
        StringBuilder messages = new StringBuilder();
        for (Throwable t = e; t != null; t = t.getCause()) {
            messages.append(t).append('\n');
        }
        String all = messages.toString();
        for (String secret : new String[] {
            PostgresServer.PASSWORD, PostgresServer.USER, database, "127.0.0.1", String.valueOf(server.port())
        }) {
            assertFalse(all.contains(secret), "'" + secret + "' in " + all);
        }
    }
}
