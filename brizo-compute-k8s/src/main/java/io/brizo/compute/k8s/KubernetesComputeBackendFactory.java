package io.brizo.compute.k8s;

import io.brizo.spi.BrizoException;
import io.brizo.spi.ComputeBackend;
import io.brizo.spi.ComputeEnvironment;
import io.brizo.spi.SettingKey;
import io.brizo.spi.Settings;
import io.brizo.spi.StorageAccess;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Creates the {@code kubernetes} compute backend. Configured by {@value #NAMESPACE_NAME}; without
 * it there is no Kubernetes backend. Its priority (10) is above the local backend's (-10), so a
 * server with both configured runs jobs on Kubernetes.
 *
 * <p>Found through {@link java.util.ServiceLoader}; public only for that reason.
 */
public final class KubernetesComputeBackendFactory implements ComputeBackend.Factory {
    static final String NAMESPACE_NAME = "BRIZO_K8S_NAMESPACE";
    private static final Pattern NAME = Pattern.compile("[a-z0-9]([-a-z0-9.]*[a-z0-9])?");
    private static final Pattern ENVIRONMENT_ID = Pattern.compile("[a-z0-9][a-z0-9._-]{0,62}");

    /** The namespace; the backend is on when it is set. */
    public static final SettingKey NAMESPACE = SettingKey.of(
            NAMESPACE_NAME,
            null,
            "namespace in which the Kubernetes compute backend creates its job objects; unset = no Kubernetes backend");
    /** The kubeconfig file. */
    public static final SettingKey KUBECONFIG = SettingKey.of(
            "BRIZO_K8S_KUBECONFIG",
            null,
            "kubeconfig file of the Kubernetes compute backend; unset = the in-cluster service account"
                    + " (or the usual KUBECONFIG / ~/.kube/config lookup outside a cluster)");
    /** The helper image. */
    public static final SettingKey HELPER_IMAGE = SettingKey.of(
            "BRIZO_K8S_HELPER_IMAGE",
            "curlimages/curl:8.11.1",
            "image of the configure and publish phases; needs sh, curl, find, stat and base64."
                    + " Pin it by digest in production");
    /** The storage class. */
    public static final SettingKey STORAGE_CLASS = SettingKey.of(
            "BRIZO_K8S_STORAGE_CLASS", null, "storage class of each job's volume; unset = the cluster's default class");
    /** The volume size. */
    public static final SettingKey VOLUME_SIZE = SettingKey.of(
            "BRIZO_K8S_VOLUME_SIZE", "1Gi", "size requested for each job's volume (inputs, algorithm and outputs)");
    /** The node selector. */
    public static final SettingKey NODE_SELECTOR = SettingKey.of(
            "BRIZO_K8S_NODE_SELECTOR",
            null,
            "label=value pairs, separated by commas, that the nodes running job pods must carry");
    /** The image pull secrets. */
    public static final SettingKey PULL_SECRETS = SettingKey.of(
            "BRIZO_K8S_PULL_SECRETS",
            null,
            "names of image pull secrets in the namespace, separated by commas, given to every job pod");
    /** The environments. */
    public static final SettingKey ENVIRONMENTS = SettingKey.of(
            "BRIZO_K8S_ENVIRONMENTS",
            "default:1:1Gi:0:1h",
            "environments, separated by commas, each id:cpus:memory:gpus:maxDuration (for example"
                    + " small:1:2Gi:0:1h,gpu:4:16Gi:1:4h); cpus may be fractional, memory is a Kubernetes quantity");
    /** The configure and publish deadline. */
    public static final SettingKey STAGE_TIMEOUT = SettingKey.of(
            "BRIZO_K8S_STAGE_TIMEOUT",
            "10m",
            "deadline of the configure phase (fetching inputs and algorithm) and of the publish phase");
    /** The lifetime of presigned input URLs. */
    public static final SettingKey PRESIGN_LIFETIME = SettingKey.of(
            "BRIZO_K8S_PRESIGN_LIFETIME",
            "1h",
            "how long the presigned URLs through which the configure phase fetches inputs stay valid");
    /** The poll interval. */
    public static final SettingKey POLL_INTERVAL = SettingKey.of(
            "BRIZO_K8S_POLL_INTERVAL", "2s", "how often the backend advances running jobs from their Kubernetes state");
    /** The user id of job containers. */
    public static final SettingKey RUN_AS_USER =
            SettingKey.of("BRIZO_K8S_RUN_AS_USER", "1000", "uid and gid every job container runs as (never root)");

    /** The RuntimeClass of algorithm pods. */
    public static final SettingKey RUNTIME_CLASS = SettingKey.of(
            "BRIZO_K8S_RUNTIME_CLASS",
            null,
            "RuntimeClass of the algorithm pods, such as a gVisor or Kata sandbox (gvisor, kata); unset = the"
                    + " cluster's default runtime");

    /** Where outputs and logs of jobs are kept. */
    public static final SettingKey OUTPUT_LOCATION = SettingKey.of(
            "BRIZO_K8S_OUTPUT_LOCATION",
            null,
            "storage location (a prefix, such as s3://bucket/brizo-jobs/) under which each job's outputs and logs are"
                    + " uploaded, through a storage driver that can write; required with " + NAMESPACE_NAME);

    /** The core setting through which pods reach this server; upload links need it. */
    static final String PUBLIC_URL_NAME = "BRIZO_PUBLIC_URL";

    /** Creates the factory; ServiceLoader calls this. */
    public KubernetesComputeBackendFactory() {}

    @Override
    public String name() {
        return "kubernetes";
    }

    @Override
    public int priority() {
        return 10;
    }

    /**
     * {@return the backend, or empty if {@value #NAMESPACE_NAME} is not set} Fails with a
     * CONFIGURATION error for a malformed setting or an unreadable kubeconfig.
     */
    @Override
    public Optional<ComputeBackend> create(Settings settings, StorageAccess storage) {
        Optional<K8sConfig> config = config(settings);
        if (config.isEmpty()) {
            return Optional.empty();
        }
        KubernetesClient client = new KubernetesClientBuilder()
                .withConfig(clientConfig(settings, config.get().namespace()))
                .build();
        return Optional.of(new KubernetesComputeBackend(config.get(), client, storage, true));
    }

    /** {@return the backend's configuration, or empty if the namespace is not set} */
    static Optional<K8sConfig> config(Settings settings) {
        Optional<String> namespace = settings.get(NAMESPACE.name());
        if (namespace.isEmpty()) {
            return Optional.empty();
        }
        if (!NAME.matcher(namespace.get()).matches() || namespace.get().length() > 63) {
            throw settings.malformed(NAMESPACE.name(), "a Kubernetes namespace name (lower case letters, digits, -)");
        }
        String volumeSize = settings.get(VOLUME_SIZE.name(), VOLUME_SIZE.defaultValue());
        if (bytes(volumeSize).isEmpty()) {
            throw settings.malformed(VOLUME_SIZE.name(), "a Kubernetes quantity such as 1Gi or 500Mi");
        }
        Map<String, String> nodeSelector = new LinkedHashMap<>();
        for (String pair : settings.getList(NODE_SELECTOR.name(), ",")) {
            int eq = pair.indexOf('=');
            if (eq <= 0) {
                throw settings.malformed(NODE_SELECTOR.name(), "label=value pairs separated by commas");
            }
            nodeSelector.put(
                    pair.substring(0, eq).trim(), pair.substring(eq + 1).trim());
        }
        List<String> pullSecrets = settings.getList(PULL_SECRETS.name(), ",");
        for (String s : pullSecrets) {
            if (!NAME.matcher(s).matches()) {
                throw settings.malformed(PULL_SECRETS.name(), "secret names separated by commas");
            }
        }
        int uid =
                settings.getInt(RUN_AS_USER.name(), Integer.parseInt(RUN_AS_USER.defaultValue()), 1, Integer.MAX_VALUE);
        URI outputLocation = outputLocation(settings);
        if (!settings.has(PUBLIC_URL_NAME)) {
            // Fail at startup rather than after a job's algorithm has run.
            throw BrizoException.configuration("the Kubernetes compute backend needs " + PUBLIC_URL_NAME
                    + ": publish pods upload each job's outputs through links of this server; set it to the URL at"
                    + " which pods reach this server");
        }
        return Optional.of(new K8sConfig(
                namespace.get(),
                settings.get(HELPER_IMAGE.name(), HELPER_IMAGE.defaultValue()),
                settings.get(STORAGE_CLASS.name()).orElse(null),
                volumeSize,
                nodeSelector,
                pullSecrets,
                environments(settings),
                positive(settings, STAGE_TIMEOUT),
                positive(settings, PRESIGN_LIFETIME),
                positive(settings, POLL_INTERVAL),
                uid,
                runtimeClass(settings),
                outputLocation,
                bytes(volumeSize).orElseThrow()));
    }

    private static URI outputLocation(Settings settings) {
        String value = settings.require(
                OUTPUT_LOCATION.name(),
                "a storage location under which job outputs are kept, such as s3://bucket/brizo-jobs/ or"
                        + " file:///var/lib/brizo/jobs/ (its storage driver must be able to write)");
        URI uri;
        try {
            uri = new URI(value.endsWith("/") ? value : value + "/");
        } catch (java.net.URISyntaxException e) {
            throw settings.malformed(OUTPUT_LOCATION.name(), "an absolute location such as s3://bucket/brizo-jobs/");
        }
        if (!uri.isAbsolute() || uri.isOpaque() || uri.getRawQuery() != null || uri.getRawFragment() != null) {
            throw settings.malformed(
                    OUTPUT_LOCATION.name(),
                    "an absolute location without query or fragment, such as s3://bucket/jobs/");
        }
        return uri;
    }

    private static String runtimeClass(Settings settings) {
        Optional<String> v = settings.get(RUNTIME_CLASS.name());
        if (v.isPresent() && (!NAME.matcher(v.get()).matches() || v.get().length() > 253)) {
            throw settings.malformed(RUNTIME_CLASS.name(), "a RuntimeClass name (lower case letters, digits, - and .)");
        }
        return v.orElse(null);
    }

    private static List<ComputeEnvironment> environments(Settings settings) {
        String expected = "environments separated by commas, each id:cpus:memory:gpus:maxDuration such as"
                + " default:1:1Gi:0:1h";
        String value = settings.get(ENVIRONMENTS.name(), ENVIRONMENTS.defaultValue());
        List<ComputeEnvironment> out = new ArrayList<>();
        for (String spec : value.split(",")) {
            String[] f = spec.trim().split(":");
            if (f.length != 5 || !ENVIRONMENT_ID.matcher(f[0]).matches()) {
                throw settings.malformed(ENVIRONMENTS.name(), expected);
            }
            try {
                double cpus = Double.parseDouble(f[1]);
                long memory = bytes(f[2]).orElseThrow(() -> settings.malformed(ENVIRONMENTS.name(), expected));
                int gpus = Integer.parseInt(f[3]);
                Duration max = Settings.builder().put("D", f[4]).build().getDuration("D", null);
                if (!(cpus > 0) || memory <= 0 || gpus < 0 || max.isZero()) {
                    throw settings.malformed(ENVIRONMENTS.name(), expected);
                }
                if (out.stream().anyMatch(e -> e.id().equals(f[0]))) {
                    throw settings.malformed(ENVIRONMENTS.name(), "environments with distinct ids");
                }
                String description =
                        f[0] + ": " + f[1] + " CPU, " + f[2] + " memory, " + gpus + " GPU, at most " + f[4];
                out.add(new ComputeEnvironment(f[0], description, cpus, memory, gpus, max));
            } catch (NumberFormatException | BrizoException e) {
                throw settings.malformed(ENVIRONMENTS.name(), expected);
            }
        }
        return out;
    }

    private static Optional<Long> bytes(String quantity) {
        try {
            long b = Quantity.getAmountInBytes(new Quantity(quantity)).longValueExact();
            return b > 0 ? Optional.of(b) : Optional.empty();
        } catch (RuntimeException e) {
            return Optional.empty();
        }
    }

    private static Config clientConfig(Settings settings, String namespace) {
        Optional<Path> kubeconfig = settings.getPath(KUBECONFIG.name());
        Config config;
        if (kubeconfig.isPresent()) {
            try {
                config = Config.fromKubeconfig(
                        null,
                        Files.readString(kubeconfig.get()),
                        kubeconfig.get().toString());
            } catch (IOException | RuntimeException e) {
                throw BrizoException.configuration(
                        "cannot read the kubeconfig file " + kubeconfig.get().getFileName() + " of setting "
                                + KUBECONFIG.name() + ": " + e.getClass().getSimpleName());
            }
        } else {
            config = Config.autoConfigure(null);
        }
        config.setNamespace(namespace);
        // The backend retries 5xx, 429 and transport failures itself (4 attempts in about 1.4 s).
        // fabric8's own retries (10, with backoff) would run inside each of those attempts, so a
        // request to this server would hang for minutes while the API server is down instead of
        // answering 503 with Retry-After.
        config.setRequestRetryBackoffLimit(0);
        return config;
    }

    private static Duration positive(Settings settings, SettingKey key) {
        Duration d = settings.getDuration(
                key.name(),
                Settings.builder().put(key.name(), key.defaultValue()).build().getDuration(key.name(), null));
        if (d.isZero() || d.isNegative()) {
            throw settings.malformed(key.name(), "a positive duration such as 30s, 5m or 1h");
        }
        return d;
    }

    @Override
    public List<SettingKey> settingKeys() {
        return List.of(
                NAMESPACE,
                KUBECONFIG,
                HELPER_IMAGE,
                STORAGE_CLASS,
                VOLUME_SIZE,
                NODE_SELECTOR,
                PULL_SECRETS,
                ENVIRONMENTS,
                STAGE_TIMEOUT,
                PRESIGN_LIFETIME,
                POLL_INTERVAL,
                RUN_AS_USER,
                RUNTIME_CLASS,
                OUTPUT_LOCATION);
    }

    @Override
    public String toString() {
        return "KubernetesComputeBackendFactory";
    }
}
