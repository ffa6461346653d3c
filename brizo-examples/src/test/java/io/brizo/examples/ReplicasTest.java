package io.brizo.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.brizo.http.Routes;
import io.brizo.internal.compute.links.InMemoryLinkLedger;
import io.brizo.internal.compute.links.LinkKeys;
import io.brizo.internal.compute.links.TransferLinks;
import io.brizo.state.postgres.PostgresServer;
import io.brizo.testkit.Polling;
import io.brizo.testkit.PublisherFiles;
import io.brizo.testkit.TestConsumer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three {@code serve} replicas (separate JVMs, the same catalogue and grants) sharing their nonces
 * in a private PostgreSQL, behind a real round-robin HAProxy ({@code test-servers/haproxy}) on
 * 127.0.0.1 that checks {@code /ready}: a nonce is accepted once across all replicas, whichever
 * receives it, even when one replica is killed; with PostgreSQL down, nonce requests (and links)
 * are refused with 503 (fail closed) and served again once it is back. The cases run in order: the
 * kill and the outage change the cluster for the ones after them.
 *
 * <p>The replicas also share compute links (issue 19, item 3): every replica has the same {@code
 * BRIZO_LINK_KEYS} and the balancer's URL as {@code BRIZO_PUBLIC_URL}, and keeps the link ledger in
 * the same PostgreSQL. A transfer link is read once through the balancer, whichever replica answers,
 * and then refused by every replica (also when 30 reads race); an upload link's allowance is spent
 * across the replicas; a link that the killed replica peeked at or spent from still works through
 * the survivors, with what it spent still spent.
 *
 * <p>The links are sealed by the test, not by a replica: in a {@code serve} replica only the
 * Kubernetes compute backend makes links (for its pods), and running it needs a Kubernetes API
 * server. The test seals them with the library's own {@link TransferLinks} under the very key the
 * replicas are given, and builds the URL as {@code LinkingStorageAccess} does, so the replicas see
 * exactly the tokens a backend would hand out; everything from the HTTP request on is the replicas'.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ReplicasTest {
    private static final String AGREEMENT = "7a".repeat(32);
    private static final String DID = "did:op:" + "3b".repeat(32);
    private static final String CONTENT = "replica,row\n1,2\n";
    private static final int REPLICAS = 3;
    private static final Path HAPROXY = Path.of("/usr/sbin/haproxy");

    @TempDir
    static Path work;

    private static PostgresServer postgres;
    private static final List<ServeProcess> replicas = new ArrayList<>();
    private static Process haproxy;
    private static Path haproxyLog;
    private static URI balancer;
    private static ServerSocket balancerPort;
    private static final TestConsumer consumer = TestConsumer.random();
    /** The consumer's nonces: each request in sequence takes the next one. */
    private static final AtomicLong nonces = new AtomicLong(System.currentTimeMillis());

    /** The one key of every replica's {@code BRIZO_LINK_KEYS}; the test seals its links with it too. */
    private static final byte[] LINK_KEY = randomKey();
    /**
     * Seals links as a replica does for its compute backend ({@code LinkingStorageAccess} over the
     * same {@link TransferLinks}): the replicas' only producer of links is the Kubernetes backend,
     * so the test stands in for it. Its own ledger is never asked: the replicas redeem.
     */
    private static final TransferLinks LINKS = new TransferLinks(
            LinkKeys.of(List.of(LINK_KEY)), new InMemoryLinkLedger(Clock.systemUTC(), 16), Clock.systemUTC());
    /** Links that r2 saw before it is killed: a transfer link it peeked at, an upload link it spent from. */
    private static URI transferSeenByR2;

    private static URI uploadSpentOnR2;

    private static final HttpClient CLIENT = HttpClient.newBuilder()
            .connectTimeout(Duration.ofSeconds(5))
            .version(HttpClient.Version.HTTP_1_1)
            .build();

    @BeforeAll
    static void startCluster() throws Exception {
        postgres = PostgresServer.start();
        Path storage = Files.createDirectories(work.resolve("storage"));
        Path data = Files.writeString(storage.resolve("data.csv"), CONTENT);
        Path assets = PublisherFiles.writeAsset(work.resolve("assets.json"), DID, data.toUri(), "text/csv");
        Path grants = PublisherFiles.writeAccessGrant(work.resolve("grants.json"), AGREEMENT, DID, consumer.address());
        // The balancer's port is chosen first: it is the public URL every replica is given. It stays
        // taken until HAProxy binds it, so that no replica's free port (BRIZO_PORT=0) can be it.
        balancerPort = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        balancer = URI.create("http://127.0.0.1:" + balancerPort.getLocalPort());
        Map<String, String> settings = new HashMap<>(postgres.settings(postgres.createDatabase()));
        settings.put("BRIZO_DATABASE_TIMEOUT", "1s");
        settings.put("BRIZO_NONCE_REQUIRED", "true");
        settings.put("BRIZO_ASSETS", assets.toString());
        settings.put("BRIZO_GRANTS", grants.toString());
        settings.put("BRIZO_FILE_ROOTS", storage.toString());
        settings.put("BRIZO_PUBLIC_URL", balancer.toString());
        settings.put("BRIZO_LINK_KEYS", Base64.getEncoder().encodeToString(LINK_KEY));
        // BRIZO_HOST=127.0.0.1 and BRIZO_PORT=0 (a free port) come from ServeProcess.
        for (int i = 0; i < REPLICAS; i++) {
            replicas.add(ServeProcess.launch(settings, work));
        }
        for (ServeProcess replica : replicas) {
            replica.await(() -> !replica.uris().isEmpty(), Duration.ofSeconds(60), "the ready line");
        }
        startHaproxy();
    }

    /** HAProxy in the foreground (-db) with the configuration a publisher would use, on a free port. */
    private static void startHaproxy() throws Exception {
        assertTrue(
                Files.isExecutable(HAPROXY), "no " + HAPROXY + ": run test-servers/haproxy/install.sh (apt haproxy)");
        int port = balancer.getPort();
        StringBuilder config = new StringBuilder("""
                global
                    maxconn 1000
                defaults
                    mode http
                    timeout connect 1s
                    timeout client 30s
                    timeout server 30s
                    timeout check 1s
                    # a connection refused (a replica just killed) is retried on another replica;
                    # nothing that reached a replica is retried
                    retries 3
                    option redispatch 1
                frontend brizo
                    bind 127.0.0.1:%d
                    # which replica answered, for the test only
                    http-response set-header X-Served-By %%s
                    default_backend replicas
                backend replicas
                    balance roundrobin
                    option httpchk GET /ready
                    http-check expect status 200
                    default-server check inter 300ms fall 2 rise 2
                """.formatted(port));
        for (int i = 0; i < REPLICAS; i++) {
            URI uri = replicas.get(i).uri();
            config.append("    server r")
                    .append(i + 1)
                    .append(' ')
                    .append(uri.getHost())
                    .append(':')
                    .append(uri.getPort())
                    .append('\n');
        }
        Path cfg = Files.writeString(work.resolve("haproxy.cfg"), config.toString());
        balancerPort.close();
        haproxyLog = work.resolve("haproxy.log");
        haproxy = new ProcessBuilder(HAPROXY.toString(), "-db", "-f", cfg.toString())
                .redirectErrorStream(true)
                .redirectOutput(haproxyLog.toFile())
                .start();
        Polling.until(
                Duration.ofSeconds(20),
                () -> {
                    assertTrue(haproxy.isAlive(), "haproxy exited: " + haproxyLog());
                    try {
                        return get(balancer, "/ready").statusCode();
                    } catch (IOException notYet) {
                        return -1; // not listening yet
                    }
                },
                status -> status == 200,
                status -> "haproxy never answered: " + haproxyLog());
    }

    @AfterAll
    static void stopCluster() throws Exception {
        if (balancerPort != null) {
            balancerPort.close(); // a start that failed before HAProxy
        }
        try {
            if (haproxy != null) {
                haproxy.destroy();
                if (!haproxy.waitFor(10, TimeUnit.SECONDS)) {
                    haproxy.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                }
            }
        } finally {
            try {
                for (ServeProcess replica : replicas) {
                    replica.close();
                }
            } finally {
                if (postgres != null) {
                    postgres.close();
                }
            }
        }
    }

    /** A signed consume request: its nonce and the path that carries it. */
    private record Signed(long nonce, String path) {}

    private static Signed sign(long nonce) {
        return new Signed(
                nonce,
                Routes.CONSUME + "?serviceAgreementId=" + AGREEMENT + "&consumerAddress=" + consumer.address()
                        + "&signature=" + consumer.signWithNonce(AGREEMENT, nonce) + "&nonce=" + nonce + "&index=0");
    }

    private static Signed next() {
        return sign(nonces.incrementAndGet());
    }

    private static HttpResponse<String> get(URI base, String path) throws IOException, InterruptedException {
        return CLIENT.send(
                HttpRequest.newBuilder(URI.create(base + path))
                        .timeout(Duration.ofSeconds(15))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static byte[] randomKey() {
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        return key;
    }

    /** {@return a transfer link under the public URL (the balancer) that reads the catalogue's file once} */
    private static URI transferLink() {
        URI data = work.resolve("storage").resolve("data.csv").toUri();
        return URI.create(balancer + Routes.COMPUTE_TRANSFER + "/" + LINKS.create(data, Duration.ofMinutes(5)));
    }

    /** {@return an upload link under the public URL that writes up to {@code maxBytes} under {@code job}'s folder} */
    private static URI uploadLink(String job, long maxBytes) {
        URI prefix = work.resolve("storage").toUri().resolve("outputs/" + job + "/");
        return URI.create(
                balancer + Routes.COMPUTE_UPLOAD + "/" + LINKS.createUpload(prefix, Duration.ofMinutes(5), maxBytes));
    }

    /** {@return {@code link} sent to {@code replica} directly rather than through the balancer} */
    private static URI at(ServeProcess replica, URI link) {
        return URI.create(replica.uri() + link.getRawPath());
    }

    private static HttpResponse<String> get(URI uri) throws IOException, InterruptedException {
        return CLIENT.send(
                HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(15)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> head(URI uri) throws IOException, InterruptedException {
        return CLIENT.send(
                HttpRequest.newBuilder(uri)
                        .method("HEAD", HttpRequest.BodyPublishers.noBody())
                        .timeout(Duration.ofSeconds(15))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> put(URI link, String name, String body)
            throws IOException, InterruptedException {
        return CLIENT.send(
                HttpRequest.newBuilder(URI.create(link + "?name=" + name))
                        .PUT(HttpRequest.BodyPublishers.ofString(body))
                        .timeout(Duration.ofSeconds(15))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static String output(String job, String name) throws IOException {
        return Files.readString(
                work.resolve("storage").resolve("outputs").resolve(job).resolve(name));
    }

    private static String servedBy(HttpResponse<?> response) {
        return response.headers().firstValue("X-Served-By").orElse("(none)");
    }

    private static String haproxyLog() {
        try {
            return ServeProcess.tail(Files.readString(haproxyLog, StandardCharsets.UTF_8));
        } catch (IOException e) {
            return "(unreadable: " + e + ")";
        }
    }

    @Test
    @Order(1)
    void aNonceAcceptedByOneReplicaIsRefusedByTheOthers() throws Exception {
        Signed signed = next();
        HttpResponse<String> first = get(replicas.get(0).uri(), signed.path());
        assertEquals(200, first.statusCode(), first.body());
        assertEquals(CONTENT, first.body());
        for (ServeProcess other : replicas.subList(1, REPLICAS)) {
            HttpResponse<String> replay = get(other.uri(), signed.path());
            assertEquals(401, replay.statusCode(), "a replay to another replica: " + replay.body());
        }
    }

    @Test
    @Order(2)
    void fiftyConcurrentRequestsWithOneNonceThroughTheBalancerLetExactlyOnePass() throws Exception {
        Signed signed = next();
        List<CompletableFuture<HttpResponse<String>>> sent = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            sent.add(CLIENT.sendAsync(
                    HttpRequest.newBuilder(URI.create(balancer + signed.path()))
                            .timeout(Duration.ofSeconds(20))
                            .build(),
                    HttpResponse.BodyHandlers.ofString()));
        }
        Map<Integer, Integer> statuses = new TreeMap<>();
        Map<String, Integer> byReplica = new TreeMap<>();
        for (CompletableFuture<HttpResponse<String>> f : sent) {
            HttpResponse<String> response = f.get(30, TimeUnit.SECONDS);
            statuses.merge(response.statusCode(), 1, Integer::sum);
            byReplica.merge(servedBy(response), 1, Integer::sum);
        }
        String report = "statuses " + statuses + ", answered by " + byReplica;
        assertEquals(Map.of(200, 1, 401, 49), statuses, report);
        assertEquals(Set.of("r1", "r2", "r3"), byReplica.keySet(), "round robin over every replica: " + report);
    }

    @Test
    @Order(3)
    void aTransferLinkIsReadOnceThroughTheBalancerAndThenRefusedByEveryReplica() throws Exception {
        URI link = transferLink();
        assertFalse(link.toString().contains("data.csv"), "the location is sealed: " + link);
        HttpResponse<String> peek = head(link);
        assertEquals(200, peek.statusCode(), "a HEAD through the balancer leaves the link unused");
        HttpResponse<String> first = get(link);
        assertEquals(200, first.statusCode(), first.body());
        assertEquals(CONTENT, first.body());
        String readBy = servedBy(first);
        for (ServeProcess replica : replicas) {
            HttpResponse<String> again = get(at(replica, link));
            assertEquals(404, again.statusCode(), "read once, by " + readBy + ": " + again.body());
        }
        Set<String> refusedBy = new java.util.TreeSet<>();
        for (int i = 0; i < 3; i++) {
            HttpResponse<String> again = get(link);
            assertEquals(404, again.statusCode(), "read once, by " + readBy + ": " + again.body());
            refusedBy.add(servedBy(again));
        }
        assertEquals(Set.of("r1", "r2", "r3"), refusedBy, "round robin: every replica refuses it");
    }

    @Test
    @Order(4)
    void thirtyConcurrentReadsOfOneTransferLinkThroughTheBalancerLetExactlyOnePass() throws Exception {
        URI link = transferLink();
        List<CompletableFuture<HttpResponse<String>>> sent = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            sent.add(CLIENT.sendAsync(
                    HttpRequest.newBuilder(link).timeout(Duration.ofSeconds(20)).build(),
                    HttpResponse.BodyHandlers.ofString()));
        }
        Map<Integer, Integer> statuses = new TreeMap<>();
        Map<String, Integer> byReplica = new TreeMap<>();
        for (CompletableFuture<HttpResponse<String>> f : sent) {
            HttpResponse<String> response = f.get(30, TimeUnit.SECONDS);
            statuses.merge(response.statusCode(), 1, Integer::sum);
            byReplica.merge(servedBy(response), 1, Integer::sum);
            if (response.statusCode() == 200) {
                assertEquals(CONTENT, response.body());
            }
        }
        String report = "statuses " + statuses + ", answered by " + byReplica;
        assertEquals(Map.of(200, 1, 404, 29), statuses, report);
        assertEquals(Set.of("r1", "r2", "r3"), byReplica.keySet(), "round robin over every replica: " + report);
    }

    @Test
    @Order(5)
    void anUploadLinksAllowanceIsSpentAcrossTheReplicasWhicheverAnswers() throws Exception {
        URI link = uploadLink("job-1", 10);
        Set<String> answeredBy = new java.util.TreeSet<>();
        HttpResponse<String> a = put(link, "a.txt", "123456");
        assertEquals(201, a.statusCode(), a.body());
        answeredBy.add(servedBy(a));
        HttpResponse<String> over = put(link, "b.txt", "12345");
        assertEquals(400, over.statusCode(), over.body());
        assertTrue(over.body().contains("4 left"), "what another replica spent counts: " + over.body());
        answeredBy.add(servedBy(over));
        HttpResponse<String> b = put(link, "b.txt", "1234");
        assertEquals(201, b.statusCode(), b.body());
        answeredBy.add(servedBy(b));
        HttpResponse<String> spent = put(link, "c.txt", "1");
        assertEquals(400, spent.statusCode(), spent.body());
        answeredBy.add(servedBy(spent));
        assertEquals(Set.of("r1", "r2", "r3"), answeredBy, "round robin: every replica took part");
        assertEquals("123456", output("job-1", "a.txt"));
        assertEquals("1234", output("job-1", "b.txt"));
        assertFalse(Files.exists(work.resolve("storage/outputs/job-1/c.txt")));

        // For the case after the kill: r2, killed next, spends part of an upload link and peeks at a
        // transfer link (which leaves it unused).
        uploadSpentOnR2 = uploadLink("job-2", 10);
        HttpResponse<String> part = put(at(replicas.get(1), uploadSpentOnR2), "part.txt", "1234567");
        assertEquals(201, part.statusCode(), part.body());
        transferSeenByR2 = transferLink();
        assertEquals(200, head(at(replicas.get(1), transferSeenByR2)).statusCode());
    }

    @Test
    @Order(6)
    void aReplicaKilledMidTestTheOthersKeepServingAndNoAcceptedNonceIsForgotten() throws Exception {
        // The last nonce accepted before the kill is accepted by the replica that is then killed.
        ServeProcess victim = replicas.get(1);
        List<Signed> accepted = new ArrayList<>();
        String lastServedBy = "";
        for (int i = 0; i < 10 && !lastServedBy.equals("r2"); i++) {
            Signed signed = next();
            HttpResponse<String> response = get(balancer, signed.path());
            assertEquals(200, response.statusCode(), response.body());
            accepted.add(signed);
            lastServedBy = servedBy(response);
        }
        assertEquals("r2", lastServedBy, "round robin never reached r2");
        victim.process().destroyForcibly().waitFor(10, TimeUnit.SECONDS); // SIGKILL
        assertFalse(victim.process().isAlive());
        Signed r2Last = accepted.get(accepted.size() - 1);

        // At once, before the health check has noticed (haproxy retries the connections the dead
        // replica refuses): r2's last nonce, replayed to both survivors, neither of which has seen
        // it or any later one, is still known.
        for (int i = 0; i < 3; i++) {
            HttpResponse<String> replay = get(balancer, r2Last.path());
            assertEquals(401, replay.statusCode(), "replay of r2's last nonce: " + replay.body());
            assertNotEquals("r2", servedBy(replay));
        }
        for (int i = 0; i < 6; i++) {
            Signed signed = next();
            HttpResponse<String> response = get(balancer, signed.path());
            assertEquals(200, response.statusCode(), "right after the kill: " + response.body());
            assertNotEquals("r2", servedBy(response));
            accepted.add(signed);
        }
        Polling.until(
                Duration.ofSeconds(10),
                ReplicasTest::haproxyLog,
                log -> log.contains("replicas/r2 is DOWN"),
                log -> "haproxy's health check never took r2 out: " + log);
        for (int i = 0; i < 6; i++) {
            Signed signed = next();
            HttpResponse<String> response = get(balancer, signed.path());
            assertEquals(200, response.statusCode(), "r2 out: " + response.body());
            accepted.add(signed);
        }
        // No accepted nonce is forgotten.
        for (Signed replay : List.of(r2Last, r2Last, accepted.get(accepted.size() - 1), accepted.get(0))) {
            HttpResponse<String> response = get(balancer, replay.path());
            assertEquals(401, response.statusCode(), "replay of nonce " + replay.nonce() + ": " + response.body());
        }
        Signed afterReplays = next();
        assertEquals(200, get(balancer, afterReplays.path()).statusCode());
    }

    @Test
    @Order(7)
    void afterAReplicaIsKilledItsLinksStillWorkThroughTheOthersWithWhatItSpentStillSpent() throws Exception {
        assertFalse(replicas.get(1).process().isAlive(), "r2 was killed by the case before");
        HttpResponse<String> over = put(uploadSpentOnR2, "more.txt", "1234");
        assertEquals(400, over.statusCode(), over.body());
        assertTrue(over.body().contains("3 left"), "the 7 bytes r2 took are still taken: " + over.body());
        HttpResponse<String> rest = put(uploadSpentOnR2, "more.txt", "123");
        assertEquals(201, rest.statusCode(), rest.body());
        assertNotEquals("r2", servedBy(rest));
        assertEquals("1234567", output("job-2", "part.txt"));
        assertEquals("123", output("job-2", "more.txt"));

        HttpResponse<String> read = get(transferSeenByR2);
        assertEquals(200, read.statusCode(), read.body());
        assertEquals(CONTENT, read.body());
        HttpResponse<String> again = get(transferSeenByR2);
        assertEquals(404, again.statusCode(), again.body());
        assertNotEquals(servedBy(read), servedBy(again), "the second read is refused by the other survivor");
    }

    @Test
    @Order(8)
    void withPostgresStoppedNonceRequestsAndLinksAreRefusedWith503AndServedAgainOnceItIsBack() throws Exception {
        Signed lastAccepted = next();
        assertEquals(200, get(balancer, lastAccepted.path()).statusCode());
        URI link = transferLink();
        URI upload = uploadLink("job-3", 10);
        postgres.stop();
        try {
            // Links fail closed too: nothing is read or written while the ledger cannot be asked. Both
            // at once, since each waits BRIZO_DATABASE_TIMEOUT for a connection.
            CompletableFuture<HttpResponse<String>> reading = CLIENT.sendAsync(
                    HttpRequest.newBuilder(link).timeout(Duration.ofSeconds(15)).build(),
                    HttpResponse.BodyHandlers.ofString());
            HttpResponse<String> written = put(upload, "down.txt", "1");
            HttpResponse<String> read = reading.get(20, TimeUnit.SECONDS);
            assertEquals(503, read.statusCode(), "a transfer link with PostgreSQL down: " + read.body());
            assertEquals(503, written.statusCode(), "an upload link with PostgreSQL down: " + written.body());
            assertFalse(Files.exists(work.resolve("storage/outputs/job-3/down.txt")));
            Set<String> refusedBy = new java.util.TreeSet<>();
            for (int i = 0; i < 2; i++) {
                Signed signed = next();
                HttpResponse<String> response = get(balancer, signed.path());
                assertEquals(
                        503,
                        response.statusCode(),
                        "nonce " + signed.nonce() + " with PostgreSQL down: " + response.body());
                refusedBy.add(servedBy(response));
                // Fail closed: a replay is never accepted (refused as unavailable, or as a replay).
                HttpResponse<String> replay = get(balancer, lastAccepted.path());
                assertTrue(
                        Set.of(401, 503).contains(replay.statusCode()),
                        "a replay with PostgreSQL down: " + replay.body());
                refusedBy.add(servedBy(replay));
            }
            // Answered by the replicas themselves (haproxy still sees them ready), not by haproxy.
            assertEquals(Set.of("r1", "r3"), refusedBy);
        } finally {
            postgres.restart();
        }
        // The link refused during the outage was left unused: it reads once now. Each replica's
        // link ledger has a pool of its own, which replaces its broken connections as the nonce
        // pool does (503 meanwhile, never a read).
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        List<Integer> reads = new ArrayList<>();
        while (reads.size() < 2) {
            assertTrue(System.nanoTime() < deadline, "the link after the outage still answered 503: " + reads);
            HttpResponse<String> read = get(link);
            if (read.statusCode() != 503) {
                reads.add(read.statusCode());
                if (read.statusCode() == 200) {
                    assertEquals(CONTENT, read.body());
                }
            }
        }
        assertEquals(List.of(200, 404), reads, "the link refused during the outage reads once after it");
        // Each replica's pool replaces its broken connections on its own: until it has, that
        // replica still answers 503 (never 200 to a replay). Wait until both survivors serve.
        Set<String> servedBy = new java.util.TreeSet<>();
        Signed recovered = null;
        while (!servedBy.equals(Set.of("r1", "r3"))) {
            assertTrue(System.nanoTime() < deadline, "after PostgreSQL came back, served again only by " + servedBy);
            Signed signed = next();
            HttpResponse<String> response = get(balancer, signed.path());
            assertTrue(Set.of(200, 503).contains(response.statusCode()), response.body());
            if (response.statusCode() == 200) {
                assertEquals(CONTENT, response.body());
                servedBy.add(servedBy(response));
                recovered = signed;
            }
        }
        // Replays after the outage: refused as replays (a pool may still meet a broken connection
        // once: 503, then asked again), never accepted.
        for (Signed replay : List.of(recovered, recovered, lastAccepted, lastAccepted)) {
            int status;
            do {
                assertTrue(System.nanoTime() < deadline, "a replay after the outage still answered 503");
                status = get(balancer, replay.path()).statusCode();
            } while (status == 503);
            assertEquals(401, status, "replay of nonce " + replay.nonce() + " after the outage");
        }
    }
}
