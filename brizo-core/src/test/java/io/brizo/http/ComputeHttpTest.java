package io.brizo.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.brizo.Brizo;
import io.brizo.TestKeys;
import io.brizo.spi.Settings;
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
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Compute-to-data over real HTTP with the local-process backend: algorithms are /bin/sh scripts
 * run as real processes; the dataset is staged through the file driver.
 */
class ComputeHttpTest {
    static final String DATASET_DID = "did:op:" + "da".repeat(32);
    static final String ALGORITHM_DID = "did:op:" + "a1".repeat(32);
    static final String AGREEMENT = "c0".repeat(32);
    static final ObjectMapper JSON = new ObjectMapper();
    static final String COUNT_LINES = "echo counting; wc -l < \"$INPUTS/" + "da".repeat(32)
            + "/0\" | tr -d ' ' > \"$OUTPUTS/count.txt\"; echo done";

    @TempDir
    Path dir;

    final TestKeys consumer = TestKeys.random();
    final TestKeys stranger = TestKeys.random();
    final HttpClient http = HttpClient.newHttpClient();
    final List<AutoCloseable> toClose = new ArrayList<>();
    Path computeDir;
    Path dataDir;
    URI base;

    @BeforeEach
    void setUp() throws Exception {
        dataDir = Files.createDirectories(dir.resolve("data"));
        computeDir = Files.createDirectories(dir.resolve("jobs"));
        Files.writeString(dataDir.resolve("lines.csv"), "a\nb\nc\n");
        Files.writeString(dataDir.resolve("count.sh"), COUNT_LINES);
        Files.writeString(
                dir.resolve("assets.json"),
                JSON.writeValueAsString(Map.of(
                        DATASET_DID,
                                Map.of(
                                        "files",
                                        List.of(Map.of(
                                                "url",
                                                dataDir.resolve("lines.csv")
                                                        .toUri()
                                                        .toString()))),
                        ALGORITHM_DID,
                                Map.of(
                                        "files",
                                        List.of(Map.of(
                                                "url",
                                                dataDir.resolve("count.sh")
                                                        .toUri()
                                                        .toString()))))));
        Files.writeString(
                dir.resolve("grants.json"),
                JSON.writeValueAsString(List.of(Map.of(
                        "agreementId",
                        AGREEMENT,
                        "did",
                        DATASET_DID,
                        "consumer",
                        consumer.address(),
                        "service",
                        "compute"))));
        base = start(Map.of());
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
                .put("BRIZO_FILE_ROOTS", dataDir.toString())
                .put("BRIZO_COMPUTE_DIR", computeDir.toString())
                .put("BRIZO_COMPUTE_COMMANDS", "sh=/bin/sh")
                .put("BRIZO_COMPUTE_ALLOW_RAW_ALGORITHMS", "true");
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
        return http.send(request, BodyHandlers.ofByteArray());
    }

    JsonNode startJob(URI root, TestKeys who, Map<String, String> algorithm, int expectedStatus) throws Exception {
        Map<String, String> p = new HashMap<>(algorithm);
        p.put("serviceAgreementId", AGREEMENT);
        p.put("consumerAddress", who.address());
        p.put("signature", who.signText(who.address() + AGREEMENT));
        HttpResponse<byte[]> r = send(root, "POST", BrizoHttpApi.COMPUTE, p);
        assertEquals(expectedStatus, r.statusCode(), new String(r.body(), StandardCharsets.UTF_8));
        JsonNode body = JSON.readTree(r.body());
        return body.isArray() ? body.get(0) : body;
    }

    Map<String, String> jobParams(TestKeys who, String jobId) {
        return new HashMap<>(Map.of(
                "consumerAddress", who.address(),
                "jobId", jobId,
                "signature", who.signText(who.address() + jobId)));
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

    HttpResponse<byte[]> result(URI root, TestKeys who, String jobId, int index) throws Exception {
        Map<String, String> p = jobParams(who, jobId);
        p.put("index", Integer.toString(index));
        return send(root, "GET", BrizoHttpApi.COMPUTE_RESULT, p);
    }

    @Test
    void publishedAlgorithmRunsThroughItsWholeLifecycle() throws Exception {
        Map<String, String> algorithm = Map.of(
                "algorithmDid",
                ALGORITHM_DID,
                "algorithmMeta",
                JSON.writeValueAsString(Map.of("container", Map.of("image", "sh", "entrypoint", "sh $ALGO"))));
        String jobId = startJob(base, consumer, algorithm, 200).get("jobId").asText();
        JsonNode done = awaitStatus(base, jobId, state("SUCCEEDED"));
        assertEquals(0, done.get("exitCode").asInt());
        assertEquals(6, done.get("status").asInt());
        assertEquals("count.txt", done.get("results").get(0).get("name").asText());
        assertFalse(done.get("dateFinished").isNull());
        assertTrue(logs(base, jobId, 0).contains("counting"));
        HttpResponse<byte[]> out = result(base, consumer, jobId, 0);
        assertEquals(200, out.statusCode());
        assertEquals("3", new String(out.body(), StandardCharsets.UTF_8).trim());
        assertEquals(
                "attachment; filename=\"count.txt\"",
                out.headers().firstValue("Content-Disposition").orElseThrow());
    }

    @Test
    void failingAlgorithmEndsFailedWithItsExitCode() throws Exception {
        String jobId = startJob(base, consumer, Map.of("algorithmMeta", meta("echo oops; exit 3")), 200)
                .get("jobId")
                .asText();
        JsonNode done = awaitStatus(base, jobId, state("FAILED"));
        assertEquals(3, done.get("exitCode").asInt());
    }

    @Test
    void jobPastItsTimeLimitIsEnded() throws Exception {
        URI strict = startAnother(Map.of("BRIZO_COMPUTE_MAX_DURATION", "1s"));
        String jobId = startJob(strict, consumer, Map.of("algorithmMeta", meta("sleep 60")), 200)
                .get("jobId")
                .asText();
        JsonNode done = awaitStatus(strict, jobId, state("FAILED"));
        assertTrue(done.get("message").asText().contains("time limit"), done.toString());
    }

    @Test
    void runningJobCanBeStoppedAndItsLogReadWhileItRuns() throws Exception {
        String script = "echo first line; while [ ! -f \"$VOLUME/release\" ]; do sleep 0.05; done; echo second line";
        String jobId = startJob(base, consumer, Map.of("algorithmMeta", meta(script)), 200)
                .get("jobId")
                .asText();
        awaitStatus(base, jobId, state("RUNNING"));
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        String log = logs(base, jobId, 0);
        while (!log.contains("first line") && System.nanoTime() < deadline) {
            LockSupport.parkNanos(Duration.ofMillis(50).toNanos());
            log = logs(base, jobId, 0);
        }
        assertTrue(log.contains("first line"), log);
        assertFalse(log.contains("second line"), log);
        HttpResponse<byte[]> stop = send(base, "PUT", BrizoHttpApi.COMPUTE, jobParams(consumer, jobId));
        assertEquals(200, stop.statusCode(), new String(stop.body(), StandardCharsets.UTF_8));
        assertEquals(
                "STOPPED",
                awaitStatus(base, jobId, state("STOPPED")).get("state").asText());
        assertEquals(7, status(base, jobId).get("status").asInt());
    }

    @Test
    void jobSurvivesARestartOfTheService() throws Exception {
        String script = "while [ ! -f \"$VOLUME/release\" ]; do sleep 0.05; done; echo finished > \"$OUTPUTS/out.txt\"";
        String jobId = startJob(base, consumer, Map.of("algorithmMeta", meta(script)), 200)
                .get("jobId")
                .asText();
        awaitStatus(base, jobId, state("RUNNING"));
        for (AutoCloseable c : toClose) {
            c.close();
        }
        toClose.clear();
        URI restarted = start(Map.of());
        assertEquals("RUNNING", status(restarted, jobId).get("state").asText());
        Files.writeString(computeDir.resolve(jobId).resolve("release"), "go");
        JsonNode done = awaitStatus(restarted, jobId, state("SUCCEEDED"));
        assertEquals("out.txt", done.get("results").get(0).get("name").asText());
        assertEquals(
                "finished", new String(result(restarted, consumer, jobId, 0).body()).trim());
    }

    @Test
    void anotherConsumerCannotSeeStopOrDownloadTheJob() throws Exception {
        String jobId = startJob(base, consumer, Map.of("algorithmMeta", meta("echo hi > \"$OUTPUTS/x\"")), 200)
                .get("jobId")
                .asText();
        awaitStatus(base, jobId, state("SUCCEEDED"));
        assertEquals(
                403,
                send(base, "GET", BrizoHttpApi.COMPUTE, jobParams(stranger, jobId))
                        .statusCode());
        assertEquals(
                403,
                send(base, "PUT", BrizoHttpApi.COMPUTE, jobParams(stranger, jobId))
                        .statusCode());
        assertEquals(403, result(base, stranger, jobId, 0).statusCode());
        // Without a compute agreement of its own, it cannot start one either.
        assertEquals(
                "FORBIDDEN",
                startJob(base, stranger, Map.of("algorithmMeta", meta("true")), 403)
                        .get("error")
                        .asText());
    }

    @Test
    void rawAlgorithmIsRefusedWhenThePublisherDisallowsIt() throws Exception {
        URI strict = startAnother(Map.of("BRIZO_COMPUTE_ALLOW_RAW_ALGORITHMS", "false"));
        JsonNode e = startJob(strict, consumer, Map.of("algorithmMeta", meta("true")), 403);
        assertTrue(e.get("message").asText().contains("raw algorithms"), e.toString());
    }

    @Test
    void untrustedAlgorithmIsRefused() throws Exception {
        URI strict = startAnother(Map.of("BRIZO_COMPUTE_TRUSTED_ALGORITHMS", "did:op:" + "99".repeat(32)));
        Map<String, String> algorithm = Map.of(
                "algorithmDid",
                ALGORITHM_DID,
                "algorithmMeta",
                JSON.writeValueAsString(Map.of("container", Map.of("image", "sh", "entrypoint", "sh $ALGO"))));
        JsonNode e = startJob(strict, consumer, algorithm, 403);
        assertTrue(e.get("message").asText().contains("not trusted"), e.toString());
    }

    @Test
    void outputsAreServedByIndexOnlyAndNothingOutsideIsReachable() throws Exception {
        String script = "echo secret > \"$VOLUME/outside.txt\"; ln -s \"$VOLUME/outside.txt\" \"$OUTPUTS/link\";"
                + " echo visible > \"$OUTPUTS/a.txt\"";
        String jobId = startJob(base, consumer, Map.of("algorithmMeta", meta(script)), 200)
                .get("jobId")
                .asText();
        JsonNode done = awaitStatus(base, jobId, state("SUCCEEDED"));
        List<String> names = new ArrayList<>();
        done.get("results").forEach(r -> names.add(r.get("name").asText()));
        for (int i = 0; i < names.size(); i++) {
            HttpResponse<byte[]> r = result(base, consumer, jobId, i);
            assertFalse(new String(r.body(), StandardCharsets.UTF_8).contains("secret"), names.get(i));
        }
        assertEquals(404, result(base, consumer, jobId, names.size()).statusCode());
        assertEquals(
                400,
                send(
                                base,
                                "GET",
                                BrizoHttpApi.COMPUTE_RESULT,
                                Map.of(
                                        "consumerAddress",
                                        consumer.address(),
                                        "jobId",
                                        "../" + jobId,
                                        "index",
                                        "0",
                                        "signature",
                                        consumer.signText(consumer.address() + "../" + jobId)))
                        .statusCode());
    }

    @Test
    void severalInputDatasetsAreStagedSideBySide() throws Exception {
        String secondDid = "did:op:" + "db".repeat(32);
        String secondAgreement = "c1".repeat(32);
        Files.writeString(dataDir.resolve("more.csv"), "x\ny\n");
        Map<String, Object> assets =
                new HashMap<>(JSON.readValue(dir.resolve("assets.json").toFile(), Map.class));
        assets.put(
                secondDid,
                Map.of(
                        "files",
                        List.of(Map.of(
                                "url", dataDir.resolve("more.csv").toUri().toString()))));
        Files.writeString(dir.resolve("assets.json"), JSON.writeValueAsString(assets));
        Files.writeString(
                dir.resolve("grants.json"),
                JSON.writeValueAsString(List.of(
                        Map.of(
                                "agreementId",
                                AGREEMENT,
                                "did",
                                DATASET_DID,
                                "consumer",
                                consumer.address(),
                                "service",
                                "compute"),
                        Map.of(
                                "agreementId",
                                secondAgreement,
                                "did",
                                secondDid,
                                "consumer",
                                consumer.address(),
                                "service",
                                "compute"))));
        String script =
                "cat \"$INPUTS\"/*/0 | wc -l | tr -d ' ' > \"$OUTPUTS/lines\"; echo \"$DIDS\" > \"$OUTPUTS/dids\"";
        Map<String, String> algorithm = Map.of(
                "algorithmMeta", meta(script), "additionalInputs", JSON.writeValueAsString(List.of(secondAgreement)));
        String jobId = startJob(base, consumer, algorithm, 200).get("jobId").asText();
        JsonNode done = awaitStatus(base, jobId, state("SUCCEEDED"));
        assertEquals("dids", done.get("results").get(0).get("name").asText());
        String dids = new String(result(base, consumer, jobId, 0).body(), StandardCharsets.UTF_8);
        assertTrue(dids.contains(DATASET_DID) && dids.contains(secondDid), dids);
        assertEquals("5", new String(result(base, consumer, jobId, 1).body(), StandardCharsets.UTF_8).trim());
    }

    @Test
    void additionalInputWithoutAComputeAgreementIsRefused() throws Exception {
        Map<String, String> algorithm = Map.of(
                "algorithmMeta", meta("true"), "additionalInputs", JSON.writeValueAsString(List.of("c2".repeat(32))));
        assertEquals(
                "FORBIDDEN",
                startJob(base, consumer, algorithm, 403).get("error").asText());
    }

    @Test
    void environmentsAreListedWithoutAuthentication() throws Exception {
        HttpResponse<byte[]> r = send(base, "GET", BrizoHttpApi.COMPUTE_ENVIRONMENTS, Map.of());
        assertEquals(200, r.statusCode());
        JsonNode list = JSON.readTree(r.body());
        assertTrue(list.size() >= 1, list.toString());
        assertTrue(list.get(0).get("maxDurationSeconds").asLong() > 0);
    }
}
