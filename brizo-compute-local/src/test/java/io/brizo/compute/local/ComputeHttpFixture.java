package io.brizo.compute.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.brizo.Brizo;
import io.brizo.http.BrizoHttpApi;
import io.brizo.http.BrizoHttpServer;
import io.brizo.spi.Settings;
import io.brizo.testkit.OpenApiConformance;
import io.brizo.testkit.TestConsumer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/**
 * A publisher with the local-process compute backend over real HTTP, for compute tests: algorithms
 * are /bin/sh scripts run as real processes; the dataset is staged through the file driver. The
 * catalogue holds a dataset and a published algorithm (a line count) in the {@code sh} image.
 */
abstract class ComputeHttpFixture {
    static final String DATASET_DID = "did:op:" + "da".repeat(32);
    static final String ALGORITHM_DID = "did:op:" + "a1".repeat(32);
    static final String AGREEMENT = "c0".repeat(32);
    static final ObjectMapper JSON = new ObjectMapper();
    static final String COUNT_LINES = "echo counting; wc -l < \"$INPUTS/" + "da".repeat(32)
            + "/0\" | tr -d ' ' > \"$OUTPUTS/count.txt\"; echo done";

    @TempDir
    Path dir;

    final TestConsumer consumer = TestConsumer.random();
    final TestConsumer stranger = TestConsumer.random();
    final HttpClient http = HttpClient.newHttpClient();
    final List<AutoCloseable> toClose = new ArrayList<>();
    /** The catalogue, written by {@link #writeAssets()}; the publisher re-reads it when it changes. */
    final Map<String, Object> assets = new HashMap<>();

    Path computeDir;
    Path dataDir;
    URI base;

    @BeforeEach
    void setUp() throws Exception {
        // The sandbox user must be able to traverse to the compute directory.
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx--x--x"));
        dataDir = Files.createDirectories(dir.resolve("data"));
        computeDir = Files.createDirectories(dir.resolve("jobs"));
        Files.writeString(dataDir.resolve("lines.csv"), "a\nb\nc\n");
        Files.writeString(dataDir.resolve("count.sh"), COUNT_LINES);
        assets.put(DATASET_DID, Map.of("files", List.of(Map.of("url", file("lines.csv")))));
        assets.put(ALGORITHM_DID, algorithmAsset("count.sh", SH, null));
        writeAssets();
        writeGrants(List.of(computeGrant(AGREEMENT, DATASET_DID)));
        base = start(Map.of());
    }

    /** The container of the published algorithm: the {@code sh} image, run as /bin/sh. */
    static final Map<String, String> SH = Map.of("image", "sh", "entrypoint", "sh $ALGO");

    /** {@return the file URL of {@code name} in the publisher's data directory} */
    String file(String name) {
        return dataDir.resolve(name).toUri().toString();
    }

    /** {@return a published algorithm asset: the code file {@code name} and its container} */
    Map<String, Object> algorithmAsset(String name, Map<String, String> container, String publisher) {
        Map<String, Object> asset = new HashMap<>();
        asset.put("files", List.of(Map.of("url", file(name))));
        asset.put("algorithm", Map.of("language", "sh", "container", container));
        if (publisher != null) {
            asset.put("publisher", publisher);
        }
        return asset;
    }

    /** {@return a development grant: the consumer may compute on {@code did} under {@code agreement}} */
    Map<String, String> computeGrant(String agreement, String did) {
        return Map.of("agreementId", agreement, "did", did, "consumer", consumer.address(), "service", "compute");
    }

    void writeGrants(List<Map<String, String>> grants) throws IOException {
        Files.writeString(dir.resolve("grants.json"), JSON.writeValueAsString(grants));
    }

    void writeAssets() throws IOException {
        Path tmp = dir.resolve("assets.json.tmp");
        Files.writeString(tmp, JSON.writeValueAsString(assets));
        Files.move(tmp, dir.resolve("assets.json"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }

    @AfterEach
    void tearDown() throws Exception {
        for (AutoCloseable c : toClose) {
            c.close();
        }
    }

    /** Starts a second publisher beside the first, with a compute directory of its own. */
    URI startAnother(Map<String, String> extra) throws IOException {
        Map<String, String> settings = new HashMap<>(extra);
        settings.put("BRIZO_COMPUTE_DIR", Files.createTempDirectory(dir, "jobs").toString());
        return start(settings);
    }

    URI start(Map<String, String> extra) {
        Settings.Builder s = Settings.builder()
                .put("BRIZO_ASSETS", dir.resolve("assets.json").toString())
                .put("BRIZO_GRANTS", dir.resolve("grants.json").toString())
                // The tests add grants and assets while the publisher runs and use them at once.
                .put("BRIZO_RELOAD_INTERVAL", "0")
                .put("BRIZO_FILE_ROOTS", dataDir.toString())
                .put("BRIZO_COMPUTE_DIR", computeDir.toString())
                .put("BRIZO_COMPUTE_COMMANDS", "sh=/bin/sh")
                .put("BRIZO_COMPUTE_ALLOW_RAW_ALGORITHMS", "true")
                // Tests rewrite the catalogue and grants and use them at once.
                .put("BRIZO_RELOAD_INTERVAL", "0");
        extra.forEach(s::put);
        Brizo brizo = Brizo.builder().settings(s.build()).discover().build();
        BrizoHttpServer server = BrizoHttpServer.start(brizo, new InetSocketAddress("127.0.0.1", 0), 4);
        toClose.add(0, brizo);
        toClose.add(0, server);
        return server.uri();
    }

    static String meta(String rawcode) throws IOException {
        return JSON.writeValueAsString(Map.of(
                "rawcode", rawcode, "container", Map.of("image", "sh", "tag", "latest", "entrypoint", "sh $ALGO")));
    }

    HttpResponse<byte[]> send(URI root, String method, String path, Map<String, String> params) throws Exception {
        StringBuilder q = new StringBuilder();
        for (Map.Entry<String, String> e : params.entrySet()) {
            q.append(q.length() == 0 ? "" : "&")
                    .append(e.getKey())
                    .append('=')
                    .append(URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8));
        }
        HttpRequest request = HttpRequest.newBuilder(URI.create(root + path + "?" + q))
                .method(method, BodyPublishers.noBody())
                .build();
        // Every answer is held to the API's OpenAPI document.
        return OpenApiConformance.forApiAt(root).check(http.send(request, BodyHandlers.ofByteArray()));
    }

    JsonNode startJob(URI root, TestConsumer who, Map<String, String> algorithm, int expectedStatus) throws Exception {
        Map<String, String> p = new HashMap<>(algorithm);
        p.put("serviceAgreementId", AGREEMENT);
        p.put("consumerAddress", who.address());
        p.put("signature", who.sign(who.address() + AGREEMENT));
        HttpResponse<byte[]> r = send(root, "POST", BrizoHttpApi.COMPUTE, p);
        assertEquals(expectedStatus, r.statusCode(), new String(r.body(), StandardCharsets.UTF_8));
        JsonNode body = JSON.readTree(r.body());
        return body.isArray() ? body.get(0) : body;
    }

    Map<String, String> jobParams(TestConsumer who, String jobId) {
        return new HashMap<>(Map.of(
                "consumerAddress", who.address(),
                "jobId", jobId,
                "signature", who.sign(who.address() + jobId)));
    }

    JsonNode status(URI root, String jobId) throws Exception {
        HttpResponse<byte[]> r = send(root, "GET", BrizoHttpApi.COMPUTE, jobParams(consumer, jobId));
        assertEquals(200, r.statusCode(), new String(r.body(), StandardCharsets.UTF_8));
        return JSON.readTree(r.body()).get(0);
    }

    /** Polls the job's status until {@code done} holds, failing at the deadline. */
    JsonNode awaitStatus(URI root, String jobId, Predicate<JsonNode> done) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (true) {
            JsonNode s = status(root, jobId);
            if (done.test(s)) {
                return s;
            }
            if (System.nanoTime() > deadline) {
                return fail("job " + jobId + " did not reach the expected state: " + s);
            }
            LockSupport.parkNanos(Duration.ofMillis(50).toNanos());
        }
    }

    static Predicate<JsonNode> state(String state) {
        return s -> state.equals(s.get("state").asText());
    }

    String logs(URI root, String jobId, long offset) throws Exception {
        Map<String, String> p = jobParams(consumer, jobId);
        p.put("offset", Long.toString(offset));
        HttpResponse<byte[]> r = send(root, "GET", BrizoHttpApi.COMPUTE_LOGS, p);
        assertEquals(200, r.statusCode(), new String(r.body(), StandardCharsets.UTF_8));
        return new String(r.body(), StandardCharsets.UTF_8);
    }

    HttpResponse<byte[]> result(URI root, TestConsumer who, String jobId, int index) throws Exception {
        Map<String, String> p = jobParams(who, jobId);
        p.put("index", Integer.toString(index));
        return send(root, "GET", BrizoHttpApi.COMPUTE_RESULT, p);
    }
}
