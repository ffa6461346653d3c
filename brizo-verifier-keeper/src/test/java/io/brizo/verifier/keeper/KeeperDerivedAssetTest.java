package io.brizo.verifier.keeper;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.brizo.Brizo;
import io.brizo.http.BrizoHttpApi;
import io.brizo.http.BrizoHttpServer;
import io.brizo.spi.AlgorithmContainer;
import io.brizo.spi.BrizoException;
import io.brizo.spi.ByteRange;
import io.brizo.spi.ComputeBackend;
import io.brizo.spi.ComputeEnvironment;
import io.brizo.spi.ComputeJob;
import io.brizo.spi.JobEvidence;
import io.brizo.spi.JobEvidence.FileDigest;
import io.brizo.spi.JobState;
import io.brizo.spi.JobStatus;
import io.brizo.spi.LogChunk;
import io.brizo.spi.ObjectInfo;
import io.brizo.spi.OutputFile;
import io.brizo.spi.OutputPublication;
import io.brizo.spi.ServiceAgreementVerifier;
import io.brizo.spi.Settings;
import io.brizo.spi.StorageObject;
import io.brizo.testkit.OpenApiConformance;
import io.brizo.testkit.TestConsumer;
import java.io.ByteArrayInputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Derived assets with the keeper verifier on a real local chain (anvil): when a job that asked
 * for it has SUCCEEDED, the provider registers the derived DID and grants its owner permission on
 * chain, and the owner consumes it through the DID form; with the chain down the job stays
 * SUCCEEDED without the asset until a later observation publishes it. The compute backend is a
 * fake with one ended job: what is tested here is the chain's part.
 */
class KeeperDerivedAssetTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static final byte[] OUTPUT = "derived bytes\n".getBytes(StandardCharsets.UTF_8);
    static LocalChain chain;

    @TempDir
    Path dir;

    final HttpClient http = HttpClient.newHttpClient();
    final List<AutoCloseable> toClose = new ArrayList<>();
    final TestConsumer consumer = TestConsumer.random();
    final TestConsumer stranger = TestConsumer.random();
    final String jobId = KeeperAgreementVerifierTest.randomHex32().substring(0, 32);

    @BeforeAll
    static void startChain() throws Exception {
        chain = LocalChain.start();
    }

    @AfterAll
    static void stopChain() {
        if (chain != null) {
            chain.close();
        }
    }

    @AfterEach
    void close() throws Exception {
        for (AutoCloseable c : toClose) {
            c.close();
        }
        toClose.clear();
    }

    URI start(ServiceAgreementVerifier verifier) throws Exception {
        Path assets = dir.resolve("assets.json");
        if (!Files.exists(assets)) {
            Files.writeString(assets, "{}");
        }
        Settings settings = Settings.builder()
                .put("BRIZO_ASSETS", assets.toString())
                .put("BRIZO_RELOAD_INTERVAL", "0")
                .put("PROVIDER_KEY", KeeperPermissionTest.PROVIDER_KEY)
                .build();
        Brizo brizo = Brizo.builder()
                .settings(settings)
                .verifier(verifier)
                .computeBackend(new OneEndedJob(consumer.address(), jobId))
                .build();
        BrizoHttpServer server = BrizoHttpServer.start(brizo, new InetSocketAddress("127.0.0.1", 0), 4);
        toClose.add(0, brizo);
        toClose.add(0, server);
        return server.uri();
    }

    HttpResponse<byte[]> get(URI root, String path, Map<String, String> params) throws Exception {
        StringBuilder q = new StringBuilder();
        params.forEach((k, v) -> q.append(q.length() == 0 ? "" : "&")
                .append(k)
                .append('=')
                .append(URLEncoder.encode(v, StandardCharsets.UTF_8)));
        HttpRequest request =
                HttpRequest.newBuilder(URI.create(root + path + "?" + q)).build();
        return OpenApiConformance.forApiAt(root).check(http.send(request, HttpResponse.BodyHandlers.ofByteArray()));
    }

    JsonNode status(URI root) throws Exception {
        HttpResponse<byte[]> r = get(
                root,
                BrizoHttpApi.COMPUTE,
                Map.of(
                        "consumerAddress", consumer.address(),
                        "jobId", jobId,
                        "signature", consumer.sign(consumer.address() + jobId)));
        assertEquals(200, r.statusCode(), new String(r.body(), StandardCharsets.UTF_8));
        return JSON.readTree(r.body()).get(0);
    }

    HttpResponse<byte[]> consume(URI root, TestConsumer who, String did) throws Exception {
        return get(
                root,
                BrizoHttpApi.CONSUME,
                Map.of(
                        "serviceAgreementId",
                        did,
                        "consumerAddress",
                        who.address(),
                        "signature",
                        who.sign(did),
                        "index",
                        "0"));
    }

    @Test
    void theProviderRegistersTheDerivedDidAndGrantsItsOwnerOnChain() throws Exception {
        URI root = start(KeeperPermissionTest.provider(chain));
        String did = status(root).get("resultsDid").asText();
        assertTrue(did.matches("did:op:[0-9a-f]{64}"), did);
        assertEquals(KeeperPermissionTest.PROVIDER, chain.didOwner(did), "the provider owns the DID on chain");
        assertTrue(chain.didPermission(did, consumer.address()), "the owner has permission on chain");
        assertFalse(chain.didPermission(did, stranger.address()));

        HttpResponse<byte[]> ok = consume(root, consumer, did);
        assertEquals(200, ok.statusCode(), new String(ok.body(), StandardCharsets.UTF_8));
        assertArrayEquals(OUTPUT, ok.body());
        assertEquals(403, consume(root, stranger, did).statusCode());

        // Observed again: nothing more is sent to the chain.
        long before = chain.transactionCount(KeeperPermissionTest.PROVIDER);
        assertEquals(did, status(root).get("resultsDid").asText());
        close();
        URI restarted = start(KeeperPermissionTest.provider(chain));
        assertEquals(did, status(restarted).get("resultsDid").asText());
        assertEquals(before, chain.transactionCount(KeeperPermissionTest.PROVIDER));
    }

    @Test
    void withTheChainDownTheJobStaysSucceededAndIsPublishedAtTheNextObservation() throws Exception {
        String did;
        try (ClosedPort closed = ClosedPort.open()) {
            ServiceAgreementVerifier down =
                    KeeperAgreementVerifierTest.verifier(KeeperAgreementVerifierTest.settings(chain, closed.url())
                            .put("PROVIDER_KEY", KeeperPermissionTest.PROVIDER_KEY)
                            .build());
            URI root = start(down);
            JsonNode s = status(root);
            assertEquals("SUCCEEDED", s.get("state").asText());
            assertEquals("", s.get("resultsDid").asText());
            assertTrue(s.get("message").asText().contains("not published as an asset yet"), s.toString());
            assertFalse(s.get("message").asText().contains("127.0.0.1"), s.toString());
            // No receipt until it can name the asset: receipts never change.
            HttpResponse<byte[]> receipt = get(
                    root,
                    BrizoHttpApi.COMPUTE_RECEIPT,
                    Map.of(
                            "consumerAddress", consumer.address(),
                            "jobId", jobId,
                            "signature", consumer.sign(consumer.address() + jobId)));
            assertEquals(503, receipt.statusCode(), new String(receipt.body(), StandardCharsets.UTF_8));
            close();
        }
        URI root = start(KeeperPermissionTest.provider(chain));
        JsonNode s = status(root);
        did = s.get("resultsDid").asText();
        assertTrue(did.startsWith("did:op:"), s.toString());
        assertTrue(s.get("message").isNull(), s.toString());
        assertTrue(chain.didPermission(did, consumer.address()));
        assertEquals(200, consume(root, consumer, did).statusCode());
    }

    /** A backend with one job that SUCCEEDED with one output and asked for it to be published. */
    record OneEndedJob(String owner, String jobId) implements ComputeBackend {
        static final ComputeEnvironment ENVIRONMENT =
                new ComputeEnvironment("fake", "a fake", 1, 1L << 30, 0, Duration.ofHours(1));

        JobStatus done() {
            Instant t = Instant.parse("2026-01-01T00:00:00Z");
            return new JobStatus(jobId, owner, "c0".repeat(32), JobState.SUCCEEDED, 0, t, t, t, null);
        }

        void known(String id) {
            if (!jobId.equals(id)) {
                throw BrizoException.notFound("no such job");
            }
        }

        @Override
        public JobStatus status(String id) {
            known(id);
            return done();
        }

        @Override
        public List<JobStatus> jobs(String who, String agreementId) {
            return List.of(done());
        }

        @Override
        public List<OutputFile> outputs(String id) {
            known(id);
            return List.of(new OutputFile("result.txt", OUTPUT.length));
        }

        @Override
        public StorageObject openOutput(String id, String name) {
            known(id);
            return new StorageObject(
                    ObjectInfo.builder(OUTPUT.length).contentType("text/plain").build(),
                    new ByteRange.Slice(0, OUTPUT.length, OUTPUT.length),
                    new ByteArrayInputStream(OUTPUT));
        }

        @Override
        public Optional<JobEvidence> evidence(String id) {
            known(id);
            String sha;
            try {
                sha = HexFormat.of()
                        .formatHex(MessageDigest.getInstance("SHA-256").digest(OUTPUT));
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
            return Optional.of(new JobEvidence(
                    "fake",
                    ENVIRONMENT,
                    Duration.ofHours(1),
                    List.of("c0".repeat(32)),
                    null,
                    new AlgorithmContainer("sh", null, null, "sh $ALGO"),
                    null,
                    List.of(),
                    List.of(),
                    List.of(new FileDigest("result.txt", OUTPUT.length, sha)),
                    null,
                    new OutputPublication(true, false, owner, null)));
        }

        @Override
        public List<ComputeEnvironment> environments() {
            return List.of(ENVIRONMENT);
        }

        @Override
        public JobStatus start(ComputeJob job) {
            throw new UnsupportedOperationException();
        }

        @Override
        public JobStatus stop(String id) {
            return status(id);
        }

        @Override
        public void delete(String id) {
            throw new UnsupportedOperationException();
        }

        @Override
        public LogChunk logs(String id, long fromOffset) {
            return new LogChunk(fromOffset, new byte[0], true);
        }
    }
}
