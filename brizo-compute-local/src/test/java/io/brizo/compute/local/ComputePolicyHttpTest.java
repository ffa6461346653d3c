package io.brizo.compute.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.brizo.http.BrizoHttpApi;
import io.brizo.spi.AlgorithmContainer;
import io.brizo.spi.BrizoException;
import io.brizo.spi.ErrorKind;
import io.brizo.testkit.OpenApiConformance;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The publisher's compute policy against a hostile consumer, over real HTTP with the local backend:
 * no combination of request fields runs code other than what the policy names. Each test of a
 * finding of the hostile-input campaign fails on the code before the fix.
 */
class ComputePolicyHttpTest extends ComputeHttpFixture {
    static final String HARMLESS = "echo harmless > \"$OUTPUTS/out.txt\"";

    static String sha256(byte[] data) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
    }

    static String sha256(String text) throws Exception {
        return sha256(text.getBytes(StandardCharsets.UTF_8));
    }

    static String containerChecksum(String image, String tag, String digest, String entrypoint) {
        return new AlgorithmContainer(image, tag, digest, entrypoint).checksum();
    }

    static String meta(String rawcode, Map<String, String> container) throws Exception {
        return JSON.writeValueAsString(Map.of("rawcode", rawcode, "container", container));
    }

    /** {@return the digest the local backend gives the sh image: that of /bin/sh's executable} */
    static String shRuntimeDigest() throws Exception {
        return "sha256:" + sha256(Files.readAllBytes(Path.of("/bin/sh").toRealPath()));
    }

    HttpResponse<byte[]> postJson(URI root, String body) throws Exception {
        return OpenApiConformance.forApiAt(root)
                .check(http.send(
                        HttpRequest.newBuilder(URI.create(root + BrizoHttpApi.COMPUTE))
                                .POST(BodyPublishers.ofString(body))
                                .header("Content-Type", "application/json")
                                .build(),
                        BodyHandlers.ofByteArray()));
    }

    static JsonNode error(HttpResponse<byte[]> r, int status, String kind) throws Exception {
        String text = new String(r.body(), StandardCharsets.UTF_8);
        assertEquals(status, r.statusCode(), text);
        JsonNode e = JSON.readTree(r.body());
        assertEquals(kind, e.get("error").asText(), text);
        return e;
    }

    @Test
    void aTrustedScriptCannotBeRunWithAnotherEntrypoint() throws Exception {
        Path pwned = dir.resolve("pwned");
        URI strict = startAnother(Map.of(
                "BRIZO_COMPUTE_TRUSTED_ALGORITHMS",
                "sha256:" + sha256(HARMLESS) + "/sha256:" + containerChecksum("sh", "latest", null, "sh $ALGO")));
        // The campaign's exploit: the vetted code, and the consumer's own program in the entrypoint.
        JsonNode e = startJob(
                strict,
                consumer,
                Map.of(
                        "algorithmMeta",
                        meta(
                                HARMLESS,
                                Map.of("image", "sh", "tag", "latest", "entrypoint", "sh -c touch${IFS}" + pwned))),
                403);
        assertTrue(e.get("message").asText().contains("not trusted"), e.toString());
        // Nor with the same entrypoint in another image or tag.
        startJob(
                strict,
                consumer,
                Map.of("algorithmMeta", meta(HARMLESS, Map.of("image", "sh", "tag", "5", "entrypoint", "sh $ALGO"))),
                403);
        assertFalse(Files.exists(pwned));

        String jobId = startJob(strict, consumer, Map.of("algorithmMeta", meta(HARMLESS)), 200)
                .get("jobId")
                .asText();
        awaitStatus(strict, jobId, state("SUCCEEDED"));
        assertEquals("harmless", new String(result(strict, consumer, jobId, 0).body(), StandardCharsets.UTF_8).trim());
    }

    @Test
    void aContainerSentWithAPublishedAlgorithmIsRefusedNamingTheField() throws Exception {
        Map<String, String> p = new HashMap<>();
        p.put("algorithmDid", ALGORITHM_DID);
        p.put("algorithmMeta", JSON.writeValueAsString(Map.of("container", SH)));
        JsonNode e = startJob(base, consumer, p, 400);
        assertTrue(e.get("message").asText().contains("algorithmMeta.container"), e.toString());
        p.put("algorithmMeta", meta("touch /tmp/x"));
        e = startJob(base, consumer, p, 400);
        assertTrue(e.get("message").asText().contains("algorithmMeta.rawcode"), e.toString());
    }

    @Test
    void aPublishedAlgorithmRunsWithItsOwnEntrypoint() throws Exception {
        Files.writeString(dataDir.resolve("args.sh"), "echo \"$@\" > \"$OUTPUTS/args\"");
        assets.put(
                "did:op:" + "a2".repeat(32),
                algorithmAsset("args.sh", Map.of("image", "sh", "entrypoint", "sh $ALGO published-argument"), null));
        writeAssets();
        String jobId = startJob(base, consumer, Map.of("algorithmDid", "did:op:" + "a2".repeat(32)), 200)
                .get("jobId")
                .asText();
        awaitStatus(base, jobId, state("SUCCEEDED"));
        assertEquals(
                "published-argument",
                new String(result(base, consumer, jobId, 0).body(), StandardCharsets.UTF_8).trim());
    }

    @Test
    void anAssetThatIsNotAPublishedAlgorithmIsNotRunAsOne() throws Exception {
        JsonNode e = startJob(base, consumer, Map.of("algorithmDid", DATASET_DID), 400);
        assertTrue(e.get("message").asText().contains("not published as an algorithm"), e.toString());
    }

    @Test
    void aTrustedDidWhoseContainerWasTamperedWithIsRefused() throws Exception {
        URI strict = startAnother(Map.of(
                "BRIZO_COMPUTE_TRUSTED_ALGORITHMS",
                ALGORITHM_DID + "/sha256:" + sha256(COUNT_LINES) + "/sha256:"
                        + containerChecksum("sh", null, null, "sh $ALGO")));
        String jobId = startJob(strict, consumer, Map.of("algorithmDid", ALGORITHM_DID), 200)
                .get("jobId")
                .asText();
        awaitStatus(strict, jobId, state("SUCCEEDED"));

        assets.put(ALGORITHM_DID, algorithmAsset("count.sh", Map.of("image", "sh", "entrypoint", "sh -x $ALGO"), null));
        writeAssets();
        awaitRefusal(strict, ALGORITHM_DID);
    }

    /** The catalogue is re-read when it changes; waits until the changed algorithm is refused. */
    void awaitRefusal(URI root, String did) throws Exception {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (true) {
            Map<String, String> p = new HashMap<>(Map.of("algorithmDid", did));
            p.put("serviceAgreementId", AGREEMENT);
            p.put("consumerAddress", consumer.address());
            p.put("signature", consumer.sign(consumer.address() + AGREEMENT));
            HttpResponse<byte[]> r = send(root, "POST", BrizoHttpApi.COMPUTE, p);
            if (r.statusCode() == 403) {
                assertTrue(new String(r.body(), StandardCharsets.UTF_8).contains("not trusted"));
                return;
            }
            assertTrue(System.nanoTime() < deadline, "still accepted: " + new String(r.body(), StandardCharsets.UTF_8));
            java.util.concurrent.locks.LockSupport.parkNanos(50_000_000L);
        }
    }

    @Test
    void onlyAlgorithmsOfTrustedPublishersRun() throws Exception {
        String trusted = "0x" + "11".repeat(20);
        assets.put("did:op:" + "a3".repeat(32), algorithmAsset("count.sh", SH, trusted));
        assets.put("did:op:" + "a4".repeat(32), algorithmAsset("count.sh", SH, "0x" + "22".repeat(20)));
        writeAssets();
        URI strict = startAnother(Map.of("BRIZO_COMPUTE_TRUSTED_ALGORITHM_PUBLISHERS", trusted));
        startJob(strict, consumer, Map.of("algorithmDid", "did:op:" + "a3".repeat(32)), 200);
        JsonNode e = startJob(strict, consumer, Map.of("algorithmDid", "did:op:" + "a4".repeat(32)), 403);
        assertTrue(e.get("message").asText().contains("publisher is not trusted"), e.toString());
        startJob(strict, consumer, Map.of("algorithmDid", ALGORITHM_DID), 403);
    }

    @Test
    void aDigestPinIsComparedWithTheRuntimeTheLocalBackendRuns() throws Exception {
        String digest = shRuntimeDigest();
        URI pinned = startAnother(Map.of("BRIZO_COMPUTE_ALLOWED_IMAGES", "sh@" + digest));
        Map<String, String> container = Map.of("image", "sh", "digest", digest, "entrypoint", "sh $ALGO");
        String jobId = startJob(pinned, consumer, Map.of("algorithmMeta", meta(HARMLESS, container)), 200)
                .get("jobId")
                .asText();
        awaitStatus(pinned, jobId, state("SUCCEEDED"));
        // Unpinned, or tagged only: not the allowed image.
        startJob(pinned, consumer, Map.of("algorithmMeta", meta(HARMLESS)), 403);
        // A digest the runtime does not have: the backend will not run it under that name.
        String other = "sha256:" + "0".repeat(64);
        JsonNode e = startJob(
                base,
                consumer,
                Map.of(
                        "algorithmMeta",
                        meta(HARMLESS, Map.of("image", "sh", "digest", other, "entrypoint", "sh $ALGO"))),
                400);
        assertTrue(e.get("message").asText().contains(other), e.toString());
    }

    @Test
    void aTagInTheAllowedListDoesNotVouchForADigest() throws Exception {
        URI tagged = startAnother(Map.of("BRIZO_COMPUTE_ALLOWED_IMAGES", "sh:latest"));
        startJob(tagged, consumer, Map.of("algorithmMeta", meta(HARMLESS)), 200);
        Map<String, String> container =
                Map.of("image", "sh", "tag", "latest", "digest", shRuntimeDigest(), "entrypoint", "sh $ALGO");
        startJob(tagged, consumer, Map.of("algorithmMeta", meta(HARMLESS, container)), 403);
    }

    @Test
    void aResultIndexBeyondAnIntIsNotFoundNeverOutputZero() throws Exception {
        String jobId = startJob(base, consumer, Map.of("algorithmMeta", meta(HARMLESS)), 200)
                .get("jobId")
                .asText();
        awaitStatus(base, jobId, state("SUCCEEDED"));
        for (String index : List.of("1", "4294967296", "9223372036854775807", "9".repeat(30))) {
            Map<String, String> p = jobParams(consumer, jobId);
            p.put("index", index);
            error(send(base, "GET", BrizoHttpApi.COMPUTE_RESULT, p), 404, "NOT_FOUND");
        }
    }

    @Test
    void aFailedJobsLogShowsTheJobsDataViewNeverTheServersPaths() throws Exception {
        String script = "echo \"volume is $VOLUME\"; cat \"$INPUTS/missing\"; ls \"$0\"; exit 2";
        String jobId = startJob(base, consumer, Map.of("algorithmMeta", meta(script)), 200)
                .get("jobId")
                .asText();
        JsonNode done = awaitStatus(base, jobId, state("FAILED"));
        String log = logs(base, jobId, 0);
        assertTrue(log.contains("volume is /data"), log);
        assertTrue(log.contains("/data/inputs/missing"), log);
        assertTrue(log.contains("/data/transformations/algorithm"), log);
        for (String server :
                List.of(computeDir.toString(), computeDir.toRealPath().toString(), dir.toString())) {
            assertFalse(log.contains(server), log);
            assertFalse(done.toString().contains(server), done.toString());
        }
    }

    @Test
    void jsonWithAKeyGivenTwiceIsRefused() throws Exception {
        String signature = consumer.sign(consumer.address() + AGREEMENT);
        String body = "{\"serviceAgreementId\": \"" + AGREEMENT + "\", \"consumerAddress\": \"" + consumer.address()
                + "\", \"algorithmMeta\": " + meta(HARMLESS) + ", \"signature\": \"0xbad\", \"signature\": \""
                + signature + "\"}";
        error(postJson(base, body), 400, "INVALID_REQUEST");
        // Inside algorithmMeta too, sent as a JSON string.
        Map<String, String> p = new HashMap<>();
        p.put(
                "algorithmMeta",
                "{\"rawcode\": \"true\", \"rawcode\": \"" + HARMLESS.replace("\"", "\\\"")
                        + "\", \"container\": {\"image\": \"sh\", \"entrypoint\": \"sh $ALGO\"}}");
        JsonNode e = startJob(base, consumer, p, 400);
        assertTrue(e.get("message").asText().contains("algorithmMeta"), e.toString());
    }

    @Test
    void anInlineAlgorithmOf900KiBIsAcceptedUnderA1MiBLimitAndALargerBodyGets413() throws Exception {
        String script = ("# " + "x".repeat(1021) + "\n").repeat(900) + HARMLESS + "\n";
        assertTrue(script.length() > 900 * 1024 && script.length() < 1 << 20);
        String signature = consumer.sign(consumer.address() + AGREEMENT);
        Map<String, Object> body = new HashMap<>();
        body.put("serviceAgreementId", AGREEMENT);
        body.put("consumerAddress", consumer.address());
        body.put("signature", signature);
        body.put("algorithmMeta", Map.of("rawcode", script, "container", SH));
        HttpResponse<byte[]> r = postJson(base, JSON.writeValueAsString(body));
        assertEquals(200, r.statusCode(), new String(r.body(), StandardCharsets.UTF_8));
        String jobId = JSON.readTree(r.body()).get(0).get("jobId").asText();
        awaitStatus(base, jobId, state("SUCCEEDED"));

        body.put("algorithmMeta", Map.of("rawcode", "#".repeat(3 << 20), "container", SH));
        error(postJson(base, JSON.writeValueAsString(body)), 413, "PAYLOAD_TOO_LARGE");
    }

    @Test
    void theOldBareChecksumFormFailsAtStartSayingWhatToAdd() {
        BrizoException e = assertThrows(
                BrizoException.class,
                () -> startAnother(Map.of("BRIZO_COMPUTE_TRUSTED_ALGORITHMS", "sha256:" + "ab".repeat(32))));
        assertEquals(ErrorKind.CONFIGURATION, e.kind());
        assertTrue(e.getMessage().contains("container section checksum"), e.getMessage());
    }
}
