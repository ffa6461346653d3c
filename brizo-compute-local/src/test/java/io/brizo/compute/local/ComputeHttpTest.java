package io.brizo.compute.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.brizo.http.BrizoHttpApi;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;

/**
 * Compute-to-data over real HTTP with the local-process backend: algorithms are /bin/sh scripts
 * run as real processes; the dataset is staged through the file driver.
 */
class ComputeHttpTest extends ComputeHttpFixture {
    @Test
    void publishedAlgorithmRunsThroughItsWholeLifecycle() throws Exception {
        Map<String, String> algorithm = Map.of("algorithmDid", ALGORITHM_DID);
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
        Map<String, String> algorithm = Map.of("algorithmDid", ALGORITHM_DID);
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
                                        consumer.sign(consumer.address() + "../" + jobId)))
                        .statusCode());
    }

    @Test
    void severalInputDatasetsAreStagedSideBySide() throws Exception {
        String secondDid = "did:op:" + "db".repeat(32);
        String secondAgreement = "c1".repeat(32);
        Files.writeString(dataDir.resolve("more.csv"), "x\ny\n");
        assets.put(secondDid, Map.of("files", List.of(Map.of("url", file("more.csv")))));
        writeAssets();
        writeGrants(List.of(computeGrant(AGREEMENT, DATASET_DID), computeGrant(secondAgreement, secondDid)));
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
