package io.brizo.compute.local;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.brizo.Brizo;
import io.brizo.http.BrizoHttpApi;
import io.brizo.http.BrizoHttpServer;
import io.brizo.internal.asset.JsonFileAssetResolver;
import io.brizo.internal.compute.receipt.ReceiptVerifier;
import io.brizo.spi.AssetResolver;
import io.brizo.spi.Settings;
import io.brizo.testkit.TestConsumer;
import java.math.BigInteger;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.web3j.crypto.Keys;
import org.web3j.crypto.Sign;

/**
 * Derived assets over real HTTP with the local backend: a job started with {@code output}
 * {@code publishOutput} makes its outputs an asset of its owner, who consumes it with the DID form
 * and chains it into a next job; nobody else can.
 */
class DerivedAssetHttpTest extends ComputeHttpFixture {
    static final String PROVIDER_KEY = "0x" + "4c".repeat(32);
    static final String TWO_OUTPUTS =
            "echo working; printf alpha > \"$OUTPUTS/a.txt\"; printf 'beta\\n' > \"$OUTPUTS/b.txt\"";

    static String providerAddress() {
        return "0x" + Keys.getAddress(Sign.publicKeyFromPrivate(new BigInteger(PROVIDER_KEY.substring(2), 16)));
    }

    /** {@return a publisher over the fixture's compute directory that signs receipts, replacing the first} */
    URI signedPublisher() throws Exception {
        for (AutoCloseable c : toClose) {
            c.close();
        }
        toClose.clear();
        return start(Map.of("PROVIDER_KEY", PROVIDER_KEY));
    }

    /** Starts a job on {@code agreementOrDid} as {@code who}; {@return the answer's body} */
    JsonNode startOn(URI root, TestConsumer who, String agreementOrDid, Map<String, String> extra, int expected)
            throws Exception {
        Map<String, String> p = new HashMap<>(extra);
        p.put("serviceAgreementId", agreementOrDid);
        p.put("consumerAddress", who.address());
        p.put("signature", who.sign(who.address() + agreementOrDid));
        HttpResponse<byte[]> r = send(root, "POST", BrizoHttpApi.COMPUTE, p);
        assertEquals(expected, r.statusCode(), new String(r.body(), StandardCharsets.UTF_8));
        JsonNode body = JSON.readTree(r.body());
        return body.isArray() ? body.get(0) : body;
    }

    HttpResponse<byte[]> consume(URI root, TestConsumer who, String did, int index) throws Exception {
        return send(
                root,
                "GET",
                BrizoHttpApi.CONSUME,
                Map.of(
                        "serviceAgreementId", did,
                        "consumerAddress", who.address(),
                        "signature", who.sign(did),
                        "index", Integer.toString(index)));
    }

    String publishingJob(URI root, String output) throws Exception {
        return startOn(root, consumer, AGREEMENT, Map.of("algorithmMeta", meta(TWO_OUTPUTS), "output", output), 200)
                .get("jobId")
                .asText();
    }

    @Test
    void ownerConsumesChainsAndProvesTheDerivedAssetAndNobodyElseCan() throws Exception {
        URI root = signedPublisher();
        String jobId = publishingJob(
                root, "{\"publishOutput\": true, \"publishAlgorithmLog\": true, \"metadata\": {\"name\": \"counts\"}}");
        JsonNode done = awaitStatus(root, jobId, state("SUCCEEDED"));
        String did = done.get("resultsDid").asText();
        assertTrue(did.matches("did:op:[0-9a-f]{64}"), done.toString());
        assertEquals(did, status(root, jobId).get("resultsDid").asText());

        // Each output (in the order the job lists them), then the log, through consume's DID form.
        List<byte[]> expected = new ArrayList<>();
        for (int i = 0; i < done.get("results").size(); i++) {
            HttpResponse<byte[]> r = result(root, consumer, jobId, i);
            assertEquals(200, r.statusCode());
            expected.add(r.body());
        }
        assertEquals(2, expected.size());
        expected.add(logs(root, jobId, 0).getBytes(StandardCharsets.UTF_8));
        for (int i = 0; i < expected.size(); i++) {
            HttpResponse<byte[]> r = consume(root, consumer, did, i);
            assertEquals(200, r.statusCode(), new String(r.body(), StandardCharsets.UTF_8));
            assertArrayEquals(expected.get(i), r.body(), "file " + i);
        }
        assertEquals("alpha", new String(expected.get(0), StandardCharsets.UTF_8));
        assertEquals(404, consume(root, consumer, did, 3).statusCode());
        // Ranges work as for any storage.
        HttpResponse<byte[]> part = rangeConsume(root, did, 1, "bytes=1-2");
        assertEquals(206, part.statusCode());
        assertEquals("et", new String(part.body(), StandardCharsets.UTF_8));

        // A stranger can neither download it nor compute on it.
        assertEquals(403, consume(root, stranger, did, 0).statusCode());
        startOn(root, stranger, did, Map.of("algorithmMeta", meta("true")), 403);

        // The owner chains it: a second job reads the first job's outputs as its input.
        String hex = did.substring("did:op:".length());
        String copy = "cat \"$INPUTS/" + hex + "/0\" \"$INPUTS/" + hex + "/1\" > \"$OUTPUTS/copy.txt\"";
        String second = startOn(root, consumer, did, Map.of("algorithmMeta", meta(copy)), 200)
                .get("jobId")
                .asText();
        JsonNode chained =
                awaitStatus(root, second, s -> s.get("state").asText().matches("SUCCEEDED|FAILED"));
        assertEquals("SUCCEEDED", chained.get("state").asText(), chained.toString());
        assertEquals(did, chained.get("agreementId").asText());
        assertEquals("", chained.get("resultsDid").asText());
        assertEquals("alphabeta\n", new String(result(root, consumer, second, 0).body(), StandardCharsets.UTF_8));

        // The receipt names the derived asset and verifies; the chained job's names its input.
        JsonNode predicate = verifiedReceipt(root, jobId).get("predicate");
        assertEquals(did, predicate.get("resultsDid").asText());
        JsonNode chainedPredicate = verifiedReceipt(root, second).get("predicate");
        assertEquals(did, chainedPredicate.get("inputs").get(0).get("did").asText());
        assertTrue(chainedPredicate.get("resultsDid").isNull());
    }

    HttpResponse<byte[]> rangeConsume(URI root, String did, int index, String range) throws Exception {
        String q = "serviceAgreementId=" + did + "&consumerAddress=" + consumer.address() + "&signature="
                + consumer.sign(did) + "&index=" + index;
        java.net.http.HttpRequest request = java.net.http.HttpRequest.newBuilder(
                        URI.create(root + BrizoHttpApi.CONSUME + "?" + q))
                .header("Range", range)
                .build();
        return http.send(request, HttpResponse.BodyHandlers.ofByteArray());
    }

    JsonNode verifiedReceipt(URI root, String jobId) throws Exception {
        HttpResponse<byte[]> r = send(root, "GET", BrizoHttpApi.COMPUTE_RECEIPT, jobParams(consumer, jobId));
        assertEquals(200, r.statusCode(), new String(r.body(), StandardCharsets.UTF_8));
        return ReceiptVerifier.verify(r.body(), providerAddress()).statement();
    }

    @Test
    void anOwnerNamedInTheRequestGetsThePermissionAndTheConsumerDoesNot() throws Exception {
        TestConsumer owner = TestConsumer.random();
        URI root = signedPublisher();
        String jobId = publishingJob(root, "{\"publishOutput\": true, \"owner\": \"" + owner.address() + "\"}");
        String did =
                awaitStatus(root, jobId, state("SUCCEEDED")).get("resultsDid").asText();
        assertTrue(did.startsWith("did:op:"));
        HttpResponse<byte[]> mine = consume(root, owner, did, 0);
        assertEquals(200, mine.statusCode(), new String(mine.body(), StandardCharsets.UTF_8));
        assertEquals("alpha", new String(mine.body(), StandardCharsets.UTF_8));
        // Only the outputs: no log was asked for.
        assertEquals(404, consume(root, owner, did, 2).statusCode());
        assertEquals(403, consume(root, consumer, did, 0).statusCode());
    }

    @Test
    void aJobWithoutOutputOptionsHasNoDerivedAsset() throws Exception {
        String jobId = startOn(base, consumer, AGREEMENT, Map.of("algorithmMeta", meta(TWO_OUTPUTS)), 200)
                .get("jobId")
                .asText();
        JsonNode done = awaitStatus(base, jobId, state("SUCCEEDED"));
        assertEquals("", done.get("resultsDid").asText());
        String unpublished = startOn(
                        base,
                        consumer,
                        AGREEMENT,
                        Map.of("algorithmMeta", meta(TWO_OUTPUTS), "output", "{\"publishOutput\": false}"),
                        200)
                .get("jobId")
                .asText();
        assertEquals(
                "",
                awaitStatus(base, unpublished, state("SUCCEEDED"))
                        .get("resultsDid")
                        .asText());
        assertEquals(
                2, JSON.readTree(Files.readString(dir.resolve("assets.json"))).size());
    }

    @Test
    void outputOptionsMayComeAsAJsonObjectInAJsonBody() throws Exception {
        URI root = signedPublisher();
        Map<String, Object> body = new HashMap<>();
        body.put("serviceAgreementId", AGREEMENT);
        body.put("consumerAddress", consumer.address());
        body.put("signature", consumer.sign(consumer.address() + AGREEMENT));
        body.put("algorithmMeta", JSON.readTree(meta(TWO_OUTPUTS)));
        body.put("output", Map.of("publishOutput", true, "metadata", Map.of("name", "two files")));
        java.net.http.HttpRequest request = java.net.http.HttpRequest.newBuilder(
                        URI.create(root + BrizoHttpApi.COMPUTE))
                .header("Content-Type", "application/json")
                .POST(java.net.http.HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body)))
                .build();
        HttpResponse<byte[]> r = io.brizo.testkit.OpenApiConformance.forApiAt(root)
                .check(http.send(request, HttpResponse.BodyHandlers.ofByteArray()));
        assertEquals(200, r.statusCode(), new String(r.body(), StandardCharsets.UTF_8));
        String jobId = JSON.readTree(r.body()).get(0).get("jobId").asText();
        String did =
                awaitStatus(root, jobId, state("SUCCEEDED")).get("resultsDid").asText();
        assertTrue(did.startsWith("did:op:"), did);
        assertEquals("alpha", new String(consume(root, consumer, did, 0).body(), StandardCharsets.UTF_8));
    }

    @Test
    void malformedOutputOptionsAreRefusedNamingTheField() throws Exception {
        Map<String, String> cases = new java.util.LinkedHashMap<>();
        cases.put("not json", "output must be a JSON object");
        cases.put("[true]", "output must be a JSON object");
        cases.put("{\"owner\": \"0x1234\"}", "output.owner");
        cases.put("{\"owner\": 5}", "output.owner");
        cases.put("{\"metadata\": \"text\"}", "output.metadata");
        cases.put("{\"metadata\": {\"blob\": \"" + "x".repeat(17 * 1024) + "\"}}", "output.metadata");
        cases.put("{\"publishOutput\": \"yes\"}", "output.publishOutput");
        cases.put("{\"publishAlgorithmLog\": 1}", "output.publishAlgorithmLog");
        for (Map.Entry<String, String> c : cases.entrySet()) {
            JsonNode e = startOn(
                    base, consumer, AGREEMENT, Map.of("algorithmMeta", meta("true"), "output", c.getKey()), 400);
            assertEquals("INVALID_REQUEST", e.get("error").asText(), e.toString());
            assertTrue(e.get("message").asText().contains(c.getValue()), e.toString());
        }
        // Fields of the original that this publisher does not use are accepted.
        startOn(
                base,
                consumer,
                AGREEMENT,
                Map.of("algorithmMeta", meta("true"), "output", "{\"nodeUri\": \"http://node\", \"whitelist\": []}"),
                200);
    }

    @Test
    void publishingIsRefusedAtStartByAPublisherThatCannotRegisterAssets() throws Exception {
        JsonFileAssetResolver json = new JsonFileAssetResolver(dir.resolve("assets.json"), Duration.ZERO);
        AssetResolver readOnly = json::resolve;
        Settings settings = Settings.builder()
                .put("BRIZO_GRANTS", dir.resolve("grants.json").toString())
                .put("BRIZO_RELOAD_INTERVAL", "0")
                .put("BRIZO_FILE_ROOTS", dataDir.toString())
                .put("BRIZO_COMPUTE_DIR", Files.createTempDirectory(dir, "jobs").toString())
                .put("BRIZO_COMPUTE_COMMANDS", "sh=/bin/sh")
                .put("BRIZO_COMPUTE_ALLOW_RAW_ALGORITHMS", "true")
                .build();
        Brizo brizo = Brizo.builder()
                .settings(settings)
                .assetResolver(readOnly)
                .discover()
                .build();
        BrizoHttpServer server = BrizoHttpServer.start(brizo, new InetSocketAddress("127.0.0.1", 0), 4);
        toClose.add(0, brizo);
        toClose.add(0, server);
        JsonNode e = startOn(
                server.uri(),
                consumer,
                AGREEMENT,
                Map.of("algorithmMeta", meta("true"), "output", "{\"publishOutput\": true}"),
                400);
        assertTrue(e.get("message").asText().contains("output.publishOutput"), e.toString());
        assertTrue(e.get("message").asText().contains("cannot register"), e.toString());
        // Without publishing, the same publisher runs the job.
        startOn(server.uri(), consumer, AGREEMENT, Map.of("algorithmMeta", meta("true")), 200);
    }

    @Test
    void observingAgainOrFromANewBackendRegistersOneAssetAndOnePermission() throws Exception {
        URI root = signedPublisher();
        String jobId = publishingJob(root, "{\"publishOutput\": true}");
        String did =
                awaitStatus(root, jobId, state("SUCCEEDED")).get("resultsDid").asText();
        // Observed again: through the job list and the receipt.
        HttpResponse<byte[]> list = send(
                root,
                "GET",
                BrizoHttpApi.COMPUTE,
                Map.of("consumerAddress", consumer.address(), "signature", consumer.sign(consumer.address())));
        assertEquals(200, list.statusCode());
        assertTrue(new String(list.body(), StandardCharsets.UTF_8).contains(did));
        String receipt = verifiedReceipt(root, jobId).toString();
        for (AutoCloseable c : toClose) {
            c.close();
        }
        toClose.clear();
        // A new server and backend over the same job directory: the same DID, nothing added.
        URI restarted = signedPublisher();
        assertEquals(did, status(restarted, jobId).get("resultsDid").asText());
        assertEquals(receipt, verifiedReceipt(restarted, jobId).toString());
        JsonNode catalogue = JSON.readTree(Files.readString(dir.resolve("assets.json")));
        assertEquals(3, catalogue.size(), catalogue.toString());
        assertTrue(catalogue.has(did));
        JsonNode grants = JSON.readTree(Files.readString(dir.resolve("grants.json")));
        int permissions = 0;
        for (JsonNode g : grants) {
            if (did.equals(g.path("did").asText())) {
                permissions++;
                assertEquals(
                        consumer.address().toLowerCase(java.util.Locale.ROOT),
                        g.get("consumer").asText());
            }
        }
        assertEquals(1, permissions, grants.toString());
        // The catalogue never shows a storage location: job outputs are named by job and output only.
        assertFalse(catalogue.get(did).toString().contains(computeDir.toString()));
        assertEquals(200, consume(restarted, consumer, did, 0).statusCode());
    }
}
