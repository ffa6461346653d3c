package io.brizo.compute.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.brizo.http.BrizoHttpApi;
import io.brizo.internal.compute.receipt.CanonicalJson;
import io.brizo.testkit.Polling;
import io.brizo.testkit.ReceiptCheck;
import java.math.BigInteger;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.web3j.crypto.ECKeyPair;
import org.web3j.crypto.Hash;
import org.web3j.crypto.Keys;

/**
 * Receipts of jobs run by the local backend, fetched over HTTP and checked as a consumer would:
 * the signer recovered with web3j from the hash of the statement's canonical bytes is the
 * provider that {@code GET /} announces, and every digest in the receipt is recomputed from the
 * bytes the API serves (outputs, log) or the publisher holds (the input).
 */
class ReceiptHttpTest extends ComputeHttpFixture {
    private static final String PROVIDER_KEY = "4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318";
    private static final String PROVIDER = "0x"
            + Keys.getAddress(ECKeyPair.create(new BigInteger(PROVIDER_KEY, 16)))
                    .toLowerCase(Locale.ROOT);

    private URI signing;

    @BeforeEach
    void startSigningPublisher() throws Exception {
        signing = startAnother(Map.of("PROVIDER_KEY", PROVIDER_KEY));
    }

    @Test
    void aSucceededJobsReceiptIsSignedByTheProviderAndHashesWhatTheApiServes() throws Exception {
        String script = "echo working; cp \"$INPUTS/" + "da".repeat(32) + "/0\" \"$OUTPUTS/copy.csv\";"
                + " echo 42 > \"$OUTPUTS/answer.txt\"; echo finished";
        String jobId = startJob(signing, consumer, Map.of("algorithmMeta", meta(script)), 200)
                .get("jobId")
                .asText();
        JsonNode status = awaitStatus(signing, jobId, state("SUCCEEDED"));

        JsonNode predicate = verifiedStatement(jobId).get("predicate");
        assertEquals("SUCCEEDED", predicate.get("state").asText());
        assertEquals(0, predicate.get("exitCode").asInt());
        assertEquals(
                consumer.address().toLowerCase(Locale.ROOT),
                predicate.get("consumer").asText());
        assertEquals(AGREEMENT, predicate.get("agreementIds").get(0).asText());
        assertHashesMatchWhatTheApiServes(jobId, status, predicate);
        assertEquals(2, predicate.get("outputs").size(), "both outputs");
    }

    @Test
    void aFailedJobsReceiptNamesItsExitCodeAndTheOutputsItLeft() throws Exception {
        String script = "echo partial > \"$OUTPUTS/partial.txt\"; echo giving up; exit 3";
        String jobId = startJob(signing, consumer, Map.of("algorithmMeta", meta(script)), 200)
                .get("jobId")
                .asText();
        JsonNode status = awaitStatus(signing, jobId, state("FAILED"));

        JsonNode predicate = verifiedStatement(jobId).get("predicate");
        assertEquals("FAILED", predicate.get("state").asText());
        assertEquals(3, predicate.get("exitCode").asInt());
        assertHashesMatchWhatTheApiServes(jobId, status, predicate);
    }

    @Test
    void aStoppedJobsReceiptSaysItWasStopped() throws Exception {
        String script = "echo started; echo early > \"$OUTPUTS/early.txt\"; while true; do sleep 0.05; done";
        String jobId = startJob(signing, consumer, Map.of("algorithmMeta", meta(script)), 200)
                .get("jobId")
                .asText();
        awaitStatus(signing, jobId, s -> "RUNNING".equals(s.get("state").asText()));
        Polling.until(
                Duration.ofSeconds(20),
                () -> logs(signing, jobId, 0),
                log -> log.contains("started"),
                log -> "the job never logged its start: " + log);
        HttpResponse<byte[]> stop = send(signing, "PUT", BrizoHttpApi.COMPUTE, jobParams(consumer, jobId));
        assertEquals(200, stop.statusCode(), new String(stop.body(), StandardCharsets.UTF_8));
        JsonNode status = awaitStatus(signing, jobId, state("STOPPED"));

        JsonNode predicate = verifiedStatement(jobId).get("predicate");
        assertEquals("STOPPED", predicate.get("state").asText());
        assertHashesMatchWhatTheApiServes(jobId, status, predicate);
    }

    @Test
    void aReceiptWithOneByteOfItsStatementChangedNoLongerRecoversTheProvider() throws Exception {
        String jobId = startJob(signing, consumer, Map.of("algorithmMeta", meta("echo 1 > \"$OUTPUTS/one.txt\"")), 200)
                .get("jobId")
                .asText();
        awaitStatus(signing, jobId, state("SUCCEEDED"));
        JsonNode envelope = receipt(jobId);
        ObjectNode statement = (ObjectNode) envelope.get("statement").deepCopy();
        ObjectNode predicate = (ObjectNode) statement.get("predicate");
        String exit = predicate.get("state").asText();
        predicate.put("state", exit.substring(0, exit.length() - 1) + "E"); // SUCCEEDED -> SUCCEEDEE

        String signature = envelope.get("signature").asText();
        assertEquals(
                PROVIDER, ReceiptCheck.signer(CanonicalJson.bytes(envelope.get("statement")), signature), "untouched");
        assertNotEquals(PROVIDER, ReceiptCheck.signer(CanonicalJson.bytes(statement), signature), "one byte changed");
    }

    @Test
    void aPublisherWithoutAProviderKeyGivesAnUnsignedReceipt() throws Exception {
        String jobId = startJob(base, consumer, Map.of("algorithmMeta", meta("echo 1 > \"$OUTPUTS/one.txt\"")), 200)
                .get("jobId")
                .asText();
        awaitStatus(base, jobId, state("SUCCEEDED"));
        Map<String, String> p = jobParams(consumer, jobId);
        HttpResponse<byte[]> r = send(base, "GET", BrizoHttpApi.COMPUTE_RECEIPT, p);
        assertEquals(200, r.statusCode(), new String(r.body(), StandardCharsets.UTF_8));
        JsonNode envelope = JSON.readTree(r.body());
        assertEquals(true, envelope.get("signature").isNull(), "no signature without a provider key");
        assertEquals(
                hex(Hash.sha3(CanonicalJson.bytes(envelope.get("statement")))),
                envelope.get("hash").asText(),
                "the hash is still that of the canonical statement");
    }

    /** {@return the verified statement of the job's receipt (see {@link ReceiptCheck})} */
    private JsonNode verifiedStatement(String jobId) throws Exception {
        HttpResponse<byte[]> root = send(signing, "GET", "/", Map.of());
        String announced = JSON.readTree(root.body()).get("providerAddress").asText();
        assertEquals(PROVIDER, announced.toLowerCase(Locale.ROOT), "GET / announces the provider of PROVIDER_KEY");
        HttpResponse<byte[]> r = send(signing, "GET", BrizoHttpApi.COMPUTE_RECEIPT, jobParams(consumer, jobId));
        assertEquals(200, r.statusCode(), new String(r.body(), StandardCharsets.UTF_8));
        JsonNode statement = ReceiptCheck.verifiedStatement(r.body(), announced);
        assertEquals("https://in-toto.io/Statement/v1", statement.get("_type").asText());
        assertEquals(jobId, statement.get("predicate").get("jobId").asText());
        assertEquals(PROVIDER, statement.get("predicate").get("provider").asText());
        return statement;
    }

    private JsonNode receipt(String jobId) throws Exception {
        HttpResponse<byte[]> r = send(signing, "GET", BrizoHttpApi.COMPUTE_RECEIPT, jobParams(consumer, jobId));
        assertEquals(200, r.statusCode(), new String(r.body(), StandardCharsets.UTF_8));
        return JSON.readTree(r.body());
    }

    /**
     * Checks every digest of the receipt against bytes from elsewhere: each output as the result
     * route serves it (and as a subject), the log as the logs route serves it, the input as the
     * publisher holds it.
     */
    private void assertHashesMatchWhatTheApiServes(String jobId, JsonNode status, JsonNode predicate) throws Exception {
        Map<String, String> served = new HashMap<>();
        JsonNode results = status.get("results");
        for (JsonNode result : results) {
            HttpResponse<byte[]> r =
                    result(signing, consumer, jobId, result.get("index").asInt());
            assertEquals(200, r.statusCode());
            served.put(result.get("name").asText(), sha256(r.body()));
        }
        Map<String, String> inReceipt = new HashMap<>();
        predicate
                .get("outputs")
                .forEach(o ->
                        inReceipt.put(o.get("name").asText(), o.get("sha256").asText()));
        assertEquals(served, inReceipt, "every output, hashed as the result route serves it");

        String log = logs(signing, jobId, 0);
        JsonNode logDigest = predicate.get("log");
        assertEquals(
                sha256(log.getBytes(StandardCharsets.UTF_8)),
                logDigest.get("sha256").asText(),
                "the log");
        assertEquals(
                log.getBytes(StandardCharsets.UTF_8).length,
                logDigest.get("size").asLong());

        JsonNode input = predicate.get("inputs").get(0);
        assertEquals(DATASET_DID, input.get("did").asText());
        assertEquals(
                sha256("a\nb\nc\n".getBytes(StandardCharsets.UTF_8)),
                input.get("sha256").asText(),
                "the input");

        Map<String, String> subjects = new HashMap<>();
        JsonNode statementSubjects = receipt(jobId).get("statement").get("subject");
        statementSubjects.forEach(s -> subjects.put(
                s.get("name").asText(), s.get("digest").get("sha256").asText()));
        Map<String, String> expected = new HashMap<>();
        served.forEach((name, digest) -> expected.put("outputs/" + name, digest));
        expected.put(
                "logs/" + logDigest.get("name").asText(),
                logDigest.get("sha256").asText());
        assertEquals(expected, subjects, "the subjects: every output and the log");
    }

    private static String sha256(byte[] bytes) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }

    private static String hex(byte[] bytes) {
        return "0x" + HexFormat.of().formatHex(bytes);
    }
}
