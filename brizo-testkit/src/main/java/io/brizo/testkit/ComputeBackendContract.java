package io.brizo.testkit;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.brizo.spi.BrizoException;
import io.brizo.spi.ComputeBackend;
import io.brizo.spi.ComputeEnvironment;
import io.brizo.spi.ComputeJob;
import io.brizo.spi.ErrorKind;
import io.brizo.spi.JobEvidence;
import io.brizo.spi.JobEvidence.FileDigest;
import io.brizo.spi.JobEvidence.InputDigest;
import io.brizo.spi.JobState;
import io.brizo.spi.JobStatus;
import io.brizo.spi.LogChunk;
import io.brizo.spi.OutputFile;
import io.brizo.spi.StorageObject;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.function.Predicate;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/**
 * The behaviour every {@link ComputeBackend} must have, as a JUnit 5 test class to extend.
 *
 * <p>The suite describes what each job's algorithm does as a {@link Behaviour} (outputs, log text,
 * waiting until released, exit code); the subclass turns it into a {@link ComputeJob} of its
 * backend with {@link #job}. A backend that really runs algorithms (local processes, containers)
 * needs nothing else but {@link #release}, which lets a waiting algorithm go on (a file it waits
 * for, say). A backend whose algorithms are played by the test (a fake kubelet) also overrides
 * {@link #play}, which the suite calls right after starting a job, to drive it as its behaviour
 * says.
 *
 * <p>A subclass implements {@link #createBackend()} (a backend over fresh, empty state: a new
 * directory, a new namespace) and {@link #reopen(ComputeBackend)} (close it and open a new
 * instance over the same state, as a restarted server does). The suite closes every backend it
 * got after each test, after stopping the jobs it left running.
 *
 * <p>The suite checks: environments (listed, with positive limits); the life of a job (a first
 * status that is not terminal, RUNNING, SUCCEEDED with exit code 0 and ordered timestamps, stable
 * once ended, unchanged by a stop); FAILED with the algorithm's exit code; FAILED past the time
 * limit; stop (STOPPED, the log kept, the outputs kept exactly when {@link
 * #stoppedJobsKeepOutputs()} says so); delete (DELETED, then no log, no outputs, not listed);
 * logs read by offset while the job runs and complete at its end; outputs listed by name and size,
 * opened by name, and nothing outside them reachable by a name; a restart that keeps ended,
 * running and deleted jobs; NOT_FOUND for unknown ids; {@code jobs(owner, agreement)}
 * filtering, newest first; and the evidence of ended jobs ({@link ComputeBackend#evidence}):
 * none while a job runs, then, for a SUCCEEDED, FAILED and STOPPED job, what it was given
 * (agreements, algorithm DID, container, environment, time limit), the SHA-256 of every input
 * file's bytes ({@link Behaviour#inputs()}), of every output as {@code openOutput} gives it and
 * of the log as {@code logs} gives it; NOT_FOUND once the job is deleted. Each test waits at most {@link #deadline()} for a state; against a
 * local backend the whole suite takes a few seconds.
 *
 * <pre>{@code
 * class MyComputeBackendContractTest extends ComputeBackendContract {
 *     @TempDir Path dir;
 *
 *     protected ComputeBackend createBackend() { return MyBackend.open(dir); }
 *     protected ComputeBackend reopen(ComputeBackend backend) {
 *         backend.close();
 *         return MyBackend.open(dir);
 *     }
 *     protected ComputeJob job(String id, String owner, String agreement, Behaviour b, Duration max) {
 *         return new ComputeJob(id, owner, agreement, List.of(), shellScriptOf(b), "default", max);
 *     }
 *     protected void release(String jobId) throws IOException {
 *         Files.createFile(dir.resolve(jobId).resolve("release"));
 *     }
 * }
 * }</pre>
 */
public abstract class ComputeBackendContract {
    /** An owner, in the lower-case form. */
    protected static final String ALICE = "0x" + "a1".repeat(20);

    /** Another owner, in the lower-case form. */
    protected static final String BOB = "0x" + "b2".repeat(20);

    /** An agreement id. */
    protected static final String AGREEMENT_1 = "0x" + "1".repeat(64);

    /** Another agreement id. */
    protected static final String AGREEMENT_2 = "0x" + "2".repeat(64);

    /** A data asset. */
    protected static final String DATASET_1 = "did:op:" + "d1".repeat(32);

    /** Another data asset. */
    protected static final String DATASET_2 = "did:op:" + "d2".repeat(32);

    /** An algorithm asset. */
    protected static final String ALGORITHM_DID = "did:op:" + "a1".repeat(32);

    /** The time limit of jobs that are not meant to reach it. */
    protected static final Duration LONG_LIMIT = Duration.ofMinutes(10);

    private static final Set<ErrorKind> REFUSED_NAME = Set.of(ErrorKind.NOT_FOUND, ErrorKind.INVALID_REQUEST);

    private final List<ComputeBackend> opened = new ArrayList<>();
    private final Set<String> started = new HashSet<>();
    private ComputeBackend current;

    /** Creates the suite; subclasses set up their backend's state in lifecycle methods. */
    protected ComputeBackendContract() {}

    // ------------------------------------------------------------------------------ hooks

    /**
     * {@return a backend over fresh, empty state} Called at most once per test, lazily, so a
     * subclass's {@code @BeforeEach} has run. The suite closes it.
     *
     * @throws Exception if the backend cannot be opened; the test fails with it
     */
    protected abstract ComputeBackend createBackend() throws Exception;

    /**
     * Restarts the embedding server: closes {@code backend} and opens a new instance over the same
     * state (directory, namespace, storage), which must see the same jobs.
     *
     * @param backend the backend from {@link #createBackend()} or from this method
     * @return the backend after the restart; the suite closes it
     * @throws Exception if the backend cannot be reopened; the test fails with it
     */
    protected abstract ComputeBackend reopen(ComputeBackend backend) throws Exception;

    /**
     * {@return a job of your backend whose algorithm does what {@code behaviour} says} Use an
     * environment of {@link ComputeBackend#environments()} whose limit is at least {@code
     * maxDuration}. When the behaviour has {@link Behaviour#inputs() inputs}, the job's inputs are
     * exactly those (their files in your storage, holding their bytes) and its {@link
     * ComputeJob#agreementIds()} their agreements ({@code agreementId} is the first one's); when
     * it has an {@link Behaviour#algorithmDid() algorithmDid}, the algorithm is that published
     * asset, its code a file in your storage.
     *
     * @param jobId a fresh id: 32 lower-case hex digits, as the library makes them
     * @param owner the owner, an address
     * @param agreementId the agreement
     * @param behaviour what the algorithm does
     * @param maxDuration the job's time limit
     * @throws Exception if the job cannot be made; the test fails with it
     */
    protected abstract ComputeJob job(
            String jobId, String owner, String agreementId, Behaviour behaviour, Duration maxDuration) throws Exception;

    /**
     * Lets the algorithm of a job whose behaviour {@link Behaviour#waitsForRelease() waits for
     * release} go on: it writes its {@link Behaviour#laterLog()} and exits. Called at most once
     * per job, once its {@link Behaviour#log()} has been read; for a played backend, drive the
     * rest of the job here (exit, publish) and return when that is done.
     *
     * @param jobId the job
     * @throws Exception if the job cannot be released; the test fails with it
     */
    protected abstract void release(String jobId) throws Exception;

    /**
     * Drives a job whose algorithm the test plays, right after the suite started it: make it run
     * and, unless it {@link Behaviour#waitsForRelease() waits for release}, end as {@code
     * behaviour} says (exit code, log, and outputs where the backend publishes them). Return once
     * a waiting job runs with its {@link Behaviour#log()} written, or a job that does not wait has
     * exited. The default does nothing, for backends that run algorithms for real.
     *
     * <p>The suite plays every job whose behaviour it checks; jobs started only to be listed are
     * not played.
     *
     * @param jobId the job, as started
     * @param behaviour what its algorithm does
     * @throws Exception if the job cannot be driven; the test fails with it
     */
    protected void play(String jobId, Behaviour behaviour) throws Exception {}

    /**
     * {@return whether a stopped job keeps the outputs its algorithm wrote before the stop} The
     * default is {@code false}, for backends that publish outputs only when the algorithm
     * succeeds: the suite then checks that a stopped job lists no outputs (nothing partial is
     * offered), so a backend that does keep them must say so.
     */
    protected boolean stoppedJobsKeepOutputs() {
        return false;
    }

    /** {@return the time limit of the job that must exceed it; 2 s by default} */
    protected Duration timeLimit() {
        return Duration.ofSeconds(2);
    }

    /** {@return how long the suite waits for a job to reach a state; 30 s by default} */
    protected Duration deadline() {
        return Duration.ofSeconds(30);
    }

    // ------------------------------------------------------------------------------ behaviour

    /**
     * An input the suite gives a job: a data asset and the bytes of its files, which the
     * subclass's {@link #job} makes available to the backend (through its storage) as the asset's
     * files, in order.
     *
     * @param did the asset's DID, {@code did:op:} and 64 lower-case hex digits
     * @param agreementId the agreement under which the job uses it
     * @param files the bytes of its files, in index order
     */
    public record Input(String did, String agreementId, List<byte[]> files) {
        /** Validates the input and copies its files. */
        public Input {
            if (did == null || !did.matches("did:op:[0-9a-f]{64}")) {
                throw new IllegalArgumentException("not a DID: " + did);
            }
            if (agreementId == null) {
                throw new IllegalArgumentException("an input needs an agreement");
            }
            files = files.stream().map(byte[]::clone).toList();
        }
    }

    /**
     * What a job's algorithm does, in this order: writes each of {@code outputs} into its outputs
     * directory, then {@code log} to its log (standard output); if {@code waitsForRelease}, waits
     * until {@link #release released}, then writes {@code laterLog}; then exits with {@code
     * exitCode}. Texts are printable ASCII and newlines, without quotes or backslashes, so they
     * can be put into a script as they are; output names are relative paths of letters, digits,
     * dots, dashes and underscores.
     *
     * <p>It is given {@code inputs} (none: whatever inputs the subclass likes), each under its own
     * agreement: the job's {@link ComputeJob#agreementIds()} are theirs, in order, and the job's
     * agreement is the first one's. With an {@code algorithmDid}, the algorithm is a published
     * asset of that DID, its code a file in storage; without, it is inline code.
     *
     * @param outputs output names to their content, in the order they are written
     * @param log what the algorithm logs first
     * @param waitsForRelease whether it then waits until released
     * @param laterLog what it logs after that
     * @param exitCode its exit code
     * @param inputs the inputs the job is given, in order
     * @param algorithmDid the algorithm asset's DID, or null for an inline algorithm
     */
    public record Behaviour(
            Map<String, byte[]> outputs,
            String log,
            boolean waitsForRelease,
            String laterLog,
            int exitCode,
            List<Input> inputs,
            String algorithmDid) {
        private static final Pattern TEXT = Pattern.compile("[\\x20-\\x7e\\n&&[^'\"\\\\]]*");
        private static final Pattern NAME =
                Pattern.compile("[A-Za-z0-9_-][A-Za-z0-9._-]*(/[A-Za-z0-9_-][A-Za-z0-9._-]*)*");

        /** Validates the behaviour and copies the outputs, keeping their order. */
        public Behaviour {
            Map<String, byte[]> copy = new LinkedHashMap<>();
            outputs.forEach((name, content) -> {
                if (!NAME.matcher(name).matches()) {
                    throw new IllegalArgumentException("not a plain output name: " + name);
                }
                copy.put(name, content.clone());
            });
            outputs = Collections.unmodifiableMap(copy);
            if (!TEXT.matcher(log).matches() || !TEXT.matcher(laterLog).matches()) {
                throw new IllegalArgumentException("log texts are printable ASCII without quotes or backslashes");
            }
            inputs = List.copyOf(inputs);
            if (algorithmDid != null && !algorithmDid.matches("did:op:[0-9a-f]{64}")) {
                throw new IllegalArgumentException("not a DID: " + algorithmDid);
            }
        }

        /** Creates a behaviour without inputs of its own and with an inline algorithm. */
        public Behaviour(
                Map<String, byte[]> outputs, String log, boolean waitsForRelease, String laterLog, int exitCode) {
            this(outputs, log, waitsForRelease, laterLog, exitCode, List.of(), null);
        }

        /** {@return an algorithm that logs nothing, writes nothing and exits with code 0} */
        public static Behaviour succeeds() {
            return new Behaviour(Map.of(), "", false, "", 0);
        }

        /** {@return this behaviour, also writing output {@code name}} */
        public Behaviour withOutput(String name, byte[] content) {
            Map<String, byte[]> more = new LinkedHashMap<>(outputs);
            more.put(name, content);
            return new Behaviour(more, log, waitsForRelease, laterLog, exitCode, inputs, algorithmDid);
        }

        /** {@return this behaviour, first logging {@code text}} */
        public Behaviour withLog(String text) {
            return new Behaviour(outputs, text, waitsForRelease, laterLog, exitCode, inputs, algorithmDid);
        }

        /** {@return this behaviour, waiting until released and then logging {@code text}} */
        public Behaviour waitingForRelease(String text) {
            return new Behaviour(outputs, log, true, text, exitCode, inputs, algorithmDid);
        }

        /** {@return this behaviour, exiting with {@code code}} */
        public Behaviour exitingWith(int code) {
            return new Behaviour(outputs, log, waitsForRelease, laterLog, code, inputs, algorithmDid);
        }

        /** {@return this behaviour, also given input {@code did} under {@code agreementId} with {@code files}} */
        public Behaviour withInput(String did, String agreementId, byte[]... files) {
            List<Input> more = new ArrayList<>(inputs);
            more.add(new Input(did, agreementId, List.of(files)));
            return new Behaviour(outputs, log, waitsForRelease, laterLog, exitCode, more, algorithmDid);
        }

        /** {@return this behaviour, its algorithm published as the asset {@code did}} */
        public Behaviour publishedAs(String did) {
            return new Behaviour(outputs, log, waitsForRelease, laterLog, exitCode, inputs, did);
        }

        /** {@return the whole log of an algorithm that ran to its end} */
        public String wholeLog() {
            return log + laterLog;
        }
    }

    @AfterEach
    void stopJobsAndCloseBackends() {
        if (current != null) {
            for (String id : started) {
                try {
                    if (!current.status(id).state().isTerminal()) {
                        current.stop(id);
                    }
                } catch (RuntimeException e) {
                    // Best effort: the test's own failure, if any, says more.
                }
            }
        }
        opened.forEach(ComputeBackend::close);
        opened.clear();
        started.clear();
        current = null;
    }

    // ------------------------------------------------------------------------------ tests

    @Test
    void environmentsAreListedWithDistinctIdsAndPositiveLimits() throws Exception {
        List<ComputeEnvironment> environments = backend().environments();
        assertFalse(environments.isEmpty(), "a backend offers at least one environment");
        Set<String> ids = new HashSet<>();
        for (ComputeEnvironment e : environments) {
            assertFalse(e.id().isBlank(), "an environment id: " + e);
            assertTrue(ids.add(e.id()), "environment ids are distinct: " + environments);
            assertTrue(e.cpus() > 0, "cpus of " + e);
            assertTrue(e.memoryBytes() > 0, "memory of " + e);
            assertTrue(e.gpus() >= 0, "gpus of " + e);
            assertTrue(e.maxDuration().compareTo(Duration.ZERO) > 0, "maxDuration of " + e);
        }
        assertEquals(environments, backend().environments(), "the environments are stable");
    }

    @Test
    void aJobRunsAndSucceedsWithExitCodeZeroAndOrderedTimestamps() throws Exception {
        String id = newId();
        Behaviour behaviour = Behaviour.succeeds().withLog("running\n").waitingForRelease("done\n");
        Instant before = Instant.now();
        JobStatus first = backend().start(job(id, ALICE, AGREEMENT_1, behaviour, LONG_LIMIT));
        started.add(id);
        assertEquals(id, first.jobId());
        assertEquals(ALICE, first.owner());
        assertEquals(AGREEMENT_1, first.agreementId());
        assertTrue(
                Set.of(JobState.QUEUED, JobState.PROVISIONING, JobState.RUNNING).contains(first.state()),
                "the first status of a job is QUEUED, PROVISIONING or RUNNING, not " + first.state());
        assertTrue(within(first.created(), before, Instant.now()), "created " + first.created());
        assertNull(first.finished(), "a job that has not ended has no end time");
        play(id, behaviour);

        JobStatus running = awaitState(id, JobState.RUNNING);
        assertNotNull(running.started(), "a running job has a start time");
        assertNull(running.exitCode(), "a running algorithm has no exit code");
        awaitLog(id, behaviour.log());

        release(id);
        JobStatus done = awaitEnd(id);
        assertEquals(JobState.SUCCEEDED, done.state(), done.message());
        assertEquals(0, done.exitCode());
        assertEquals(first.created(), done.created(), "the creation time does not change");
        assertNotNull(done.started());
        assertNotNull(done.finished());
        assertFalse(done.started().isBefore(done.created()), "started " + done.started() + " before created");
        assertFalse(done.finished().isBefore(done.started()), "finished " + done.finished() + " before started");
        assertTrue(within(done.finished(), before, Instant.now()), "finished " + done.finished());
        assertEquals(done, backend().status(id), "an ended job's status stays as it is");
        assertEquals(done, backend().stop(id), "stopping an ended job changes nothing");
        assertEquals(done, backend().status(id), "stopping an ended job changes nothing");
    }

    @Test
    void anAlgorithmThatExitsNonZeroEndsFailedWithItsExitCodeAndLog() throws Exception {
        String id = newId();
        Behaviour behaviour = Behaviour.succeeds().withLog("about to fail\n").exitingWith(3);
        start(id, ALICE, AGREEMENT_1, behaviour, LONG_LIMIT);

        JobStatus done = awaitEnd(id);
        assertEquals(JobState.FAILED, done.state());
        assertEquals(3, done.exitCode());
        assertNotNull(done.finished());
        assertNotNull(done.message(), "a failed job says why");
        assertFalse(done.message().isBlank(), "a failed job says why");
        assertEquals(behaviour.wholeLog(), wholeLog(id));
        assertTrue(backend().logs(id, 0).complete(), "the log of an ended job is complete");
    }

    @Test
    void aJobPastItsTimeLimitEndsFailedAndKeepsItsLog() throws Exception {
        String id = newId();
        Behaviour behaviour = Behaviour.succeeds().withLog("still going\n").waitingForRelease("never\n");
        start(id, ALICE, AGREEMENT_1, behaviour, timeLimit());

        JobStatus done = awaitEnd(id);
        assertEquals(JobState.FAILED, done.state(), done.message());
        assertNotEquals(0, done.exitCodeIfKnown().orElse(-1), "a job past its limit did not succeed");
        assertNotNull(done.finished());
        assertNotNull(done.message(), "a failed job says why");
        assertLogStartsWith(behaviour.log(), wholeLog(id), "the log written before the limit is kept");
        assertTrue(backend().logs(id, 0).complete());
    }

    @Test
    void stoppingARunningJobEndsItStoppedAndKeepsItsLog() throws Exception {
        String id = newId();
        byte[] partial = "partial\n".getBytes(UTF_8);
        Behaviour behaviour = Behaviour.succeeds()
                .withOutput("partial.txt", partial)
                .withLog("working\n")
                .waitingForRelease("never\n");
        start(id, ALICE, AGREEMENT_1, behaviour, LONG_LIMIT);
        awaitState(id, JobState.RUNNING);
        awaitLog(id, behaviour.log());

        JobStatus stopped = backend().stop(id);
        assertEquals(JobState.STOPPED, stopped.state());
        assertNotNull(stopped.finished(), "a stopped job has an end time");
        assertEquals(stopped, awaitEnd(id), "a stopped job stays stopped");
        assertEquals(stopped, backend().stop(id), "stopping again changes nothing");
        assertLogStartsWith(behaviour.log(), wholeLog(id), "the log written before the stop is kept");
        assertTrue(backend().logs(id, 0).complete(), "the log of a stopped job is complete");
        assertEquals(List.of(id), ids(backend().jobs(ALICE, null)), "a stopped job is still listed");
        if (stoppedJobsKeepOutputs()) {
            assertEquals(
                    List.of(new OutputFile("partial.txt", partial.length)),
                    backend().outputs(id));
            assertArrayEquals(partial, read(id, "partial.txt"));
        } else {
            assertEquals(
                    List.of(),
                    backend().outputs(id),
                    "a stopped job offers no outputs, yet stoppedJobsKeepOutputs() is false: a backend that keeps"
                            + " them must say so");
            assertKind(REFUSED_NAME, () -> backend().openOutput(id, "partial.txt"));
        }
    }

    @Test
    void deletedJobsAreDeletedWithoutLogOrOutputsAndAreNotListed() throws Exception {
        String ended = newId();
        Behaviour withOutput = Behaviour.succeeds()
                .withOutput("o.txt", "out\n".getBytes(UTF_8))
                .withLog("ran\n");
        start(ended, ALICE, AGREEMENT_1, withOutput, LONG_LIMIT);
        assertEquals(JobState.SUCCEEDED, awaitEnd(ended).state());
        String running = newId();
        Behaviour waits = Behaviour.succeeds().withLog("waiting\n").waitingForRelease("never\n");
        start(running, ALICE, AGREEMENT_1, waits, LONG_LIMIT);
        awaitState(running, JobState.RUNNING);
        awaitLog(running, waits.log());

        for (String id : List.of(ended, running)) {
            backend().delete(id);
            assertEquals(JobState.DELETED, backend().status(id).state(), "the status of a deleted job");
            assertEquals(JobState.DELETED, awaitEnd(id).state(), "a deleted job stays deleted");
            assertKind(Set.of(ErrorKind.NOT_FOUND), () -> backend().logs(id, 0));
            assertKind(Set.of(ErrorKind.NOT_FOUND), () -> backend().outputs(id));
            assertKind(Set.of(ErrorKind.NOT_FOUND), () -> backend().openOutput(id, "o.txt"));
            assertFalse(ids(backend().jobs(ALICE, null)).contains(id), "a deleted job is not listed");
            assertFalse(ids(backend().jobs(null, null)).contains(id), "a deleted job is not listed");
            assertFalse(ids(backend().jobs(ALICE, AGREEMENT_1)).contains(id), "a deleted job is not listed");
            backend().delete(id);
            assertEquals(JobState.DELETED, backend().status(id).state(), "deleting again changes nothing");
        }
    }

    @Test
    void theLogCanBeReadByOffsetWhileTheJobRunsAndIsCompleteAtItsEnd() throws Exception {
        String id = newId();
        Behaviour behaviour = Behaviour.succeeds().withLog("first\n").waitingForRelease("second\nthird\n");
        start(id, ALICE, AGREEMENT_1, behaviour, LONG_LIMIT);
        awaitLog(id, behaviour.log());

        LogChunk running = backend().logs(id, 0);
        assertEquals(0, running.offset());
        assertEquals(behaviour.log(), new String(running.data(), UTF_8));
        assertFalse(running.complete(), "the log of a running job is not complete");
        assertTrue(running.nextOffset() > 0, "the next read starts after what was read");
        assertEquals(JobState.RUNNING, backend().status(id).state());
        LogChunk nothingYet = backend().logs(id, running.nextOffset());
        assertEquals(0, nothingYet.data().length, "nothing more was logged yet");
        assertFalse(nothingYet.complete());
        assertEquals(running.nextOffset(), nothingYet.nextOffset(), "an empty read does not move the offset");

        release(id);
        assertEquals(JobState.SUCCEEDED, awaitEnd(id).state());
        LogChunk rest = backend().logs(id, running.nextOffset());
        assertEquals(running.nextOffset(), rest.offset());
        assertEquals(behaviour.laterLog(), new String(rest.data(), UTF_8), "the log from where the last read ended");
        assertTrue(rest.complete(), "the rest of the log of an ended job is complete");
        assertEquals(behaviour.wholeLog(), wholeLog(id));
        LogChunk beyond = backend().logs(id, 1 << 20);
        assertEquals(0, beyond.data().length, "nothing beyond the end");
        assertTrue(beyond.complete());
        assertKind(Set.of(ErrorKind.INVALID_REQUEST), () -> backend().logs(id, -1));
    }

    @Test
    void outputsAreListedByNameAndSizeAndOpenedByName() throws Exception {
        byte[] binary = new byte[300];
        for (int i = 0; i < binary.length; i++) {
            binary[i] = (byte) (i * 7);
        }
        String id = newId();
        Behaviour behaviour = Behaviour.succeeds()
                .withOutput("result.txt", "hello\n".getBytes(UTF_8))
                .withOutput("sub/data.bin", binary)
                .withOutput("empty.txt", new byte[0])
                .withLog("wrote three outputs\n");
        start(id, ALICE, AGREEMENT_1, behaviour, LONG_LIMIT);
        assertEquals(JobState.SUCCEEDED, awaitEnd(id).state());

        List<OutputFile> listed = backend().outputs(id);
        assertEquals(
                List.of(
                        new OutputFile("empty.txt", 0),
                        new OutputFile("result.txt", 6),
                        new OutputFile("sub/data.bin", binary.length)),
                listed.stream().sorted(Comparator.comparing(OutputFile::name)).toList());
        assertEquals(listed, backend().outputs(id), "the outputs are listed in a stable order");
        for (Map.Entry<String, byte[]> output : behaviour.outputs().entrySet()) {
            assertArrayEquals(output.getValue(), read(id, output.getKey()), output.getKey());
        }
    }

    @Test
    void nothingOutsideTheOutputsCanBeOpenedByName() throws Exception {
        String id = newId();
        Behaviour behaviour = Behaviour.succeeds()
                .withOutput("result.txt", "hello\n".getBytes(UTF_8))
                .withOutput("sub/inner.txt", "inner\n".getBytes(UTF_8))
                .withLog("secret log line\n");
        start(id, ALICE, AGREEMENT_1, behaviour, LONG_LIMIT);
        assertEquals(JobState.SUCCEEDED, awaitEnd(id).state());

        for (String name : List.of(
                "missing.txt",
                "sub",
                "sub/",
                "",
                ".",
                "..",
                "./result.txt",
                "sub/../result.txt",
                "../logs/algorithm.log",
                "../algorithm.log",
                "../transformations/algorithm",
                "../../" + id + "/outputs/result.txt",
                "/etc/passwd",
                "%2e%2e/algorithm.log",
                "result.txt\0")) {
            assertKind(REFUSED_NAME, () -> backend().openOutput(id, name), "output name '" + name + "'");
        }
        assertArrayEquals("inner\n".getBytes(UTF_8), read(id, "sub/inner.txt"), "a listed name still opens");
    }

    @Test
    void aRestartedBackendSeesTheSameJobsAndFinishesTheRunningOne() throws Exception {
        String ended = newId();
        Behaviour withOutput = Behaviour.succeeds()
                .withOutput("kept.txt", "kept\n".getBytes(UTF_8))
                .withLog("ended\n");
        start(ended, ALICE, AGREEMENT_1, withOutput, LONG_LIMIT);
        JobStatus endedStatus = awaitEnd(ended);
        assertEquals(JobState.SUCCEEDED, endedStatus.state());
        String deleted = newId();
        Behaviour waits = Behaviour.succeeds().withLog("waiting\n").waitingForRelease("never\n");
        start(deleted, ALICE, AGREEMENT_2, waits, LONG_LIMIT);
        awaitState(deleted, JobState.RUNNING);
        backend().delete(deleted);
        String running = newId();
        Behaviour resumes = Behaviour.succeeds()
                .withOutput("late.txt", "late\n".getBytes(UTF_8))
                .withLog("before\n")
                .waitingForRelease("after\n");
        start(running, BOB, AGREEMENT_1, resumes, LONG_LIMIT);
        JobStatus runningStatus = awaitState(running, JobState.RUNNING);
        awaitLog(running, resumes.log());
        List<String> listed = ids(backend().jobs(null, null));

        ComputeBackend restarted = restart();
        assertEquals(endedStatus, restarted.status(ended), "an ended job after a restart");
        assertArrayEquals("kept\n".getBytes(UTF_8), read(ended, "kept.txt"), "its output after a restart");
        assertEquals(withOutput.wholeLog(), wholeLog(ended), "its log after a restart");
        assertEquals(JobState.DELETED, restarted.status(deleted).state(), "a deleted job after a restart");
        JobStatus stillRunning = restarted.status(running);
        assertEquals(JobState.RUNNING, stillRunning.state(), "a running job after a restart");
        assertEquals(runningStatus.owner(), stillRunning.owner());
        assertEquals(runningStatus.agreementId(), stillRunning.agreementId());
        assertEquals(runningStatus.created(), stillRunning.created());
        assertEquals(runningStatus.started(), stillRunning.started());
        assertEquals(listed, ids(restarted.jobs(null, null)), "the same jobs are listed after a restart");
        assertEquals(List.of(running), ids(restarted.jobs(BOB, null)));

        release(running);
        JobStatus done = awaitEnd(running);
        assertEquals(JobState.SUCCEEDED, done.state(), done.message());
        assertEquals(0, done.exitCode());
        assertEquals(resumes.wholeLog(), wholeLog(running), "the whole log of a job that ran across a restart");
        assertArrayEquals("late\n".getBytes(UTF_8), read(running, "late.txt"));
    }

    @Test
    void aSucceededJobsEvidenceNamesWhatItWasGivenAndTheDigestsOfItsInputsOutputsAndLog() throws Exception {
        byte[] binary = new byte[300];
        for (int i = 0; i < binary.length; i++) {
            binary[i] = (byte) (i * 7);
        }
        String id = newId();
        Behaviour behaviour = Behaviour.succeeds()
                .withInput(DATASET_1, AGREEMENT_1, "alpha\n".getBytes(UTF_8), binary)
                .withInput(DATASET_2, AGREEMENT_2, new byte[0])
                .publishedAs(ALGORITHM_DID)
                .withOutput("result.txt", "hello\n".getBytes(UTF_8))
                .withOutput("sub/data.bin", binary)
                .withOutput("empty.txt", new byte[0])
                .withLog("computing\n")
                .waitingForRelease("done\n");
        ComputeJob job = startJob(id, ALICE, AGREEMENT_1, behaviour, LONG_LIMIT);
        awaitState(id, JobState.RUNNING);
        awaitLog(id, behaviour.log());
        assertEquals(Optional.empty(), backend().evidence(id), "a running job has no evidence yet");

        release(id);
        JobStatus done = awaitEnd(id);
        assertEquals(JobState.SUCCEEDED, done.state(), done.message());
        JobEvidence evidence = assertEvidence(id, job, behaviour);
        assertEquals(List.of(AGREEMENT_1, AGREEMENT_2), evidence.agreementIds(), "the inputs' agreements");
        assertEquals(ALGORITHM_DID, evidence.algorithmDid(), "the algorithm's DID");
        assertEquals(
                Set.of("result.txt", "sub/data.bin", "empty.txt"),
                evidence.outputs().stream().map(FileDigest::name).collect(Collectors.toSet()),
                "every output the algorithm wrote");
        assertEquals(evidence, backend().evidence(id).orElseThrow(), "an ended job's evidence stays as it is");
    }

    @Test
    void aFailedJobsEvidenceHasTheOutputsAndLogItEndedWith() throws Exception {
        String id = newId();
        Behaviour behaviour = Behaviour.succeeds()
                .withInput(DATASET_1, AGREEMENT_1, "data\n".getBytes(UTF_8))
                .withOutput("partial.txt", "partial\n".getBytes(UTF_8))
                .withLog("about to fail\n")
                .exitingWith(3);
        ComputeJob job = startJob(id, ALICE, AGREEMENT_1, behaviour, LONG_LIMIT);

        JobStatus done = awaitEnd(id);
        assertEquals(JobState.FAILED, done.state());
        JobEvidence evidence = assertEvidence(id, job, behaviour);
        assertNull(evidence.algorithmDid(), "an inline algorithm has no DID");
    }

    @Test
    void aStoppedJobsEvidenceHasTheOutputsAndLogItWasStoppedWith() throws Exception {
        String id = newId();
        Behaviour behaviour = Behaviour.succeeds()
                .withInput(DATASET_1, AGREEMENT_1, "data\n".getBytes(UTF_8))
                .withOutput("partial.txt", "partial\n".getBytes(UTF_8))
                .withLog("working\n")
                .waitingForRelease("never\n");
        ComputeJob job = startJob(id, ALICE, AGREEMENT_1, behaviour, LONG_LIMIT);
        awaitState(id, JobState.RUNNING);
        awaitLog(id, behaviour.log());
        assertEquals(Optional.empty(), backend().evidence(id), "a running job has no evidence yet");

        assertEquals(JobState.STOPPED, backend().stop(id).state());
        assertEvidence(id, job, behaviour);
    }

    @Test
    void theEvidenceOfAnUnknownOrDeletedJobIsNotFound() throws Exception {
        assertKind(Set.of(ErrorKind.NOT_FOUND), () -> backend().evidence(newId()), "an unknown job");
        String id = newId();
        Behaviour behaviour = Behaviour.succeeds()
                .withOutput("o.txt", "out\n".getBytes(UTF_8))
                .withLog("ran\n");
        start(id, ALICE, AGREEMENT_1, behaviour, LONG_LIMIT);
        assertEquals(JobState.SUCCEEDED, awaitEnd(id).state());
        assertTrue(backend().evidence(id).isPresent(), "an ended job has evidence");

        backend().delete(id);
        assertKind(Set.of(ErrorKind.NOT_FOUND), () -> backend().evidence(id), "a deleted job, as its outputs");
    }

    @Test
    void unknownJobIdsAreNotFound() throws Exception {
        ComputeBackend backend = backend();
        String unknown = newId();
        List<Executable> calls = List.of(
                () -> backend.status(unknown),
                () -> backend.stop(unknown),
                () -> backend.delete(unknown),
                () -> backend.logs(unknown, 0),
                () -> backend.outputs(unknown),
                () -> backend.openOutput(unknown, "result.txt"));
        for (Executable call : calls) {
            assertKind(Set.of(ErrorKind.NOT_FOUND), call);
        }
        assertKind(Set.of(ErrorKind.NOT_FOUND), () -> backend.status(unknown), "an unknown id stays unknown");
        assertEquals(List.of(), backend.jobs(null, null), "looking up unknown ids makes no jobs");
    }

    @Test
    void jobsListsAnOwnersJobsNewestFirstAndFiltersByAgreement() throws Exception {
        String j1 = unplayed(ALICE, AGREEMENT_1);
        String j2 = unplayed(ALICE, AGREEMENT_2);
        String j3 = unplayed(BOB, AGREEMENT_1);
        String j4 = unplayed(ALICE, AGREEMENT_1);

        assertEquals(List.of(j4, j2, j1), ids(backend().jobs(ALICE, null)));
        assertEquals(List.of(j4, j1), ids(backend().jobs(ALICE, AGREEMENT_1)));
        assertEquals(List.of(j2), ids(backend().jobs(ALICE, AGREEMENT_2)));
        assertEquals(List.of(j3), ids(backend().jobs(BOB, null)));
        assertEquals(List.of(), ids(backend().jobs(BOB, AGREEMENT_2)));
        assertEquals(List.of(j4, j3, j1), ids(backend().jobs(null, AGREEMENT_1)));
        assertEquals(List.of(j4, j3, j2, j1), ids(backend().jobs(null, null)));
        assertEquals(List.of(), ids(backend().jobs("0x" + "c3".repeat(20), null)), "an owner without jobs");
        for (JobStatus s : backend().jobs(ALICE, AGREEMENT_1)) {
            assertEquals(ALICE, s.owner());
            assertEquals(AGREEMENT_1, s.agreementId());
        }
    }

    // ------------------------------------------------------------------------------ helpers

    /** {@return the backend of this test, created on first use} */
    private ComputeBackend backend() throws Exception {
        if (current == null) {
            current = createBackend();
            opened.add(current);
        }
        return current;
    }

    private ComputeBackend restart() throws Exception {
        ComputeBackend old = backend();
        opened.remove(old); // reopen closes it
        current = reopen(old);
        opened.add(current);
        return current;
    }

    private static String newId() {
        return UUID.randomUUID().toString().replace("-", "");
    }

    private JobStatus start(String id, String owner, String agreement, Behaviour behaviour, Duration limit)
            throws Exception {
        ComputeJob job = job(id, owner, agreement, behaviour, limit);
        JobStatus first = backend().start(job);
        started.add(id);
        assertEquals(id, first.jobId());
        play(id, behaviour);
        return first;
    }

    /** Starts and plays a job as {@link #start} does; {@return the job as given to the backend} */
    private ComputeJob startJob(String id, String owner, String agreement, Behaviour behaviour, Duration limit)
            throws Exception {
        ComputeJob job = job(id, owner, agreement, behaviour, limit);
        assertEquals(id, backend().start(job).jobId());
        started.add(id);
        play(id, behaviour);
        return job;
    }

    /**
     * Asserts the evidence of an ended job: what it was given as {@code job} says; its inputs'
     * digests those of {@code behaviour}'s bytes; every output {@link ComputeBackend#outputs}
     * lists, with the size and SHA-256 of the bytes {@link ComputeBackend#openOutput} gives; its
     * log with the size and SHA-256 of the bytes {@link ComputeBackend#logs} gives.
     *
     * @return the evidence
     */
    private JobEvidence assertEvidence(String id, ComputeJob job, Behaviour behaviour) throws Exception {
        JobEvidence evidence =
                backend().evidence(id).orElseThrow(() -> new AssertionError("an ended job has evidence: " + id));
        assertFalse(evidence.backend().isBlank(), "the backend's name");
        assertTrue(
                backend().environments().contains(evidence.environment()),
                "the environment as listed by environments(): " + evidence.environment());
        assertEquals(job.environmentId(), evidence.environment().id(), "the job's environment");
        assertEquals(job.maxDuration(), evidence.maxDuration(), "the job's time limit");
        assertEquals(job.agreementIds(), evidence.agreementIds(), "the inputs' agreements, as given");
        assertEquals(job.algorithm().did(), evidence.algorithmDid(), "the algorithm's DID, as given");
        assertEquals(job.algorithm().container(), evidence.container(), "the container, as asked");
        assertFalse(evidence.algorithmFiles().isEmpty(), "the algorithm's files");
        if (!behaviour.inputs().isEmpty()) {
            List<InputDigest> inputs = new ArrayList<>();
            for (Input input : behaviour.inputs()) {
                for (int i = 0; i < input.files().size(); i++) {
                    byte[] bytes = input.files().get(i);
                    inputs.add(new InputDigest(input.did(), i, bytes.length, sha256(bytes)));
                }
            }
            assertEquals(inputs, evidence.inputs(), "every input file with the digest of its bytes");
        }
        List<OutputFile> listed = backend().outputs(id);
        assertEquals(
                listed.stream().map(OutputFile::name).sorted().toList(),
                evidence.outputs().stream().map(FileDigest::name).sorted().toList(),
                "the outputs named as outputs() lists them");
        for (FileDigest output : evidence.outputs()) {
            byte[] bytes = read(id, output.name());
            assertEquals(bytes.length, output.size(), "the size of output " + output.name());
            assertEquals(sha256(bytes), output.sha256(), "the SHA-256 of output " + output.name());
            assertTrue(listed.contains(new OutputFile(output.name(), output.size())), "listed as " + output);
        }
        assertNotNull(evidence.log(), "the log of a job that ran");
        byte[] log = wholeLog(id).getBytes(UTF_8);
        assertEquals(log.length, evidence.log().size(), "the size of the log");
        assertEquals(sha256(log), evidence.log().sha256(), "the SHA-256 of the log as logs() gives it");
        return evidence;
    }

    private static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Starts a job that waits, without playing it, once the clock has passed the last creation time. */
    private String unplayed(String owner, String agreement) throws Exception {
        String id = newId();
        Behaviour waits = Behaviour.succeeds().waitingForRelease("");
        JobStatus first = backend().start(job(id, owner, agreement, waits, LONG_LIMIT));
        started.add(id);
        // Newest first needs distinct creation times: wait until the clock has moved on.
        await("the clock passes " + first.created(), ok -> ok, () -> Instant.now()
                .isAfter(first.created()));
        return id;
    }

    private JobStatus awaitState(String id, JobState state) throws Exception {
        return await(
                id + " is " + state, s -> s.state() == state, () -> backend().status(id));
    }

    private JobStatus awaitEnd(String id) throws Exception {
        return await(id + " ends", s -> s.state().isTerminal(), () -> backend().status(id));
    }

    private void awaitLog(String id, String expected) throws Exception {
        await("the log of " + id + " is '" + expected.replace("\n", "\\n") + "'", expected::equals, () -> {
            try {
                return wholeLog(id);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
    }

    /**
     * Polls {@code value} until it passes {@code done}, every 20 ms, and fails after {@link
     * #deadline()} with the last value.
     */
    private <T> T await(String what, Predicate<T> done, Polling.Probe<T> value) throws Exception {
        return Polling.until(
                deadline(),
                value,
                done,
                last -> "timed out after " + deadline().toSeconds() + " s waiting until " + what + " (last: " + last
                        + ")");
    }

    /** {@return the whole log as it is now, read chunk by chunk from offset 0} */
    private String wholeLog(String id) throws Exception {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        long offset = 0;
        for (int chunks = 0; chunks < 10_000; chunks++) {
            LogChunk chunk = backend().logs(id, offset);
            assertEquals(offset, chunk.offset(), "a chunk starts where it was asked for");
            if (chunk.data().length == 0) {
                return all.toString(UTF_8);
            }
            all.writeBytes(chunk.data());
            offset = chunk.nextOffset();
        }
        throw new AssertionError("the log of " + id + " does not end");
    }

    private byte[] read(String id, String name) throws Exception {
        try (StorageObject o = backend().openOutput(id, name)) {
            byte[] bytes = o.stream().readAllBytes();
            assertEquals(o.info().size(), bytes.length, "the size of output " + name);
            return bytes;
        } catch (IOException e) {
            throw new AssertionError("reading output " + name + " failed", e);
        }
    }

    /** Asserts what a killed algorithm logged; the runtime may add its own last words ("Terminated"). */
    private static void assertLogStartsWith(String expected, String log, String what) {
        assertTrue(
                log.startsWith(expected),
                what + ": expected it to start with <" + expected + "> but was <" + log + ">");
    }

    private static boolean within(Instant t, Instant from, Instant to) {
        // One second of slack for backends that keep times at a coarser precision.
        return !t.isBefore(from.minusSeconds(1)) && !t.isAfter(to.plusSeconds(1));
    }

    private static List<String> ids(List<JobStatus> statuses) {
        return statuses.stream().map(JobStatus::jobId).toList();
    }

    private static void assertKind(Set<ErrorKind> kinds, Executable call) {
        assertKind(kinds, call, "");
    }

    private static void assertKind(Set<ErrorKind> kinds, Executable call, String what) {
        BrizoException e = assertThrows(BrizoException.class, call, what);
        assertTrue(kinds.contains(e.kind()), what + ": " + e.kind() + " (" + e.getMessage() + "), expected " + kinds);
    }
}
