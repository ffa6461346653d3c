package io.brizo.compute.local;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.brizo.internal.storage.FileStorageDriverFactory;
import io.brizo.internal.storage.StorageRouter;
import io.brizo.spi.AlgorithmContainer;
import io.brizo.spi.Asset;
import io.brizo.spi.AssetFile;
import io.brizo.spi.BrizoException;
import io.brizo.spi.ComputeAlgorithm;
import io.brizo.spi.ComputeBackend;
import io.brizo.spi.ComputeJob;
import io.brizo.spi.ErrorKind;
import io.brizo.spi.JobEvidence;
import io.brizo.spi.JobEvidence.FileDigest;
import io.brizo.spi.JobEvidence.InputDigest;
import io.brizo.spi.JobState;
import io.brizo.spi.JobStatus;
import io.brizo.spi.LogChunk;
import io.brizo.spi.Settings;
import io.brizo.spi.StorageAccess;
import io.brizo.spi.StorageObject;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The local backend's evidence for job receipts, beyond the contract: kept across restarts, for
 * jobs that ended while staging or waiting, with an output location, and gone with the job. Real
 * {@code /bin/sh} processes in the unsandboxed development mode, inputs staged through the real
 * {@code file} storage driver.
 */
class LocalProcessComputeBackendEvidenceTest {
    private static final String ALICE = "0x" + "a".repeat(40);
    private static final String AGREEMENT_1 = "0x" + "1".repeat(64);
    private static final String AGREEMENT_2 = "0x" + "2".repeat(64);
    private static final String DATASET_A = "did:op:" + "a1".repeat(32);
    private static final String DATASET_B = "did:op:" + "b2".repeat(32);
    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final String WAIT_FOR_RELEASE = "while [ ! -e \"$VOLUME/release\" ]; do sleep 0.02; done\n";

    @TempDir
    Path tmp;

    private Path computeDir;
    private Path dataDir;
    private Path storeDir;
    private StorageAccess storage;
    private final List<ComputeBackend> opened = new ArrayList<>();

    @BeforeEach
    void setUp() throws IOException {
        computeDir = Files.createDirectories(tmp.resolve("compute"));
        dataDir = Files.createDirectories(tmp.resolve("data"));
        storeDir = Files.createDirectories(tmp.resolve("store"));
        storage = new StorageRouter(List.of(new FileStorageDriverFactory()
                .create(Settings.builder()
                        .put(FileStorageDriverFactory.ROOTS, dataDir + ":" + storeDir)
                        .build())
                .orElseThrow()));
    }

    @AfterEach
    void closeBackends() {
        for (ComputeBackend b : opened) {
            try {
                b.jobs(null, null).stream().filter(s -> !s.state().isTerminal()).forEach(s -> b.stop(s.jobId()));
            } catch (RuntimeException e) {
                // closed already
            }
            b.close();
        }
    }

    @Test
    void evidenceNamesTheAlgorithmAndInputsAsStagedAndSurvivesARestartOfTheBackend() throws Exception {
        String script = "cat \"$INPUTS\"/*/* > \"$OUTPUTS/joined.txt\"\necho done\n";
        LocalProcessComputeBackend first = open();
        first.start(job(
                "kept",
                List.of(asset(DATASET_A, "alpha\n", "beta\n"), asset(DATASET_B, "gamma")),
                List.of(AGREEMENT_1, AGREEMENT_2),
                sh(script)));
        assertEquals(JobState.SUCCEEDED, awaitEnd(first, "kept").state());
        JobEvidence evidence = first.evidence("kept").orElseThrow();

        assertEquals("local", evidence.backend());
        assertEquals(first.environments().get(0), evidence.environment());
        assertNull(evidence.imageDigest(), "the local backend runs no image");
        assertEquals(new AlgorithmContainer("sh", null, null, "sh $ALGO"), evidence.container());
        assertEquals(List.of(AGREEMENT_1, AGREEMENT_2), evidence.agreementIds());
        assertEquals(List.of(new FileDigest("algorithm", script.length(), sha256(script))), evidence.algorithmFiles());
        assertEquals(
                List.of(
                        new InputDigest(DATASET_A, 0, 6, sha256("alpha\n")),
                        new InputDigest(DATASET_A, 1, 5, sha256("beta\n")),
                        new InputDigest(DATASET_B, 0, 5, sha256("gamma"))),
                evidence.inputs());
        assertEquals(List.of(new FileDigest("joined.txt", 16, sha256("alpha\nbeta\ngamma"))), evidence.outputs());
        assertEquals(new FileDigest("algorithm.log", 5, sha256("done\n")), evidence.log());
        assertNoServerPath(stateFile("kept"));
        first.close();

        LocalProcessComputeBackend second = open();
        assertEquals(Optional.of(evidence), second.evidence("kept"), "the evidence after a restart");
    }

    @Test
    void aJobThatRunsAcrossARestartKeepsTheEvidenceOfWhatWasStagedBeforeIt() throws Exception {
        LocalProcessComputeBackend first = open();
        first.start(job(
                "across",
                List.of(asset(DATASET_A, "alpha\n")),
                List.of(AGREEMENT_1),
                sh("echo waiting\n" + WAIT_FOR_RELEASE + "echo late > \"$OUTPUTS/late.txt\"\n")));
        await("the job runs", () -> log(first, "across").contains("waiting"));
        assertEquals(Optional.empty(), first.evidence("across"), "a running job has no evidence");
        first.close();

        LocalProcessComputeBackend second = open();
        assertEquals(JobState.RUNNING, second.status("across").state());
        Files.createFile(jobDir("across").resolve("release"));
        assertEquals(JobState.SUCCEEDED, awaitEnd(second, "across").state());
        JobEvidence evidence = second.evidence("across").orElseThrow();
        assertEquals(List.of(new InputDigest(DATASET_A, 0, 6, sha256("alpha\n"))), evidence.inputs());
        assertEquals(List.of(new FileDigest("late.txt", 5, sha256("late\n"))), evidence.outputs());
        assertEquals(1, evidence.algorithmFiles().size());
    }

    @Test
    void aJobThatFailedWhileStagingHasTheEvidenceOfTheFilesStagedBeforeTheFailure() throws Exception {
        LocalProcessComputeBackend backend = open();
        Asset missing = new Asset(
                DATASET_B, List.of(new AssetFile(dataDir.resolve("missing").toUri(), null, null)));
        backend.start(job(
                "half",
                List.of(asset(DATASET_A, "alpha\n"), missing),
                List.of(AGREEMENT_1, AGREEMENT_2),
                sh("echo never\n")));

        JobStatus done = awaitEnd(backend, "half");
        assertEquals(JobState.FAILED, done.state());
        JobEvidence evidence = backend.evidence("half").orElseThrow();
        assertEquals(List.of(new InputDigest(DATASET_A, 0, 6, sha256("alpha\n"))), evidence.inputs());
        assertEquals(List.of(), evidence.algorithmFiles(), "the algorithm is staged after the inputs");
        assertEquals(List.of(), evidence.outputs());
        assertEquals(new FileDigest("algorithm.log", 0, sha256("")), evidence.log());
        assertEquals(List.of(AGREEMENT_1, AGREEMENT_2), evidence.agreementIds());
    }

    @Test
    void aJobStoppedBeforeItRanHasEvidenceWithNothingSeen() throws Exception {
        LocalProcessComputeBackend backend = open("BRIZO_COMPUTE_LOCAL_MAX_JOBS", "1");
        backend.start(job("busy", List.of(), List.of(), sh("echo busy\n" + WAIT_FOR_RELEASE)));
        backend.start(job("waiting", List.of(asset(DATASET_A, "alpha\n")), List.of(AGREEMENT_1), sh("echo hi\n")));
        assertEquals(JobState.QUEUED, backend.status("waiting").state());

        assertEquals(JobState.STOPPED, backend.stop("waiting").state());
        JobEvidence evidence = backend.evidence("waiting").orElseThrow();
        assertEquals(List.of(), evidence.inputs());
        assertEquals(List.of(), evidence.algorithmFiles());
        assertEquals(List.of(), evidence.outputs());
        assertNull(evidence.log(), "a job that never started has no log");
        assertEquals(List.of(AGREEMENT_1), evidence.agreementIds());
    }

    @Test
    void theLogsDigestIsOfTheLogAsItsOwnerReadsItWithTheServersPathsMasked() throws Exception {
        LocalProcessComputeBackend backend = open();
        backend.start(job("paths", List.of(), List.of(), sh("echo \"I run in $VOLUME/outputs\"\n")));
        assertEquals(JobState.SUCCEEDED, awaitEnd(backend, "paths").state());

        String shown = log(backend, "paths");
        assertEquals("I run in /data/outputs\n", shown);
        assertNotEquals(shown, Files.readString(jobDir("paths").resolve("logs/algorithm.log")));
        FileDigest log = backend.evidence("paths").orElseThrow().log();
        assertEquals(new FileDigest("algorithm.log", shown.length(), sha256(shown)), log);
        assertNoServerPath(stateFile("paths"));
    }

    @Test
    void withAnOutputLocationTheStoredOutputsAndLogAreDigestedAsTheyAreStored() throws Exception {
        Path location = Files.createDirectories(storeDir.resolve("jobs"));
        LocalProcessComputeBackend backend =
                open("BRIZO_COMPUTE_OUTPUT_LOCATION", location.toUri().toString());
        byte[] big = new byte[300_000];
        for (int i = 0; i < big.length; i++) {
            big[i] = (byte) (i * 31 + i / 7);
        }
        URI bigFile = Files.write(dataDir.resolve("big"), big).toUri();
        backend.start(job(
                "stored",
                List.of(new Asset(DATASET_A, List.of(new AssetFile(bigFile, null, null)))),
                List.of(AGREEMENT_1),
                sh("cp \"$INPUTS\"/*/0 \"$OUTPUTS/copy.bin\"\nmkdir \"$OUTPUTS/sub\"\nprintf x > \"$OUTPUTS/sub/x\"\n"
                        + "echo \"stored from $VOLUME\"\n")));
        assertEquals(JobState.SUCCEEDED, awaitEnd(backend, "stored").state());
        assertTrue(Files.exists(location.resolve("stored/outputs/copy.bin")), "stored in the output location");

        JobEvidence evidence = backend.evidence("stored").orElseThrow();
        assertEquals(List.of(new InputDigest(DATASET_A, 0, big.length, sha256(big))), evidence.inputs());
        assertEquals(
                List.of(new FileDigest("copy.bin", big.length, sha256(big)), new FileDigest("sub/x", 1, sha256("x"))),
                evidence.outputs());
        assertEquals(
                sha256(output(backend, "stored", "copy.bin")),
                evidence.outputs().get(0).sha256());
        String shown = log(backend, "stored");
        assertEquals("stored from /data\n", shown);
        assertEquals(new FileDigest("algorithm.log", shown.length(), sha256(shown)), evidence.log());
        assertNoServerPath(stateFile("stored"));
        assertFalse(
                Files.readString(stateFile("stored")).contains(location.toUri().toString()));
        backend.close();

        assertEquals(
                Optional.of(evidence),
                open("BRIZO_COMPUTE_OUTPUT_LOCATION", location.toUri().toString())
                        .evidence("stored"));
    }

    @Test
    void theEvidenceIsDeletedWithTheJob() throws Exception {
        LocalProcessComputeBackend backend = open();
        backend.start(job("gone", List.of(asset(DATASET_A, "alpha\n")), List.of(AGREEMENT_1), sh("echo x\n")));
        assertEquals(JobState.SUCCEEDED, awaitEnd(backend, "gone").state());
        assertTrue(backend.evidence("gone").isPresent());

        backend.delete("gone");
        assertKind(ErrorKind.NOT_FOUND, () -> backend.evidence("gone"));
        assertFalse(Files.readString(stateFile("gone")).contains("sha256"), "the tombstone keeps no evidence");
        backend.close();
        assertKind(ErrorKind.NOT_FOUND, () -> open().evidence("gone"));
    }

    @Test
    void theRetentionSweepDropsTheEvidenceWithTheJob() throws Exception {
        LocalProcessComputeBackend backend = open("BRIZO_COMPUTE_RETENTION", "1s");
        backend.start(job("expires", List.of(), List.of(), sh("echo x\n")));
        assertEquals(JobState.SUCCEEDED, awaitEnd(backend, "expires").state());
        assertTrue(backend.evidence("expires").isPresent());

        Path dir = jobDir("expires");
        await("the job expires", () -> !Files.exists(dir));
        assertKind(ErrorKind.NOT_FOUND, () -> backend.evidence("expires"));
    }

    // ------------------------------------------------------------------------------ helpers

    private LocalProcessComputeBackend open(String... settings) {
        Map<String, String> values = new LinkedHashMap<>();
        values.put("BRIZO_COMPUTE_DIR", computeDir.toString());
        values.put("BRIZO_COMPUTE_COMMANDS", "sh=/bin/sh");
        // Host paths and processes, as LocalProcessComputeBackendTest; the contract runs sandboxed.
        values.put("BRIZO_COMPUTE_UNSANDBOXED", "true");
        for (int i = 0; i < settings.length; i += 2) {
            values.put(settings[i], settings[i + 1]);
        }
        ComputeBackend backend = new LocalProcessComputeBackendFactory()
                .create(Settings.builder().putAll(values).build(), storage)
                .orElseThrow();
        opened.add(backend);
        return (LocalProcessComputeBackend) backend;
    }

    private static ComputeAlgorithm sh(String script) {
        return new ComputeAlgorithm(
                null, new ComputeAlgorithm.Code(script, null), new AlgorithmContainer("sh", null, null, "sh $ALGO"));
    }

    private static ComputeJob job(String id, List<Asset> inputs, List<String> agreements, ComputeAlgorithm algorithm) {
        return new ComputeJob(
                id,
                ALICE,
                agreements.isEmpty() ? AGREEMENT_1 : agreements.get(0),
                inputs,
                algorithm,
                "local",
                Duration.ofSeconds(30),
                agreements);
    }

    private Asset asset(String did, String... contents) throws IOException {
        List<AssetFile> files = new ArrayList<>();
        for (int i = 0; i < contents.length; i++) {
            Path file = dataDir.resolve(did.substring("did:op:".length(), 12) + "-" + i);
            files.add(new AssetFile(Files.writeString(file, contents[i]).toUri(), null, null));
        }
        return new Asset(did, files);
    }

    private Path jobDir(String id) throws IOException {
        return computeDir.toRealPath().resolve(id);
    }

    private Path stateFile(String id) throws IOException {
        return jobDir(id).resolve(".brizo/state.json");
    }

    /** Asserts that the job's record names no directory of this test: no server path, no storage location. */
    private void assertNoServerPath(Path state) throws IOException {
        String json = Files.readString(state);
        assertTrue(json.contains("sha256"), "the record holds evidence");
        for (Path p : List.of(tmp, tmp.toRealPath())) {
            assertFalse(json.contains(p.toString()), "the record names " + p + ":\n" + json);
        }
    }

    private static JobStatus awaitEnd(LocalProcessComputeBackend backend, String id) throws Exception {
        return backend.whenEnded(id).get(WAIT.toSeconds(), TimeUnit.SECONDS);
    }

    private static void await(String what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                fail("timed out waiting until " + what);
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
        }
    }

    private static String log(ComputeBackend backend, String id) {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        long offset = 0;
        while (true) {
            LogChunk chunk = backend.logs(id, offset);
            if (chunk.data().length == 0) {
                return all.toString(UTF_8);
            }
            all.writeBytes(chunk.data());
            offset = chunk.nextOffset();
        }
    }

    private static byte[] output(ComputeBackend backend, String id, String name) throws IOException {
        try (StorageObject o = backend.openOutput(id, name)) {
            return o.stream().readAllBytes();
        }
    }

    private static String sha256(String text) throws Exception {
        return sha256(text.getBytes(UTF_8));
    }

    private static String sha256(byte[] bytes) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }

    private static void assertKind(ErrorKind kind, org.junit.jupiter.api.function.Executable call) {
        BrizoException e = assertThrows(BrizoException.class, call);
        assertEquals(kind, e.kind(), e.getMessage());
    }
}
