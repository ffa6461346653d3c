package io.brizo.compute.k8s;

import io.brizo.spi.ComputeEnvironment;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.LocalObjectReference;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirementsBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.VolumeMountBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyBuilder;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The Kubernetes objects of one job, as pure functions of the job and the configuration, so that
 * every replica (and a restarted server) builds exactly the same objects under the same names.
 */
final class JobObjects {
    static final String DOMAIN = "brizo.io/";
    static final String LABEL_MANAGED = "app.kubernetes.io/managed-by";
    static final String MANAGED = "brizo";
    static final String LABEL_ROLE = DOMAIN + "role";
    static final String LABEL_JOB = DOMAIN + "job";
    static final String LABEL_PHASE = DOMAIN + "phase";
    /** Set on the root when the job reaches a terminal state. */
    static final String LABEL_ENDED = DOMAIN + "ended";

    static final String ROLE_JOB = "job";
    static final String ROLE_PART = "part";

    static final String CONFIGURE = "configure";
    static final String ALGORITHM = "algorithm";
    static final String PUBLISH = "publish";

    static final String VOLUME = "/data";
    static final String ALGORITHM_PATH = VOLUME + "/transformations/algorithm";
    static final String FETCH_DIR = "/brizo/fetch";
    static final String UPLOAD_DIR = "/brizo/upload";

    private static final Pattern PLAIN_ID = Pattern.compile("[a-z0-9]([a-z0-9-]{0,38}[a-z0-9])?");

    /**
     * Why the helper phases report through their pod log and not the termination message: the
     * termination message holds at most 4096 bytes, about 25 files with their digests, while a
     * job may fetch thousands of input files and publish up to {@link OutputStore#MAX_FILES}; the
     * log has room for all of them (the backend reads at most {@code MAX_MANIFEST_LOG} of it).
     * Only lines that start with the job's report marker count: a random value made when the job
     * starts, kept in the root's annotations and given only to the helper pods through their
     * Secrets. The algorithm never sees it (its pod mounts no Secret, has no API access and runs
     * after the fetch Secret is gone and before the upload Secret exists), so nothing it writes
     * (a file name, a file's bytes, its own log) can pass for a report line.
     */
    static final String MARKER_FILE = "marker";

    /**
     * Fetches every "destination url" line of the plan into the volume, then copies an inline
     * algorithm, hashing each file as its bytes stream into the volume ({@code tee} into {@code
     * sha256sum}; never read twice) and reporting "marker fetched size sha256 destination" per
     * file and "marker done" at the end. sh has no pipefail: a failing curl (or tee) leaves its
     * exit code in a file instead. Runs in the helper image, never in the consumer's.
     */
    static final String CONFIGURE_SCRIPT = String.join(
            "\n",
            "set -eu",
            "marker=\"$(cat " + FETCH_DIR + "/" + MARKER_FILE + ")\"",
            "tmp=\"$(mktemp -d)\"",
            "mkdir -p /data/inputs /data/transformations /data/outputs /data/logs",
            "report() {",
            "  if [ -e \"$tmp/rc\" ]; then exit \"$(cat \"$tmp/rc\")\"; fi",
            "  echo \"$marker fetched $(stat -c %s \"/data/$1\") ${2%% *} $1\"",
            "}",
            "while read -r dest url; do",
            "  [ -n \"$dest\" ] || continue",
            "  mkdir -p \"$(dirname \"/data/$dest\")\"",
            "  sum=\"$( { curl -fsS --retry 3 \"$url\" || echo $? > \"$tmp/rc\"; }"
                    + " | { tee \"/data/$dest\" || echo 1 > \"$tmp/rc\"; } | sha256sum)\"",
            "  report \"$dest\" \"$sum\"",
            "done < " + FETCH_DIR + "/plan",
            "if [ -f " + FETCH_DIR + "/algorithm ]; then",
            "  sum=\"$( { tee " + ALGORITHM_PATH + " < " + FETCH_DIR + "/algorithm || echo 1 > \"$tmp/rc\"; }"
                    + " | sha256sum)\"",
            "  report transformations/algorithm \"$sum\"",
            "fi",
            "chmod -R a+rX /data/inputs /data/transformations",
            "echo \"$marker done\"");

    /**
     * Uploads every file of {@code /data/outputs} and {@code /data/logs} through the job's upload
     * link ({@code PUT <link>?name=outputs/<path>}), hashing each file's bytes on their way to
     * curl ({@code tee} into a FIFO read by {@code sha256sum}; never read twice), and prints a
     * manifest line ("marker output size sha256 path" or "marker log size sha256 path") for each
     * and "marker done" at the end, which the backend reads from this pod's log and checks against
     * the storage. An upload refused by the server ends the phase with "brizo-upload-failed" and
     * the server's JSON error; so does a name with a line break, which a line-based manifest
     * cannot carry. Symbolic links are not followed.
     */
    static final String PUBLISH_SCRIPT = String.join(
            "\n",
            "set -eu",
            "url=\"$(cat " + UPLOAD_DIR + "/url)\"",
            "marker=\"$(cat " + UPLOAD_DIR + "/" + MARKER_FILE + ")\"",
            "tmp=\"$(mktemp -d)\"",
            "nl='",
            "'",
            "publish() {",
            "  [ -d \"/data/$1\" ] || return 0",
            "  cd \"/data/$1\"",
            "  if [ -n \"$(find . -type f -name \"*$nl*\")\" ]; then",
            "    echo \"brizo-upload-failed {\\\"message\\\":\\\"a file of the $1 has a line break in its name\\\"}\"",
            "    exit 1",
            "  fi",
            "  find . -type f | sort | while IFS= read -r f; do",
            "    name=\"${f#./}\"",
            "    size=\"$(stat -c %s \"$f\")\"",
            "    rm -f \"$tmp/fifo\" \"$tmp/sum\"",
            "    mkfifo \"$tmp/fifo\"",
            "    sha256sum < \"$tmp/fifo\" > \"$tmp/sum\" &",
            "    if ! answer=\"$(tee \"$tmp/fifo\" < \"$f\" | curl -sS --fail-with-body --retry 3 -T -"
                    + " -H 'Transfer-Encoding:' -H \"Content-Length: $size\" --url-query \"name=$1/$name\""
                    + " \"$url\" 2>&1)\"; then",
            "      wait",
            "      echo \"brizo-upload-failed $(echo \"$answer\" | tr '\\n' ' ')\"",
            "      exit 1",
            "    fi",
            "    wait",
            "    sum=\"$(cat \"$tmp/sum\")\"",
            "    echo \"$marker $2 $size ${sum%% *} $name\"",
            "  done",
            "}",
            "publish outputs output",
            "publish logs log",
            "echo \"$marker done\"");

    private JobObjects() {}

    /** {@return the base name of a job's objects: a valid DNS label, the same for the same id} */
    static String baseName(String jobId) {
        if (PLAIN_ID.matcher(jobId).matches()) {
            return "brizo-" + jobId;
        }
        // Ids that are not DNS labels are hashed; the id itself stays in an annotation.
        return "brizo-h" + sha256(jobId).substring(0, 32);
    }

    static String phaseName(String base, String phase) {
        return base + "-" + phase;
    }

    static String volumeName(String base) {
        return base + "-data";
    }

    static String secretName(String base) {
        return base + "-fetch";
    }

    static String uploadSecretName(String base) {
        return base + "-upload";
    }

    static String logName(String base) {
        return base + "-log";
    }

    static String outputsName(String base) {
        return base + "-outputs";
    }

    /** {@return the ConfigMap of the digests the configure phase reported} */
    static String evidenceName(String base) {
        return base + "-evidence";
    }

    static String policyName(String base) {
        return base + "-no-egress";
    }

    static Map<String, String> partLabels(String base) {
        Map<String, String> labels = new LinkedHashMap<>();
        labels.put(LABEL_MANAGED, MANAGED);
        labels.put(LABEL_ROLE, ROLE_PART);
        labels.put(LABEL_JOB, base);
        return labels;
    }

    static ObjectMeta partMeta(String name, String base, OwnerReference owner) {
        ObjectMetaBuilder b = new ObjectMetaBuilder().withName(name).withLabels(partLabels(base));
        // Manifests kept in the root are stored without an owner: its uid is added at creation.
        return owner == null ? b.build() : b.withOwnerReferences(owner).build();
    }

    /** {@return a reference that makes the root own a part, so deleting the root cascades} */
    static OwnerReference ownedBy(ConfigMap root) {
        return new OwnerReferenceBuilder()
                .withApiVersion("v1")
                .withKind("ConfigMap")
                .withName(root.getMetadata().getName())
                .withUid(root.getMetadata().getUid())
                .withBlockOwnerDeletion(false)
                .withController(true)
                .build();
    }

    static ConfigMap root(String base, Map<String, String> annotations, Map<String, String> data) {
        Map<String, String> labels = new LinkedHashMap<>();
        labels.put(LABEL_MANAGED, MANAGED);
        labels.put(LABEL_ROLE, ROLE_JOB);
        labels.put(LABEL_JOB, base);
        return new ConfigMapBuilder()
                .withNewMetadata()
                .withName(base)
                .withLabels(labels)
                .withAnnotations(annotations)
                .endMetadata()
                .withData(data)
                .build();
    }

    static Secret fetchSecret(String base, OwnerReference owner, String plan, String rawAlgorithm, String marker) {
        Map<String, String> data = new LinkedHashMap<>();
        data.put("plan", plan);
        data.put(MARKER_FILE, marker);
        if (rawAlgorithm != null) {
            data.put("algorithm", rawAlgorithm);
        }
        return new SecretBuilder()
                .withMetadata(partMeta(secretName(base), base, owner))
                .withType("Opaque")
                .withStringData(data)
                .build();
    }

    /** {@return the Secret that gives the publish phase its upload link} */
    static Secret uploadSecret(String base, OwnerReference owner, String uploadUrl, String marker) {
        return new SecretBuilder()
                .withMetadata(partMeta(uploadSecretName(base), base, owner))
                .withType("Opaque")
                .withStringData(Map.of("url", uploadUrl, MARKER_FILE, marker))
                .build();
    }

    static PersistentVolumeClaim volume(String base, OwnerReference owner, K8sConfig config) {
        return new PersistentVolumeClaimBuilder()
                .withMetadata(partMeta(volumeName(base), base, owner))
                .withNewSpec()
                .withAccessModes("ReadWriteOnce")
                .withStorageClassName(config.storageClass())
                .withNewResources()
                .withRequests(Map.of("storage", new Quantity(config.volumeSize())))
                .endResources()
                .endSpec()
                .build();
    }

    /** {@return the policy that cuts the algorithm pod off the network, both ways} */
    static NetworkPolicy noEgress(String base, OwnerReference owner) {
        return new NetworkPolicyBuilder()
                .withMetadata(partMeta(policyName(base), base, owner))
                .withNewSpec()
                .withNewPodSelector()
                .withMatchLabels(Map.of(LABEL_JOB, base, LABEL_PHASE, ALGORITHM))
                .endPodSelector()
                .withPolicyTypes("Ingress", "Egress")
                .endSpec()
                .build();
    }

    static Job configure(String base, OwnerReference owner, K8sConfig config) {
        Container c = helper(CONFIGURE, config, CONFIGURE_SCRIPT)
                .addToVolumeMounts(mount("data", VOLUME, null, false))
                .addToVolumeMounts(mount("secret", FETCH_DIR, null, true))
                .build();
        return job(base, CONFIGURE, owner, config, c, config.stageTimeout().toSeconds(), secretName(base));
    }

    static Job publish(String base, OwnerReference owner, K8sConfig config) {
        Container c = helper(PUBLISH, config, PUBLISH_SCRIPT)
                .addToVolumeMounts(mount("data", VOLUME, null, true))
                .addToVolumeMounts(mount("secret", UPLOAD_DIR, null, true))
                .build();
        return job(base, PUBLISH, owner, config, c, config.stageTimeout().toSeconds(), uploadSecretName(base));
    }

    /**
     * The algorithm Job: the consumer's image, pinned by digest when given, with the environment's
     * resources as both requests and limits, the job's time limit as a hard deadline, and no way
     * to gain privileges or reach the Kubernetes API.
     */
    static Job algorithm(
            String base,
            OwnerReference owner,
            K8sConfig config,
            ComputeEnvironment environment,
            long deadlineSeconds,
            String image,
            List<String> command,
            List<String> dids,
            String transformationDid) {
        Map<String, Quantity> resources = new LinkedHashMap<>();
        resources.put("cpu", new Quantity(BigDecimal.valueOf(environment.cpus()).toPlainString()));
        resources.put("memory", new Quantity(Long.toString(environment.memoryBytes())));
        if (environment.gpus() > 0) {
            resources.put("nvidia.com/gpu", new Quantity(Integer.toString(environment.gpus())));
        }
        List<EnvVar> env = new ArrayList<>();
        env.add(new EnvVar("DIDS", jsonList(dids), null));
        env.add(new EnvVar("TRANSFORMATION_DID", transformationDid == null ? "" : transformationDid, null));
        env.add(new EnvVar("VOLUME", VOLUME, null));
        env.add(new EnvVar("INPUTS", VOLUME + "/inputs", null));
        env.add(new EnvVar("OUTPUTS", VOLUME + "/outputs", null));
        env.add(new EnvVar("LOGS", VOLUME + "/logs", null));
        Container c = new ContainerBuilder()
                .withName(ALGORITHM)
                .withImage(image)
                .withImagePullPolicy("IfNotPresent")
                .withCommand(command)
                .withWorkingDir(VOLUME)
                .withEnv(env)
                .withResources(new ResourceRequirementsBuilder()
                        .withRequests(resources)
                        .withLimits(resources)
                        .build())
                .withSecurityContext(containerSecurity(config))
                .addToVolumeMounts(mount("data", VOLUME + "/inputs", "inputs", true))
                .addToVolumeMounts(mount("data", VOLUME + "/transformations", "transformations", true))
                .addToVolumeMounts(mount("data", VOLUME + "/outputs", "outputs", false))
                .addToVolumeMounts(mount("data", VOLUME + "/logs", "logs", false))
                .build();
        Job job = job(base, ALGORITHM, owner, config, c, deadlineSeconds, null);
        // Only the consumer's code gets the sandbox: the helper phases run the publisher's image.
        job.getSpec().getTemplate().getSpec().setRuntimeClassName(config.runtimeClass());
        return job;
    }

    private static ContainerBuilder helper(String name, K8sConfig config, String script) {
        return new ContainerBuilder()
                .withName(name)
                .withImage(config.helperImage())
                .withImagePullPolicy("IfNotPresent")
                .withCommand("sh", "-c", script)
                .withSecurityContext(containerSecurity(config))
                .withResources(new ResourceRequirementsBuilder()
                        .withRequests(Map.of("cpu", new Quantity("100m"), "memory", new Quantity("64Mi")))
                        .withLimits(Map.of("cpu", new Quantity("1"), "memory", new Quantity("256Mi")))
                        .build());
    }

    private static io.fabric8.kubernetes.api.model.SecurityContext containerSecurity(K8sConfig config) {
        return new io.fabric8.kubernetes.api.model.SecurityContextBuilder()
                .withRunAsNonRoot(true)
                .withRunAsUser(config.runAsUser())
                .withRunAsGroup(config.runAsUser())
                .withPrivileged(false)
                .withAllowPrivilegeEscalation(false)
                .withNewCapabilities()
                .withDrop("ALL")
                .endCapabilities()
                .withNewSeccompProfile()
                .withType("RuntimeDefault")
                .endSeccompProfile()
                .build();
    }

    private static VolumeMount mount(String volume, String path, String subPath, boolean readOnly) {
        return new VolumeMountBuilder()
                .withName(volume)
                .withMountPath(path)
                .withSubPath(subPath)
                .withReadOnly(readOnly)
                .build();
    }

    private static Job job(
            String base,
            String phase,
            OwnerReference owner,
            K8sConfig config,
            Container container,
            long deadlineSeconds,
            String secret) {
        Map<String, String> podLabels = new LinkedHashMap<>(partLabels(base));
        podLabels.put(LABEL_PHASE, phase);
        JobBuilder b = new JobBuilder()
                .withMetadata(partMeta(phaseName(base, phase), base, owner))
                .editMetadata()
                .addToLabels(LABEL_PHASE, phase)
                .endMetadata()
                .withNewSpec()
                // One attempt: a failed phase fails the job; a retry would hide the exit code.
                .withBackoffLimit(0)
                .withActiveDeadlineSeconds(Math.max(1, deadlineSeconds))
                .withNewTemplate()
                .withNewMetadata()
                .withLabels(podLabels)
                .endMetadata()
                .withNewSpec()
                .withRestartPolicy("Never")
                .withAutomountServiceAccountToken(false)
                .withEnableServiceLinks(false)
                .withNodeSelector(config.nodeSelector().isEmpty() ? null : config.nodeSelector())
                .withImagePullSecrets(config.pullSecrets().stream()
                        .map(LocalObjectReference::new)
                        .toList())
                .withNewSecurityContext()
                .withRunAsNonRoot(true)
                .withRunAsUser(config.runAsUser())
                .withRunAsGroup(config.runAsUser())
                .withFsGroup(config.runAsUser())
                .endSecurityContext()
                .withContainers(container)
                .addNewVolume()
                .withName("data")
                .withNewPersistentVolumeClaim()
                .withClaimName(volumeName(base))
                .endPersistentVolumeClaim()
                .endVolume()
                .endSpec()
                .endTemplate()
                .endSpec();
        if (secret != null) {
            b.editSpec()
                    .editTemplate()
                    .editSpec()
                    .addNewVolume()
                    .withName("secret")
                    .withNewSecret()
                    .withSecretName(secret)
                    .withDefaultMode(0444)
                    .endSecret()
                    .endVolume()
                    .endSpec()
                    .endTemplate()
                    .endSpec();
        }
        return b.build();
    }

    static String jsonList(List<String> values) {
        StringBuilder sb = new StringBuilder("[");
        for (int i = 0; i < values.size(); i++) {
            sb.append(i == 0 ? "" : ",").append('"');
            for (char ch : values.get(i).toCharArray()) {
                if (ch == '"' || ch == '\\') {
                    sb.append('\\');
                }
                sb.append(ch);
            }
            sb.append('"');
        }
        return sb.append(']').toString();
    }

    static String sha256(String s) {
        try {
            return HexFormat.of()
                    .formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
