package io.brizo.internal.compute;

import com.fasterxml.jackson.databind.JsonNode;
import io.brizo.internal.RequestFields;
import io.brizo.internal.json.Json;
import io.brizo.spi.AlgorithmContainer;
import io.brizo.spi.Asset;
import io.brizo.spi.BrizoException;
import io.brizo.spi.ErrorKind;
import io.brizo.spi.SettingKey;
import io.brizo.spi.Settings;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The publisher's rules for compute jobs: which algorithms and images, how long, how many at once.
 *
 * <p>What runs is pinned whole: a published algorithm runs with its own code, container and
 * entrypoint; a trusted entry names either such a published algorithm or the checksums of the
 * code <em>and</em> of the container section (entrypoint and image digest), so neither can be
 * swapped under a trusted name.
 *
 * @param allowRawAlgorithms whether inline algorithms (raw code or a URL) are accepted
 * @param trusted trusted algorithms; empty = any published algorithm (and any inline one, when
 *     allowed)
 * @param trustedPublishers addresses (lower case) whose published algorithms may run; empty = any
 * @param allowedImages allowed images ({@code name}, {@code name:tag} or {@code name@sha256:...});
 *     empty = any the backend can run
 * @param maxDuration the longest a job may run
 * @param maxJobsPerConsumer running jobs per consumer
 * @param maxJobs running jobs in total
 * @param maxAlgorithmBytes the largest algorithm file accepted
 */
public record ComputePolicy(
        boolean allowRawAlgorithms,
        List<TrustedAlgorithm> trusted,
        Set<String> trustedPublishers,
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
            "algorithms allowed to run, comma-separated: did:op:<64 hex> (a published algorithm as published),"
                    + " sha256:<files>/sha256:<container> (code and container section checksums, as ocean-node"
                    + " computes them), or did:op:<64 hex>/sha256:<files>/sha256:<container>; or ocean-node's"
                    + " publisherTrustedAlgorithms JSON list; unset = any");
    /** Trusted algorithm publishers. */
    public static final SettingKey TRUSTED_PUBLISHERS = SettingKey.of(
            "BRIZO_COMPUTE_TRUSTED_ALGORITHM_PUBLISHERS",
            null,
            "comma-separated addresses whose published algorithms may run (the asset's publisher); unset = any");
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
    public static final List<SettingKey> KEYS = List.of(
            ALLOW_RAW,
            TRUSTED,
            TRUSTED_PUBLISHERS,
            IMAGES,
            MAX_DURATION,
            MAX_JOBS_PER_CONSUMER,
            MAX_JOBS,
            MAX_ALGORITHM_SIZE);

    private static final Pattern HEX = Pattern.compile("[0-9a-f]{64}");
    private static final Pattern CHECKSUM = Pattern.compile("sha256:[0-9a-f]{64}");
    private static final String TRUSTED_FORMS = "comma-separated did:op:<64 hex>, sha256:<files>/sha256:<container>"
            + " or did:op:<64 hex>/sha256:<files>/sha256:<container> (a bare sha256:<hex> no longer pins what runs:"
            + " add the container section checksum, sha256(entrypoint + image digest) as ocean-node computes it),"
            + " or a JSON list of {\"did\", \"filesChecksum\", \"containerSectionChecksum\"}";

    /**
     * One trusted algorithm: a published algorithm by DID, a pair of checksums, or both.
     *
     * @param did the algorithm's DID, or null for any algorithm with these checksums
     * @param filesChecksum the hex SHA-256 of the algorithm's code, or null with a DID alone
     * @param containerChecksum the hex container section checksum ({@link
     *     AlgorithmContainer#checksum()}), or null with a DID alone
     */
    public record TrustedAlgorithm(String did, String filesChecksum, String containerChecksum) {
        /** Validates that the entry pins something: a DID, or both checksums. */
        public TrustedAlgorithm {
            if ((filesChecksum == null) != (containerChecksum == null)) {
                throw new IllegalArgumentException("the files and container checksums go together");
            }
            if (did == null && filesChecksum == null) {
                throw new IllegalArgumentException("a trusted algorithm needs a DID or both checksums");
            }
        }

        boolean matches(String algorithmDid, String files, String container) {
            if (did != null && !did.equals(algorithmDid)) {
                return false;
            }
            return filesChecksum == null || (filesChecksum.equals(files) && containerChecksum.equals(container));
        }
    }

    /** Copies the collections. */
    public ComputePolicy {
        trusted = List.copyOf(trusted);
        trustedPublishers = Set.copyOf(trustedPublishers);
        allowedImages = List.copyOf(allowedImages);
    }

    /** {@return the policy the settings describe} */
    public static ComputePolicy from(Settings settings) {
        Set<String> publishers = settings.getList(TRUSTED_PUBLISHERS.name(), ",").stream()
                .map(s -> s.toLowerCase(Locale.ROOT))
                .collect(Collectors.toSet());
        for (String p : publishers) {
            if (!RequestFields.isAddress(p)) {
                throw settings.malformed(TRUSTED_PUBLISHERS.name(), "comma-separated addresses (0x and 40 hex digits)");
            }
        }
        Duration max = settings.getDuration(MAX_DURATION.name(), Duration.ofHours(1));
        if (max.isZero()) {
            throw settings.malformed(MAX_DURATION.name(), "a duration above zero");
        }
        return new ComputePolicy(
                settings.getBoolean(ALLOW_RAW.name(), false),
                trusted(settings),
                publishers,
                settings.getList(IMAGES.name(), ","),
                max,
                settings.getInt(MAX_JOBS_PER_CONSUMER.name(), 2, 1, 10_000),
                settings.getInt(MAX_JOBS.name(), 10, 1, 100_000),
                maxAlgorithmBytes(settings));
    }

    /** {@return the largest algorithm file the settings allow} */
    public static int maxAlgorithmBytes(Settings settings) {
        return settings.getInt(MAX_ALGORITHM_SIZE.name(), 1 << 20, 1, 64 << 20);
    }

    private static List<TrustedAlgorithm> trusted(Settings settings) {
        String raw = settings.get(TRUSTED.name()).orElse("").trim();
        List<TrustedAlgorithm> entries = new ArrayList<>();
        try {
            if (raw.startsWith("[")) {
                for (JsonNode n : Json.MAPPER.readTree(raw)) {
                    entries.add(jsonEntry(n));
                }
            } else {
                for (String entry : settings.getList(TRUSTED.name(), ",")) {
                    entries.add(textEntry(entry.trim().toLowerCase(Locale.ROOT)));
                }
            }
        } catch (IOException | IllegalArgumentException e) {
            throw settings.malformed(TRUSTED.name(), TRUSTED_FORMS);
        }
        return entries;
    }

    private static TrustedAlgorithm textEntry(String entry) {
        String[] parts = entry.split("/", -1);
        String did = Asset.isDid(parts[0]) ? parts[0] : null;
        int first = did == null ? 0 : 1;
        if (parts.length - first == 0) {
            return new TrustedAlgorithm(did, null, null);
        }
        if (parts.length - first != 2
                || !CHECKSUM.matcher(parts[first]).matches()
                || !CHECKSUM.matcher(parts[first + 1]).matches()) {
            throw new IllegalArgumentException("malformed entry");
        }
        return new TrustedAlgorithm(did, parts[first].substring(7), parts[first + 1].substring(7));
    }

    /** An entry of ocean-node's {@code publisherTrustedAlgorithms}; wildcard checksums are refused. */
    private static TrustedAlgorithm jsonEntry(JsonNode n) {
        if (!n.isObject()) {
            throw new IllegalArgumentException("not an object");
        }
        String did = n.path("did").asText("*").toLowerCase(Locale.ROOT);
        if (!did.equals("*") && !Asset.isDid(did)) {
            throw new IllegalArgumentException("bad did");
        }
        String files = hex(n.get("filesChecksum"));
        String container = hex(n.get("containerSectionChecksum"));
        return new TrustedAlgorithm(did.equals("*") ? null : did, files, container);
    }

    private static String hex(JsonNode n) {
        if (n == null || n.isNull()) {
            return null;
        }
        String v = n.asText().toLowerCase(Locale.ROOT);
        v = v.startsWith("sha256:") ? v.substring(7) : v;
        if (!HEX.matcher(v).matches()) {
            throw new IllegalArgumentException("bad checksum");
        }
        return v;
    }

    /** Refuses inline algorithms when the publisher does not accept them. */
    void requireRawAllowed() {
        if (!allowRawAlgorithms) {
            throw new BrizoException(
                    ErrorKind.FORBIDDEN,
                    "this publisher does not accept raw algorithms: use a published algorithm (algorithmDid)");
        }
    }

    /**
     * Checks that an algorithm may run.
     *
     * @param did the algorithm's DID, or null for an inline algorithm
     * @param publisher the published algorithm's publisher, or null when unknown or inline
     * @param filesChecksum the hex SHA-256 of its code
     * @param container the container it would run in
     * @throws BrizoException FORBIDDEN with the reason if not
     */
    void requireTrusted(String did, String publisher, String filesChecksum, AlgorithmContainer container) {
        if (did == null) {
            requireRawAllowed();
        } else if (!trustedPublishers.isEmpty() && (publisher == null || !trustedPublishers.contains(publisher))) {
            throw new BrizoException(
                    ErrorKind.FORBIDDEN, "the algorithm's publisher is not trusted by this data publisher");
        }
        if (trusted.isEmpty()) {
            return;
        }
        String containerChecksum = container.checksum();
        if (trusted.stream().noneMatch(t -> t.matches(did, filesChecksum, containerChecksum))) {
            throw new BrizoException(
                    ErrorKind.FORBIDDEN,
                    "this algorithm (its code, container image and entrypoint) is not trusted by the publisher");
        }
    }

    /**
     * Checks the image against the allowed list. A digest decides what runs, so a container with a
     * digest matches only {@code name} or {@code name@digest}, never a {@code name:tag} entry.
     */
    void requireImage(AlgorithmContainer c) {
        if (allowedImages.isEmpty()) {
            return;
        }
        for (String allowed : allowedImages) {
            if (allowed.equals(c.image()) || allowed.equals(c.reference())) {
                return;
            }
        }
        throw new BrizoException(
                ErrorKind.FORBIDDEN, "the image " + c.reference() + " is not allowed by this publisher");
    }
}
