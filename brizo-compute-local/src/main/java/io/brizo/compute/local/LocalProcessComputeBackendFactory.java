package io.brizo.compute.local;

import io.brizo.spi.ComputeBackend;
import io.brizo.spi.SettingKey;
import io.brizo.spi.Settings;
import io.brizo.spi.StorageAccess;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * Creates the {@code local} compute backend, which runs algorithms as local processes of the
 * server, for development only: see {@link LocalProcessComputeBackend} for why it is no isolation
 * boundary. Configured by {@value #DIR_NAME}; without it there is no local backend. Its priority
 * is low (-10), so that any other configured backend wins.
 *
 * <p>Found through {@link java.util.ServiceLoader}; public only for that reason.
 */
public final class LocalProcessComputeBackendFactory implements ComputeBackend.Factory {
    static final String DIR_NAME = "BRIZO_COMPUTE_DIR";

    /** The work directory; the backend is on when it is set. */
    public static final SettingKey DIR = SettingKey.of(
            DIR_NAME,
            null,
            "work directory of the local compute backend (jobs live in <dir>/<jobId>/); unset = no local backend."
                    + " For development: algorithms run with the server's user and rights, without isolation");
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

    private static final int MAX_JOBS_LIMIT = 1024;

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
        LocalProcessComputeBackend.Config config =
                new LocalProcessComputeBackend.Config(dir.get(), commands, maxDuration, stageTimeout, maxJobs);
        return Optional.of(LocalProcessComputeBackend.open(config, storage));
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
        return List.of(DIR, COMMANDS, MAX_DURATION, STAGE_TIMEOUT, MAX_JOBS);
    }

    @Override
    public String toString() {
        return "LocalProcessComputeBackendFactory";
    }
}
