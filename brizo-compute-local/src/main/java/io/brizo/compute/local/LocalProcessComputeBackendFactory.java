package io.brizo.compute.local;

import io.brizo.spi.BrizoException;
import io.brizo.spi.ComputeBackend;
import io.brizo.spi.SettingKey;
import io.brizo.spi.Settings;
import io.brizo.spi.StorageAccess;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates the {@code local} compute backend, which runs each algorithm in a bubblewrap sandbox on
 * the server's machine (see {@link Sandbox}); without {@code bwrap} it refuses to start unless
 * {@value #UNSANDBOXED_NAME} chooses the unsandboxed development mode. Configured by {@value #DIR_NAME}; without it there is no local backend. Its priority
 * is low (-10), so that any other configured backend wins.
 *
 * <p>Found through {@link java.util.ServiceLoader}; public only for that reason.
 */
public final class LocalProcessComputeBackendFactory implements ComputeBackend.Factory {
    static final String DIR_NAME = "BRIZO_COMPUTE_DIR";
    static final String UNSANDBOXED_NAME = "BRIZO_COMPUTE_UNSANDBOXED";

    /** The work directory; the backend is on when it is set. */
    public static final SettingKey DIR = SettingKey.of(
            DIR_NAME,
            null,
            "work directory of the local compute backend (jobs live in <dir>/<jobId>/); unset = no local backend."
                    + " Every algorithm runs in a bubblewrap sandbox");
    /** Image names to local commands. */
    public static final SettingKey COMMANDS = SettingKey.of(
            "BRIZO_COMPUTE_COMMANDS",
            "python=python3,node=node",
            "image=command pairs, separated by commas, for the local compute backend: the entrypoint's first word"
                    + " is replaced by the command of the job's image; other images are refused");
    /** The longest time limit of a job. */
    public static final SettingKey MAX_DURATION = SettingKey.of(
            "BRIZO_COMPUTE_LOCAL_MAX_DURATION",
            "1h",
            "longest time limit a job of the local compute backend may have (its environment's maxDuration)");
    /** The staging deadline. */
    public static final SettingKey STAGE_TIMEOUT = SettingKey.of(
            "BRIZO_COMPUTE_STAGE_TIMEOUT",
            "5m",
            "deadline for copying a job's inputs and algorithm into its directory before it runs");
    /** Jobs staged or run at once. */
    public static final SettingKey MAX_JOBS = SettingKey.of(
            "BRIZO_COMPUTE_LOCAL_MAX_JOBS",
            null,
            "how many jobs the local compute backend stages or runs at once (default: the number of processors);"
                    + " more wait in the QUEUED state");

    /** The explicit choice to run algorithms without a sandbox. */
    public static final SettingKey UNSANDBOXED = SettingKey.of(
            UNSANDBOXED_NAME,
            "false",
            "true = run algorithms as plain processes with the server's user and rights, without the bubblewrap"
                    + " sandbox: for development with trusted algorithms only (logged as a warning)");
    /** The bubblewrap executable. */
    public static final SettingKey BWRAP = SettingKey.of(
            "BRIZO_COMPUTE_BWRAP", "bwrap", "the bubblewrap executable: a path, or a name looked up on PATH");
    /** The host user the sandbox runs as. */
    public static final SettingKey SANDBOX_UID = SettingKey.of(
            "BRIZO_COMPUTE_SANDBOX_UID",
            "65534",
            "host user and group id that sandboxed algorithms run as when the server runs as root (their"
                    + " process limit counts this user's processes); inside, they are always 65534");
    /** Image names to runtime roots. */
    public static final SettingKey RUNTIMES = SettingKey.of(
            "BRIZO_COMPUTE_RUNTIMES",
            null,
            "image=root pairs, separated by commas: the read-only root directory (an unpacked image) a sandboxed"
                    + " algorithm of that image sees, or 'host' for the host's /usr; default: host for every image of"
                    + " BRIZO_COMPUTE_COMMANDS; images without a runtime are refused");
    /** Memory per job. */
    public static final SettingKey MEMORY = SettingKey.of(
            "BRIZO_COMPUTE_LOCAL_MEMORY",
            "2g",
            "private writable memory of a sandboxed job (RLIMIT_DATA), in bytes or with k, m, g");
    /** CPU time per job. */
    public static final SettingKey CPU_TIME = SettingKey.of(
            "BRIZO_COMPUTE_LOCAL_CPU_TIME", "1h", "CPU time of each process of a sandboxed job (RLIMIT_CPU)");
    /** Processes per sandbox user. */
    public static final SettingKey PROCESSES = SettingKey.of(
            "BRIZO_COMPUTE_LOCAL_PROCESSES",
            "256",
            "processes and threads of the sandbox user (RLIMIT_NPROC; jobs running at once share it)");
    /** Open files per process. */
    public static final SettingKey OPEN_FILES = SettingKey.of(
            "BRIZO_COMPUTE_LOCAL_OPEN_FILES", "1024", "open files of each process of a sandboxed job (RLIMIT_NOFILE)");
    /** Output allowance per job. */
    public static final SettingKey OUTPUT_BYTES = SettingKey.of(
            "BRIZO_COMPUTE_LOCAL_OUTPUT_BYTES",
            "1g",
            "the most a sandboxed job may write into its outputs and log together (also its largest file,"
                    + " RLIMIT_FSIZE); more ends it FAILED");

    /** Where finished jobs' outputs and logs are stored. */
    public static final SettingKey OUTPUT_LOCATION = SettingKey.of(
            "BRIZO_COMPUTE_OUTPUT_LOCATION",
            null,
            "storage location (a prefix, such as s3://bucket/brizo-jobs/) under which the local compute backend"
                    + " stores each finished job's outputs and log, through a storage driver that can write, and then"
                    + " empties the job's directory; unset = they stay in the job's directory");
    /** How long jobs are kept after they end. */
    public static final SettingKey RETENTION = SettingKey.of(
            "BRIZO_COMPUTE_RETENTION",
            null,
            "how long after its end a job of the local compute backend is kept (its outputs, also in the output"
                    + " location, its log, its record, or the tombstone of a deleted job), such as 7d; then it is"
                    + " removed and answers 404 like a deleted job; unset = kept until deleted");

    /** The nvidia-smi executable. */
    public static final SettingKey NVIDIA_SMI = SettingKey.of(
            "BRIZO_COMPUTE_NVIDIA_SMI",
            "nvidia-smi",
            "the nvidia-smi executable that lists the machine's NVIDIA GPUs (a path, or a name looked up on PATH);"
                    + " when it is missing the machine has no GPUs for the local compute backend");
    /** GPUs per job. */
    public static final SettingKey GPUS = SettingKey.of(
            "BRIZO_COMPUTE_LOCAL_GPUS",
            "0",
            "how many NVIDIA GPUs each job of the local compute backend gets, bound into its sandbox and held by"
                    + " it alone while it runs (jobs wait QUEUED for free ones); more than the machine has fails at"
                    + " start");
    /** Where the GPUs' device nodes are. */
    public static final SettingKey GPU_DEVICES = SettingKey.of(
            "BRIZO_COMPUTE_GPU_DEVICES",
            "/dev",
            "directory of the NVIDIA device nodes (nvidia<index>, nvidiactl, nvidia-uvm, nvidia-uvm-tools) bound"
                    + " into the sandbox of a job with GPUs");

    private static final Logger LOG = LoggerFactory.getLogger(LocalProcessComputeBackendFactory.class);
    private static final int MAX_GPUS = 64;
    private static final int MAX_JOBS_LIMIT = 1024;
    private static final Pattern BYTES = Pattern.compile("([0-9]{1,19})([kmg])?");

    /** Creates the factory; ServiceLoader calls this. */
    public LocalProcessComputeBackendFactory() {}

    @Override
    public String name() {
        return "local";
    }

    @Override
    public int priority() {
        return -10;
    }

    /**
     * {@return the backend, or empty if {@value #DIR_NAME} is not set} Fails with a CONFIGURATION
     * error for a malformed setting or an unusable directory.
     */
    @Override
    public Optional<ComputeBackend> create(Settings settings, StorageAccess storage) {
        Optional<Path> dir = settings.getPath(DIR.name());
        if (dir.isEmpty()) {
            return Optional.empty();
        }
        CommandTable commands = CommandTable.parse(settings.get(COMMANDS.name(), COMMANDS.defaultValue()))
                .orElseThrow(() -> settings.malformed(
                        COMMANDS.name(), "image=command pairs separated by commas, such as python=python3,node=node"));
        Duration maxDuration = positive(settings, MAX_DURATION);
        Duration stageTimeout = positive(settings, STAGE_TIMEOUT);
        int processors = Runtime.getRuntime().availableProcessors();
        int maxJobs = settings.getInt(MAX_JOBS.name(), Math.min(processors, MAX_JOBS_LIMIT), 1, MAX_JOBS_LIMIT);
        Sandbox sandbox = settings.getBoolean(UNSANDBOXED.name(), false) ? null : sandbox(settings, commands);
        GpuSetup gpus = gpus(settings);
        Duration retention = settings.getDuration(RETENTION.name(), null);
        if (retention != null && (retention.isZero() || retention.isNegative())) {
            throw settings.malformed(RETENTION.name(), "a positive duration such as 30s, 12h or 7d");
        }
        LocalProcessComputeBackend.Config config = new LocalProcessComputeBackend.Config(
                dir.get(),
                commands,
                maxDuration,
                stageTimeout,
                maxJobs,
                sandbox,
                outputLocation(settings).orElse(null),
                retention,
                gpus.detected(),
                gpus.perJob(),
                gpus.devices());
        return Optional.of(LocalProcessComputeBackend.open(config, storage));
    }

    private static Sandbox sandbox(Settings settings, CommandTable commands) {
        String name = settings.get(BWRAP.name(), BWRAP.defaultValue());
        Path bwrap = SandboxCheck.findExecutable(name)
                .orElseThrow(() -> BrizoException.configuration("the local compute backend runs every algorithm in a"
                        + " bubblewrap sandbox, but '" + name + "' was not found: install the package '"
                        + SandboxCheck.PACKAGE + "' (apt-get install " + SandboxCheck.PACKAGE + "), set "
                        + BWRAP.name() + ", or, for development with trusted algorithms only, set "
                        + UNSANDBOXED.name() + "=true"));
        Map<String, String> runtimes = new LinkedHashMap<>();
        commands.images().forEach(image -> runtimes.put(image, Sandbox.HOST));
        Optional<String> configured = settings.get(RUNTIMES.name());
        if (configured.isPresent()) {
            runtimes.clear();
            for (String pair : configured.get().split(",")) {
                int eq = pair.indexOf('=');
                String image = eq <= 0 ? "" : pair.substring(0, eq).trim();
                String root = eq <= 0 ? "" : pair.substring(eq + 1).trim();
                if (image.isEmpty()
                        || !(root.equals(Sandbox.HOST) || Path.of(root).isAbsolute())) {
                    throw settings.malformed(
                            RUNTIMES.name(),
                            "image=root pairs separated by commas, each root 'host' or an absolute path");
                }
                if (!root.equals(Sandbox.HOST) && !Files.isDirectory(Path.of(root))) {
                    throw BrizoException.configuration(
                            "the runtime root of image '" + image + "' in " + RUNTIMES.name() + " is not a directory");
                }
                runtimes.put(image, root);
            }
        }
        int uid = settings.getInt(SANDBOX_UID.name(), 65534, 1, Integer.MAX_VALUE);
        Sandbox.Limits limits = new Sandbox.Limits(
                bytes(settings, MEMORY),
                positive(settings, CPU_TIME),
                settings.getInt(PROCESSES.name(), 256, 1, 1 << 20),
                settings.getInt(OPEN_FILES.name(), 1024, 16, 1 << 20),
                bytes(settings, OUTPUT_BYTES));
        return new Sandbox(bwrap, SandboxCheck.isRoot() ? uid : null, runtimes, limits);
    }

    /** Reads a byte count: digits, optionally followed by k, m or g (binary multiples). */
    private static long bytes(Settings settings, SettingKey key) {
        String text = settings.get(key.name(), key.defaultValue()).trim().toLowerCase(Locale.ROOT);
        Matcher m = BYTES.matcher(text);
        if (m.matches()) {
            int shift = m.group(2) == null
                    ? 0
                    : switch (m.group(2)) {
                        case "k" -> 10;
                        case "m" -> 20;
                        default -> 30;
                    };
            try {
                long n = Long.parseLong(m.group(1));
                if (n > 0 && n <= Long.MAX_VALUE >> shift) {
                    return n << shift;
                }
            } catch (NumberFormatException e) {
                // too large: reported below
            }
        }
        throw settings.malformed(key.name(), "a positive number of bytes, optionally with k, m or g (512m, 2g)");
    }

    /** The machine's GPUs, how many each job gets, and where their device nodes are. */
    private record GpuSetup(List<Gpus.Gpu> detected, int perJob, Path devices) {}

    private static GpuSetup gpus(Settings settings) {
        int perJob = settings.getInt(GPUS.name(), 0, 0, MAX_GPUS);
        Path devices = settings.getPath(GPU_DEVICES.name()).orElse(Path.of(GPU_DEVICES.defaultValue()));
        String name = settings.get(NVIDIA_SMI.name(), NVIDIA_SMI.defaultValue());
        Optional<Path> smi = SandboxCheck.findExecutable(name);
        List<Gpus.Gpu> detected = List.of();
        if (smi.isEmpty()) {
            if (perJob > 0) {
                throw BrizoException.configuration(GPUS.name() + "=" + perJob + " gives each job GPUs, but '" + name
                        + "' was not found to list them: install the NVIDIA driver's utilities or set "
                        + NVIDIA_SMI.name());
            }
        } else {
            try {
                detected = Gpus.detect(smi.get());
            } catch (BrizoException e) {
                if (perJob > 0) {
                    throw BrizoException.configuration(
                            "listing the GPUs for " + GPUS.name() + " failed: " + e.getMessage());
                }
                LOG.warn("the local compute backend offers no GPU: {}", e.getMessage());
            }
        }
        if (perJob > detected.size()) {
            throw BrizoException.configuration(GPUS.name() + "=" + perJob + " gives each job more GPUs than the "
                    + detected.size() + " nvidia-smi lists");
        }
        if (perJob > 0) {
            List<String> nodes = new java.util.ArrayList<>();
            detected.forEach(g -> nodes.add("nvidia" + g.index()));
            nodes.add("nvidiactl");
            for (String node : nodes) {
                if (!Files.exists(devices.resolve(node))) {
                    throw BrizoException.configuration("the GPU device node " + node + " is missing from " + devices
                            + "; check " + GPU_DEVICES.name() + " and the NVIDIA driver");
                }
            }
        }
        return new GpuSetup(detected, perJob, devices);
    }

    private static Optional<URI> outputLocation(Settings settings) {
        Optional<String> value = settings.get(OUTPUT_LOCATION.name());
        if (value.isEmpty()) {
            return Optional.empty();
        }
        String expected = "an absolute location without query or fragment, such as s3://bucket/brizo-jobs/ or"
                + " file:///var/lib/brizo/outputs/ (its storage driver must be able to write)";
        URI uri;
        try {
            String v = value.get().trim();
            uri = new URI(v.endsWith("/") ? v : v + "/");
        } catch (URISyntaxException e) {
            throw settings.malformed(OUTPUT_LOCATION.name(), expected);
        }
        if (!uri.isAbsolute() || uri.isOpaque() || uri.getRawQuery() != null || uri.getRawFragment() != null) {
            throw settings.malformed(OUTPUT_LOCATION.name(), expected);
        }
        return Optional.of(uri);
    }

    private static Duration positive(Settings settings, SettingKey key) {
        Duration d = settings.getDuration(key.name(), parseDefault(key));
        if (d.isZero() || d.isNegative()) {
            throw settings.malformed(key.name(), "a positive duration such as 30s, 5m or 1h");
        }
        return d;
    }

    private static Duration parseDefault(SettingKey key) {
        return Settings.builder().put(key.name(), key.defaultValue()).build().getDuration(key.name(), null);
    }

    @Override
    public List<SettingKey> settingKeys() {
        return List.of(
                DIR,
                COMMANDS,
                MAX_DURATION,
                STAGE_TIMEOUT,
                MAX_JOBS,
                UNSANDBOXED,
                BWRAP,
                SANDBOX_UID,
                RUNTIMES,
                MEMORY,
                CPU_TIME,
                PROCESSES,
                OPEN_FILES,
                OUTPUT_BYTES,
                OUTPUT_LOCATION,
                RETENTION,
                NVIDIA_SMI,
                GPUS,
                GPU_DEVICES);
    }

    @Override
    public String toString() {
        return "LocalProcessComputeBackendFactory";
    }
}
