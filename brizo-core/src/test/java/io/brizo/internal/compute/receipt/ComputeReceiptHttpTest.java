package io.brizo.internal.compute.receipt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.brizo.Brizo;
import io.brizo.ComputeJobRequest;
import io.brizo.ComputeReceipt;
import io.brizo.TestKeys;
import io.brizo.http.BrizoHttpServer;
import io.brizo.http.Routes;
import io.brizo.spi.AlgorithmContainer;
import io.brizo.spi.BrizoException;
import io.brizo.spi.ComputeBackend;
import io.brizo.spi.ComputeEnvironment;
import io.brizo.spi.ComputeJob;
import io.brizo.spi.ErrorKind;
import io.brizo.spi.JobEvidence;
import io.brizo.spi.JobState;
import io.brizo.spi.JobStatus;
import io.brizo.spi.LogChunk;
import io.brizo.spi.OutputFile;
import io.brizo.spi.Settings;
import io.brizo.spi.StorageObject;
import java.math.BigInteger;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.web3j.crypto.Hash;
import org.web3j.crypto.Keys;
import org.web3j.crypto.Sign;
import org.web3j.utils.Numeric;

/**
 * Receipts of ended jobs over the JDK server binding on 127.0.0.1. The compute backend here is a
 * stand-in that returns fixed {@link JobEvidence}, as a real backend (local, Kubernetes) returns
 * what it saw of a job; the receipt is built, signed and served by core alone.
 */
class ComputeReceiptHttpTest {
    static final String PROVIDER_KEY = "0x" + "4c".repeat(32);
    static final String AGREEMENT = "12".repeat(32);
    static final String DID = "did:op:" + "ab".repeat(32);
    static final String ALGORITHM_DID = "did:op:" + "cd".repeat(32);
    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    final TestKeys consumer = TestKeys.random();
    final TestKeys stranger = TestKeys.random();
    final HttpClient http = HttpClient.newHttpClient();
    final List<AutoCloseable> toClose = new ArrayList<>();
    final FixedEvidenceBackend backend = new FixedEvidenceBackend();

    @AfterEach
    void tearDown() throws Exception {
        for (AutoCloseable c : toClose) {
            c.close();
        }
    }

    URI start(String providerKey, String providerAddress) throws Exception {
        Map<String, String> key = new java.util.HashMap<>();
        if (providerKey != null) {
            key.put("PROVIDER_KEY", providerKey);
        }
        if (providerAddress != null) {
            key.put("PROVIDER_ADDRESS", providerAddress);
        }
        return start(key);
    }

    URI start(Map<String, String> providerSettings) throws Exception {
        Path assets = Files.writeString(dir.resolve("assets.json"), "{}");
        Path grants = Files.writeString(dir.resolve("grants.json"), "[]");
        Settings.Builder s =
                Settings.builder().put("BRIZO_ASSETS", assets.toString()).put("BRIZO_GRANTS", grants.toString());
        s.putAll(providerSettings);
        Brizo brizo = Brizo.builder()
                .settings(s.build())
                .computeBackend(backend)
                .discover()
                .build();
        BrizoHttpServer server = BrizoHttpServer.start(brizo, new InetSocketAddress("127.0.0.1", 0), 4);
        toClose.add(0, brizo);
        toClose.add(0, server);
        return server.uri();
    }

    /** The address of {@link #PROVIDER_KEY}, as web3j derives it. */
    static String providerAddress() {
        return "0x" + Keys.getAddress(Sign.publicKeyFromPrivate(new BigInteger(PROVIDER_KEY.substring(2), 16)));
    }

    HttpResponse<String> get(URI base, String route, TestKeys signer, String owner, String jobId) throws Exception {
        String query = "?consumerAddress=" + owner + "&jobId=" + jobId + "&signature=" + signer.signText(owner + jobId);
        return http.send(
                HttpRequest.newBuilder(URI.create(base + route + query)).build(), HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<String> receipt(URI base, String jobId) throws Exception {
        return get(base, Routes.COMPUTE_RECEIPT, consumer, consumer.address(), jobId);
    }

    static JsonNode ok(HttpResponse<String> r) throws Exception {
        assertEquals(200, r.statusCode(), r.body());
        assertEquals("application/json", r.headers().firstValue("Content-Type").orElseThrow());
        return JSON.readTree(r.body());
    }

    /** {@return the address web3j recovers from the receipt's signature over keccak256(JCS(statement))} */
    static String recoverWithWeb3j(JsonNode receipt) throws Exception {
        byte[] hash = Hash.sha3(CanonicalJson.bytes(receipt.get("statement")));
        byte[] sig = Numeric.hexStringToByteArray(receipt.get("signature").asText());
        Sign.SignatureData data =
                new Sign.SignatureData(sig[64], Arrays.copyOfRange(sig, 0, 32), Arrays.copyOfRange(sig, 32, 64));
        return "0x" + Keys.getAddress(Sign.signedPrefixedMessageToKey(hash, data));
    }

    @Test
    void theReceiptOfASucceededJobNamesWhatRanOnWhichDataAndRecoversToTheProviderWithWeb3j() throws Exception {
        URI base = start(PROVIDER_KEY, null);
        backend.ended("job-ok", consumer.address(), JobState.SUCCEEDED, 0);

        JsonNode receipt = ok(receipt(base, "job-ok"));

        assertEquals(providerAddress(), recoverWithWeb3j(receipt));
        String announced = JSON.readTree(
                        http.send(HttpRequest.newBuilder(base).build(), HttpResponse.BodyHandlers.ofString())
                                .body())
                .get("providerAddress")
                .asText();
        assertTrue(announced.equalsIgnoreCase(recoverWithWeb3j(receipt)), announced);
        assertEquals(providerAddress(), receipt.get("signer").asText());
        assertEquals(
                Numeric.toHexString(Hash.sha3(CanonicalJson.bytes(receipt.get("statement")))),
                receipt.get("hash").asText());

        JsonNode statement = receipt.get("statement");
        assertEquals("https://in-toto.io/Statement/v1", statement.get("_type").asText());
        assertEquals(
                "https://brizo.io/compute-receipt/v1",
                statement.get("predicateType").asText());
        assertEquals(
                List.of("outputs/count.txt", "outputs/plots/a.png", "logs/algorithm.log"),
                names(statement.get("subject")));
        assertEquals("1f".repeat(32), statement.at("/subject/0/digest/sha256").asText());
        JsonNode p = statement.get("predicate");
        assertEquals(providerAddress(), p.get("provider").asText());
        assertEquals(consumer.address(), p.get("consumer").asText());
        assertEquals("job-ok", p.get("jobId").asText());
        assertEquals(AGREEMENT, p.at("/agreementIds/0").asText());
        assertEquals(DID, p.at("/inputs/0/did").asText());
        assertEquals(0, p.at("/inputs/0/fileIndex").intValue());
        assertEquals(2_000_000L, p.at("/inputs/0/size").longValue());
        assertTrue(p.at("/inputs/0/size").isIntegralNumber());
        assertEquals("3a".repeat(32), p.at("/inputs/0/sha256").asText());
        assertEquals(ALGORITHM_DID, p.at("/algorithm/did").asText());
        assertFalse(p.at("/algorithm/inline").booleanValue());
        assertEquals("9f".repeat(32), p.at("/algorithm/files/0/sha256").asText());
        assertEquals("python", p.at("/algorithm/image").asText());
        assertEquals("3.12", p.at("/algorithm/tag").asText());
        assertTrue(p.at("/algorithm/digest").isNull());
        assertEquals("sha256:" + "ee".repeat(32), p.at("/algorithm/imageDigest").asText());
        assertEquals("python $ALGO", p.at("/algorithm/entrypoint").asText());
        assertEquals("small", p.at("/environment/id").asText());
        assertEquals(1500, p.at("/environment/cpuMillis").intValue());
        assertEquals(1L << 30, p.at("/environment/memoryBytes").longValue());
        assertEquals(1, p.at("/environment/gpus").intValue());
        assertEquals(600, p.at("/environment/maxDurationSeconds").intValue());
        assertEquals("stand-in", p.get("backend").asText());
        assertEquals("2026-01-01T10:00:00Z", p.get("createdAt").asText());
        assertEquals("2026-01-01T10:00:01.250Z", p.get("startedAt").asText());
        assertEquals("2026-01-01T10:00:03Z", p.get("finishedAt").asText());
        assertEquals("SUCCEEDED", p.get("state").asText());
        assertEquals(0, p.get("exitCode").intValue());
        assertTrue(p.has("resultsDid") && p.get("resultsDid").isNull());
        assertEquals("algorithm.log", p.at("/log/name").asText());
    }

    @Test
    void aProviderWhoseKeyIsAKeystoreFileAnnouncesItsAddressAtTheRootAndSignsReceiptsWithIt() throws Exception {
        // A keystore v3 written by web3j with its light scrypt parameters (fast); the other writers
        // (ethers, the Web3 Secret Storage vector) are read in ProviderKeysTest.
        String password = "keystore password of this test";
        String keystore = org.web3j.protocol.ObjectMapperFactory.getObjectMapper()
                .writeValueAsString(org.web3j.crypto.Wallet.createLight(
                        password, org.web3j.crypto.ECKeyPair.create(new BigInteger(PROVIDER_KEY.substring(2), 16))));
        Path file = Files.writeString(dir.resolve("provider.keystore.json"), keystore);
        URI base = start(Map.of(
                "PROVIDER_KEYFILE",
                file.toString(),
                "PROVIDER_PASSWORD",
                password,
                "PROVIDER_ADDRESS",
                providerAddress().toLowerCase(java.util.Locale.ROOT)));
        backend.ended("job-ok", consumer.address(), JobState.SUCCEEDED, 0);

        String announced = JSON.readTree(
                        http.send(HttpRequest.newBuilder(base).build(), HttpResponse.BodyHandlers.ofString())
                                .body())
                .get("providerAddress")
                .asText();
        JsonNode receipt = ok(receipt(base, "job-ok"));

        assertTrue(announced.equalsIgnoreCase(providerAddress()), announced);
        assertEquals(providerAddress(), recoverWithWeb3j(receipt));
        assertEquals(providerAddress(), receipt.get("signer").asText());
        assertEquals(
                providerAddress(),
                ReceiptVerifier.verify(utf8(receipt.toString()), providerAddress())
                        .signer());
    }

    @Test
    void aProviderWhoseKeyIsTheKeystoreJsonInASettingSignsReceiptsWithIt() throws Exception {
        String password = "another keystore password";
        String keystore = org.web3j.protocol.ObjectMapperFactory.getObjectMapper()
                .writeValueAsString(org.web3j.crypto.Wallet.createLight(
                        password, org.web3j.crypto.ECKeyPair.create(new BigInteger(PROVIDER_KEY.substring(2), 16))));
        URI base = start(Map.of("PROVIDER_ENCRYPTED_KEY", keystore, "PROVIDER_PASSWORD", password));
        backend.ended("job-ok", consumer.address(), JobState.SUCCEEDED, 0);

        JsonNode receipt = ok(receipt(base, "job-ok"));

        assertEquals(providerAddress(), recoverWithWeb3j(receipt));
    }

    @Test
    void aKeystoreWithTheWrongPasswordStopsTheBuildWithAConfigurationErrorNotShowingThePassword() throws Exception {
        String keystore = org.web3j.protocol.ObjectMapperFactory.getObjectMapper()
                .writeValueAsString(org.web3j.crypto.Wallet.createLight(
                        "the right one",
                        org.web3j.crypto.ECKeyPair.create(new BigInteger(PROVIDER_KEY.substring(2), 16))));
        Path file = Files.writeString(dir.resolve("provider.keystore.json"), keystore);

        BrizoException e = assertThrows(
                BrizoException.class,
                () -> start(Map.of("PROVIDER_KEYFILE", file.toString(), "PROVIDER_PASSWORD", "the wrong one")));

        assertEquals(ErrorKind.CONFIGURATION, e.kind());
        assertFalse(e.getMessage().contains("the wrong one"), e.getMessage());
        assertFalse(e.getMessage().contains(dir.toString()), e.getMessage());
    }

    @Test
    void theReceiptsOfAFailedAndAStoppedJobSayHowTheyEnded() throws Exception {
        URI base = start(PROVIDER_KEY, null);
        backend.ended("job-failed", consumer.address(), JobState.FAILED, 3);
        backend.ended("job-stopped", consumer.address(), JobState.STOPPED, null);

        JsonNode failed = ok(receipt(base, "job-failed"));
        JsonNode stopped = ok(receipt(base, "job-stopped"));

        assertEquals("FAILED", failed.at("/statement/predicate/state").asText());
        assertEquals(3, failed.at("/statement/predicate/exitCode").intValue());
        assertEquals("STOPPED", stopped.at("/statement/predicate/state").asText());
        assertTrue(stopped.at("/statement/predicate/exitCode").isNull());
        assertEquals(providerAddress(), recoverWithWeb3j(failed));
        assertEquals(providerAddress(), recoverWithWeb3j(stopped));
    }

    @Test
    void theSameJobAlwaysGivesTheSameBytesAndTheFacadeGivesWhatTheRouteServes() throws Exception {
        URI base = start(PROVIDER_KEY, null);
        backend.ended("job-ok", consumer.address(), JobState.SUCCEEDED, 0);

        String first = receipt(base, "job-ok").body();
        String second = receipt(base, "job-ok").body();

        assertEquals(first, second);
        assertEquals(CanonicalJson.text(JSON.readTree(first)), first);
        Brizo brizo = (Brizo)
                toClose.stream().filter(Brizo.class::isInstance).findFirst().orElseThrow();
        ComputeReceipt r = brizo.computeReceipt(new ComputeJobRequest(
                consumer.address(), consumer.signText(consumer.address() + "job-ok"), null, null, "job-ok"));
        assertEquals(first, r.json());
        assertTrue(r.signed());
        assertEquals(providerAddress(), r.signer());
    }

    @Test
    void aReceiptWithOneByteOfItsStatementChangedFailsVerification() throws Exception {
        URI base = start(PROVIDER_KEY, null);
        backend.ended("job-ok", consumer.address(), JobState.SUCCEEDED, 0);
        String body = receipt(base, "job-ok").body();
        assertEquals(
                providerAddress(),
                ReceiptVerifier.verify(utf8(body), providerAddress()).signer());

        // One hex digit of the first output's digest: 1f... becomes 0f...
        int at = body.indexOf("1f".repeat(32));
        String tampered = body.substring(0, at) + "0" + body.substring(at + 1);
        assertNotEquals(body, tampered);

        assertNotEquals(providerAddress(), recoverWithWeb3j(JSON.readTree(tampered)));
        ReceiptVerifier.Invalid e = assertThrows(
                ReceiptVerifier.Invalid.class, () -> ReceiptVerifier.verify(utf8(tampered), providerAddress()));
        assertFalse(e.getMessage().contains("\n"), e.getMessage());
        assertThrows(ReceiptVerifier.Invalid.class, () -> ReceiptVerifier.verify(utf8(tampered), null));
    }

    @Test
    void withoutAProviderKeyTheReceiptIsUnsignedAndSaysSo() throws Exception {
        String address = "0x" + "ab".repeat(20);
        URI base = start(null, address);
        backend.ended("job-ok", consumer.address(), JobState.SUCCEEDED, 0);

        JsonNode receipt = ok(receipt(base, "job-ok"));

        assertTrue(receipt.has("signature") && receipt.get("signature").isNull());
        assertTrue(receipt.has("signer") && receipt.get("signer").isNull());
        assertEquals(address, receipt.at("/statement/predicate/provider").asText());
        assertEquals(
                Numeric.toHexString(Hash.sha3(CanonicalJson.bytes(receipt.get("statement")))),
                receipt.get("hash").asText());
        ReceiptVerifier.Invalid e = assertThrows(
                ReceiptVerifier.Invalid.class, () -> ReceiptVerifier.verify(utf8(receipt.toString()), null));
        assertTrue(e.getMessage().contains("unsigned"), e.getMessage());
    }

    @Test
    void aJobThatHasNotEndedOrWhoseBackendKeptNoEvidenceHasNoReceiptYet() throws Exception {
        URI base = start(PROVIDER_KEY, null);
        backend.running("job-running", consumer.address());
        backend.ended("job-bare", consumer.address(), JobState.SUCCEEDED, 0);
        backend.evidence.remove("job-bare");

        for (String job : List.of("job-running", "job-bare")) {
            HttpResponse<String> r = receipt(base, job);
            assertEquals(404, r.statusCode(), r.body());
            assertEquals(
                    "application/json", r.headers().firstValue("Content-Type").orElseThrow());
            JsonNode error = JSON.readTree(r.body());
            assertEquals("NOT_FOUND", error.get("error").asText());
            assertTrue(error.get("message").asText().contains("no receipt yet"), r.body());
        }
        assertEquals(404, receipt(base, "no-such-job").statusCode());
    }

    @Test
    void aStrangerGetsTheSameRefusalForTheReceiptAsForTheStatus() throws Exception {
        URI base = start(PROVIDER_KEY, null);
        backend.ended("job-ok", consumer.address(), JobState.SUCCEEDED, 0);

        HttpResponse<String> status = get(base, Routes.COMPUTE, stranger, stranger.address(), "job-ok");
        HttpResponse<String> receipt = get(base, Routes.COMPUTE_RECEIPT, stranger, stranger.address(), "job-ok");

        assertEquals(403, status.statusCode(), status.body());
        assertEquals(status.statusCode(), receipt.statusCode());
        assertEquals(status.body(), receipt.body());
        // A signature of another key for the owner's address is no better.
        assertEquals(
                401,
                get(base, Routes.COMPUTE_RECEIPT, stranger, consumer.address(), "job-ok")
                        .statusCode());
    }

    @Test
    void theStatusOfAnEndedJobLinksItsReceiptAndThatOfARunningJobDoesNot() throws Exception {
        URI base = start(PROVIDER_KEY, null);
        backend.ended("job-ok", consumer.address(), JobState.SUCCEEDED, 0);
        backend.running("job-running", consumer.address());

        JsonNode ended = ok(get(base, Routes.COMPUTE, consumer, consumer.address(), "job-ok"));
        JsonNode running = ok(get(base, Routes.COMPUTE, consumer, consumer.address(), "job-running"));

        assertEquals(
                Routes.COMPUTE_RECEIPT + "?jobId=job-ok",
                ended.at("/0/receiptUrl").asText());
        assertTrue(
                running.get(0).has("receiptUrl") && running.at("/0/receiptUrl").isNull());
    }

    @Test
    void theReceiptNeverHoldsAStorageLocationOrAServerPath() throws Exception {
        URI base = start(PROVIDER_KEY, null);
        backend.ended("job-ok", consumer.address(), JobState.SUCCEEDED, 0);

        String body = receipt(base, "job-ok").body();

        for (String secret : List.of(
                backend.workDir.toString(),
                backend.outputStore.toString(),
                "secret",
                dir.toString(),
                "file:",
                "s3:",
                "/srv",
                "/tmp")) {
            assertFalse(body.contains(secret), secret + " in " + body);
        }
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    static List<String> names(JsonNode subjects) {
        List<String> names = new ArrayList<>();
        subjects.forEach(s -> names.add(s.get("name").asText()));
        return names;
    }

    /**
     * Stands in for a real backend: jobs set by the test, and for each ended one the evidence a
     * backend would have gathered while the bytes flowed. Its work directory (a server path) and
     * the storage location of its outputs are known to it only, as a real backend's are.
     */
    static final class FixedEvidenceBackend implements ComputeBackend {
        final Map<String, JobStatus> jobs = new ConcurrentHashMap<>();
        final Map<String, JobEvidence> evidence = new ConcurrentHashMap<>();
        final Path workDir = Path.of("/srv/secret-compute-work/jobs");
        final URI outputStore = URI.create("s3://secret-bucket/outputs/");

        void running(String jobId, String owner) {
            jobs.put(
                    jobId,
                    new JobStatus(
                            jobId,
                            owner,
                            AGREEMENT,
                            JobState.RUNNING,
                            null,
                            Instant.parse("2026-01-01T10:00:00Z"),
                            Instant.parse("2026-01-01T10:00:01Z"),
                            null,
                            null));
        }

        void ended(String jobId, String owner, JobState state, Integer exitCode) {
            jobs.put(
                    jobId,
                    new JobStatus(
                            jobId,
                            owner,
                            AGREEMENT,
                            state,
                            exitCode,
                            Instant.parse("2026-01-01T10:00:00Z"),
                            Instant.parse("2026-01-01T10:00:01.250999999Z"),
                            Instant.parse("2026-01-01T10:00:03Z"),
                            state == JobState.FAILED ? "the algorithm exited with code " + exitCode : null));
            evidence.put(
                    jobId,
                    new JobEvidence(
                            "stand-in",
                            new ComputeEnvironment("small", "a small one", 1.5, 1L << 30, 1, Duration.ofHours(1)),
                            Duration.ofMinutes(10),
                            List.of(AGREEMENT),
                            ALGORITHM_DID,
                            new AlgorithmContainer("python", "3.12", null, "python $ALGO"),
                            "sha256:" + "ee".repeat(32),
                            List.of(new JobEvidence.FileDigest("algorithm", 212, "9f".repeat(32))),
                            List.of(new JobEvidence.InputDigest(DID, 0, 2_000_000, "3a".repeat(32))),
                            List.of(
                                    new JobEvidence.FileDigest("count.txt", 2, "1f".repeat(32)),
                                    new JobEvidence.FileDigest("plots/a.png", 1234, "2e".repeat(32))),
                            new JobEvidence.FileDigest("algorithm.log", 64, "7c".repeat(32))));
        }

        @Override
        public Optional<JobEvidence> evidence(String jobId) {
            return Optional.ofNullable(evidence.get(jobId));
        }

        @Override
        public JobStatus status(String jobId) {
            JobStatus s = jobs.get(jobId);
            if (s == null) {
                throw new BrizoException(ErrorKind.NOT_FOUND, "no such job");
            }
            return s;
        }

        @Override
        public List<JobStatus> jobs(String owner, String agreementId) {
            return jobs.values().stream()
                    .filter(j -> owner == null || j.owner().equalsIgnoreCase(owner))
                    .toList();
        }

        @Override
        public List<OutputFile> outputs(String jobId) {
            return List.of(new OutputFile("count.txt", 2), new OutputFile("plots/a.png", 1234));
        }

        @Override
        public List<ComputeEnvironment> environments() {
            return List.of(new ComputeEnvironment("small", "a small one", 1.5, 1L << 30, 1, Duration.ofHours(1)));
        }

        @Override
        public JobStatus start(ComputeJob job) {
            throw new UnsupportedOperationException("the test sets its jobs");
        }

        @Override
        public JobStatus stop(String jobId) {
            return status(jobId);
        }

        @Override
        public void delete(String jobId) {
            jobs.remove(jobId);
        }

        @Override
        public LogChunk logs(String jobId, long fromOffset) {
            return new LogChunk(fromOffset, new byte[0], true);
        }

        @Override
        public StorageObject openOutput(String jobId, String name) {
            throw new UnsupportedOperationException();
        }
    }
}
