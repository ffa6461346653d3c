package io.brizo.state.postgres;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.brizo.Brizo;
import io.brizo.http.BrizoHttpServer;
import io.brizo.http.Routes;
import io.brizo.spi.ComputeBackend;
import io.brizo.spi.Settings;
import io.brizo.spi.StorageAccess;
import io.brizo.testkit.InMemoryStorageDriver;
import io.brizo.testkit.Polling;
import io.brizo.testkit.PublisherFiles;
import java.lang.reflect.Proxy;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Stateless transfer and upload links across two separate {@link Brizo} instances, each with its
 * own HTTP server and its own pool to one PostgreSQL database (the shared link ledger): what two
 * replicas behind a balancer see.
 */
class PostgresLinksTest {
    static final String OLD_KEY = key(1);
    static final String NEW_KEY = key(2);
    static final URI FILE = InMemoryStorageDriver.location("data/secret-input.bin");
    static final URI PREFIX = InMemoryStorageDriver.location("outputs/job-1/");
    static PostgresServer server;

    @TempDir
    Path dir;

    final InMemoryStorageDriver storage = new InMemoryStorageDriver();
    final HttpClient http = HttpClient.newHttpClient();
    final List<Replica> replicas = new ArrayList<>();
    String database;

    static String key(int b) {
        byte[] k = new byte[32];
        java.util.Arrays.fill(k, (byte) b);
        return Base64.getEncoder().encodeToString(k);
    }

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
    void setUp() throws Exception {
        database = server.createDatabase();
        storage.put(FILE, "input bytes".getBytes(StandardCharsets.UTF_8), "application/octet-stream");
    }

    @AfterEach
    void closeReplicas() {
        replicas.forEach(Replica::close);
    }

    /** One replica: a Brizo instance with its HTTP server, and the storage access its backend got. */
    record Replica(Brizo brizo, BrizoHttpServer http, StorageAccess access) {
        URI transferLink() {
            return access.transferLink(FILE, Duration.ofMinutes(5)).orElseThrow();
        }

        URI uploadLink(long maxBytes) {
            return access.uploadLink(PREFIX, Duration.ofMinutes(5), maxBytes).orElseThrow();
        }

        /** {@return {@code link} pointed at this replica: the token is all that matters} */
        URI here(URI link) {
            return URI.create(http.uri().toString().replaceAll("/$", "")
                    + link.getRawPath()
                    + (link.getRawQuery() == null ? "" : "?" + link.getRawQuery()));
        }

        void close() {
            http.close();
            brizo.close();
        }
    }

    Replica replica(String keys) throws Exception {
        return replica(keys, true);
    }

    Replica replica(String keys, boolean postgres) throws Exception {
        Map<String, String> settings = new HashMap<>();
        if (postgres) {
            settings.putAll(server.settings(database));
            settings.put("BRIZO_DATABASE_TIMEOUT", "1s");
        }
        settings.put("BRIZO_LINK_KEYS", keys);
        settings.put("BRIZO_PUBLIC_URL", "http://brizo.invalid:8030");
        settings.put(
                "BRIZO_ASSETS",
                PublisherFiles.writeAsset(
                                dir.resolve("assets-" + replicas.size() + ".json"),
                                "did:op:" + "ab".repeat(32),
                                FILE,
                                "application/octet-stream")
                        .toString());
        settings.put(
                "BRIZO_GRANTS",
                PublisherFiles.writeAccessGrant(
                                dir.resolve("grants-" + replicas.size() + ".json"),
                                "cd".repeat(32),
                                "did:op:" + "ab".repeat(32),
                                "0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266")
                        .toString());
        AtomicReference<StorageAccess> access = new AtomicReference<>();
        ComputeBackend.Factory capturing = new ComputeBackend.Factory() {
            @Override
            public String name() {
                return "capturing";
            }

            @Override
            public Optional<ComputeBackend> create(Settings s, StorageAccess a) {
                access.set(a);
                return Optional.of((ComputeBackend) Proxy.newProxyInstance(
                        ComputeBackend.class.getClassLoader(), new Class<?>[] {ComputeBackend.class}, (p, m, args) -> {
                            switch (m.getName()) {
                                case "environments", "jobs" -> {
                                    return List.of();
                                }
                                case "close" -> {
                                    return null;
                                }
                                case "toString" -> {
                                    return "stub backend";
                                }
                                case "hashCode" -> {
                                    return System.identityHashCode(p);
                                }
                                case "equals" -> {
                                    return p == args[0];
                                }
                                default -> throw new UnsupportedOperationException(m.getName());
                            }
                        }));
            }
        };
        Brizo brizo = Brizo.builder()
                .settings(Settings.builder().putAll(settings).build())
                .storageDriver(storage)
                .computeBackend(capturing)
                .discover()
                .build();
        BrizoHttpServer api =
                BrizoHttpServer.start(brizo, new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 4);
        Replica r = new Replica(brizo, api, access.get());
        replicas.add(r);
        return r;
    }

    HttpResponse<String> get(URI uri) throws Exception {
        return http.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<String> head(URI uri) throws Exception {
        return http.send(
                HttpRequest.newBuilder(uri)
                        .method("HEAD", HttpRequest.BodyPublishers.noBody())
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<String> put(URI link, String name, String body) throws Exception {
        return http.send(
                HttpRequest.newBuilder(URI.create(link + "?name=" + name))
                        .PUT(HttpRequest.BodyPublishers.ofString(body))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void aTransferLinkMadeByOneReplicaIsRedeemedThroughTheOtherExactlyOnce() throws Exception {
        Replica one = replica(OLD_KEY);
        Replica two = replica(OLD_KEY);
        URI link = one.transferLink();
        assertEquals(
                Routes.COMPUTE_TRANSFER,
                link.getPath().substring(0, link.getPath().lastIndexOf('/')));
        assertFalse(link.toString().contains("secret-input"), "the location is sealed: " + link);
        assertEquals(200, head(two.here(link)).statusCode(), "HEAD leaves it unused");
        HttpResponse<String> got = get(two.here(link));
        assertEquals(200, got.statusCode(), got.body());
        assertEquals("input bytes", got.body());
        assertEquals(404, get(one.here(link)).statusCode(), "redeemed on the other replica");
        assertEquals(404, get(two.here(link)).statusCode());
        assertEquals(404, head(one.here(link)).statusCode());
    }

    @Test
    void anUploadAllowanceSpansTheReplicas() throws Exception {
        Replica one = replica(OLD_KEY);
        Replica two = replica(OLD_KEY);
        URI link = two.uploadLink(10);
        assertEquals(201, put(one.here(link), "a.txt", "123456").statusCode());
        HttpResponse<String> over = put(two.here(link), "b.txt", "12345");
        assertEquals(400, over.statusCode(), over.body());
        assertTrue(over.body().contains("4 left"), over.body());
        assertEquals(201, put(two.here(link), "b.txt", "1234").statusCode());
        assertEquals(400, put(one.here(link), "c.txt", "1").statusCode());
        assertEquals(
                "123456", new String(storage.content(PREFIX.resolve("a.txt")).orElseThrow(), StandardCharsets.UTF_8));
        assertEquals(
                "1234", new String(storage.content(PREFIX.resolve("b.txt")).orElseThrow(), StandardCharsets.UTF_8));
    }

    @Test
    void aRotatedKeyOpensOldLinksWhileSecondAndNoneOnceRemoved() throws Exception {
        Replica old = replica(OLD_KEY);
        Replica rotated = replica(NEW_KEY + "," + OLD_KEY);
        Replica removed = replica(NEW_KEY);
        URI link = old.transferLink();
        String unknown = get(removed.here(link)).body();
        assertEquals(404, get(removed.here(link)).statusCode(), "the old key is gone");
        assertEquals(200, get(rotated.here(link)).statusCode(), "the old key, second, still opens");
        URI fresh = rotated.transferLink();
        assertEquals(404, get(old.here(fresh)).statusCode(), "the new key seals");
        assertEquals(200, get(removed.here(fresh)).statusCode());
        // a foreign key's link is refused exactly as an unknown one
        String path = link.getPath();
        URI bogus = URI.create(path.substring(0, path.lastIndexOf('/') + 1) + "A".repeat(60));
        assertEquals(unknown, get(removed.here(bogus)).body());
    }

    @Test
    void aTamperedLinkIsRefusedLikeAnUnknownOne() throws Exception {
        Replica one = replica(OLD_KEY);
        URI link = one.transferLink();
        String path = link.getPath();
        String token = path.substring(path.lastIndexOf('/') + 1);
        String base = path.substring(0, path.lastIndexOf('/') + 1);
        URI unknown = URI.create(base + "A".repeat(token.length()));
        HttpResponse<String> refusal = get(one.here(unknown));
        assertEquals(404, refusal.statusCode());
        for (int i : new int[] {0, token.length() / 2, token.length() - 1}) {
            char c = token.charAt(i);
            String tampered = token.substring(0, i) + (c == 'B' ? 'C' : 'B') + token.substring(i + 1);
            HttpResponse<String> r = get(one.here(URI.create(base + tampered)));
            assertEquals(404, r.statusCode(), r.body());
            assertEquals(refusal.body(), r.body());
        }
        String uploadToken = one.uploadLink(10).getPath().replaceAll(".*/", "");
        HttpResponse<String> asTransfer = get(one.here(URI.create(base + uploadToken)));
        assertEquals(404, asTransfer.statusCode(), "an upload token reads nothing");
        assertEquals(refusal.body(), asTransfer.body());
        assertEquals(200, get(one.here(link)).statusCode(), "the real one is untouched");
    }

    @Test
    void aRestartedReplicaBreaksNoLinkAndForgetsNoRedemption() throws Exception {
        Replica one = replica(OLD_KEY);
        URI unused = one.transferLink();
        URI used = one.transferLink();
        URI upload = one.uploadLink(10);
        assertEquals(200, get(one.here(used)).statusCode());
        assertEquals(201, put(one.here(upload), "a.txt", "12345678").statusCode());
        one.close();
        replicas.remove(one);
        Replica restarted = replica(OLD_KEY);
        assertEquals(200, get(restarted.here(unused)).statusCode());
        assertEquals(404, get(restarted.here(used)).statusCode());
        assertEquals(400, put(restarted.here(upload), "b.txt", "123").statusCode(), "8 of 10 bytes were used");
        assertEquals(201, put(restarted.here(upload), "b.txt", "12").statusCode());
    }

    @Test
    void withoutADatabaseLinksStillWorkAcrossInstancesWithTheSameKeys() throws Exception {
        Replica one = replica(OLD_KEY, false);
        Replica two = replica(OLD_KEY, false);
        URI link = one.transferLink();
        assertEquals(200, get(two.here(link)).statusCode());
        assertEquals(404, get(two.here(link)).statusCode());
    }

    @Test
    void withTheDatabaseDownLinksAreRefusedWith503AndNothingIsRedeemed() throws Exception {
        Replica one = replica(OLD_KEY);
        Replica two = replica(OLD_KEY);
        URI link = one.transferLink();
        URI upload = one.uploadLink(10);
        try {
            server.stop();
            HttpResponse<String> refused = get(two.here(link));
            assertEquals(503, refused.statusCode(), refused.body());
            assertFalse(refused.body().contains(String.valueOf(server.port())), refused.body());
            assertEquals(503, head(two.here(link)).statusCode());
            assertEquals(503, put(two.here(upload), "a.txt", "1").statusCode());
            assertTrue(storage.content(PREFIX.resolve("a.txt")).isEmpty(), "nothing written");
            assertEquals(
                    404, get(two.here(URI.create(link.getPath() + "x"))).statusCode(), "a bad token needs no database");
        } finally {
            server.restart();
        }
        int status = Polling.until(
                Duration.ofSeconds(15),
                () -> get(one.here(link)).statusCode(),
                answer -> answer != 503,
                answer -> "the link stayed refused after PostgreSQL came back");
        assertEquals(200, status, "not redeemed during the outage, so it reads once now");
        assertEquals(404, get(two.here(link)).statusCode());
        assertEquals(201, put(two.here(upload), "a.txt", "1").statusCode());
    }
}
