package io.brizo.internal.compute;

import io.brizo.spi.BrizoException;
import io.brizo.spi.ErrorKind;
import io.brizo.spi.SettingKey;
import io.brizo.spi.Settings;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The publisher's rules for compute jobs: which algorithms and images, how long, how many at once.
 *
 * @param allowRawAlgorithms whether inline algorithms (raw code or a URL) are accepted
 * @param trusted trusted algorithm DIDs and {@code sha256:<hex>} checksums; empty = any published
 *     algorithm (and any inline one, when allowed)
 * @param allowedImages allowed images ({@code name}, {@code name:tag} or {@code name@sha256:...});
 *     empty = any the backend can run
 * @param maxDuration the longest a job may run
 * @param maxJobsPerConsumer running jobs per consumer
 * @param maxJobs running jobs in total
 * @param maxAlgorithmBytes the largest algorithm file accepted
 */
public record ComputePolicy(
        boolean allowRawAlgorithms,
        Set<String> trusted,
        List<String> allowedImages,
        Duration maxDuration,
        int maxJobsPerConsumer,
        int maxJobs,
        int maxAlgorithmBytes) {
    /** Raw algorithms switch. */
    public static final SettingKey ALLOW_RAW = SettingKey.of(
            "BRIZO_COMPUTE_ALLOW_RAW_ALGORITHMS",
            "false",
            "accept inline algorithms (rawcode or url in algorithmMeta), not only published algorithm DIDs");
    /** Trusted algorithms. */
    public static final SettingKey TRUSTED = SettingKey.of(
            "BRIZO_COMPUTE_TRUSTED_ALGORITHMS",
            null,
            "comma-separated algorithm DIDs and sha256:<hex> checksums allowed to run; unset = any");
    /** Allowed images. */
    public static final SettingKey IMAGES = SettingKey.of(
            "BRIZO_COMPUTE_ALLOWED_IMAGES",
            null,
            "comma-separated images allowed (name, name:tag or name@sha256:...); unset = any the backend runs");
    /** Maximum duration. */
    public static final SettingKey MAX_DURATION =
            SettingKey.of("BRIZO_COMPUTE_MAX_DURATION", "1h", "the longest a compute job may run");
    /** Jobs per consumer. */
    public static final SettingKey MAX_JOBS_PER_CONSUMER = SettingKey.of(
            "BRIZO_COMPUTE_MAX_JOBS_PER_CONSUMER", "2", "compute jobs one consumer may have running at once");
    /** Jobs in total. */
    public static final SettingKey MAX_JOBS =
            SettingKey.of("BRIZO_COMPUTE_MAX_JOBS", "10", "compute jobs running at once in total");
    /** Algorithm size. */
    public static final SettingKey MAX_ALGORITHM_SIZE = SettingKey.of(
            "BRIZO_COMPUTE_MAX_ALGORITHM_BYTES", "1048576", "the largest algorithm file accepted, in bytes");

    /** Every key above. */
    public static final List<SettingKey> KEYS =
            List.of(ALLOW_RAW, TRUSTED, IMAGES, MAX_DURATION, MAX_JOBS_PER_CONSUMER, MAX_JOBS, MAX_ALGORITHM_SIZE);

    private static final Pattern TRUSTED_ENTRY = Pattern.compile("did:op:[0-9a-f]{64}|sha256:[0-9a-f]{64}");

    /** Copies the collections. */
    public ComputePolicy {
        trusted = Set.copyOf(trusted);
        allowedImages = List.copyOf(allowedImages);
    }

    /** {@return the policy the settings describe} */
    public static ComputePolicy from(Settings settings) {
        Set<String> trusted = settings.getList(TRUSTED.name(), ",").stream()
                .map(s -> s.toLowerCase(Locale.ROOT))
                .collect(Collectors.toSet());
        for (String t : trusted) {
            if (!TRUSTED_ENTRY.matcher(t).matches()) {
                throw settings.malformed(TRUSTED.name(), "DIDs (did:op:<64 hex>) and checksums (sha256:<64 hex>)");
            }
        }
        Duration max = settings.getDuration(MAX_DURATION.name(), Duration.ofHours(1));
        if (max.isZero()) {
            throw settings.malformed(MAX_DURATION.name(), "a duration above zero");
        }
        return new ComputePolicy(
                settings.getBoolean(ALLOW_RAW.name(), false),
                trusted,
                settings.getList(IMAGES.name(), ","),
                max,
                settings.getInt(MAX_JOBS_PER_CONSUMER.name(), 2, 1, 10_000),
                settings.getInt(MAX_JOBS.name(), 10, 1, 100_000),
                settings.getInt(MAX_ALGORITHM_SIZE.name(), 1 << 20, 1, 64 << 20));
    }

    /**
     * Checks that an algorithm may run.
     *
     * @param did the algorithm's DID, or null for an inline algorithm
     * @param sha256 the hex SHA-256 of its code
     * @throws BrizoException FORBIDDEN with the reason if not
     */
    void requireTrusted(String did, String sha256) {
        if (did == null && !allowRawAlgorithms) {
            throw new BrizoException(
                    ErrorKind.FORBIDDEN,
                    "this publisher does not accept raw algorithms: use a published algorithm (algorithmDid)");
        }
        if (!trusted.isEmpty() && !(did != null && trusted.contains(did)) && !trusted.contains("sha256:" + sha256)) {
            throw new BrizoException(ErrorKind.FORBIDDEN, "this algorithm is not trusted by the publisher");
        }
    }

    /** Checks the image against the allowed list. */
    void requireImage(String image, String tag, String digest) {
        if (allowedImages.isEmpty()) {
            return;
        }
        for (String allowed : allowedImages) {
            if (allowed.equals(image)
                    || (tag != null && allowed.equals(image + ":" + tag))
                    || (digest != null && allowed.equals(image + "@" + digest))) {
                return;
            }
        }
        throw new BrizoException(ErrorKind.FORBIDDEN, "the image " + image + " is not allowed by this publisher");
    }
}
