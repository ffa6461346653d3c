package io.brizo.compute.local;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import io.brizo.internal.json.Json;
import io.brizo.internal.storage.FileStorageDriverFactory;
import io.brizo.internal.storage.StorageRouter;
import io.brizo.spi.AlgorithmContainer;
import io.brizo.spi.Asset;
import io.brizo.spi.AssetFile;
import io.brizo.spi.BrizoException;
import io.brizo.spi.ByteRange;
import io.brizo.spi.ComputeAlgorithm;
import io.brizo.spi.ComputeBackend;
import io.brizo.spi.ComputeEnvironment;
import io.brizo.spi.ComputeJob;
import io.brizo.spi.ErrorKind;
import io.brizo.spi.JobState;
import io.brizo.spi.JobStatus;
import io.brizo.spi.LogChunk;
import io.brizo.spi.ObjectInfo;
import io.brizo.spi.OutputFile;
import io.brizo.spi.SettingKey;
import io.brizo.spi.Settings;
import io.brizo.spi.StorageAccess;
import io.brizo.spi.StorageObject;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs real local processes ({@code /bin/sh} and {@code python3}) through the backend, staging
 * inputs through the real {@code file} storage driver.
 */
class LocalProcessComputeBackendTest {
    private static final String ALICE = "0x" + "a".repeat(40);
    private static final String BOB = "0x" + "b".repeat(40);
    private static final String AGREEMENT_1 = "0x" + "1".repeat(64);
    private static final String AGREEMENT_2 = "0x" + "2".repeat(64);
    private static final String HEX_A = "a1".repeat(32);
    private static final String HEX_B = "b2".repeat(32);
    private static final String DATASET_A = "did:op:" + HEX_A;
    private static final String DATASET_B = "did:op:" + HEX_B;
    private static final String ALGORITHM_DID = "did:op:" + "c3".repeat(32);
    private static final Duration WAIT = Duration.ofSeconds(20);
    /** Waits in the algorithm until the test creates {@code release} in the job's directory. */
    private static final String WAIT_FOR_RELEASE = "while [ ! -e \"$VOLUME/release\" ]; do sleep 0.02; done\n";

    @TempDir
    Path tmp;

    private Path computeDir;
    private Path dataDir;
    private StorageAccess storage;
    private final List<ComputeBackend> opened = new ArrayList<>();

    @BeforeEach
    void setUp() throws IOException {
        computeDir = Files.createDirectories(tmp.resolve("compute"));
        dataDir = Files.createDirectories(tmp.resolve("data"));
        storage = new StorageRouter(List.of(new FileStorageDriverFactory()
                .create(Settings.builder()
                        .put(FileStorageDriverFactory.ROOTS, dataDir.toString())
                        .build())
                .orElseThrow()));
    }

    /** Closes the backends, then kills whatever a failed test may have left running. */
    @AfterEach
    void stopLeftovers() {
        opened.forEach(ComputeBackend::close);
        try (LocalProcessComputeBackend b = open()) {
            for (String owner : List.of(ALICE, BOB)) {
                b.jobs(owner, null).stream()
                        .filter(s -> !s.state().isTerminal())
                        .forEach(s -> b.stop(s.jobId()));
            }
        }
    }

    // ------------------------------------------------------------------------------ lifecycle

    @Test
    void aJobStagesItsInputsInTheOceanLayoutRunsWithTheOceanEnvironmentAndSucceeds() throws Exception {
        String script = "set -e\n"
                + "echo 'hello from the algorithm'\n"
                + "printf '%s\\n' \"DIDS=$DIDS\" \"TRANSFORMATION_DID=$TRANSFORMATION_DID\" \"VOLUME=$VOLUME\""
                + " \"INPUTS=$INPUTS\" \"OUTPUTS=$OUTPUTS\" \"LOGS=$LOGS\" \"PWD=$(pwd)\" > \"$OUTPUTS/env.txt\"\n"
                + "cat \"$INPUTS/" + HEX_A + "/0\" \"$INPUTS/" + HEX_A + "/1\" \"$INPUTS/" + HEX_B + "/0\""
                + " > \"$OUTPUTS/joined.txt\"\n"
                + "mkdir -p \"$OUTPUTS/sub\"\n"
                + "printf x > \"$OUTPUTS/sub/one.txt\"\n";
        LocalProcessComputeBackend backend = open();
        Instant before = Instant.now();
        JobStatus first = backend.start(job(
                "job-1",
                ALICE,
                AGREEMENT_1,
                List.of(
                        asset(DATASET_A, data("a0", "alpha\n"), data("a1", "beta\n")),
                        asset(DATASET_B, data("b0", "gamma"))),
                sh(script),
                Duration.ofSeconds(30)));
        assertEquals("job-1", first.jobId());
        assertEquals(ALICE, first.owner());
        assertEquals(AGREEMENT_1, first.agreementId());
        assertFalse(first.state().isTerminal());

        JobStatus done = awaitEnd(backend, "job-1");
        assertEquals(JobState.SUCCEEDED, done.state(), done.message());
        assertEquals(0, done.exitCode());
        assertNull(done.message());
        assertFalse(done.created().isBefore(before));
        assertNotNull(done.started());
        assertNotNull(done.finished());
        assertFalse(done.started().isBefore(done.created()));
        assertFalse(done.finished().isBefore(done.started()));
        assertEquals(done, backend.status("job-1"));

        Path jobDir = jobDir("job-1");
        assertEquals("alpha\n", Files.readString(jobDir.resolve("inputs/" + HEX_A + "/0")));
        assertEquals("beta\n", Files.readString(jobDir.resolve("inputs/" + HEX_A + "/1")));
        assertEquals("gamma", Files.readString(jobDir.resolve("inputs/" + HEX_B + "/0")));
        assertEquals(script, Files.readString(jobDir.resolve("transformations/algorithm")));
        assertTrue(Files.readString(jobDir.resolve("logs/algorithm.log")).contains("hello from the algorithm"));

        assertEquals(
                List.of(
                        new OutputFile("env.txt", size(jobDir.resolve("outputs/env.txt"))),
                        new OutputFile("joined.txt", 16),
                        new OutputFile("sub/one.txt", 1)),
                backend.outputs("job-1"));
        assertEquals("alpha\nbeta\ngamma", output(backend, "job-1", "joined.txt"));
        assertEquals("x", output(backend, "job-1", "sub/one.txt"));
        Map<String, String> env = keyValues(output(backend, "job-1", "env.txt"));
        assertEquals(List.of(DATASET_A, DATASET_B), Json.MAPPER.readValue(env.get("DIDS"), List.class));
        assertEquals("", env.get("TRANSFORMATION_DID"));
        assertEquals(jobDir.toString(), env.get("VOLUME"));
        assertEquals(jobDir.resolve("inputs").toString(), env.get("INPUTS"));
        assertEquals(jobDir.resolve("outputs").toString(), env.get("OUTPUTS"));
        assertEquals(jobDir.resolve("logs").toString(), env.get("LOGS"));
        assertEquals(jobDir.toString(), env.get("PWD"));

        LogChunk log = backend.logs("job-1", 0);
        assertTrue(new String(log.data(), UTF_8).contains("hello from the algorithm"));
        assertTrue(log.complete());
    }

    @Test
    void aPythonAlgorithmStagedFromAFileRunsWithTheCommandMappedToItsImage() throws Exception {
        String script = "import json, os, sys\n"
                + "with open(os.path.join(os.environ['INPUTS'], '" + HEX_A + "', '0')) as f:\n"
                + "    data = f.read()\n"
                + "result = {'dids': json.loads(os.environ['DIDS']),"
                + " 'transformation': os.environ['TRANSFORMATION_DID'], 'argv': sys.argv, 'data': data.upper()}\n"
                + "with open(os.path.join(os.environ['OUTPUTS'], 'result.json'), 'w') as f:\n"
                + "    json.dump(result, f)\n";
        ComputeAlgorithm python = new ComputeAlgorithm(
                ALGORITHM_DID,
                new ComputeAlgorithm.Code(null, new AssetFile(data("algorithm.py", script), null, null)),
                new AlgorithmContainer("python", "3.11", null, "python $ALGO --flag=$ALGO"));
        LocalProcessComputeBackend backend = open();
        backend.start(job("py", ALICE, AGREEMENT_1, List.of(asset(DATASET_A, data("a0", "alpha"))), python));

        JobStatus done = awaitEnd(backend, "py");
        assertEquals(JobState.SUCCEEDED, done.state(), () -> done.message() + "\n" + log(backend, "py"));
        String algorithm = jobDir("py").resolve("transformations/algorithm").toString();
        JsonNode result = Json.MAPPER.readTree(output(backend, "py", "result.json"));
        assertEquals(DATASET_A, result.get("dids").get(0).asText());
        assertEquals(1, result.get("dids").size());
        assertEquals(ALGORITHM_DID, result.get("transformation").asText());
        assertEquals(algorithm, result.get("argv").get(0).asText());
        assertEquals("--flag=" + algorithm, result.get("argv").get(1).asText());
        assertEquals("ALPHA", result.get("data").asText());
    }

    @Test
    void anAlgorithmThatExitsNonZeroEndsFailedWithItsExitCode() throws Exception {
        LocalProcessComputeBackend backend = open();
        backend.start(job("fails", sh("echo 'about to fail'\nexit 3\n")));

        JobStatus done = awaitEnd(backend, "fails");
        assertEquals(JobState.FAILED, done.state());
        assertEquals(3, done.exitCode());
        assertTrue(done.message().contains("code 3"), done.message());
        assertNotNull(done.finished());
        assertTrue(log(backend, "fails").contains("about to fail"));
    }

    @Test
    void anAlgorithmPastItsTimeLimitIsKilledWithItsWholeProcessTree() throws Exception {
        String script = "echo $$ > \"$OUTPUTS/shell.pid\"\n"
                + "sleep 60 &\n"
                + "echo $! > \"$OUTPUTS/child.pid\"\n"
                + "sleep 60\n";
        LocalProcessComputeBackend backend = open();
        backend.start(job("slow", ALICE, AGREEMENT_1, List.of(), sh(script), Duration.ofSeconds(1)));

        JobStatus done = awaitEnd(backend, "slow");
        assertEquals(JobState.FAILED, done.state());
        assertEquals("time limit of 1s exceeded", done.message());
        assertNull(done.exitCode());
        assertTrue(Duration.between(done.started(), done.finished()).compareTo(Duration.ofSeconds(10)) < 0);
        assertFalse(isAlive(pid(backend, "slow", "shell.pid")), "the algorithm's shell was killed");
        assertFalse(isAlive(pid(backend, "slow", "child.pid")), "the process it started was killed");
    }

    @Test
    void stoppingARunningJobKillsItsProcessesAndKeepsItsOutputsAndLogs() throws Exception {
        String script = "echo partial > \"$OUTPUTS/partial.txt\"\n"
                + "echo $$ > \"$OUTPUTS/shell.pid\"\n"
                + "sleep 60 &\n"
                + "echo $! > \"$OUTPUTS/child.pid\"\n"
                + "echo ready\n"
                + "wait\n";
        LocalProcessComputeBackend backend = open();
        backend.start(job("stopped", sh(script)));
        await("the algorithm is ready", () -> log(backend, "stopped").contains("ready"));

        JobStatus stopped = backend.stop("stopped");
        assertEquals(JobState.STOPPED, stopped.state());
        assertNotNull(stopped.finished());
        assertNull(stopped.exitCode());
        assertFalse(isAlive(pid(backend, "stopped", "shell.pid")));
        assertFalse(isAlive(pid(backend, "stopped", "child.pid")));
        assertEquals(stopped, awaitEnd(backend, "stopped"));
        assertEquals("partial\n", output(backend, "stopped", "partial.txt"));
        assertTrue(backend.logs("stopped", 0).complete());
        assertTrue(log(backend, "stopped").contains("ready"));

        assertEquals(stopped, backend.stop("stopped"), "stopping again changes nothing");
    }

    // ------------------------------------------------------------------------------ restarts

    @Test
    void aRestartedBackendReattachesToARunningJobAndRecordsHowItEnds() throws Exception {
        String script = "echo waiting\n" + WAIT_FOR_RELEASE + "echo done > \"$OUTPUTS/result.txt\"\necho finished\n";
        LocalProcessComputeBackend first = open();
        first.start(job("long", sh(script)));
        await("the algorithm runs", () -> log(first, "long").contains("waiting"));
        JobStatus running = first.status("long");
        first.close();

        LocalProcessComputeBackend second = open();
        assertEquals(running, second.status("long"));
        assertEquals(JobState.RUNNING, second.status("long").state());
        assertEquals(List.of(running), second.jobs(ALICE, null));

        release("long");
        JobStatus done = awaitEnd(second, "long");
        assertEquals(JobState.SUCCEEDED, done.state(), done.message());
        assertEquals(0, done.exitCode());
        assertEquals(running.started(), done.started());
        assertEquals("done\n", output(second, "long", "result.txt"));
        assertEquals("waiting\nfinished\n", log(second, "long"));
        assertTrue(second.logs("long", 0).complete());
    }

    @Test
    void aJobThatEndsWhileNoBackendIsOpenIsConcludedFromItsExitFile() throws Exception {
        LocalProcessComputeBackend first = open();
        first.start(job("unattended", sh("echo waiting\n" + WAIT_FOR_RELEASE + "exit 4\n")));
        await("the algorithm runs", () -> log(first, "unattended").contains("waiting"));
        first.close();
        long wrapper = JobRecord.read(jobDir("unattended").resolve(".brizo/state.json"))
                .pid();

        release("unattended");
        await("the algorithm exits", () -> !isAlive(wrapper));

        LocalProcessComputeBackend second = open();
        JobStatus done = second.status("unattended");
        assertEquals(JobState.FAILED, done.state());
        assertEquals(4, done.exitCode());
        assertTrue(done.message().contains("code 4"), done.message());
        assertNotNull(done.finished());
    }

    @Test
    void aJobThatOutranItsTimeLimitWhileNoBackendWasOpenFails() throws Exception {
        LocalProcessComputeBackend first = open();
        first.start(job(
                "overran",
                ALICE,
                AGREEMENT_1,
                List.of(),
                sh("echo waiting\nsleep 2.5\nexit 0\n"),
                Duration.ofSeconds(2)));
        await("the algorithm runs", () -> log(first, "overran").contains("waiting"));
        first.close();
        long wrapper =
                JobRecord.read(jobDir("overran").resolve(".brizo/state.json")).pid();
        await("the algorithm exits", () -> !isAlive(wrapper));

        JobStatus done = open().status("overran");
        assertEquals(JobState.FAILED, done.state());
        assertEquals(0, done.exitCode());
        assertEquals(
                "time limit of 2s exceeded while the server was down (the algorithm exited with code 0)",
                done.message());
    }

    @Test
    void aRestartedBackendStillEnforcesTheTimeLimitFromTheRecordedStart() throws Exception {
        String script = "sleep 60 &\necho $! > \"$OUTPUTS/child.pid\"\necho started\nwait\n";
        LocalProcessComputeBackend first = open();
        first.start(job("limited", ALICE, AGREEMENT_1, List.of(), sh(script), Duration.ofSeconds(2)));
        await("the algorithm runs", () -> log(first, "limited").contains("started"));
        first.close();

        LocalProcessComputeBackend second = open();
        JobStatus done = awaitEnd(second, "limited");
        assertEquals(JobState.FAILED, done.state());
        assertEquals("time limit of 2s exceeded", done.message());
        assertFalse(isAlive(pid(second, "limited", "child.pid")));
    }

    @Test
    void jobsInterruptedWhileStagingFailAfterARestart() throws Exception {
        SlowStorage slow = new SlowStorage(storage);
        LocalProcessComputeBackend first = open(slow);
        first.start(
                job("staging", ALICE, AGREEMENT_1, List.of(asset(DATASET_A, data("slow-input", "x"))), sh("exit 0\n")));
        assertTrue(slow.reading.await(WAIT.toSeconds(), TimeUnit.SECONDS));
        assertEquals(JobState.PROVISIONING, first.status("staging").state());
        first.close();

        LocalProcessComputeBackend second = open();
        JobStatus status = second.status("staging");
        assertEquals(JobState.FAILED, status.state());
        assertEquals("interrupted by a restart while staging", status.message());
        assertNull(status.started(), "the algorithm never ran");
        assertEquals("", log(second, "staging"));
    }

    // ------------------------------------------------------------------------------ staging

    @Test
    void stagingPastItsDeadlineFailsTheJob() throws Exception {
        SlowStorage slow = new SlowStorage(storage);
        LocalProcessComputeBackend backend = open(slow, "BRIZO_COMPUTE_STAGE_TIMEOUT", "300ms");
        backend.start(
                job("expired", ALICE, AGREEMENT_1, List.of(asset(DATASET_A, data("slow-input", "x"))), sh("exit 0\n")));

        JobStatus done = awaitEnd(backend, "expired");
        assertEquals(JobState.FAILED, done.state());
        assertTrue(done.message().contains("staging") && done.message().contains("300ms"), done.message());
        assertNull(done.started());
    }

    @Test
    void stoppingAJobWhileItIsStagedEndsItBeforeItRuns() throws Exception {
        SlowStorage slow = new SlowStorage(storage);
        LocalProcessComputeBackend backend = open(slow);
        backend.start(
                job("early", ALICE, AGREEMENT_1, List.of(asset(DATASET_A, data("slow-input", "x"))), sh("echo ran\n")));
        assertTrue(slow.reading.await(WAIT.toSeconds(), TimeUnit.SECONDS));

        assertEquals(JobState.STOPPED, backend.stop("early").state());
        JobStatus done = awaitEnd(backend, "early");
        assertEquals(JobState.STOPPED, done.state());
        assertNull(done.started());
        assertEquals("", log(backend, "early"));
    }

    @Test
    void aMissingInputFailsTheJobWithoutRevealingItsLocation() throws Exception {
        LocalProcessComputeBackend backend = open();
        URI missing = dataDir.resolve("secret-name-missing").toUri();
        backend.start(job("missing", ALICE, AGREEMENT_1, List.of(asset(DATASET_A, missing)), sh("echo ran\n")));

        JobStatus done = awaitEnd(backend, "missing");
        assertEquals(JobState.FAILED, done.state());
        assertTrue(done.message().contains("file 0 of input " + DATASET_A), done.message());
        assertFalse(done.message().contains("secret-name"), done.message());
        assertNull(done.started());
    }

    // ------------------------------------------------------------------------------ outputs

    @Test
    void openOutputServesOnlyFilesInsideTheOutputs() throws Exception {
        Path secret = Files.writeString(tmp.resolve("secret.txt"), "secret");
        String script = "cd \"$OUTPUTS\"\n"
                + "echo ok > ok.txt\n"
                + "mkdir sub\n"
                + "echo inner > sub/inner.txt\n"
                + "ln -s '" + secret + "' escape\n"
                + "ln -s \"$INPUTS\" inputs\n"
                + "ln -s \"$VOLUME\" volume\n"
                + "ln -s ok.txt alias\n"
                + "ln -s ../ok.txt sub/up\n";
        LocalProcessComputeBackend backend = open();
        backend.start(job("links", ALICE, AGREEMENT_1, List.of(asset(DATASET_A, data("a0", "alpha"))), sh(script)));
        assertEquals(JobState.SUCCEEDED, awaitEnd(backend, "links").state());

        assertEquals(
                List.of(
                        new OutputFile("alias", 3),
                        new OutputFile("ok.txt", 3),
                        new OutputFile("sub/inner.txt", 6),
                        new OutputFile("sub/up", 3)),
                backend.outputs("links"));
        assertEquals("ok\n", output(backend, "links", "ok.txt"));
        assertEquals("ok\n", output(backend, "links", "alias"));
        assertEquals("ok\n", output(backend, "links", "sub/up"));

        for (String outside :
                List.of("escape", "inputs/" + HEX_A + "/0", "volume/.brizo/state.json", "missing", "sub")) {
            assertKind(ErrorKind.NOT_FOUND, () -> backend.openOutput("links", outside));
        }
        for (String malformed : List.of(
                "../.brizo/state.json",
                "sub/../ok.txt",
                "./ok.txt",
                "/etc/passwd",
                jobDir("links").resolve("outputs/ok.txt").toString(),
                secret.toString(),
                "",
                "sub//inner.txt")) {
            assertKind(ErrorKind.INVALID_REQUEST, () -> backend.openOutput("links", malformed));
        }
    }

    @Test
    void anOutputsDirectoryReplacedByALinkServesNothing() throws Exception {
        String script = "echo secret > \"$VOLUME/elsewhere.txt\"\nrm -r \"$OUTPUTS\"\nln -s \"$VOLUME\" \"$OUTPUTS\"\n";
        LocalProcessComputeBackend backend = open();
        backend.start(job("swapped", sh(script)));
        assertEquals(JobState.SUCCEEDED, awaitEnd(backend, "swapped").state());

        assertEquals(List.of(), backend.outputs("swapped"));
        assertKind(ErrorKind.NOT_FOUND, () -> backend.openOutput("swapped", "elsewhere.txt"));
    }

    // ------------------------------------------------------------------------------ requests

    @Test
    void startRefusesAnImageWithoutACommandNamingTheKnownImages() {
        LocalProcessComputeBackend backend = open();
        ComputeAlgorithm ruby = new ComputeAlgorithm(
                null,
                new ComputeAlgorithm.Code("puts 1", null),
                new AlgorithmContainer("ruby", null, null, "ruby $ALGO"));

        BrizoException e = assertKind(ErrorKind.INVALID_REQUEST, () -> backend.start(job("ruby", ruby)));
        assertTrue(e.getMessage().contains("python, sh"), e.getMessage());
        assertKind(ErrorKind.NOT_FOUND, () -> backend.status("ruby"));
        assertFalse(Files.exists(computeDir.resolve("ruby")));
    }

    @Test
    void startRefusesMalformedJobs() throws Exception {
        LocalProcessComputeBackend backend = open("BRIZO_COMPUTE_LOCAL_MAX_DURATION", "10m");
        assertKind(ErrorKind.INVALID_REQUEST, () -> backend.start(job("../escape", sh("exit 0"))));
        assertKind(ErrorKind.INVALID_REQUEST, () -> backend.start(job(".hidden", sh("exit 0"))));
        assertKind(
                ErrorKind.INVALID_REQUEST,
                () -> backend.start(job("long", ALICE, AGREEMENT_1, List.of(), sh("exit 0"), Duration.ofMinutes(11))));
        assertKind(
                ErrorKind.INVALID_REQUEST,
                () -> backend.start(job("zero", ALICE, AGREEMENT_1, List.of(), sh("exit 0"), Duration.ZERO)));
        assertKind(
                ErrorKind.INVALID_REQUEST,
                () -> backend.start(new ComputeJob(
                        "gpu", ALICE, AGREEMENT_1, List.of(), sh("exit 0"), "gpu-cluster", Duration.ofMinutes(1))));
        URI a = data("a0", "alpha");
        assertKind(
                ErrorKind.INVALID_REQUEST,
                () -> backend.start(job(
                        "twice", ALICE, AGREEMENT_1, List.of(asset(DATASET_A, a), asset(DATASET_A, a)), sh("exit 0"))));
        try (Stream<Path> left = Files.list(computeDir)) {
            assertEquals(List.of(), left.filter(Files::isDirectory).toList(), "refused jobs leave nothing");
        }

        backend.start(job("once", sh("exit 0\n")));
        assertKind(ErrorKind.CONFLICT, () -> backend.start(job("once", sh("exit 0\n"))));
        awaitEnd(backend, "once");
    }

    @Test
    void unknownJobsAreNotFound() {
        LocalProcessComputeBackend backend = open();
        List<Executable> calls = List.of(
                () -> backend.status("nope"),
                () -> backend.stop("nope"),
                () -> backend.delete("nope"),
                () -> backend.logs("nope", 0),
                () -> backend.outputs("nope"),
                () -> backend.openOutput("nope", "x"),
                () -> backend.status("../compute"),
                () -> backend.status(null));
        for (Executable call : calls) {
            assertKind(ErrorKind.NOT_FOUND, call);
        }
    }

    @Test
    void jobsListsAnOwnersJobsNewestFirstFilteredByAgreementWithoutDeletedOnes() throws Exception {
        LocalProcessComputeBackend backend = open();
        backend.start(job("j1", ALICE, AGREEMENT_1, List.of(), sh("exit 0\n")));
        backend.start(job("j2", ALICE, AGREEMENT_2, List.of(), sh("exit 0\n")));
        backend.start(job("j3", BOB, AGREEMENT_1, List.of(), sh("exit 0\n")));
        backend.start(job("j4", ALICE, AGREEMENT_1, List.of(), sh("exit 0\n")));
        for (String id : List.of("j1", "j2", "j3", "j4")) {
            awaitEnd(backend, id);
        }

        assertEquals(List.of("j4", "j2", "j1"), ids(backend.jobs(ALICE, null)));
        assertEquals(List.of("j4", "j1"), ids(backend.jobs(ALICE, AGREEMENT_1)));
        assertEquals(
                List.of("j4", "j2", "j1"), ids(backend.jobs(ALICE.toUpperCase().replace("0X", "0x"), null)));
        assertEquals(List.of("j3"), ids(backend.jobs(BOB, null)));
        assertEquals(List.of(), ids(backend.jobs(BOB, AGREEMENT_2)));

        backend.delete("j2");
        assertEquals(List.of("j4", "j1"), ids(backend.jobs(ALICE, null)));
    }

    @Test
    void deletingAJobRemovesItsFilesAndLeavesATombstoneThatSurvivesARestart() throws Exception {
        LocalProcessComputeBackend first = open();
        first.start(job(
                "gone",
                ALICE,
                AGREEMENT_1,
                List.of(asset(DATASET_A, data("a0", "alpha"))),
                sh("echo out > \"$OUTPUTS/o.txt\"\n")));
        assertEquals(JobState.SUCCEEDED, awaitEnd(first, "gone").state());

        first.delete("gone");
        JobStatus deleted = first.status("gone");
        assertEquals(JobState.DELETED, deleted.state());
        assertEquals(0, deleted.exitCode());
        try (Stream<Path> files = Files.walk(jobDir("gone"))) {
            assertEquals(
                    List.of(
                            jobDir("gone"),
                            jobDir("gone").resolve(".brizo"),
                            jobDir("gone").resolve(".brizo/state.json")),
                    files.sorted().toList());
        }
        assertKind(ErrorKind.NOT_FOUND, () -> first.outputs("gone"));
        assertKind(ErrorKind.NOT_FOUND, () -> first.openOutput("gone", "o.txt"));
        assertKind(ErrorKind.NOT_FOUND, () -> first.logs("gone", 0));
        first.delete("gone");
        assertEquals(deleted, first.stop("gone"));
        first.close();

        LocalProcessComputeBackend second = open();
        assertEquals(deleted, second.status("gone"));
        assertEquals(List.of(), second.jobs(ALICE, null));
    }

    @Test
    void deletingARunningJobKillsItsProcesses() throws Exception {
        String script = "sleep 60 &\necho $! > \"$VOLUME/child.pid\"\necho ready\nwait\n";
        LocalProcessComputeBackend backend = open();
        backend.start(job("running", sh(script)));
        await("the algorithm is ready", () -> log(backend, "running").contains("ready"));
        long child = Long.parseLong(
                Files.readString(jobDir("running").resolve("child.pid")).trim());

        backend.delete("running");
        assertEquals(JobState.DELETED, backend.status("running").state());
        assertEquals(JobState.DELETED, awaitEnd(backend, "running").state());
        assertFalse(isAlive(child));
        assertFalse(Files.exists(jobDir("running").resolve("logs")));
    }

    // ------------------------------------------------------------------------------ factory

    @Test
    void theFactoryIsFoundByServiceLoaderAndIsOffWithoutADirectory() {
        ComputeBackend.Factory factory = ServiceLoader.load(ComputeBackend.Factory.class).stream()
                .map(ServiceLoader.Provider::get)
                .filter(f -> f.name().equals("local"))
                .findFirst()
                .orElseThrow();
        assertEquals(-10, factory.priority());
        assertEquals(Optional.empty(), factory.create(Settings.empty(), storage));
        assertEquals(
                List.of(
                        "BRIZO_COMPUTE_DIR",
                        "BRIZO_COMPUTE_COMMANDS",
                        "BRIZO_COMPUTE_LOCAL_MAX_DURATION",
                        "BRIZO_COMPUTE_STAGE_TIMEOUT",
                        "BRIZO_COMPUTE_LOCAL_MAX_JOBS",
                        "BRIZO_COMPUTE_UNSANDBOXED",
                        "BRIZO_COMPUTE_BWRAP",
                        "BRIZO_COMPUTE_SANDBOX_UID",
                        "BRIZO_COMPUTE_RUNTIMES",
                        "BRIZO_COMPUTE_LOCAL_MEMORY",
                        "BRIZO_COMPUTE_LOCAL_CPU_TIME",
                        "BRIZO_COMPUTE_LOCAL_PROCESSES",
                        "BRIZO_COMPUTE_LOCAL_OPEN_FILES",
                        "BRIZO_COMPUTE_LOCAL_OUTPUT_BYTES",
                        "BRIZO_COMPUTE_OUTPUT_LOCATION",
                        "BRIZO_COMPUTE_RETENTION",
                        "BRIZO_COMPUTE_NVIDIA_SMI",
                        "BRIZO_COMPUTE_LOCAL_GPUS",
                        "BRIZO_COMPUTE_GPU_DEVICES"),
                factory.settingKeys().stream().map(SettingKey::name).toList());
    }

    @Test
    void theEnvironmentDescribesThisMachineAsADevelopmentBackend() {
        LocalProcessComputeBackend backend = open("BRIZO_COMPUTE_LOCAL_MAX_DURATION", "20m");
        List<ComputeEnvironment> environments = backend.environments();
        assertEquals(1, environments.size());
        ComputeEnvironment local = environments.get(0);
        assertEquals("local", local.id());
        assertTrue(local.description().contains("development"), local.description());
        assertEquals(Runtime.getRuntime().availableProcessors(), local.cpus());
        assertTrue(local.memoryBytes() > 0);
        assertEquals(0, local.gpus());
        assertEquals(Duration.ofMinutes(20), local.maxDuration());
    }

    @Test
    void malformedSettingsAndASecondBackendOnTheSameDirectoryAreConfigurationErrors() {
        assertKind(ErrorKind.CONFIGURATION, () -> open("BRIZO_COMPUTE_COMMANDS", "python"));
        assertKind(ErrorKind.CONFIGURATION, () -> open("BRIZO_COMPUTE_COMMANDS", "=python3"));
        assertKind(ErrorKind.CONFIGURATION, () -> open("BRIZO_COMPUTE_LOCAL_MAX_DURATION", "0"));
        assertKind(ErrorKind.CONFIGURATION, () -> open("BRIZO_COMPUTE_STAGE_TIMEOUT", "soon"));
        assertKind(ErrorKind.CONFIGURATION, () -> open("BRIZO_COMPUTE_LOCAL_MAX_JOBS", "0"));
        LocalProcessComputeBackend backend = open();
        BrizoException e = assertKind(ErrorKind.CONFIGURATION, this::open);
        assertTrue(e.getMessage().contains("already used"), e.getMessage());
        backend.close();
        open().close();
    }

    // ------------------------------------------------------------------------------ helpers

    private LocalProcessComputeBackend open(String... settings) {
        return open(storage, settings);
    }

    private LocalProcessComputeBackend open(StorageAccess access, String... settings) {
        Map<String, String> values = new LinkedHashMap<>();
        values.put("BRIZO_COMPUTE_DIR", computeDir.toString());
        values.put("BRIZO_COMPUTE_COMMANDS", "python=python3,sh=/bin/sh");
        // These tests hold the backend's own mechanics (staging, restarts, kills, tampering) to
        // host paths and pids, so they run in the unsandboxed development mode; the sandbox has
        // its own tests (SandboxHttpTest) and the contract and HTTP tests run sandboxed.
        values.put("BRIZO_COMPUTE_UNSANDBOXED", "true");
        for (int i = 0; i < settings.length; i += 2) {
            values.put(settings[i], settings[i + 1]);
        }
        ComputeBackend backend = new LocalProcessComputeBackendFactory()
                .create(Settings.builder().putAll(values).build(), access)
                .orElseThrow();
        opened.add(backend);
        return (LocalProcessComputeBackend) backend;
    }

    private static ComputeAlgorithm sh(String script) {
        return new ComputeAlgorithm(
                null, new ComputeAlgorithm.Code(script, null), new AlgorithmContainer("sh", null, null, "sh $ALGO"));
    }

    private static ComputeJob job(String id, ComputeAlgorithm algorithm) {
        return job(id, ALICE, AGREEMENT_1, List.of(), algorithm);
    }

    private static ComputeJob job(
            String id, String owner, String agreement, List<Asset> inputs, ComputeAlgorithm algorithm) {
        return job(id, owner, agreement, inputs, algorithm, Duration.ofSeconds(30));
    }

    private static ComputeJob job(
            String id,
            String owner,
            String agreement,
            List<Asset> inputs,
            ComputeAlgorithm algorithm,
            Duration maxDuration) {
        return new ComputeJob(id, owner, agreement, inputs, algorithm, "local", maxDuration);
    }

    private static Asset asset(String did, URI... files) {
        return new Asset(
                did, Stream.of(files).map(u -> new AssetFile(u, null, null)).toList());
    }

    private URI data(String name, String content) throws IOException {
        return Files.writeString(dataDir.resolve(name), content).toUri();
    }

    private Path jobDir(String id) throws IOException {
        return computeDir.toRealPath().resolve(id);
    }

    private void release(String id) throws IOException {
        Files.createFile(jobDir(id).resolve("release"));
    }

    private static JobStatus awaitEnd(LocalProcessComputeBackend backend, String id) throws Exception {
        return backend.whenEnded(id).get(WAIT.toSeconds(), TimeUnit.SECONDS);
    }

    /** Waits for a condition, checking it every 10 ms, and fails after {@link #WAIT}. */
    private static void await(String what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                fail("timed out waiting until " + what);
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
        }
    }

    /** {@return the whole log as it is now, read chunk by chunk} */
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

    private static String output(ComputeBackend backend, String id, String name) throws IOException {
        try (StorageObject o = backend.openOutput(id, name)) {
            byte[] bytes = o.stream().readAllBytes();
            assertEquals(o.info().size(), bytes.length);
            return new String(bytes, UTF_8);
        }
    }

    private static long pid(ComputeBackend backend, String id, String output) throws IOException {
        return Long.parseLong(output(backend, id, output).trim());
    }

    /**
     * {@return whether the process runs} A zombie does not, though the JDK calls it alive: on
     * machines whose init does not reap, killed grandchildren stay zombies for a while.
     */
    private static boolean isAlive(long pid) {
        if (!ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) {
            return false;
        }
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            return stat.charAt(stat.lastIndexOf(')') + 2) != 'Z';
        } catch (IOException e) {
            return false; // gone meanwhile
        }
    }

    private static long size(Path file) throws IOException {
        return Files.size(file);
    }

    private static Map<String, String> keyValues(String text) {
        Map<String, String> map = new LinkedHashMap<>();
        for (String line : text.split("\n")) {
            int eq = line.indexOf('=');
            map.put(line.substring(0, eq), line.substring(eq + 1));
        }
        return map;
    }

    private static List<String> ids(List<JobStatus> statuses) {
        return statuses.stream().map(JobStatus::jobId).toList();
    }

    private static BrizoException assertKind(ErrorKind kind, Executable call) {
        BrizoException e = assertThrows(BrizoException.class, call);
        assertEquals(kind, e.kind(), e.getMessage());
        return e;
    }

    /**
     * A hand-written test double around the real storage: objects whose file name starts with
     * {@code slow} yield a stream whose first read blocks until the stream is closed or the
     * reading thread interrupted, which holds a job in staging for as long as a test needs.
     */
    private static final class SlowStorage implements StorageAccess {
        private final StorageAccess real;
        final CountDownLatch reading = new CountDownLatch(1);

        SlowStorage(StorageAccess real) {
            this.real = real;
        }

        @Override
        public ObjectInfo stat(URI location) {
            return real.stat(location);
        }

        @Override
        public StorageObject open(URI location, ByteRange range) {
            StorageObject object = real.open(location, range);
            if (!Path.of(location).getFileName().toString().startsWith("slow")) {
                return object;
            }
            CountDownLatch closed = new CountDownLatch(1);
            InputStream blocking = new InputStream() {
                @Override
                public int read() throws IOException {
                    return read(new byte[1], 0, 1);
                }

                @Override
                public int read(byte[] b, int off, int len) throws IOException {
                    reading.countDown();
                    try {
                        closed.await(WAIT.toSeconds(), TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new InterruptedIOException("interrupted");
                    }
                    throw new IOException("closed while reading");
                }

                @Override
                public void close() throws IOException {
                    closed.countDown();
                    object.close();
                }
            };
            return new StorageObject(object.info(), object.slice(), blocking);
        }

        @Override
        public Optional<URI> presignGet(URI location, Duration lifetime) {
            return real.presignGet(location, lifetime);
        }

        @Override
        public ObjectInfo write(URI location, InputStream data, long length, String contentType) {
            return real.write(location, data, length, contentType);
        }
    }
}
