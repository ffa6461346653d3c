package io.brizo.compute.local;

import io.brizo.internal.json.Json;
import io.brizo.spi.Asset;
import io.brizo.spi.BrizoException;
import io.brizo.spi.ByteRange;
import io.brizo.spi.ComputeAlgorithm;
import io.brizo.spi.ComputeBackend;
import io.brizo.spi.ComputeEnvironment;
import io.brizo.spi.ComputeJob;
import io.brizo.spi.ErrorKind;
import io.brizo.spi.ExactLengthInputStream;
import io.brizo.spi.JobEvidence;
import io.brizo.spi.JobEvidence.FileDigest;
import io.brizo.spi.JobEvidence.InputDigest;
import io.brizo.spi.JobState;
import io.brizo.spi.JobStatus;
import io.brizo.spi.LogChunk;
import io.brizo.spi.ObjectInfo;
import io.brizo.spi.OutputFile;
import io.brizo.spi.StorageAccess;
import io.brizo.spi.StorageObject;
import java.io.ByteArrayInputStream;
import java.io.Closeable;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.URLConnection;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.function.UnaryOperator;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs compute jobs as local processes of the server, each in its own directory: the embedded
 * default backend, <b>for development</b>.
 *
 * <p><b>This is not an isolation boundary.</b> The algorithm runs with the server's user and
 * rights, without any sandbox: it can read and change every file the server can (other jobs, the
 * publisher's data, keys and configuration), use the network, and start processes that detach
 * and so escape the time limit. Only its environment variables are trimmed to a few harmless
 * ones, so that secrets given to the server that way are not handed over as well. Use it to
 * develop and try algorithms and integrations with algorithms you trust; run anyone else's with
 * the Kubernetes backend ({@code brizo-compute-k8s}).
 *
 * <p>A job goes QUEUED (waiting for one of the worker threads) → PROVISIONING (inputs and
 * algorithm staged through the publisher's storage drivers into the Ocean layout of {@link
 * JobLayout}, within the staging deadline) → RUNNING (the entrypoint as a local process, within
 * the job's time limit, output appended to the log as it comes) → SUCCEEDED (exit 0) or FAILED
 * (other exit code, time limit, staging failure, backend failure), or STOPPED or DELETED by its
 * owner. The time limit kills the whole process tree.
 *
 * <p><b>Restarts.</b> Every state change is written to the job's state file ({@link JobRecord})
 * before it is reported. The algorithm runs under a tiny {@code /bin/sh} wrapper that writes its
 * exit code to {@code .brizo/exit-code}, and the wrapper's pid and start time are recorded. A new
 * backend over the same directory loads every job: a job still RUNNING whose process is the same
 * live process (pid and start time) is re-attached, with its time limit counted from its recorded
 * start; one whose process is gone ends as its exit file says (FAILED if it exited after its time
 * limit), or FAILED "interrupted"; a job that was still waiting or being staged ends FAILED, since
 * staging cannot resume: storage locations are secrets and never written to disk. {@link
 * #close()} therefore leaves running algorithms alone.
 *
 * <p><b>Deletion</b> removes the job's files but keeps its state file as a tombstone: {@link
 * #status} reports DELETED, {@link #jobs} leaves the job out, and logs and outputs are NOT_FOUND.
 *
 * <p><b>Output location.</b> With one configured, a job whose algorithm ended goes PUBLISHING: its
 * outputs and log are written there through the storage drivers, listed in {@code
 * .brizo/stored.json}, and served from there; the job's directory is then emptied. <b>Retention.</b>
 * With one configured, jobs that ended longer ago, tombstones included, are removed, in storage
 * too, when the backend opens and by a background sweep; they are then unknown (NOT_FOUND).
 *
 * <p><b>Evidence.</b> {@link #evidence} gives, once a job has ended, what it was given and the
 * SHA-256 of its algorithm file and input files (digested while staged), of its outputs and of its
 * log as the log route shows it (digested while stored in the output location, or, without one, in
 * the one pass over them when the job ends). It is kept in the job's record ({@link
 * RecordedEvidence}), dropped when the job is deleted or expires. Its {@code imageDigest} is always
 * null: this backend runs no image, only the command its table maps the image name to.
 *
 * <p>Unix only (needs {@code /bin/sh}). Thread-safe. One backend per directory at a time, which a
 * lock file enforces.
 */
final class LocalProcessComputeBackend implements ComputeBackend {
    private static final Logger LOG = LoggerFactory.getLogger(LocalProcessComputeBackend.class);

    static final String ENVIRONMENT_ID = "local";
    static final int MAX_LOG_CHUNK = 1 << 20;
    static final String LOCK_FILE = ".brizo-compute.lock";
    static final String SHELL = "/bin/sh";
    /**
     * Runs the command given as arguments and records its exit code in the file named by {@code
     * $0}. Everything the job supplies arrives as positional parameters, which the shell never
     * parses as script text.
     */
    static final String WRAPPER = "\"$@\"; c=$?; echo \"$c\" > \"$0\"; exit \"$c\"";
    /** How long processes get to end after SIGTERM, and after SIGKILL. */
    static final Duration KILL_GRACE = Duration.ofSeconds(2);

    private static final Duration CLOSE_WAIT = Duration.ofSeconds(10);
    private static final Duration DELETE_WAIT = Duration.ofSeconds(10);
    /** How long a job waiting for GPUs sleeps between looks, unless woken by a release. */
    private static final long GPU_WAIT_MILLIS = 200;
    /** The NVIDIA driver's nodes every job with a GPU needs besides its own {@code nvidia<index>}. */
    static final List<String> SHARED_GPU_DEVICES = List.of("nvidiactl", "nvidia-uvm", "nvidia-uvm-tools");
    /** The longest time between sweeps for expired jobs; a short retention sweeps more often. */
    private static final Duration SWEEP_PERIOD = Duration.ofMinutes(1);

    private static final Duration MIN_SWEEP_PERIOD = Duration.ofMillis(250);
    private static final int QUEUE_CAPACITY = 1000;
    private static final long REATTACHED_POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(200);
    // Linux derives a process's start time from the boot time, which moves by up to a second
    // when the clock is adjusted; the same pid starting again within this window is implausible.
    private static final long START_TIME_TOLERANCE_MILLIS = 2000;
    private static final Pattern JOB_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");
    private static final List<String> PASSED_ENVIRONMENT =
            List.of("PATH", "HOME", "LANG", "LC_ALL", "LC_CTYPE", "TZ", "USER", "LOGNAME");
    private static final String DEFAULT_PATH = "/usr/local/bin:/usr/bin:/bin";
    /** Said at start and in environments() when algorithms run without a sandbox. */
    static final String UNSANDBOXED_WARNING = "UNSANDBOXED development mode: algorithms run as plain processes"
            + " with the server's user and rights (they can read its files and keys, use the network, and"
            + " escape limits); never offer this to consumers you do not trust";
    /** How often a running job's output bytes are counted. */
    private static final long ACCOUNTING_NANOS = TimeUnit.MILLISECONDS.toNanos(100);
    /** More files than this in outputs and logs end the job: counting them must stay cheap. */
    static final int MAX_OUTPUT_FILES = 100_000;

    /**
     * What the factory read from the settings.
     *
     * @param dir the work directory
     * @param commands the image to command table
     * @param maxDuration the longest time limit a job may have
     * @param stageTimeout the deadline for staging a job's inputs and algorithm
     * @param maxJobs how many jobs are staged or run at once
     * @param sandbox how algorithms are confined; null in the unsandboxed development mode
     * @param outputLocation the prefix, ending with {@code /}, under which finished jobs' outputs
     *     and logs are stored; null to keep them in the job's directory
     * @param retention how long after its end a job (its outputs, log, record or tombstone) is
     *     kept; null to keep it until deleted
     * @param gpus the GPUs the {@code local} environment offers
     * @param gpusPerJob how many of them each job gets, each held by one job at a time
     * @param gpuDevices the directory of the GPUs' device nodes ({@code /dev})
     */
    record Config(
            Path dir,
            CommandTable commands,
            Duration maxDuration,
            Duration stageTimeout,
            int maxJobs,
            Sandbox sandbox,
            URI outputLocation,
            Duration retention,
            List<Gpus.Gpu> gpus,
            int gpusPerJob,
            Path gpuDevices) {}

    private final Path root;
    private final StorageAccess storage;
    private final Config config;
    private final ComputeEnvironment environment;
    private final FileChannel lockChannel;
    private final FileLock lock;
    private final ConcurrentMap<String, Job> jobs = new ConcurrentHashMap<>();
    private final ThreadPoolExecutor workers;
    private final ExecutorService monitors;
    private final ScheduledThreadPoolExecutor timer;
    /** Expires jobs and retries deletions in the output location; apart from the staging timer, since storage may be slow. */
    private final ScheduledThreadPoolExecutor sweeper;

    private final AtomicBoolean closed = new AtomicBoolean();
    private final GpuPool gpuPool;

    /** One job: its record and what is running for it. */
    private static final class Job {
        final String id;
        final JobLayout layout;
        /** Completes with the first terminal status. */
        final CompletableFuture<JobStatus> ended = new CompletableFuture<>();
        /** Completes when no thread of this backend works on the job any more. */
        final CompletableFuture<Void> settled = new CompletableFuture<>();

        // Guarded by this.
        JobRecord record;
        ProcessHandle process;
        Closeable staging;
        /** Set while stop() or delete() kill the job: nothing else may end it meanwhile. */
        boolean terminating;
        /** What is in the output location; null while the outputs are in the job's directory. */
        StoredOutputs stored;

        Job(String id, JobLayout layout, JobRecord record) {
            this.id = id;
            this.layout = layout;
            this.record = record;
        }
    }

    /** Waits for the algorithm's process to exit. */
    @FunctionalInterface
    private interface ExitWait {
        /** {@return whether the process exited within {@code nanos}} */
        boolean await(long nanos) throws InterruptedException;
    }

    /** Thrown inside a worker when the job was stopped, deleted, expired or the backend closed. */
    private static final class Cancelled extends RuntimeException {
        Cancelled() {
            super("cancelled", null, false, false);
        }
    }

    /** A failure of the job, with a message fit for the job's owner. */
    private static final class JobFailure extends RuntimeException {
        JobFailure(String message) {
            super(message, null, false, false);
        }
    }

    private LocalProcessComputeBackend(
            Path root, StorageAccess storage, Config config, FileChannel lockChannel, FileLock lock) {
        this.root = root;
        this.storage = storage;
        this.config = config;
        this.lockChannel = lockChannel;
        this.lock = lock;
        this.gpuPool = new GpuPool(config.gpus());
        this.environment = new ComputeEnvironment(
                ENVIRONMENT_ID,
                config.sandbox() == null
                        ? UNSANDBOXED_WARNING
                        : "This server's own machine: every algorithm in a bubblewrap sandbox without network,"
                                + " seeing only its own /data and a read-only runtime, as an unprivileged user"
                                + " within its limits (memory, CPU time, processes, open files, output bytes)"
                                + gpuDescription(config),
                Runtime.getRuntime().availableProcessors(),
                config.sandbox() == null
                        ? memoryBytes()
                        : config.sandbox().limits().memoryBytes(),
                config.gpusPerJob(),
                config.maxDuration());
        this.workers = new ThreadPoolExecutor(
                config.maxJobs(),
                config.maxJobs(),
                30,
                TimeUnit.SECONDS,
                new LinkedBlockingQueue<>(QUEUE_CAPACITY),
                daemonThreads("brizo-compute-local-"));
        workers.allowCoreThreadTimeOut(true);
        this.monitors = Executors.newCachedThreadPool(daemonThreads("brizo-compute-local-reattached-"));
        this.timer = new ScheduledThreadPoolExecutor(1, daemonThreads("brizo-compute-local-timer-"));
        timer.setRemoveOnCancelPolicy(true);
        this.sweeper = new ScheduledThreadPoolExecutor(1, daemonThreads("brizo-compute-local-sweeper-"));
    }

    /**
     * Opens the backend over {@code config.dir()}, creating it if needed, and takes over the jobs
     * a previous backend left there.
     *
     * @throws BrizoException of kind CONFIGURATION if the directory cannot be used or another
     *     backend holds it
     */
    static LocalProcessComputeBackend open(Config config, StorageAccess storage) {
        Objects.requireNonNull(storage, "storage");
        if (!Files.isExecutable(Path.of(SHELL))) {
            throw BrizoException.configuration("the local compute backend needs " + SHELL + ", which is missing");
        }
        Path dir = config.dir().toAbsolutePath().normalize();
        Path real;
        try {
            Files.createDirectories(dir);
            real = dir.toRealPath();
        } catch (IOException e) {
            throw new BrizoException(
                    ErrorKind.CONFIGURATION,
                    "cannot use the compute directory " + dir + " (" + e + "); check "
                            + LocalProcessComputeBackendFactory.DIR.name() + " and the directory's permissions",
                    e);
        }
        FileChannel channel = null;
        FileLock fileLock = null;
        try {
            channel = FileChannel.open(real.resolve(LOCK_FILE), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            fileLock = channel.tryLock();
        } catch (OverlappingFileLockException e) {
            closeQuietly(channel);
            throw BrizoException.configuration("the compute directory " + real
                    + " is already used by another backend in this process; close that one first");
        } catch (IOException e) {
            closeQuietly(channel);
            throw new BrizoException(
                    ErrorKind.CONFIGURATION, "cannot lock the compute directory " + real + " (" + e + ")", e);
        }
        if (fileLock == null) {
            closeQuietly(channel);
            throw BrizoException.configuration("the compute directory " + real
                    + " is used by another process; give each server its own directory");
        }
        if (config.sandbox() == null) {
            LOG.warn("the local compute backend runs in its " + UNSANDBOXED_WARNING);
        } else {
            try {
                SandboxCheck.prepareRoot(real, config.sandbox());
                SandboxCheck.probe(real, config.sandbox());
            } catch (BrizoException e) {
                closeQuietly(channel);
                throw e;
            }
        }
        LocalProcessComputeBackend backend = new LocalProcessComputeBackend(real, storage, config, channel, fileLock);
        try {
            backend.recover();
        } catch (IOException | RuntimeException e) {
            backend.close();
            throw new BrizoException(
                    ErrorKind.CONFIGURATION, "cannot read the compute directory " + real + " (" + e + ")", e);
        }
        backend.startSweeping();
        return backend;
    }

    @Override
    public List<ComputeEnvironment> environments() {
        return List.of(environment);
    }

    @Override
    public JobStatus start(ComputeJob job) {
        Objects.requireNonNull(job, "job");
        if (closed.get()) {
            throw new BrizoException(ErrorKind.UNAVAILABLE, "the local compute backend is closed");
        }
        if (!JOB_ID.matcher(job.jobId()).matches()) {
            throw BrizoException.invalid(
                    "a job id has 1 to 128 letters, digits, '.', '_' or '-' and starts with a letter or digit");
        }
        if (!ENVIRONMENT_ID.equals(job.environmentId())) {
            throw BrizoException.invalid(
                    "unknown compute environment '" + job.environmentId() + "'; available: " + ENVIRONMENT_ID);
        }
        if (job.maxDuration().isNegative() || job.maxDuration().isZero()) {
            throw BrizoException.invalid("the job's time limit must be positive");
        }
        if (job.maxDuration().compareTo(config.maxDuration()) > 0) {
            throw BrizoException.invalid("the job's time limit of " + human(job.maxDuration())
                    + " exceeds the maximum of " + human(config.maxDuration()) + " of environment "
                    + ENVIRONMENT_ID);
        }
        Set<String> dids = new HashSet<>();
        for (Asset input : job.inputs()) {
            if (!dids.add(input.did())) {
                throw BrizoException.invalid("the input " + input.did() + " is given twice");
            }
        }
        JobLayout layout = new JobLayout(root.resolve(job.jobId()));
        Sandbox sandbox = config.sandbox();
        List<String> algorithmCommand = sandbox == null
                ? config.commands().commandLine(job.algorithm(), layout.algorithm(), searchPath())
                : config.commands()
                        .commandLine(
                                job.algorithm(),
                                Path.of(Sandbox.VOLUME, "transformations", "algorithm"),
                                sandbox.hostSearchPath(
                                        job.algorithm().container().image()));
        Map<String, String> sandboxEnv = sandboxEnvironment(job);
        String image = job.algorithm().container().image();
        Function<List<Gpus.Gpu>, List<String>> command = granted -> sandbox == null
                ? algorithmCommand
                : sandbox.commandLine(
                        layout.dir(), image, withGpus(sandboxEnv, granted), devices(granted), algorithmCommand);
        command.apply(List.of()); // refuses an image without a runtime now, not once queued

        Job j = new Job(job.jobId(), layout, JobRecord.queued(job, Instant.now(), environment));
        if (jobs.putIfAbsent(j.id, j) != null) {
            throw new BrizoException(ErrorKind.CONFLICT, "a compute job with this id exists");
        }
        try {
            Files.createDirectory(layout.dir());
        } catch (FileAlreadyExistsException e) {
            jobs.remove(j.id, j);
            throw new BrizoException(ErrorKind.CONFLICT, "a compute job with this id exists");
        } catch (IOException e) {
            jobs.remove(j.id, j);
            throw new BrizoException(ErrorKind.UNAVAILABLE, "cannot create the job's directory", e);
        }
        try {
            Files.createDirectory(layout.brizo());
            j.record.write(layout.stateFile());
            workers.execute(() -> run(j, job, command));
        } catch (IOException | RejectedExecutionException e) {
            jobs.remove(j.id, j);
            removeTree(layout.dir());
            if (e instanceof IOException) {
                throw new BrizoException(ErrorKind.UNAVAILABLE, "cannot record the job's state", e);
            }
            throw new BrizoException(
                    ErrorKind.UNAVAILABLE,
                    closed.get()
                            ? "the local compute backend is closed"
                            : "too many compute jobs are waiting; try again later");
        }
        return status(j);
    }

    @Override
    public JobStatus status(String jobId) {
        return status(find(jobId));
    }

    @Override
    public List<JobStatus> jobs(String owner, String agreementId) {
        // Owners are addresses and agreement ids hex: their case carries no meaning.
        return jobs.values().stream()
                .map(LocalProcessComputeBackend::status)
                .filter(s -> s.state() != JobState.DELETED)
                .filter(s -> owner == null || s.owner().equalsIgnoreCase(owner))
                .filter(s -> agreementId == null || s.agreementId().equalsIgnoreCase(agreementId))
                .sorted(Comparator.comparing(JobStatus::created)
                        .thenComparing(JobStatus::jobId)
                        .reversed())
                .toList();
    }

    @Override
    public JobStatus stop(String jobId) {
        Job j = find(jobId);
        terminate(j, JobState.STOPPED);
        return status(j);
    }

    @Override
    public void delete(String jobId) {
        Job j = find(jobId);
        JobState before = terminate(j, JobState.DELETED);
        if (before == JobState.DELETED) {
            return;
        }
        if (before == JobState.PROVISIONING || before == JobState.RUNNING || before == JobState.PUBLISHING) {
            // A worker still busy with the job notices the deletion within one buffer; let it
            // leave first so that no file appears after the removal.
            try {
                j.settled.get(DELETE_WAIT.toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (ExecutionException | TimeoutException e) {
                LOG.warn("compute job {}: removing its files while a worker may still use them", j.id);
            }
        }
        // Kept when the output location could not delete them, so that the sweep tries again.
        removeJobFiles(j.layout, !deleteStored(j));
    }

    @Override
    public LogChunk logs(String jobId, long fromOffset) {
        if (fromOffset < 0) {
            throw BrizoException.invalid("a log offset must not be negative");
        }
        Job j = findWithFiles(jobId);
        StoredOutputs stored = stored(j);
        if (stored != null) {
            return storedLog(j, stored, fromOffset);
        }
        // Read the state before the file: if the job had ended by then, the log was complete.
        boolean ended = status(j).state().isTerminal();
        Path log = j.layout.log();
        try {
            if (!isUntampered(log)) {
                // The algorithm replaced its log by a link or something else: serve nothing.
                throw BrizoException.notFound("the job's log is not available");
            }
            try (FileChannel ch = FileChannel.open(log, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS)) {
                long size = ch.size();
                if (fromOffset >= size) {
                    return new LogChunk(fromOffset, new byte[0], ended);
                }
                PathMask mask = pathMask(j.layout);
                long start = Math.max(0, fromOffset - mask.context());
                ByteBuffer buf =
                        ByteBuffer.allocate((int) Math.min(MAX_LOG_CHUNK + (fromOffset - start), size - start));
                long position = start;
                while (buf.hasRemaining()) {
                    int n = ch.read(buf, position);
                    if (n < 0) {
                        break;
                    }
                    position += n;
                }
                byte[] data = new byte[buf.position()];
                buf.flip().get(data);
                boolean whole = ended && position >= size;
                return mask.chunk(data, start, fromOffset, !whole, whole);
            }
        } catch (NoSuchFileException e) {
            StoredOutputs now = stored(j);
            if (now != null) {
                return storedLog(j, now, fromOffset); // stored meanwhile, the job's directory emptied
            }
            // Not created yet: the job is still waiting or staging.
            return new LogChunk(fromOffset, new byte[0], ended);
        } catch (IOException e) {
            LOG.warn("compute job {}: cannot read its log", j.id, e);
            throw new BrizoException(ErrorKind.UNAVAILABLE, "reading the job's log failed");
        }
    }

    /**
     * {@return the mask that shows the job's directory as {@code /data} in its log} Every spelling
     * counts: as configured, absolute, and with links resolved.
     */
    private static PathMask pathMask(JobLayout layout) {
        List<String> spellings = new ArrayList<>();
        spellings.add(layout.dir().toString());
        spellings.add(layout.dir().toAbsolutePath().normalize().toString());
        try {
            spellings.add(layout.dir().toRealPath().toString());
        } catch (IOException e) {
            // Deleted meanwhile: the other spellings still apply.
        }
        return new PathMask(spellings);
    }

    @Override
    public List<OutputFile> outputs(String jobId) {
        Job j = findWithFiles(jobId);
        StoredOutputs stored = stored(j);
        if (stored != null) {
            return stored.outputs();
        }
        List<OutputFile> local = localOutputs(j);
        // Stored meanwhile, and the job's directory emptied: list what is stored.
        StoredOutputs now = stored(j);
        return now != null ? now.outputs() : local;
    }

    /** {@return the outputs in the job's directory} */
    private static List<OutputFile> localOutputs(Job j) {
        Path outputs;
        try {
            outputs = untamperedOutputs(j);
        } catch (NoSuchFileException e) {
            return List.of();
        }
        List<OutputFile> files = new ArrayList<>();
        try {
            Files.walkFileTree(outputs, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
                    if (attrs.isRegularFile()) {
                        files.add(new OutputFile(relativeName(outputs, file), attrs.size()));
                    } else if (attrs.isSymbolicLink()) {
                        // A link is an output only if it leads to a file inside the outputs.
                        try {
                            Path target = file.toRealPath();
                            if (target.startsWith(outputs) && Files.isRegularFile(target, LinkOption.NOFOLLOW_LINKS)) {
                                files.add(new OutputFile(relativeName(outputs, file), Files.size(target)));
                            }
                        } catch (IOException e) {
                            // A dangling link: not an output.
                        }
                    }
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFileFailed(Path file, IOException e) {
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            throw outputsFailed(j, e);
        }
        files.sort(Comparator.comparing(OutputFile::name));
        return List.copyOf(files);
    }

    @Override
    public StorageObject openOutput(String jobId, String name) {
        Job j = findWithFiles(jobId);
        Objects.requireNonNull(name, "name");
        if (!isRelativeName(name)) {
            throw BrizoException.invalid("an output name is a relative path without '.' or '..' segments");
        }
        StoredOutputs stored = stored(j);
        if (stored != null) {
            return openStored(j, stored, name);
        }
        try {
            return openLocalOutput(j, name);
        } catch (BrizoException e) {
            // Stored meanwhile, and the job's directory emptied: open what is stored.
            StoredOutputs now = stored(j);
            if (e.kind() != ErrorKind.NOT_FOUND || now == null) {
                throw e;
            }
            return openStored(j, now, name);
        }
    }

    private StorageObject openStored(Job j, StoredOutputs stored, String name) {
        if (!stored.has(name)) {
            throw BrizoException.notFound("the job has no output of that name");
        }
        return storage.open(storedLocation(j, StoredOutputs.OUTPUTS + name), ByteRange.all());
    }

    /** {@return the output {@code name} in the job's directory, opened} */
    private static StorageObject openLocalOutput(Job j, String name) {
        BrizoException missing = BrizoException.notFound("the job has no output of that name");
        FileChannel ch = null;
        try {
            Path outputs = untamperedOutputs(j);
            Path real;
            try {
                real = outputs.resolve(name).toRealPath();
            } catch (IOException e) {
                throw missing; // missing, or a link loop
            }
            // Links are followed, but only to files inside the outputs.
            if (!real.startsWith(outputs) || real.equals(outputs)) {
                throw missing;
            }
            BasicFileAttributes attrs =
                    Files.readAttributes(real, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            if (!attrs.isRegularFile()) {
                throw missing;
            }
            ch = FileChannel.open(real, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS);
            long size = ch.size();
            ObjectInfo info = ObjectInfo.builder(size)
                    .contentType(URLConnection.guessContentTypeFromName(
                            real.getFileName().toString()))
                    .lastModified(attrs.lastModifiedTime().toInstant())
                    .build();
            // Exactly the size measured: an output that shrinks while it is read must fail the
            // download rather than look complete.
            InputStream stream = ExactLengthInputStream.builder(Channels.newInputStream(ch), size)
                    .describedAs("the output file")
                    .build();
            return new StorageObject(info, new ByteRange.Slice(0, size, size), stream);
        } catch (NoSuchFileException | InvalidPathException e) {
            closeQuietly(ch);
            throw missing;
        } catch (IOException e) {
            closeQuietly(ch);
            throw outputsFailed(j, e);
        } catch (RuntimeException e) {
            closeQuietly(ch);
            throw e;
        }
    }

    /**
     * Stops the worker threads without touching running algorithms: a backend opened later over
     * the same directory re-attaches to them. Jobs still waiting or staging are left as they are,
     * and that backend marks them FAILED.
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        workers.shutdownNow();
        monitors.shutdownNow();
        timer.shutdownNow();
        sweeper.shutdownNow();
        for (Job j : jobs.values()) {
            Closeable staging;
            synchronized (j) {
                staging = j.staging;
            }
            closeQuietly(staging);
        }
        // Wait, so that no thread of this backend writes a state after close() returned, which
        // would race with a new backend over the same directory.
        long deadline = System.nanoTime() + CLOSE_WAIT.toNanos();
        try {
            for (ExecutorService e : List.of(workers, monitors, timer, sweeper)) {
                if (!e.awaitTermination(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
                    LOG.warn("the local compute backend closed with threads still busy");
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            lock.release();
        } catch (IOException e) {
            LOG.debug("releasing the compute directory lock failed", e);
        }
        closeQuietly(lockChannel);
    }

    /** {@return a future of the job's first terminal status; for tests} */
    CompletableFuture<JobStatus> whenEnded(String jobId) {
        return find(jobId).ended.copy();
    }

    @Override
    public String toString() {
        return "LocalProcessComputeBackend{" + config.commands().images() + "}";
    }

    // ---------------------------------------------------------------- the phases of a new job

    private void run(Job j, ComputeJob job, Function<List<Gpus.Gpu>, List<String>> command) {
        guarded(j, () -> {
            List<Gpus.Gpu> granted = acquireGpus(j);
            try {
                synchronized (j) {
                    // Leaving QUEUED marks that a worker took the job: delete() waits for it only then.
                    checkActive(j);
                    update(j, r -> r.withState(JobState.PROVISIONING));
                }
                stage(j, job);
                Process process = launch(j, job, command.apply(granted), granted);
                // The JVM reaps its own children, so waitFor is exact for them.
                supervise(j, process.toHandle(), nanos -> process.waitFor(nanos, TimeUnit.NANOSECONDS));
            } finally {
                gpuPool.release(indexes(granted));
            }
        });
    }

    // ---------------------------------------------------------------- GPUs

    /**
     * {@return the GPUs the job gets, held for it; waits QUEUED until enough are free} The grant is
     * written to {@code .brizo/gpus}, so that a restarted backend knows they are in use.
     */
    private List<Gpus.Gpu> acquireGpus(Job j) {
        int n = config.gpusPerJob();
        if (n == 0) {
            return List.of();
        }
        while (true) {
            checkActive(j);
            List<Gpus.Gpu> granted = gpuPool.tryAcquire(n);
            if (!granted.isEmpty()) {
                try {
                    Files.writeString(
                            j.layout.gpusFile(),
                            String.join(
                                    ",",
                                    indexes(granted).stream()
                                            .map(String::valueOf)
                                            .toList()),
                            StandardCharsets.US_ASCII);
                } catch (IOException e) {
                    gpuPool.release(indexes(granted));
                    throw diskFailure(j, "recording the job's GPUs", e);
                }
                return granted;
            }
            try {
                gpuPool.awaitRelease(GPU_WAIT_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new Cancelled(); // close(): a restart marks the waiting job FAILED
            }
        }
    }

    /** {@return the GPU indexes a job recorded, for one found running after a restart} */
    private static List<Integer> recordedGpus(JobLayout layout) {
        try {
            String text = Files.readString(layout.gpusFile(), StandardCharsets.US_ASCII)
                    .trim();
            List<Integer> out = new ArrayList<>();
            for (String part : text.split(",")) {
                if (!part.isBlank()) {
                    out.add(Integer.valueOf(part.trim()));
                }
            }
            return out;
        } catch (IOException | NumberFormatException e) {
            return List.of();
        }
    }

    private static List<Integer> indexes(List<Gpus.Gpu> gpus) {
        return gpus.stream().map(Gpus.Gpu::index).toList();
    }

    /** {@return {@code env} with the CUDA variables that name the granted GPUs} */
    static Map<String, String> withGpus(Map<String, String> env, List<Gpus.Gpu> granted) {
        if (granted.isEmpty()) {
            return env;
        }
        Map<String, String> out = new java.util.HashMap<>(env);
        // nvidia-smi numbers GPUs in PCI bus order; CUDA does so only when told.
        out.put("CUDA_DEVICE_ORDER", "PCI_BUS_ID");
        out.put(
                "CUDA_VISIBLE_DEVICES",
                String.join(",", indexes(granted).stream().map(String::valueOf).toList()));
        return Map.copyOf(out);
    }

    /**
     * {@return the device nodes bound into a job's sandbox for its GPUs: each one's {@code
     * nvidia<index>} and the driver's shared nodes that exist}
     */
    private List<Sandbox.Device> devices(List<Gpus.Gpu> granted) {
        if (granted.isEmpty()) {
            return List.of();
        }
        List<Sandbox.Device> out = new ArrayList<>();
        for (Gpus.Gpu g : granted) {
            out.add(new Sandbox.Device(config.gpuDevices().resolve("nvidia" + g.index()), "/dev/nvidia" + g.index()));
        }
        for (String shared : SHARED_GPU_DEVICES) {
            Path node = config.gpuDevices().resolve(shared);
            if (Files.exists(node)) {
                out.add(new Sandbox.Device(node, "/dev/" + shared));
            }
        }
        return List.copyOf(out);
    }

    private static String gpuDescription(Config config) {
        if (config.gpus().isEmpty()) {
            return "";
        }
        String each = config.gpusPerJob() == 0
                ? "jobs get none"
                : "each job gets " + config.gpusPerJob() + (config.gpusPerJob() == 1 ? " GPU" : " GPUs")
                        + " of its own";
        return "; NVIDIA GPUs on this machine: "
                + String.join(
                        "; ", config.gpus().stream().map(Gpus.Gpu::describe).toList()) + "; " + each;
    }

    /**
     * Runs a phase so that the job can never be left behind: a cancellation leaves the state to
     * whoever cancelled, anything else ends the job FAILED (and its processes killed).
     */
    private void guarded(Job j, Runnable phases) {
        try {
            phases.run();
        } catch (Cancelled e) {
            // Stopped, deleted, past the staging deadline, or the backend is closing: the
            // canceller recorded the state, or (closing) a restart will.
        } catch (JobFailure e) {
            end(j, JobState.FAILED, null, e.getMessage());
        } catch (Throwable e) {
            if (closed.get()) {
                LOG.debug("compute job {}: interrupted by close()", j.id, e);
                return;
            }
            LOG.error("compute job {} failed in the local compute backend", j.id, e);
            ProcessHandle process;
            synchronized (j) {
                process = j.record.state().isTerminal() || j.terminating ? null : j.process;
            }
            if (process != null) {
                ProcessTree.kill(process, KILL_GRACE);
            }
            String why = e instanceof BrizoException b
                    ? b.getMessage()
                    : e.getClass().getSimpleName();
            end(j, JobState.FAILED, null, "the local compute backend failed: " + why);
        } finally {
            j.settled.complete(null);
        }
    }

    private void stage(Job j, ComputeJob job) {
        ScheduledFuture<?> deadline =
                timer.schedule(() -> expireStaging(j), config.stageTimeout().toNanos(), TimeUnit.NANOSECONDS);
        try {
            JobLayout l = j.layout;
            try {
                Files.createDirectories(l.inputs());
                Files.createDirectories(l.transformations());
                Files.createDirectories(l.outputs());
                Files.createDirectories(l.logs());
                Files.createFile(l.log());
            } catch (IOException e) {
                throw diskFailure(j, "creating the job's directories", e);
            }
            for (Asset input : job.inputs()) {
                Path dir = l.inputDir(input.did());
                try {
                    Files.createDirectories(dir);
                } catch (IOException e) {
                    throw diskFailure(j, "creating the job's directories", e);
                }
                for (int i = 0; i < input.files().size(); i++) {
                    Sha256.Reading staged = stageFile(
                            j,
                            input.files().get(i).url(),
                            dir.resolve(Integer.toString(i)),
                            "file " + i + " of input " + input.did());
                    InputDigest seen = new InputDigest(input.did(), i, staged.count(), staged.sha256());
                    recordSeen(j, e -> e.withInput(seen));
                }
            }
            ComputeAlgorithm.Code code = job.algorithm().code();
            Sha256.Reading algorithm;
            if (code.rawCode() != null) {
                checkActive(j);
                algorithm = new Sha256.Reading(
                        new ByteArrayInputStream(code.rawCode().getBytes(StandardCharsets.UTF_8)));
                try (OutputStream out = Files.newOutputStream(l.algorithm(), StandardOpenOption.CREATE_NEW)) {
                    algorithm.transferTo(out);
                } catch (IOException e) {
                    throw diskFailure(j, "writing the algorithm", e);
                }
            } else {
                algorithm = stageFile(j, code.file().url(), l.algorithm(), "the algorithm");
            }
            FileDigest seen = new FileDigest(RecordedEvidence.ALGORITHM, algorithm.count(), algorithm.sha256());
            recordSeen(j, e -> e.withAlgorithmFile(seen));
            if (config.sandbox() != null) {
                try {
                    SandboxCheck.prepareJob(l, config.sandbox());
                } catch (IOException e) {
                    throw diskFailure(j, "preparing the job's directories for its sandbox", e);
                }
            }
        } finally {
            deadline.cancel(false);
        }
    }

    /**
     * Streams one object from storage to {@code target}; never holds it whole in memory.
     *
     * @return the stream the bytes went through, which digested them on their way
     */
    private Sha256.Reading stageFile(Job j, URI location, Path target, String what) {
        checkActive(j);
        StorageObject object;
        try {
            object = storage.open(location, ByteRange.all());
        } catch (BrizoException e) {
            checkActive(j);
            throw new JobFailure("staging " + what + " failed: " + e.getMessage());
        }
        try (StorageObject o = object;
                OutputStream out = Files.newOutputStream(target, StandardOpenOption.CREATE_NEW)) {
            synchronized (j) {
                j.staging = o;
            }
            // A stop or the deadline may have come while the object was being opened.
            checkActive(j);
            long expected = o.slice().length();
            // Digested as the bytes are staged, so the evidence names exactly what the algorithm reads.
            Sha256.Reading in = new Sha256.Reading(o.stream());
            long copied = copy(j, in, out);
            if (copied != expected) {
                throw new JobFailure(
                        "staging " + what + " failed: the storage returned " + copied + " of " + expected + " bytes");
            }
            return in;
        } catch (IOException e) {
            checkActive(j);
            LOG.debug("compute job {}: staging {} failed", j.id, what, e);
            throw new JobFailure("staging " + what + " failed: reading or writing its bytes failed");
        } catch (BrizoException e) {
            checkActive(j);
            throw new JobFailure("staging " + what + " failed: " + e.getMessage());
        } finally {
            synchronized (j) {
                j.staging = null;
            }
        }
    }

    private long copy(Job j, InputStream in, OutputStream out) throws IOException {
        byte[] buffer = new byte[64 * 1024];
        long total = 0;
        while (true) {
            int n = in.read(buffer);
            if (n < 0) {
                return total;
            }
            checkActive(j);
            out.write(buffer, 0, n);
            total += n;
        }
    }

    /** Ends a job still being staged when its deadline passes; the worker notices and leaves. */
    private void expireStaging(Job j) {
        Closeable staging;
        synchronized (j) {
            JobState s = j.record.state();
            if ((s != JobState.QUEUED && s != JobState.PROVISIONING) || j.terminating) {
                return;
            }
            end(
                    j,
                    JobState.FAILED,
                    null,
                    "staging the inputs and the algorithm took longer than the limit of "
                            + human(config.stageTimeout()));
            staging = j.staging;
        }
        // Closing the stream also ends a read that is blocked on the network.
        closeQuietly(staging);
    }

    /** {@return the PATH algorithms run with, which also decides what a digest pin is checked against} */
    private static String searchPath() {
        String path = System.getenv("PATH");
        return path == null || path.isBlank() ? DEFAULT_PATH : path;
    }

    private Process launch(Job j, ComputeJob job, List<String> command, List<Gpus.Gpu> granted) {
        JobLayout l = j.layout;
        List<String> argv =
                new ArrayList<>(List.of(SHELL, "-c", WRAPPER, l.exitFile().toString()));
        argv.addAll(command);
        ProcessBuilder builder = new ProcessBuilder(argv)
                .directory(l.dir().toFile())
                .redirectErrorStream(true)
                // A file, not a pipe: the log is readable by offset while the algorithm runs,
                // and the algorithm does not depend on this JVM to keep running.
                .redirectOutput(ProcessBuilder.Redirect.appendTo(l.log().toFile()))
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        Map<String, String> env = builder.environment();
        env.clear();
        if (config.sandbox() != null) {
            // Only the wrapper and the sandbox's tools see this; the algorithm gets what the
            // sandbox's --setenv options give it.
            env.put("PATH", DEFAULT_PATH + ":/usr/sbin:/sbin");
            env.put("LC_ALL", "C");
        } else {
            unsandboxedEnvironment(job, l, env);
            env.putAll(withGpus(Map.of(), granted));
        }
        return start(j, builder);
    }

    private static void unsandboxedEnvironment(ComputeJob job, JobLayout l, Map<String, String> env) {
        for (String name : PASSED_ENVIRONMENT) {
            String value = System.getenv(name);
            if (value != null) {
                env.put(name, value);
            }
        }
        env.put("PATH", searchPath());
        // Python buffers output written to a file; unbuffered, its log can be followed live.
        env.put("PYTHONUNBUFFERED", "1");
        env.put("DIDS", Json.write(job.inputs().stream().map(Asset::did).toList()));
        env.put("TRANSFORMATION_DID", job.algorithm().didIfAny().orElse(""));
        env.put("VOLUME", l.dir().toString());
        env.put("INPUTS", l.inputs().toString());
        env.put("OUTPUTS", l.outputs().toString());
        env.put("LOGS", l.logs().toString());
    }

    /** {@return all the algorithm sees of an environment inside the sandbox} */
    private static Map<String, String> sandboxEnvironment(ComputeJob job) {
        String v = Sandbox.VOLUME;
        return Map.of(
                "DIDS",
                Json.write(job.inputs().stream().map(Asset::did).toList()),
                "TRANSFORMATION_DID",
                job.algorithm().didIfAny().orElse(""),
                "VOLUME",
                v,
                "INPUTS",
                v + "/inputs",
                "OUTPUTS",
                v + "/outputs",
                "LOGS",
                v + "/logs",
                "PATH",
                Sandbox.PATH,
                "HOME",
                "/tmp",
                // Python buffers output written to a file; unbuffered, its log can be followed live.
                "PYTHONUNBUFFERED",
                "1");
    }

    private Process start(Job j, ProcessBuilder builder) {
        synchronized (j) {
            // Under the job's lock, so a stop either comes before (and nothing starts) or sees
            // the process to kill.
            checkActive(j);
            Process process;
            try {
                process = builder.start();
            } catch (IOException e) {
                LOG.warn("compute job {}: cannot start {}", j.id, SHELL, e);
                throw new JobFailure("the algorithm could not be started");
            }
            ProcessHandle handle = process.toHandle();
            Long startMillis =
                    handle.info().startInstant().map(Instant::toEpochMilli).orElse(null);
            j.process = handle;
            update(j, r -> r.running(Instant.now(), handle.pid(), startMillis));
            return process;
        }
    }

    /**
     * Waits for the algorithm to exit, at most until its time limit, then records how it ended.
     * Used for algorithms started here and for those found running after a restart.
     */
    private void supervise(Job j, ProcessHandle process, ExitWait exit) {
        JobRecord r;
        synchronized (j) {
            r = j.record;
        }
        Instant deadline = r.started().plus(r.maxDuration());
        Sandbox sandbox = config.sandbox();
        boolean exited;
        String overAllowance = null;
        try {
            while (true) {
                long left =
                        Math.max(0, Duration.between(Instant.now(), deadline).toNanos());
                // In the sandbox, the output bytes are counted while it runs: rlimits bound each
                // file, this bounds their sum (and the number of files).
                exited = exit.await(sandbox == null ? left : Math.min(left, ACCOUNTING_NANOS));
                if (exited || left == 0 || sandbox == null) {
                    break;
                }
                overAllowance = overAllowance(j.layout, sandbox.limits().outputBytes());
                if (overAllowance != null) {
                    break;
                }
            }
        } catch (InterruptedException e) {
            // Only close() interrupts: the algorithm keeps running, and a restart re-attaches.
            Thread.currentThread().interrupt();
            return;
        }
        if (!exited) {
            if (!ProcessTree.kill(process, KILL_GRACE)) {
                if (closed.get()) {
                    return; // interrupted by close(): a restart finds the job and its deadline
                }
                LOG.warn("compute job {}: processes of its algorithm survived SIGKILL", j.id);
            }
            finish(
                    j,
                    JobState.FAILED,
                    null,
                    overAllowance != null ? overAllowance : "time limit of " + human(r.maxDuration()) + " exceeded",
                    null);
            return;
        }
        Integer code = readExitCode(j.layout.exitFile());
        if (code == null) {
            finish(
                    j,
                    JobState.FAILED,
                    null,
                    "the algorithm's process was ended from outside before it" + " recorded an exit code",
                    null);
            return;
        }
        String late = sandbox == null
                ? null
                : overAllowance(j.layout, sandbox.limits().outputBytes());
        if (late != null) {
            finish(j, JobState.FAILED, code, late, null);
        } else {
            finish(j, code == 0 ? JobState.SUCCEEDED : JobState.FAILED, code, failureMessage(j.layout, code), null);
        }
    }

    /**
     * {@return why the job's outputs and log are over its allowance, or null if they are not}
     * Files are counted, not followed: a link costs its own size.
     */
    static String overAllowance(JobLayout layout, long allowance) {
        long[] total = {0, 0};
        for (Path dir : List.of(layout.outputs(), layout.logs())) {
            try {
                Files.walkFileTree(dir, new SimpleFileVisitor<>() {
                    @Override
                    public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
                        total[0] += attrs.size();
                        total[1]++;
                        return total[1] > MAX_OUTPUT_FILES ? FileVisitResult.TERMINATE : FileVisitResult.CONTINUE;
                    }

                    @Override
                    public FileVisitResult visitFileFailed(Path file, IOException e) {
                        return FileVisitResult.CONTINUE; // removed meanwhile
                    }
                });
            } catch (IOException e) {
                LOG.debug("counting the outputs of a compute job failed", e);
            }
        }
        if (total[1] > MAX_OUTPUT_FILES) {
            return "the algorithm wrote more than " + MAX_OUTPUT_FILES + " files into its outputs and logs";
        }
        if (total[0] > allowance) {
            return "the algorithm wrote more than its output allowance of " + bytes(allowance)
                    + " (outputs and log together)";
        }
        return null;
    }

    /** {@return the message of an ended job: the exit code, and which limit it likely hit} */
    private String failureMessage(JobLayout layout, int code) {
        if (code == 0) {
            return null;
        }
        Sandbox sandbox = config.sandbox();
        if (sandbox == null) {
            return exitMessage(code);
        }
        Sandbox.Limits limits = sandbox.limits();
        if (code == 128 + 24) { // SIGXCPU
            return "the algorithm used up its CPU time limit of " + human(limits.cpuTime()) + " (exit code " + code
                    + ")";
        }
        if (code == 128 + 25) {
            return "the algorithm wrote a file larger than its output allowance of " + bytes(limits.outputBytes())
                    + " (exit code " + code + ")";
        }
        String tail = logTail(layout);
        for (String sign : List.of("MemoryError", "Cannot allocate memory", "out of memory", "bad_alloc")) {
            if (tail.contains(sign)) {
                return "the algorithm ran out of memory: its limit is " + bytes(limits.memoryBytes()) + " (exit code "
                        + code + ")";
            }
        }
        if (tail.contains("File too large")) {
            return "the algorithm wrote a file larger than its output allowance of " + bytes(limits.outputBytes())
                    + " (exit code " + code + ")";
        }
        if (tail.contains("Resource temporarily unavailable") || tail.contains("Cannot fork")) {
            return "the algorithm hit its limit of " + limits.processes() + " processes (exit code " + code + ")";
        }
        return exitMessage(code);
    }

    private static String logTail(JobLayout layout) {
        try (FileChannel ch = FileChannel.open(layout.log(), StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS)) {
            long size = ch.size();
            ByteBuffer buf = ByteBuffer.allocate((int) Math.min(4096, size));
            ch.read(buf, size - buf.capacity());
            return new String(buf.array(), 0, buf.position(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }

    /** {@return a byte count as people write it: 1 GiB, 64 MiB, 512 KiB, 100 bytes} */
    static String bytes(long n) {
        if (n >= 1L << 30 && n % (1L << 30) == 0) {
            return (n >> 30) + " GiB";
        }
        if (n >= 1L << 20 && n % (1L << 20) == 0) {
            return (n >> 20) + " MiB";
        }
        if (n >= 1L << 10 && n % (1L << 10) == 0) {
            return (n >> 10) + " KiB";
        }
        return n + " bytes";
    }

    // ---------------------------------------------------------------- restart

    private void recover() throws IOException {
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(root)) {
            for (Path dir : dirs) {
                String name = dir.getFileName().toString();
                if (!JOB_ID.matcher(name).matches() || !Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
                    continue;
                }
                JobLayout layout = new JobLayout(dir);
                if (!Files.exists(layout.stateFile(), LinkOption.NOFOLLOW_LINKS)) {
                    LOG.debug("ignoring {}: not a compute job directory", dir);
                    continue;
                }
                JobRecord record;
                try {
                    record = JobRecord.read(layout.stateFile());
                    if (!record.jobId().equals(name)) {
                        throw new IOException("the state file is of job " + record.jobId());
                    }
                } catch (IOException e) {
                    LOG.warn(
                            "ignoring the compute job directory {}: its state file is unreadable ({})",
                            dir,
                            e.toString());
                    continue;
                }
                Job j = new Job(name, layout, record);
                jobs.put(name, j);
                recover(j);
            }
        }
    }

    private void recover(Job j) {
        JobRecord r = j.record;
        switch (r.state()) {
            case QUEUED, PROVISIONING -> {
                end(j, JobState.FAILED, null, "interrupted by a restart while staging");
                j.settled.complete(null);
            }
            case RUNNING, PUBLISHING -> reattach(j, r);
            default -> {
                loadStored(j);
                if (r.state() == JobState.DELETED) {
                    // In case a deletion was interrupted; the sweep deletes what is still stored.
                    removeJobFiles(j.layout, true);
                }
                j.ended.complete(r.toStatus());
                j.settled.complete(null);
            }
        }
    }

    private void reattach(Job j, JobRecord r) {
        Optional<ProcessHandle> live = r.pid() == null
                ? Optional.empty()
                : ProcessHandle.of(r.pid())
                        .filter(ProcessTree::isRunning)
                        .filter(h -> isSameProcess(h, r.pidStartMillis()));
        if (live.isPresent()) {
            ProcessHandle process = live.get();
            synchronized (j) {
                j.process = process;
            }
            LOG.info("compute job {}: re-attached to its algorithm, pid {}", j.id, process.pid());
            // Its GPUs stay in use until it ends.
            List<Integer> gpus = recordedGpus(j.layout);
            gpuPool.hold(gpus);
            try {
                monitors.execute(() -> guarded(j, () -> {
                    try {
                        supervise(j, process, nanos -> {
                            // Not this JVM's child any more: watch it, zombies included, by polling.
                            if (ProcessTree.awaitGone(List.of(process), nanos, REATTACHED_POLL_NANOS)) {
                                return true;
                            }
                            if (Thread.currentThread().isInterrupted()) {
                                throw new InterruptedException();
                            }
                            return false;
                        });
                    } finally {
                        gpuPool.release(gpus);
                    }
                }));
            } catch (RejectedExecutionException e) {
                j.settled.complete(null); // closing while opening: the next backend re-attaches
            }
            return;
        }
        Path exitFile = j.layout.exitFile();
        Integer code = readExitCode(exitFile);
        JobState state;
        String message;
        Instant at;
        if (code == null) {
            state = JobState.FAILED;
            message = "interrupted: the algorithm's process ended while the server was"
                    + " down, without recording an exit code";
            at = null;
        } else {
            at = lastModified(exitFile).orElseGet(Instant::now);
            boolean late = r.started() != null && at.isAfter(r.started().plus(r.maxDuration()));
            state = code == 0 && !late ? JobState.SUCCEEDED : JobState.FAILED;
            message = late
                    ? "time limit of " + human(r.maxDuration()) + " exceeded while the server was down"
                            + " (the algorithm exited with code " + code + ")"
                    : exitMessage(code);
        }
        if (config.outputLocation() == null) {
            finish(j, state, code, message, at);
        } else {
            // Storing the outputs may take long: not while the backend opens.
            try {
                monitors.execute(() -> guarded(j, () -> finish(j, state, code, message, at)));
            } catch (RejectedExecutionException e) {
                j.settled.complete(null); // closing while opening: the next backend finishes it
            }
            return;
        }
        j.settled.complete(null);
    }

    /** Tells the recorded process from another that got the same pid later. */
    private static boolean isSameProcess(ProcessHandle h, Long recordedStartMillis) {
        if (recordedStartMillis == null) {
            return false; // cannot tell: leave an unknown process alone
        }
        return h.info()
                .startInstant()
                .map(s -> Math.abs(s.toEpochMilli() - recordedStartMillis) <= START_TIME_TOLERANCE_MILLIS)
                .orElse(false);
    }

    // ---------------------------------------------------------------- state

    private static JobStatus status(Job j) {
        synchronized (j) {
            return j.record.toStatus();
        }
    }

    private Job find(String jobId) {
        Job j = jobId == null ? null : jobs.get(jobId);
        if (j == null) {
            throw BrizoException.notFound("no compute job with this id");
        }
        return j;
    }

    /** {@return the job, if its files were not deleted} */
    private Job findWithFiles(String jobId) {
        Job j = find(jobId);
        if (status(j).state() == JobState.DELETED) {
            throw BrizoException.notFound("the compute job was deleted");
        }
        return j;
    }

    private void checkActive(Job j) {
        if (closed.get()) {
            throw new Cancelled();
        }
        synchronized (j) {
            if (j.record.state().isTerminal() || j.terminating) {
                throw new Cancelled();
            }
        }
    }

    /**
     * Changes the job's record, writing it before anyone can see it. A failed write is logged and
     * the change kept in memory: the job goes on, though a restart would see its older state.
     */
    private void update(Job j, UnaryOperator<JobRecord> change) {
        synchronized (j) {
            JobRecord next = change.apply(j.record);
            if (next.equals(j.record)) {
                return;
            }
            j.record = next;
            try {
                next.write(j.layout.stateFile());
            } catch (IOException e) {
                LOG.error("compute job {}: cannot record its state {}", j.id, next.state(), e);
            }
            if (next.state().isTerminal()) {
                j.ended.complete(next.toStatus());
            }
        }
    }

    /** Ends the job unless it has ended already or stop() or delete() are ending it. */
    private void end(Job j, JobState state, Integer exitCode, String message) {
        end(j, state, exitCode, message, null);
    }

    /** Ends the job as {@link #end(Job, JobState, Integer, String)} does, at {@code at} (null: now). */
    private void end(Job j, JobState state, Integer exitCode, String message, Instant at) {
        end(j, state, exitCode, message, at, null);
    }

    /**
     * Ends the job as {@link #end(Job, JobState, Integer, String, Instant)} does, with {@code
     * seen} as its outputs and log in its evidence; null: those left in its directory, read once
     * now to digest them.
     */
    private void end(Job j, JobState state, Integer exitCode, String message, Instant at, EndedFiles seen) {
        ProcessTree.killNaming(j.layout.dir().toString(), KILL_GRACE);
        synchronized (j) {
            if (j.terminating || j.record.state().isTerminal()) {
                return;
            }
        }
        EndedFiles files = seen != null ? seen : localFiles(j);
        synchronized (j) {
            if (!j.terminating) {
                Instant when = at != null ? at : Instant.now();
                update(j, r -> r.state().isTerminal() ? r : withEnded(r.ended(state, exitCode, message, when), files));
            }
        }
    }

    /** {@return {@code r} with the ended job's outputs and log in its evidence, if it has evidence} */
    private static JobRecord withEnded(JobRecord r, EndedFiles files) {
        return r.evidence() == null ? r : r.withEvidence(r.evidence().ended(files.outputs(), files.log()));
    }

    /** Adds to the evidence of a job that has not ended what it saw: a staged file. */
    private void recordSeen(Job j, UnaryOperator<RecordedEvidence> change) {
        update(j, r -> r.state().isTerminal() || r.evidence() == null ? r : r.withEvidence(change.apply(r.evidence())));
    }

    // ---------------------------------------------------------------- evidence

    /**
     * The outputs and log of an ended job, digested.
     *
     * @param outputs the outputs, named as listed
     * @param log the log as its owner reads it, or null if it has none
     */
    private record EndedFiles(List<FileDigest> outputs, FileDigest log) {}

    @Override
    public Optional<JobEvidence> evidence(String jobId) {
        Job j = findWithFiles(jobId);
        JobRecord r;
        synchronized (j) {
            r = j.record;
        }
        RecordedEvidence e = r.evidence();
        if (!r.state().isTerminal() || e == null || !e.ended()) {
            return Optional.empty();
        }
        return Optional.of(e.toJobEvidence(r.maxDuration()));
    }

    /**
     * {@return the outputs and log the ended job left in its directory, digested}
     *
     * <p>Without an output location these files stay where the algorithm wrote them and are
     * served from there: there is no copy whose bytes could be digested on their way. Listing
     * them reads only their attributes, so this pass, made once when the job ends, is the one
     * read of their contents the backend makes; it names each output exactly as {@link #outputs}
     * lists it, and digests the log as the log route shows it (masked). Nothing writes to them
     * afterwards: the job's processes are gone by then. An output that cannot be read is left
     * out (and cannot be downloaded either).
     */
    private EndedFiles localFiles(Job j) {
        List<OutputFile> listed;
        try {
            listed = localOutputs(j);
        } catch (BrizoException e) {
            listed = List.of();
        }
        List<FileDigest> outputs = new ArrayList<>();
        for (OutputFile f : listed) {
            try (StorageObject o = openLocalOutput(j, f.name());
                    Sha256.Reading in = new Sha256.Reading(o.stream())) {
                in.transferTo(OutputStream.nullOutputStream());
                outputs.add(new FileDigest(f.name(), in.count(), in.sha256()));
            } catch (IOException | BrizoException e) {
                LOG.warn("compute job {}: an output could not be read for the job's evidence and is left out", j.id);
            }
        }
        FileDigest log = null;
        Path file = j.layout.log();
        try {
            if (isUntampered(file)) {
                try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS);
                        InputStream in = Channels.newInputStream(ch)) {
                    MaskedLogDigest digest = new MaskedLogDigest(pathMask(j.layout));
                    byte[] buffer = new byte[64 * 1024];
                    for (int n; (n = in.read(buffer)) >= 0; ) {
                        digest.update(buffer, 0, n);
                    }
                    log = digest.finish();
                }
            }
        } catch (NoSuchFileException e) {
            // No log yet: the job ended before it was staged.
        } catch (IOException e) {
            LOG.warn("compute job {}: its log could not be read for the job's evidence", j.id);
        }
        return new EndedFiles(outputs, log);
    }

    // ---------------------------------------------------------------- the output location

    /**
     * Ends a job whose algorithm has ended. With an output location, its outputs and log are first
     * written there (PUBLISHING), and once they are, the job's directory is emptied but for its
     * record: from then on the job is served from the output location. If storing fails, the job
     * ends FAILED and keeps its files here.
     */
    private void finish(Job j, JobState state, Integer code, String message, Instant at) {
        URI location = config.outputLocation();
        if (location == null) {
            end(j, state, code, message, at);
            return;
        }
        synchronized (j) {
            checkActive(j);
            update(j, r -> r.withState(JobState.PUBLISHING));
        }
        Published published;
        try {
            published = publish(j);
        } catch (JobFailure e) {
            // The outputs stay here and are served from here: digested from here, as without a location.
            end(j, JobState.FAILED, code, e.getMessage(), at);
            return;
        }
        StoredOutputs stored = published.stored();
        synchronized (j) {
            if (j.terminating || j.record.state().isTerminal()) {
                deleteFromStorage(j, stored);
                throw new Cancelled();
            }
            j.stored = stored;
            end(j, state, code, message, at, published.seen());
        }
        removeJobFiles(j.layout, true);
    }

    /**
     * What {@link #publish} stored.
     *
     * @param stored the list of what is in the output location
     * @param seen the stored outputs and log, digested on their way there
     */
    private record Published(StoredOutputs stored, EndedFiles seen) {}

    /**
     * Writes the job's outputs and log to the output location, and their list to its directory.
     * Each file is digested as it is copied there: this copy is the one read of its bytes.
     */
    private Published publish(Job j) {
        List<OutputFile> written = new ArrayList<>();
        List<FileDigest> digests = new ArrayList<>();
        FileDigest logDigest = null;
        long logBytes = 0;
        try {
            for (OutputFile f : localOutputs(j)) {
                checkActive(j);
                URI target = storedLocation(j, StoredOutputs.OUTPUTS + f.name());
                // Listed before the write, so that a partial object is deleted on failure too.
                written.add(f);
                try (StorageObject o = openLocalOutput(j, f.name())) {
                    long size = o.slice().length();
                    written.set(written.size() - 1, new OutputFile(f.name(), size));
                    Sha256.Reading in = new Sha256.Reading(o.stream());
                    storage.write(target, in, size, o.info().contentType().orElse("application/octet-stream"));
                    digests.add(new FileDigest(f.name(), requireWhole(in.count(), size), in.sha256()));
                }
            }
            checkActive(j);
            Path log = j.layout.log();
            if (Files.exists(log, LinkOption.NOFOLLOW_LINKS) && isUntampered(log)) {
                try (FileChannel ch = FileChannel.open(log, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS)) {
                    logBytes = ch.size();
                    // The raw log is stored; its digest is of the log as the owner reads it (masked).
                    MaskedLogDigest masked = new MaskedLogDigest(pathMask(j.layout));
                    Sha256.Reading in = new Sha256.Reading(
                            ExactLengthInputStream.builder(Channels.newInputStream(ch), logBytes)
                                    .describedAs("the job's log")
                                    .build(),
                            masked::update);
                    storage.write(storedLocation(j, StoredOutputs.LOG), in, logBytes, "text/plain");
                    requireWhole(in.count(), logBytes);
                    logDigest = masked.finish();
                }
            }
            StoredOutputs stored = new StoredOutputs(written, logBytes);
            stored.write(j.layout.storedFile());
            return new Published(stored, new EndedFiles(digests, logDigest));
        } catch (Cancelled e) {
            deleteFromStorage(j, new StoredOutputs(written, 0));
            throw e;
        } catch (BrizoException | IOException e) {
            deleteFromStorage(j, new StoredOutputs(written, 0));
            checkActive(j);
            // Driver messages never hold the location; the server's paths stay in the server's log.
            LOG.warn("compute job {}: storing its outputs in the output location failed: {}", j.id, e.getMessage());
            throw new JobFailure("the algorithm ended, but storing its outputs in the publisher's storage failed;"
                    + " they stay on the compute server");
        }
    }

    /**
     * {@return {@code size}, once a file was stored whole} A driver that stored a file without
     * reading it to its end leaves a digest of part of it: that is a failure to store it.
     */
    private static long requireWhole(long read, long size) throws IOException {
        if (read != size) {
            throw new IOException("the storage driver read " + read + " of " + size + " bytes");
        }
        return size;
    }

    /** {@return the location of {@code name} under the job's prefix in the output location} */
    private URI storedLocation(Job j, String name) {
        return StorageAccess.resolve(StoredOutputs.prefix(config.outputLocation(), j.id), name);
    }

    /** {@return what the job has in the output location, or null if its outputs are here} */
    private static StoredOutputs stored(Job j) {
        synchronized (j) {
            return j.stored;
        }
    }

    /** Reads the job's list of stored outputs, if it has one, when the backend opens. */
    private void loadStored(Job j) {
        Path file = j.layout.storedFile();
        if (!Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        if (config.outputLocation() == null) {
            LOG.warn(
                    "compute job {}: its outputs are in an output location, but {} is no longer set",
                    j.id,
                    LocalProcessComputeBackendFactory.OUTPUT_LOCATION.name());
            return;
        }
        try {
            StoredOutputs stored = StoredOutputs.read(file);
            synchronized (j) {
                j.stored = stored;
            }
        } catch (IOException e) {
            LOG.warn("compute job {}: its list of stored outputs is unreadable ({})", j.id, e.toString());
        }
    }

    /** {@return a chunk of the log kept in the output location, shown as the job's own view} */
    private LogChunk storedLog(Job j, StoredOutputs stored, long fromOffset) {
        long size = stored.logBytes();
        if (fromOffset >= size) {
            return new LogChunk(fromOffset, new byte[0], true);
        }
        PathMask mask = pathMask(j.layout);
        long start = Math.max(0, fromOffset - mask.context());
        long end = Math.min(size, fromOffset + MAX_LOG_CHUNK);
        byte[] data;
        try (StorageObject o = storage.open(storedLocation(j, StoredOutputs.LOG), ByteRange.of(start, end - 1))) {
            data = o.stream().readAllBytes();
        } catch (IOException e) {
            LOG.warn("compute job {}: cannot read its log from the output location: {}", j.id, e.getMessage());
            throw new BrizoException(ErrorKind.UNAVAILABLE, "reading the job's log failed");
        }
        boolean whole = start + data.length >= size;
        return mask.chunk(data, start, fromOffset, !whole, whole);
    }

    /**
     * Deletes what the job has in the output location.
     *
     * @return whether nothing is left there to delete later: false when the storage failed
     */
    private boolean deleteStored(Job j) {
        StoredOutputs stored = stored(j);
        if (stored == null) {
            return true;
        }
        if (!deleteFromStorage(j, stored)) {
            return false;
        }
        synchronized (j) {
            j.stored = null;
        }
        deleteQuietly(j.layout.storedFile());
        return true;
    }

    /** {@return whether the outputs and log of {@code stored} were deleted or cannot ever be} */
    private boolean deleteFromStorage(Job j, StoredOutputs stored) {
        try {
            for (OutputFile f : stored.outputs()) {
                storage.delete(storedLocation(j, StoredOutputs.OUTPUTS + f.name()));
            }
            storage.delete(storedLocation(j, StoredOutputs.LOG));
            return true;
        } catch (BrizoException e) {
            if (e.kind() == ErrorKind.CONFIGURATION) {
                // A driver that cannot delete: trying again would not help (see the README).
                LOG.warn("compute job {}: its outputs stay in the output location: {}", j.id, e.getMessage());
                return true;
            }
            LOG.warn(
                    "compute job {}: deleting its outputs from the output location failed, to be retried: {}",
                    j.id,
                    e.getMessage());
            return false;
        }
    }

    // ---------------------------------------------------------------- retention

    /**
     * Sweeps once now and then in the background: expired jobs go, and deletions the output
     * location failed are tried again.
     */
    private void startSweeping() {
        if (config.retention() == null && config.outputLocation() == null) {
            return;
        }
        sweep();
        long period = SWEEP_PERIOD.toMillis();
        if (config.retention() != null) {
            period = Math.max(
                    MIN_SWEEP_PERIOD.toMillis(),
                    Math.min(period, config.retention().toMillis() / 4));
        }
        sweeper.scheduleWithFixedDelay(this::sweepQuietly, period, period, TimeUnit.MILLISECONDS);
    }

    private void sweepQuietly() {
        try {
            sweep();
        } catch (RuntimeException e) {
            LOG.warn("sweeping the compute directory failed", e);
        }
    }

    /** Removes every job that ended more than the retention ago; retries failed deletions. */
    void sweep() {
        Instant now = Instant.now();
        for (Job j : jobs.values()) {
            if (closed.get()) {
                return;
            }
            JobRecord r;
            synchronized (j) {
                r = j.record;
                if (j.terminating || !r.state().isTerminal() || !j.settled.isDone()) {
                    continue;
                }
            }
            Instant ended = r.finished() != null ? r.finished() : r.created();
            if (config.retention() != null && !ended.plus(config.retention()).isAfter(now)) {
                expire(j);
            } else if (r.state() == JobState.DELETED) {
                deleteStored(j); // left by a deletion the output location failed
            }
        }
    }

    /** Forgets the job: its outputs in storage, its directory and its record, as if it never was. */
    private void expire(Job j) {
        if (!deleteStored(j)) {
            return; // the next sweep tries again; until then the job stays
        }
        synchronized (j) {
            if (j.terminating) {
                return;
            }
            // As for a deletion first: it copes with read-only folders the algorithm left.
            removeJobFiles(j.layout, false);
            removeTree(j.layout.dir());
            jobs.remove(j.id, j);
        }
        LOG.info("compute job {}: expired after the retention of {}", j.id, human(config.retention()));
    }

    /**
     * Stops or deletes the job, killing its processes if they run.
     *
     * @return the job's state before
     */
    private JobState terminate(Job j, JobState target) {
        ProcessHandle process;
        Closeable staging;
        JobState before;
        synchronized (j) {
            before = j.record.state();
            if (before == JobState.DELETED || (target == JobState.STOPPED && before.isTerminal())) {
                return before;
            }
            process = before.isTerminal() ? null : j.process;
            staging = j.staging;
            j.terminating = true;
        }
        // Kill first and record after, so that STOPPED means the processes are gone and the
        // log is complete; meanwhile the job keeps its state and nothing else can end it.
        EndedFiles seen = null;
        try {
            closeQuietly(staging);
            if (process != null && !ProcessTree.kill(process, KILL_GRACE)) {
                LOG.warn("compute job {}: processes of its algorithm survived SIGKILL", j.id);
            }
            // What the tree missed: a sandbox forked while the tree was being taken. Everything
            // the job starts outside its sandbox names the job's directory, and the sandbox dies
            // with it.
            if (!ProcessTree.killNaming(j.layout.dir().toString(), KILL_GRACE)) {
                LOG.warn("compute job {}: processes of its sandbox survived SIGKILL", j.id);
            }
            if (target == JobState.STOPPED) {
                seen = localFiles(j);
            }
        } finally {
            EndedFiles files = seen != null ? seen : new EndedFiles(List.of(), null);
            synchronized (j) {
                j.terminating = false;
                Instant now = Instant.now();
                if (target == JobState.DELETED) {
                    // The evidence goes with the job's outputs.
                    update(
                            j,
                            r -> r.state() == JobState.DELETED
                                    ? r
                                    : r.ended(JobState.DELETED, r.exitCode(), "deleted by its owner", now)
                                            .withEvidence(null));
                } else {
                    update(
                            j,
                            r -> r.state().isTerminal()
                                    ? r
                                    : withEnded(r.ended(JobState.STOPPED, null, "stopped by its owner", now), files));
                }
            }
        }
        return before;
    }

    // ---------------------------------------------------------------- files

    /**
     * {@return whether {@code path} is a regular file reached through no link}
     *
     * @throws NoSuchFileException if it does not exist
     */
    private static boolean isUntampered(Path path) throws NoSuchFileException {
        try {
            return path.toRealPath().equals(path) && Files.isRegularFile(path, LinkOption.NOFOLLOW_LINKS);
        } catch (NoSuchFileException e) {
            throw e;
        } catch (IOException e) {
            return false; // a link loop, for example
        }
    }

    /**
     * {@return the outputs directory, checked to be the real directory where it belongs} The
     * algorithm could have replaced it by a link to anywhere.
     */
    private static Path untamperedOutputs(Job j) throws NoSuchFileException {
        Path outputs = j.layout.outputs();
        Path real;
        try {
            real = outputs.toRealPath();
        } catch (NoSuchFileException e) {
            throw e;
        } catch (IOException e) {
            real = null; // a link loop, for example
        }
        if (!outputs.equals(real) || !Files.isDirectory(outputs, LinkOption.NOFOLLOW_LINKS)) {
            LOG.warn("compute job {}: its outputs directory was replaced; serving no outputs", j.id);
            throw new NoSuchFileException("outputs");
        }
        return outputs;
    }

    private static boolean isRelativeName(String name) {
        if (name.isEmpty() || name.startsWith("/") || name.indexOf('\0') >= 0) {
            return false;
        }
        for (String segment : name.split("/", -1)) {
            if (segment.isEmpty() || segment.equals(".") || segment.equals("..")) {
                return false;
            }
        }
        return true;
    }

    private static String relativeName(Path base, Path file) {
        List<String> parts = new ArrayList<>();
        base.relativize(file).forEach(p -> parts.add(p.toString()));
        return String.join("/", parts);
    }

    private static BrizoException outputsFailed(Job j, IOException e) {
        LOG.warn("compute job {}: cannot read its outputs", j.id, e);
        return new BrizoException(ErrorKind.UNAVAILABLE, "reading the job's outputs failed");
    }

    private RuntimeException diskFailure(Job j, String what, IOException e) {
        checkActive(j);
        LOG.warn("compute job {}: {} failed", j.id, what, e);
        return new JobFailure(what + " failed on the compute server's disk");
    }

    private static Integer readExitCode(Path exitFile) {
        try {
            return Integer.valueOf(
                    Files.readString(exitFile, StandardCharsets.US_ASCII).trim());
        } catch (IOException | NumberFormatException e) {
            return null; // missing, or torn by a kill while it was being written
        }
    }

    private static Optional<Instant> lastModified(Path file) {
        try {
            return Optional.of(Files.getLastModifiedTime(file).toInstant());
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /**
     * Removes everything of a job but its state file (the tombstone of a deleted job, the record of
     * one whose outputs went to the output location) and, if {@code keepStored}, its list of
     * stored outputs.
     */
    private static void removeJobFiles(JobLayout layout, boolean keepStored) {
        Path state = layout.stateFile();
        Path stored = layout.storedFile();
        try {
            Files.walkFileTree(layout.dir(), new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
                    // The algorithm may have left read-only directories behind.
                    if (!dir.toFile().setWritable(true, true)) {
                        LOG.debug("cannot make {} writable", dir);
                    }
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
                    if (!file.equals(state) && !(keepStored && file.equals(stored))) {
                        deleteQuietly(file);
                    }
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFileFailed(Path file, IOException e) {
                    deleteQuietly(file);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult postVisitDirectory(Path dir, IOException e) {
                    if (!dir.equals(layout.dir()) && !dir.equals(layout.brizo())) {
                        deleteQuietly(dir);
                    }
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            LOG.warn("cannot remove all files of the deleted compute job in {}", layout.dir(), e);
        }
    }

    /** Removes a directory tree, not following links. */
    private static void removeTree(Path dir) {
        try {
            Files.walkFileTree(dir, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
                    deleteQuietly(file);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult postVisitDirectory(Path d, IOException e) {
                    deleteQuietly(d);
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            LOG.warn("cannot remove {}", dir, e);
        }
    }

    private static void deleteQuietly(Path p) {
        try {
            Files.deleteIfExists(p);
        } catch (IOException e) {
            LOG.debug("cannot delete {}", p, e);
        }
    }

    private static void closeQuietly(Closeable c) {
        if (c == null) {
            return;
        }
        try {
            c.close();
        } catch (IOException | RuntimeException e) {
            LOG.debug("closing failed", e);
        }
    }

    // ---------------------------------------------------------------- small helpers

    private static String exitMessage(int code) {
        return code == 0 ? null : "the algorithm exited with code " + code;
    }

    /** {@return the duration as the settings write it: 1h, 5m, 30s, 1500ms} */
    static String human(Duration d) {
        long ms = d.toMillis();
        if (ms > 0 && ms % 86_400_000L == 0) {
            return ms / 86_400_000L + "d";
        }
        if (ms > 0 && ms % 3_600_000L == 0) {
            return ms / 3_600_000L + "h";
        }
        if (ms > 0 && ms % 60_000L == 0) {
            return ms / 60_000L + "m";
        }
        if (ms % 1000L == 0) {
            return ms / 1000L + "s";
        }
        return ms + "ms";
    }

    private static long memoryBytes() {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            long total = os.getTotalMemorySize();
            if (total > 0) {
                return total;
            }
        }
        return Runtime.getRuntime().maxMemory();
    }

    private static ThreadFactory daemonThreads(String prefix) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, prefix + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }
}
