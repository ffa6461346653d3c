package io.brizo.compute.k8s;

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
import io.brizo.spi.JobEvidence;
import io.brizo.spi.JobState;
import io.brizo.spi.JobStatus;
import io.brizo.spi.LogChunk;
import io.brizo.spi.ObjectInfo;
import io.brizo.spi.OutputFile;
import io.brizo.spi.OutputPublication;
import io.brizo.spi.StorageAccess;
import io.brizo.spi.StorageObject;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.DeletionPropagation;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobCondition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.NonNamespaceOperation;
import io.fabric8.kubernetes.client.dsl.Resource;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs compute jobs on Kubernetes, in three phases, each a Kubernetes Job over a per-job volume:
 *
 * <ol>
 *   <li><b>configure</b> (helper image): fetches the inputs and the algorithm through presigned
 *       URLs of the publisher's storage, or else single-use transfer links served by the library
 *       ({@link io.brizo.spi.StorageAccess#transferLink}), into the volume, in the Ocean layout ({@code
 *       /data/inputs/<did>/<index>}, {@code /data/transformations/algorithm});
 *   <li><b>algorithm</b> (the consumer's image, by digest when given): the environment's CPU,
 *       memory and GPU as requests and limits, the job's time limit as {@code
 *       activeDeadlineSeconds}, non-root, no privilege escalation, no service-account token, and
 *       a NetworkPolicy that denies all traffic to and from it;
 *   <li><b>publish</b> (helper image): uploads the outputs and the algorithm's log files to the
 *       configured output location through an upload link of the library ({@link
 *       io.brizo.spi.StorageAccess#uploadLink}), made when the phase starts; the backend then
 *       checks every listed file in storage and records their names and sizes.
 * </ol>
 *
 * <p>Why separate pods rather than init containers of one pod: a NetworkPolicy applies to a whole
 * pod, and the configure and publish phases need the network that the algorithm must not have.
 *
 * <p><b>State.</b> Everything lives in Kubernetes objects: a root ConfigMap per job (named from
 * the job id, so every replica finds it) carries owner, agreement, state, times and exit code in
 * annotations and the phase manifests in its data; every other object is owned by it. Transitions
 * are compare-and-set updates of the root (a 409 means another replica got there first), object
 * creation treats 409 as success, and any replica may advance any job, so the server can restart
 * or run as several replicas without losing or duplicating jobs. Running jobs are advanced by
 * polling (no watch to reconnect) and on every status request.
 *
 * <p>Thread-safe. Public only so the type can be named; it is created by {@link
 * KubernetesComputeBackendFactory}.
 */
public final class KubernetesComputeBackend implements ComputeBackend {
    private static final Logger LOG = LoggerFactory.getLogger(KubernetesComputeBackend.class);

    static final String A_JOB_ID = JobObjects.DOMAIN + "job-id";
    static final String A_OWNER = JobObjects.DOMAIN + "owner";
    static final String A_AGREEMENT = JobObjects.DOMAIN + "agreement";
    static final String A_STATE = JobObjects.DOMAIN + "state";
    static final String A_CREATED = JobObjects.DOMAIN + "created";
    static final String A_STARTED = JobObjects.DOMAIN + "started";
    static final String A_FINISHED = JobObjects.DOMAIN + "finished";
    static final String A_EXIT = JobObjects.DOMAIN + "exit-code";
    static final String A_MESSAGE = JobObjects.DOMAIN + "message";
    static final String A_ENVIRONMENT = JobObjects.DOMAIN + "environment";
    /** The job's report marker: see {@link JobObjects#MARKER_FILE}. */
    static final String A_MARKER = JobObjects.DOMAIN + "report-marker";
    /** Evidence kept for the job's receipt, as given to {@link #start} and as seen. */
    static final String A_AGREEMENTS = JobObjects.DOMAIN + "agreements";

    static final String A_ALGORITHM_DID = JobObjects.DOMAIN + "algorithm-did";
    /** What the consumer asked to be done with the outputs ({@link OutputPublication}), as JSON; absent: nothing. */
    static final String A_OUTPUT = JobObjects.DOMAIN + "output";

    static final String A_CONTAINER = JobObjects.DOMAIN + "container";
    static final String A_MAX_DURATION = JobObjects.DOMAIN + "max-duration";
    static final String A_ENVIRONMENT_SPEC = JobObjects.DOMAIN + "environment-spec";
    static final String A_IMAGE_DIGEST = JobObjects.DOMAIN + "image-digest";
    /** Set, with the reason, when the job's evidence could not be kept whole: it then has none. */
    static final String A_EVIDENCE_INCOMPLETE = JobObjects.DOMAIN + "evidence-incomplete";
    /** On the kept log's ConfigMap: the size and sha256 of the log as kept. */
    static final String A_SIZE = JobObjects.DOMAIN + "size";

    static final String A_SHA256 = JobObjects.DOMAIN + "sha256";

    private static final com.fasterxml.jackson.databind.ObjectMapper JSON =
            new com.fasterxml.jackson.databind.ObjectMapper();
    private static final java.security.SecureRandom RANDOM = new java.security.SecureRandom();
    private static final java.util.regex.Pattern IMAGE_DIGEST = java.util.regex.Pattern.compile("sha256:[0-9a-f]{64}$");

    /** Most of the algorithm's log kept after it ends (a ConfigMap holds at most 1 MiB). */
    static final int MAX_KEPT_LOG = 256 * 1024;
    /** Most bytes of the publish phase's log read for its manifest (names and sizes only). */
    static final int MAX_MANIFEST_LOG = 2 << 20;
    /** The container's log, as kept, under a job's prefix in the output location. */
    static final String ALGORITHM_LOG = "algorithm.log";

    static final int MAX_LOG_CHUNK = 1 << 20;
    private static final int ATTEMPTS = 4;
    private static final Duration FIRST_BACKOFF = Duration.ofMillis(200);
    private static final Duration LOG_TIMEOUT = Duration.ofSeconds(30);
    /** Covers the wait between making an upload link and the publish Job's deadline starting. */
    private static final Duration LINK_MARGIN = Duration.ofMinutes(1);

    /** The verbs on one named object, whose 404 means that the object, and so its job, is gone. */
    private static final Set<String> OBJECT_VERBS = Set.of("get", "update", "delete");

    private static final Set<String> PULL_ERRORS =
            Set.of("ErrImagePull", "ImagePullBackOff", "InvalidImageName", "ErrImageNeverPull");

    private final K8sConfig config;
    private final KubernetesClient client;
    private final StorageAccess storage;
    private final boolean ownsClient;
    private final String ns;
    private final ConcurrentHashMap<String, Object> locks = new ConcurrentHashMap<>();
    private final ScheduledExecutorService poller;
    private volatile boolean closed;

    KubernetesComputeBackend(K8sConfig config, KubernetesClient client, StorageAccess storage, boolean ownsClient) {
        this.config = config;
        this.client = client;
        this.storage = storage;
        this.ownsClient = ownsClient;
        this.ns = config.namespace();
        this.poller = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "brizo-k8s-poller");
            t.setDaemon(true);
            return t;
        });
        long every = config.pollInterval().toMillis();
        poller.scheduleWithFixedDelay(this::advanceAll, every, every, TimeUnit.MILLISECONDS);
    }

    @Override
    public List<ComputeEnvironment> environments() {
        return config.environments();
    }

    @Override
    public JobStatus start(ComputeJob job) {
        ComputeEnvironment environment = config.environments().stream()
                .filter(e -> e.id().equals(job.environmentId()))
                .findFirst()
                .orElseThrow(() -> BrizoException.invalid("unknown compute environment '" + job.environmentId() + "'"));
        String base = JobObjects.baseName(job.jobId());
        ConfigMap existing = root(base);
        if (existing != null) {
            return sameJob(existing, job);
        }
        StringBuilder plan = new StringBuilder();
        List<String> dids = new ArrayList<>();
        for (Asset input : job.inputs()) {
            dids.add(input.did());
            String dir = input.did().substring("did:op:".length());
            List<AssetFile> files = input.files();
            for (int i = 0; i < files.size(); i++) {
                plan.append("inputs/")
                        .append(dir)
                        .append('/')
                        .append(i)
                        .append(' ')
                        .append(presign(files.get(i), "input " + input.did() + " file " + i))
                        .append('\n');
            }
        }
        ComputeAlgorithm algorithm = job.algorithm();
        String raw = algorithm.code().rawCode();
        if (raw == null) {
            plan.append("transformations/algorithm ")
                    .append(presign(algorithm.code().file(), "the algorithm"))
                    .append('\n');
        }
        long deadline = Math.max(
                1,
                Math.min(
                        job.maxDuration().toSeconds(), environment.maxDuration().toSeconds()));
        Job algorithmJob = JobObjects.algorithm(
                base,
                null,
                config,
                environment,
                deadline,
                algorithm.container().reference(),
                command(algorithm.container().entrypoint()),
                dids,
                algorithm.did());

        Map<String, String> annotations = new LinkedHashMap<>();
        annotations.put(A_JOB_ID, job.jobId());
        annotations.put(A_OWNER, job.owner());
        annotations.put(A_AGREEMENT, job.agreementId());
        annotations.put(A_STATE, JobState.QUEUED.name());
        annotations.put(A_CREATED, Instant.now().toString());
        annotations.put(A_ENVIRONMENT, environment.id());
        String marker = newMarker();
        annotations.put(A_MARKER, marker);
        annotations.put(A_AGREEMENTS, JobObjects.jsonList(job.agreementIds()));
        if (algorithm.did() != null) {
            annotations.put(A_ALGORITHM_DID, algorithm.did());
        }
        job.outputIfAny().ifPresent(o -> annotations.put(A_OUTPUT, outputJson(o)));
        annotations.put(A_CONTAINER, containerJson(algorithm.container()));
        annotations.put(A_MAX_DURATION, job.maxDuration().toString());
        annotations.put(A_ENVIRONMENT_SPEC, environmentJson(environment));
        Map<String, String> data = new LinkedHashMap<>();
        data.put(JobObjects.CONFIGURE, json(JobObjects.configure(base, null, config)));
        data.put(JobObjects.ALGORITHM, json(algorithmJob));
        data.put(JobObjects.PUBLISH, json(JobObjects.publish(base, null, config)));

        ConfigMap created;
        try {
            created = api(new Call("create", "configmaps", base), () -> client.resource(
                            JobObjects.root(base, annotations, data))
                    .inNamespace(ns)
                    .create());
        } catch (BrizoException e) {
            if (e.kind() != ErrorKind.CONFLICT) {
                throw e;
            }
            // Started twice at once (two replicas, or a client retry): the first one wins.
            ConfigMap winner = root(base);
            if (winner == null) {
                throw new BrizoException(
                        ErrorKind.CONFLICT,
                        "the namespace holds a ConfigMap named " + base + " that is not a compute job; job "
                                + job.jobId() + " cannot be started under that id");
            }
            return sameJob(winner, job);
        }
        try {
            createPart(JobObjects.fetchSecret(base, JobObjects.ownedBy(created), plan.toString(), raw, marker));
        } catch (RuntimeException e) {
            // Without its links the job could only wait for its configure deadline: end it now.
            try {
                fail(base, JobState.QUEUED, "the job's input links could not be stored in Kubernetes", null);
            } catch (RuntimeException again) {
                e.addSuppressed(again);
            }
            throw e;
        }
        advance(base);
        return status(job.jobId());
    }

    private JobStatus sameJob(ConfigMap existing, ComputeJob job) {
        Map<String, String> a = annotations(existing);
        if (!job.jobId().equals(a.get(A_JOB_ID)) || !job.owner().equals(a.get(A_OWNER))) {
            throw new BrizoException(ErrorKind.CONFLICT, "a different job with id " + job.jobId() + " exists");
        }
        return statusOf(existing);
    }

    private String presign(AssetFile file, String what) {
        // Presigned URLs first: the pod then reads the storage directly. Otherwise a single-use
        // link served by the library, which streams the object through this server.
        URI url = storage.presignGet(file.url(), config.presignLifetime())
                .or(() -> storage.transferLink(file.url(), config.presignLifetime()))
                .orElseThrow(() -> BrizoException.configuration("the storage of " + what
                        + " cannot make presigned URLs and the library makes no download links for it"
                        + " because BRIZO_PUBLIC_URL is not set; set BRIZO_PUBLIC_URL to the URL at which pods"
                        + " reach this server, keep compute inputs and algorithms on storage that can presign"
                        + " (S3, Azure), or use the local compute backend"));
        String s = url.toString();
        if (s.chars().anyMatch(Character::isWhitespace)) {
            throw new BrizoException(ErrorKind.UPSTREAM_FAILED, "a storage driver made a presigned URL with spaces");
        }
        return s;
    }

    /** {@return the entrypoint split into words, {@code $ALGO} replaced; no shell parses it} */
    static List<String> command(String entrypoint) {
        List<String> words = Arrays.stream(entrypoint.trim().split("\\s+"))
                .filter(w -> !w.isEmpty())
                .map(w -> w.replace("$ALGO", JobObjects.ALGORITHM_PATH))
                .toList();
        if (words.isEmpty()) {
            throw BrizoException.invalid("the algorithm's entrypoint is blank");
        }
        return words;
    }

    @Override
    public JobStatus status(String jobId) {
        String base = JobObjects.baseName(jobId);
        try {
            advance(base);
        } catch (BrizoException e) {
            // The status as last recorded is still worth reporting; the poller tries again. A
            // misconfiguration (RBAC) or a defect will not pass by itself: the operator should see it.
            if (e.retryable() || e.kind() == ErrorKind.NOT_FOUND) {
                LOG.debug("could not advance job {}: {}", base, e.getMessage());
            } else {
                LOG.warn("could not advance job {}: {} {}", base, e.kind(), e.getMessage());
            }
        }
        return statusOf(requireRoot(jobId));
    }

    @Override
    public List<JobStatus> jobs(String owner, String agreementId) {
        List<ConfigMap> roots = api(new Call("list", "configmaps", null), () -> client.configMaps()
                .inNamespace(ns)
                .withLabel(JobObjects.LABEL_MANAGED, JobObjects.MANAGED)
                .withLabel(JobObjects.LABEL_ROLE, JobObjects.ROLE_JOB)
                .list()
                .getItems());
        return roots.stream()
                .map(KubernetesComputeBackend::statusOf)
                .filter(s -> s.state() != JobState.DELETED)
                .filter(s -> owner == null || owner.equalsIgnoreCase(s.owner()))
                .filter(s -> agreementId == null || agreementId.equals(s.agreementId()))
                .sorted(Comparator.comparing(JobStatus::created).reversed())
                .toList();
    }

    @Override
    public JobStatus stop(String jobId) {
        String base = JobObjects.baseName(jobId);
        synchronized (lock(base)) {
            JobStatus current = status(jobId);
            if (current.state().isTerminal()) {
                return current;
            }
            if (current.state() == JobState.RUNNING) {
                keepLog(base);
                recordImage(base);
            }
            transition(
                    base,
                    s -> !s.isTerminal(),
                    Map.of(
                            A_STATE, JobState.STOPPED.name(),
                            A_FINISHED, Instant.now().toString(),
                            A_MESSAGE, "stopped by its owner"));
            // The volume stays: it holds whatever the algorithm wrote so far.
            deletePhases(base);
            deleteQuietly(
                    "secrets", JobObjects.secretName(base), client.secrets().inNamespace(ns));
            return statusOf(requireRoot(jobId));
        }
    }

    @Override
    public void delete(String jobId) {
        String base = JobObjects.baseName(jobId);
        synchronized (lock(base)) {
            requireRoot(jobId);
            // Stored files first, while the index still names them: a failure leaves the job as
            // it was, so deleting again finishes the work.
            deleteStored(base);
            // The root stays as a small tombstone so status reports DELETED; its manifests go.
            transition(
                    base,
                    s -> s != JobState.DELETED,
                    Map.of(
                            A_STATE, JobState.DELETED.name(),
                            A_FINISHED, Instant.now().toString(),
                            A_MESSAGE, "deleted by its owner"));
            deletePhases(base);
            deleteParts(base);
        }
    }

    /** Deletes the job's outputs, log files and kept log from the output location. */
    private void deleteStored(String base) {
        ConfigMap index = outputsMap(base);
        List<URI> locations = new ArrayList<>();
        for (String kind : List.of(OutputStore.OUTPUTS, OutputStore.LOGS)) {
            OutputStore.list(index, kind).forEach(f -> locations.add(stored(base, kind, f.name())));
        }
        locations.add(StorageAccess.resolve(prefix(base), ALGORITHM_LOG));
        try {
            for (URI location : locations) {
                storage.delete(location);
            }
        } catch (BrizoException e) {
            if (e.kind() != ErrorKind.CONFIGURATION) {
                throw e;
            }
            // A driver that cannot delete: the job still goes, its files stay (see the README).
            LOG.warn("the outputs of job {} stay in the output location: {}", base, e.getMessage());
        }
    }

    @Override
    public LogChunk logs(String jobId, long fromOffset) {
        if (fromOffset < 0) {
            throw BrizoException.invalid("the log offset must not be negative");
        }
        JobStatus status = status(jobId);
        String base = JobObjects.baseName(jobId);
        byte[] log;
        if (status.state() == JobState.DELETED) {
            throw BrizoException.notFound("job " + jobId + " was deleted");
        } else if (status.state() == JobState.RUNNING) {
            // The log API has no offset: read up to the end of the chunk asked for, no further.
            log = podLog(base, JobObjects.ALGORITHM, (int) Math.min(Integer.MAX_VALUE, fromOffset + MAX_LOG_CHUNK));
        } else {
            log = keptLog(base);
        }
        int from = (int) Math.min(fromOffset, log.length);
        int to = Math.min(log.length, from + MAX_LOG_CHUNK);
        byte[] chunk = Arrays.copyOfRange(log, from, to);
        boolean complete = status.state().isTerminal() && to >= log.length;
        return new LogChunk(fromOffset > log.length ? fromOffset : from, chunk, complete);
    }

    @Override
    public List<OutputFile> outputs(String jobId) {
        JobStatus status = status(jobId);
        if (status.state() == JobState.DELETED) {
            throw BrizoException.notFound("job " + jobId + " was deleted");
        }
        return OutputStore.list(outputsMap(JobObjects.baseName(jobId)), OutputStore.OUTPUTS);
    }

    @Override
    public StorageObject openOutput(String jobId, String name) {
        JobStatus status = status(jobId);
        if (status.state() == JobState.DELETED) {
            throw BrizoException.notFound("job " + jobId + " was deleted");
        }
        String base = JobObjects.baseName(jobId);
        OutputFile file = OutputStore.list(outputsMap(base), OutputStore.OUTPUTS).stream()
                .filter(f -> f.name().equals(name))
                .findFirst()
                .orElseThrow(() -> BrizoException.notFound("job " + jobId + " has no output named " + name));
        return storage.open(stored(base, OutputStore.OUTPUTS, file.name()), ByteRange.all());
    }

    /**
     * {@inheritDoc} Read from the job's Kubernetes objects only (root annotations, {@code
     * <base>-evidence}, {@code <base>-outputs}, {@code <base>-log}), so it survives a restart of
     * the server and the deletion of the pods, and goes with the job's delete. Empty for a job
     * whose evidence could not be kept whole ({@code brizo.io/evidence-incomplete} on its root
     * says why) and for jobs started before this backend kept evidence.
     */
    @Override
    public Optional<JobEvidence> evidence(String jobId) {
        JobState state = status(jobId).state();
        if (state == JobState.DELETED) {
            throw BrizoException.notFound("job " + jobId + " was deleted");
        }
        if (!state.isTerminal()) {
            return Optional.empty();
        }
        String base = JobObjects.baseName(jobId);
        Map<String, String> a = annotations(requireRoot(jobId));
        if (a.get(A_MARKER) == null) {
            return Optional.empty();
        }
        if (a.containsKey(A_EVIDENCE_INCOMPLETE)) {
            LOG.debug("job {} has no evidence: {}", base, a.get(A_EVIDENCE_INCOMPLETE));
            return Optional.empty();
        }
        try {
            List<JobEvidence.FileDigest> algorithmFiles = new ArrayList<>();
            List<JobEvidence.InputDigest> inputs = new ArrayList<>();
            ConfigMap fetched = configMap(JobObjects.evidenceName(base));
            if (fetched == null && state == JobState.SUCCEEDED) {
                return Optional.empty();
            }
            String lines = fetched == null || fetched.getData() == null
                    ? null
                    : fetched.getData().get(FETCHED);
            for (String line : lines == null ? new String[0] : lines.split("\n")) {
                String[] f = line.split("\t", 3);
                if (f.length != 3) {
                    continue;
                }
                long size = Long.parseLong(f[0]);
                if (f[2].equals("transformations/algorithm")) {
                    algorithmFiles.add(new JobEvidence.FileDigest("algorithm", size, f[1]));
                } else if (f[2].startsWith("inputs/")) {
                    String[] p = f[2].split("/");
                    inputs.add(new JobEvidence.InputDigest("did:op:" + p[1], Integer.parseInt(p[2]), size, f[1]));
                }
            }
            List<JobEvidence.FileDigest> outputs = new ArrayList<>();
            if (state == JobState.SUCCEEDED) {
                for (OutputStore.Entry e : OutputStore.entries(outputsMap(base), OutputStore.OUTPUTS)) {
                    if (e.sha256() == null) {
                        return Optional.empty();
                    }
                    outputs.add(
                            new JobEvidence.FileDigest(e.file().name(), e.file().size(), e.sha256()));
                }
            }
            JobEvidence.FileDigest log = null;
            ConfigMap kept = configMap(JobObjects.logName(base));
            if (kept != null && annotations(kept).containsKey(A_SHA256)) {
                log = new JobEvidence.FileDigest(
                        ALGORITHM_LOG,
                        Long.parseLong(annotations(kept).get(A_SIZE)),
                        annotations(kept).get(A_SHA256));
            }
            com.fasterxml.jackson.databind.JsonNode c = JSON.readTree(a.get(A_CONTAINER));
            com.fasterxml.jackson.databind.JsonNode env = JSON.readTree(a.get(A_ENVIRONMENT_SPEC));
            List<String> agreements = new ArrayList<>();
            JSON.readTree(a.get(A_AGREEMENTS)).forEach(n -> agreements.add(n.asText()));
            return Optional.of(new JobEvidence(
                    "kubernetes",
                    new ComputeEnvironment(
                            env.get("id").asText(),
                            env.get("description").asText(),
                            env.get("cpus").asDouble(),
                            env.get("memoryBytes").asLong(),
                            env.get("gpus").asInt(),
                            Duration.parse(env.get("maxDuration").asText())),
                    Duration.parse(a.get(A_MAX_DURATION)),
                    agreements,
                    a.get(A_ALGORITHM_DID),
                    new AlgorithmContainer(
                            c.get("image").asText(),
                            c.hasNonNull("tag") ? c.get("tag").asText() : null,
                            c.hasNonNull("digest") ? c.get("digest").asText() : null,
                            c.get("entrypoint").asText()),
                    a.get(A_IMAGE_DIGEST),
                    algorithmFiles,
                    inputs,
                    outputs,
                    log,
                    a.containsKey(A_OUTPUT) ? output(a.get(A_OUTPUT)) : null));
        } catch (java.io.IOException | RuntimeException e) {
            if (e instanceof BrizoException b) {
                throw b;
            }
            // Objects edited by hand, or by a defect: no evidence rather than a wrong one.
            LOG.warn("the evidence of job {} is unreadable: {}", base, e.toString());
            return Optional.empty();
        }
    }

    /** {@return the annotation of a job's output request} Metadata is kept as its JSON text. */
    static String outputJson(OutputPublication o) {
        com.fasterxml.jackson.databind.node.ObjectNode n = JSON.createObjectNode()
                .put("publishOutput", o.publishOutput())
                .put("publishAlgorithmLog", o.publishAlgorithmLog())
                .put("owner", o.owner());
        n.put("metadata", o.metadataJson());
        return n.toString();
    }

    /** {@return the output request in the annotation {@link #outputJson} wrote} */
    static OutputPublication output(String json) throws java.io.IOException {
        com.fasterxml.jackson.databind.JsonNode n = JSON.readTree(json);
        return new OutputPublication(
                n.get("publishOutput").asBoolean(),
                n.get("publishAlgorithmLog").asBoolean(),
                n.get("owner").asText(),
                n.hasNonNull("metadata") ? n.get("metadata").asText() : null);
    }

    /** Key of {@code <base>-evidence} holding "size TAB sha256 TAB destination" lines. */
    static final String FETCHED = "fetched";

    /**
     * Keeps what the configure phase reported having fetched (size and sha256 of each input file
     * and of the algorithm) in {@code <base>-evidence}, unless kept already.
     *
     * @return why the report could not be kept whole, or null if it was
     */
    private String recordFetched(String base, ConfigMap root, OwnerReference owner) {
        String marker = annotations(root).get(A_MARKER);
        if (marker == null) {
            return null; // a job started before reports: it has no evidence at all
        }
        String name = JobObjects.evidenceName(base);
        ConfigMap existing = configMap(name);
        if (existing != null) {
            return annotations(existing).get(A_EVIDENCE_INCOMPLETE);
        }
        String log = new String(podLog(base, JobObjects.CONFIGURE, MAX_MANIFEST_LOG), StandardCharsets.UTF_8);
        StringBuilder lines = new StringBuilder();
        boolean done = false;
        for (String line : log.split("\n")) {
            if (!line.startsWith(marker + " ")) {
                continue; // only the helper's own lines: see JobObjects.MARKER_FILE
            }
            String[] f = line.substring(marker.length() + 1).split(" ", 4);
            if (f.length == 1 && f[0].equals("done")) {
                done = true;
                break;
            }
            if (f.length != 4
                    || !f[0].equals("fetched")
                    || !f[1].matches("\\d{1,18}")
                    || !f[2].matches("[0-9a-f]{64}")) {
                break;
            }
            lines.append(f[1])
                    .append('\t')
                    .append(f[2])
                    .append('\t')
                    .append(f[3])
                    .append('\n');
        }
        String why = !done
                ? "the configure phase did not report the digest of every file it fetched"
                : lines.length() > OutputStore.MAX_INDEX_CHARS
                        ? "the digests of the inputs take more than " + OutputStore.MAX_INDEX_CHARS / 1024 + " KiB"
                        : null;
        ConfigMapBuilder b = new ConfigMapBuilder()
                .withMetadata(JobObjects.partMeta(name, base, owner))
                .withData(Map.of(FETCHED, why == null ? lines.toString() : ""));
        if (why != null) {
            LOG.warn("job {} keeps no evidence: {}", base, why);
            b.editMetadata().addToAnnotations(A_EVIDENCE_INCOMPLETE, why).endMetadata();
        }
        createPart(b.build());
        return why;
    }

    /**
     * Records the digest of the image the algorithm's container ran, as its {@code imageID}
     * reports it, when that holds a sha256 digest; read before the pods go.
     */
    private void recordImage(String base) {
        ConfigMap root = root(base);
        if (root == null || annotations(root).containsKey(A_IMAGE_DIGEST)) {
            return;
        }
        for (Pod pod : pods(base, JobObjects.ALGORITHM)) {
            for (ContainerStatus cs : containerStatuses(pod)) {
                if (JobObjects.ALGORITHM.equals(cs.getName()) && cs.getImageID() != null) {
                    java.util.regex.Matcher m = IMAGE_DIGEST.matcher(cs.getImageID());
                    if (m.find()) {
                        transition(base, s -> s != JobState.DELETED, Map.of(A_IMAGE_DIGEST, m.group()));
                        return;
                    }
                }
            }
        }
    }

    private ConfigMap configMap(String name) {
        return api(
                new Call("get", "configmaps", name),
                () -> client.configMaps().inNamespace(ns).withName(name).get());
    }

    private static String newMarker() {
        byte[] b = new byte[16];
        RANDOM.nextBytes(b);
        return "brizo-report-" + java.util.HexFormat.of().formatHex(b);
    }

    private static String containerJson(AlgorithmContainer c) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("image", c.image());
        m.put("tag", c.tag());
        m.put("digest", c.digest());
        m.put("entrypoint", c.entrypoint());
        return writeJson(m);
    }

    private static String environmentJson(ComputeEnvironment e) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", e.id());
        m.put("description", e.description());
        m.put("cpus", e.cpus());
        m.put("memoryBytes", e.memoryBytes());
        m.put("gpus", e.gpus());
        m.put("maxDuration", e.maxDuration().toString());
        return writeJson(m);
    }

    private static String writeJson(Object o) {
        try {
            return JSON.writeValueAsString(o);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new BrizoException(ErrorKind.INTERNAL, "a job annotation could not be written", null, false);
        }
    }

    private static String sha256(byte[] bytes) {
        try {
            return java.util.HexFormat.of()
                    .formatHex(
                            java.security.MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** {@return where {@code name} of {@code kind} (outputs or logs) is stored} */
    private URI stored(String base, String kind, String name) {
        return StorageAccess.resolve(prefix(base), kind + "/" + name);
    }

    /** {@return where the job's outputs and logs are stored: a prefix ending with /} */
    private URI prefix(String base) {
        // The base name is a DNS label, so it needs no quoting in any location.
        return URI.create(config.outputLocation() + base + "/");
    }

    @Override
    public void close() {
        closed = true;
        poller.shutdownNow();
        if (ownsClient) {
            try {
                client.close();
            } catch (RuntimeException e) {
                // Nothing is left to do with a client being thrown away; jobs live on in Kubernetes.
                LOG.warn(
                        "closing the Kubernetes client failed: {}", e.getClass().getSimpleName());
            }
        }
    }

    // ---- advancing jobs ----

    private void advanceAll() {
        try {
            // Ended jobs carry the ended label, so the poll stays cheap however many accumulate.
            List<ConfigMap> roots = api(new Call("list", "configmaps", null), () -> client.configMaps()
                    .inNamespace(ns)
                    .withLabel(JobObjects.LABEL_MANAGED, JobObjects.MANAGED)
                    .withLabel(JobObjects.LABEL_ROLE, JobObjects.ROLE_JOB)
                    .withoutLabel(JobObjects.LABEL_ENDED)
                    .list()
                    .getItems());
            for (ConfigMap root : roots) {
                if (!stateOf(root).isTerminal()) {
                    advance(root.getMetadata().getName());
                }
            }
        } catch (RuntimeException e) {
            if (closed) {
                return; // a poll that was running when the backend closed its client under it
            }
            // The next poll tries again; a poller that died would strand every job.
            LOG.warn("advancing compute jobs failed: {}", e.toString());
        }
    }

    /** Moves the job as far as its Kubernetes objects allow; every step is idempotent. */
    void advance(String base) {
        synchronized (lock(base)) {
            ConfigMap root = root(base);
            if (root == null) {
                return;
            }
            JobState state = stateOf(root);
            OwnerReference owner = JobObjects.ownedBy(root);
            switch (state) {
                case QUEUED, PROVISIONING -> configurePhase(base, root, owner, state);
                case RUNNING -> algorithmPhase(base, root, owner);
                case PUBLISHING -> publishPhase(base, root, owner);
                default -> {}
            }
        }
    }

    private void configurePhase(String base, ConfigMap root, OwnerReference owner, JobState state) {
        Job job = ensurePhase(root, owner, JobObjects.CONFIGURE);
        if (state == JobState.QUEUED) {
            transition(base, s -> s == JobState.QUEUED, Map.of(A_STATE, JobState.PROVISIONING.name()));
        }
        Optional<String> pullError = pullError(base, JobObjects.CONFIGURE);
        if (pullError.isPresent()) {
            fail(base, JobState.PROVISIONING, "the helper image could not be pulled: " + pullError.get(), null);
            return;
        }
        Optional<JobCondition> failed = condition(job, "Failed");
        if (failed.isPresent()) {
            // The fetch log is not quoted: a tool's error could echo a presigned URL.
            String why = exitCode(base, JobObjects.CONFIGURE)
                    .map(c -> "exit code " + c + " of the fetch (curl's code for a failed download)")
                    .orElse(describe(failed.get()));
            fail(base, JobState.PROVISIONING, "fetching the inputs and the algorithm failed: " + why, null);
        } else if (condition(job, "Complete").isPresent()) {
            String incomplete = recordFetched(base, root, owner);
            ensurePhase(root, owner, JobObjects.ALGORITHM);
            // The inputs' URLs are no longer needed; a leaked Secret should not outlive its use.
            deleteQuietly(
                    "secrets", JobObjects.secretName(base), client.secrets().inNamespace(ns));
            Map<String, String> changes = new LinkedHashMap<>();
            changes.put(A_STATE, JobState.RUNNING.name());
            changes.put(A_STARTED, Instant.now().toString());
            if (incomplete != null) {
                changes.put(A_EVIDENCE_INCOMPLETE, incomplete);
            }
            transition(base, s -> s == JobState.PROVISIONING, changes);
        }
    }

    private void algorithmPhase(String base, ConfigMap root, OwnerReference owner) {
        Job job = ensurePhase(root, owner, JobObjects.ALGORITHM);
        Optional<String> pullError = pullError(base, JobObjects.ALGORITHM);
        if (pullError.isPresent()) {
            fail(base, JobState.RUNNING, "the algorithm's image could not be pulled: " + pullError.get(), null);
            return;
        }
        Optional<String> foreign = foreignImage(base, manifest(root, JobObjects.ALGORITHM));
        if (foreign.isPresent()) {
            fail(base, JobState.RUNNING, foreign.get(), null);
            return;
        }
        Optional<JobCondition> failed = condition(job, "Failed");
        if (failed.isPresent()) {
            keepLog(base);
            recordImage(base);
            if ("DeadlineExceeded".equals(failed.get().getReason())) {
                long limit = job.getSpec().getActiveDeadlineSeconds();
                fail(base, JobState.RUNNING, "the job exceeded its time limit of " + limit + " s", null);
            } else {
                Integer exit = exitCode(base, JobObjects.ALGORITHM).orElse(null);
                String why = exit != null
                        ? "the algorithm exited with code " + exit
                        : "the algorithm failed: " + describe(failed.get());
                fail(base, JobState.RUNNING, why, exit);
            }
        } else if (condition(job, "Complete").isPresent()) {
            keepLog(base);
            recordImage(base);
            if (startPublish(base, root, owner, JobState.RUNNING) != null) {
                transition(base, s -> s == JobState.RUNNING, Map.of(A_STATE, JobState.PUBLISHING.name(), A_EXIT, "0"));
            }
        }
    }

    /**
     * {@return the publish Job, created with its upload link if it does not exist yet; null if
     * no upload link can be made, in which case the job has FAILED from {@code state}}
     */
    private Job startPublish(String base, ConfigMap root, OwnerReference owner, JobState state) {
        try {
            return ensurePhase(root, owner, JobObjects.PUBLISH);
        } catch (BrizoException e) {
            if (e.kind() != ErrorKind.CONFIGURATION) {
                throw e;
            }
            // Retrying cannot help: end the job, saying why, instead of leaving it to the poller.
            fail(base, state, "the outputs cannot be uploaded: " + e.getMessage(), 0);
            return null;
        }
    }

    private void publishPhase(String base, ConfigMap root, OwnerReference owner) {
        Job job = startPublish(base, root, owner, JobState.PUBLISHING);
        if (job == null) {
            return;
        }
        Optional<String> pullError = pullError(base, JobObjects.PUBLISH);
        if (pullError.isPresent()) {
            fail(base, JobState.PUBLISHING, "the helper image could not be pulled: " + pullError.get(), 0);
            return;
        }
        Optional<JobCondition> failed = condition(job, "Failed");
        if (failed.isPresent()) {
            String log = new String(podLog(base, JobObjects.PUBLISH, MAX_MANIFEST_LOG), StandardCharsets.UTF_8);
            String refused = OutputStore.uploadError(log);
            fail(
                    base,
                    JobState.PUBLISHING,
                    refused != null
                            ? "uploading the outputs failed: " + refused
                            : "publishing the outputs failed: " + describe(failed.get()),
                    0);
        } else if (condition(job, "Complete").isPresent()) {
            Map<String, String> changes = new LinkedHashMap<>();
            if (outputsMap(base) == null) {
                String log = new String(podLog(base, JobObjects.PUBLISH, MAX_MANIFEST_LOG), StandardCharsets.UTF_8);
                OutputStore.Manifest manifest =
                        OutputStore.parse(log, annotations(root).get(A_MARKER));
                String problem = manifest.error() != null ? manifest.error() : checkStored(base, manifest);
                if (problem != null) {
                    fail(base, JobState.PUBLISHING, problem, 0);
                    return;
                }
                ConfigMap index = OutputStore.index(JobObjects.outputsName(base), base, owner, manifest);
                if (index == null) {
                    fail(
                            base,
                            JobState.PUBLISHING,
                            "the names of the job's files take more than " + OutputStore.MAX_INDEX_CHARS / 1024
                                    + " KiB in all; write fewer files or shorter names",
                            0);
                    return;
                }
                if (OutputStore.entries(index, OutputStore.OUTPUTS).stream().anyMatch(e -> e.sha256() == null)) {
                    changes.put(
                            A_EVIDENCE_INCOMPLETE,
                            "the digests of the outputs did not fit in the index beside their names");
                }
                createPart(index);
            }
            changes.put(A_STATE, JobState.SUCCEEDED.name());
            changes.put(A_FINISHED, Instant.now().toString());
            transition(base, s -> s == JobState.PUBLISHING, changes);
            deletePhases(base);
            deleteQuietly(
                    "persistentvolumeclaims",
                    JobObjects.volumeName(base),
                    client.persistentVolumeClaims().inNamespace(ns));
        }
    }

    /**
     * {@return why the manifest does not match the storage, or null if every listed file is
     * stored with its listed size} Only then are the outputs offered to the consumer.
     */
    private String checkStored(String base, OutputStore.Manifest manifest) {
        for (String kind : List.of(OutputStore.OUTPUTS, OutputStore.LOGS)) {
            for (OutputFile f : kind.equals(OutputStore.OUTPUTS) ? manifest.outputs() : manifest.logs()) {
                ObjectInfo info;
                try {
                    info = storage.stat(stored(base, kind, f.name()));
                } catch (BrizoException e) {
                    if (e.retryable()) {
                        throw e;
                    }
                    return "the uploaded " + kind + " could not be found in the output location (" + e.kind() + ": "
                            + e.getMessage() + ")";
                }
                if (info.size() != f.size()) {
                    return "an uploaded file of the " + kind + " has " + info.size() + " bytes instead of " + f.size();
                }
            }
        }
        return null;
    }

    private void fail(String base, JobState from, String message, Integer exitCode) {
        Map<String, String> changes = new LinkedHashMap<>();
        changes.put(A_STATE, JobState.FAILED.name());
        changes.put(A_FINISHED, Instant.now().toString());
        changes.put(A_MESSAGE, message);
        if (exitCode != null) {
            changes.put(A_EXIT, exitCode.toString());
        }
        transition(base, s -> s == from, changes);
        deletePhases(base);
    }

    private Job ensurePhase(ConfigMap root, OwnerReference owner, String phase) {
        String base = root.getMetadata().getName();
        Job job = api(new Call("get", "jobs", JobObjects.phaseName(base, phase)), () -> client.batch()
                .v1()
                .jobs()
                .inNamespace(ns)
                .withName(JobObjects.phaseName(base, phase))
                .get());
        if (job != null) {
            return job;
        }
        // What a phase needs exists before its Job, and is (re)made whenever the Job is.
        if (phase.equals(JobObjects.CONFIGURE)) {
            createPart(JobObjects.volume(base, owner, config));
        } else if (phase.equals(JobObjects.ALGORITHM)) {
            createPart(JobObjects.noEgress(base, owner));
        } else if (phase.equals(JobObjects.PUBLISH)) {
            // Made now, not at start, so it lives only as long as the phase that uses it.
            URI link = storage.uploadLink(
                            prefix(base), config.stageTimeout().plus(LINK_MARGIN), config.maxOutputBytes())
                    .orElseThrow(() -> BrizoException.configuration("the library makes no upload links because"
                            + " BRIZO_PUBLIC_URL is not set; set it to the URL at which pods reach this server"));
            // Replaced, not kept: a Secret left by an earlier attempt may hold a link that is gone.
            deleteQuietly(
                    "secrets",
                    JobObjects.uploadSecretName(base),
                    client.secrets().inNamespace(ns));
            createPart(JobObjects.uploadSecret(
                    base, owner, link.toString(), annotations(root).getOrDefault(A_MARKER, "")));
        }
        Job fresh = manifest(root, phase);
        fresh.getMetadata().setOwnerReferences(List.of(owner));
        createPart(fresh);
        return fresh;
    }

    /** {@return the phase's Job as this backend wrote it into the job's root ConfigMap} */
    private Job manifest(ConfigMap root, String phase) {
        String manifest = root.getData() == null ? null : root.getData().get(phase);
        if (manifest == null) {
            throw new BrizoException(
                    ErrorKind.INTERNAL, "job " + root.getMetadata().getName() + " has no " + phase + " manifest");
        }
        try {
            return client.getKubernetesSerialization().unmarshal(manifest, Job.class);
        } catch (KubernetesClientException | IllegalArgumentException e) {
            LOG.debug(
                    "unreadable {} manifest of job {}",
                    phase,
                    root.getMetadata().getName(),
                    e);
            throw new BrizoException(
                    ErrorKind.INTERNAL,
                    "job " + root.getMetadata().getName() + " has an unreadable " + phase + " manifest",
                    BrizoException.redactedCause(e),
                    false);
        }
    }

    /**
     * {@return why the algorithm's pods do not run the image this backend asked for, if they do
     * not} What runs is compared, not assumed: a pod's image reference must be the one written
     * (an admission webhook may rewrite it), and with a digest pin the image the kubelet reports
     * having started ({@code imageID}) must have that digest.
     */
    private Optional<String> foreignImage(String base, Job manifest) {
        String expected = manifest.getSpec()
                .getTemplate()
                .getSpec()
                .getContainers()
                .get(0)
                .getImage();
        int at = expected.indexOf("@sha256:");
        String digest = at < 0 ? null : expected.substring(at + 1);
        for (Pod pod : pods(base, JobObjects.ALGORITHM)) {
            if (pod.getSpec() != null) {
                for (Container c : pod.getSpec().getContainers()) {
                    if (JobObjects.ALGORITHM.equals(c.getName()) && !expected.equals(c.getImage())) {
                        return Optional.of("the algorithm's pod was given the image " + c.getImage() + " instead of "
                                + expected + "; it was stopped");
                    }
                }
            }
            for (ContainerStatus cs : containerStatuses(pod)) {
                String id = cs.getImageID();
                if (digest != null && id != null && !id.isBlank() && !id.endsWith(digest)) {
                    return Optional.of(
                            "the algorithm's container started an image that is not " + expected + "; it was stopped");
                }
            }
        }
        return Optional.empty();
    }

    private static Optional<JobCondition> condition(Job job, String type) {
        if (job.getStatus() == null || job.getStatus().getConditions() == null) {
            return Optional.empty();
        }
        return job.getStatus().getConditions().stream()
                .filter(c -> type.equals(c.getType()) && "True".equals(c.getStatus()))
                .findFirst();
    }

    private static String describe(JobCondition c) {
        String reason = c.getReason() == null ? "unknown reason" : c.getReason();
        return c.getMessage() == null ? reason : reason + ": " + c.getMessage();
    }

    private List<Pod> pods(String base, String phase) {
        return api(new Call("list", "pods", base), () -> client.pods()
                .inNamespace(ns)
                .withLabel(JobObjects.LABEL_JOB, base)
                .withLabel(JobObjects.LABEL_PHASE, phase)
                .list()
                .getItems());
    }

    private Optional<String> pullError(String base, String phase) {
        for (Pod pod : pods(base, phase)) {
            for (ContainerStatus cs : containerStatuses(pod)) {
                if (cs.getState() != null && cs.getState().getWaiting() != null) {
                    String reason = cs.getState().getWaiting().getReason();
                    if (PULL_ERRORS.contains(reason)) {
                        String msg = cs.getState().getWaiting().getMessage();
                        return Optional.of(reason + (msg == null ? "" : ": " + msg));
                    }
                }
            }
        }
        return Optional.empty();
    }

    private Optional<Integer> exitCode(String base, String phase) {
        for (Pod pod : pods(base, phase)) {
            for (ContainerStatus cs : containerStatuses(pod)) {
                if (phase.equals(cs.getName())
                        && cs.getState() != null
                        && cs.getState().getTerminated() != null) {
                    return Optional.ofNullable(cs.getState().getTerminated().getExitCode());
                }
            }
        }
        return Optional.empty();
    }

    private static List<ContainerStatus> containerStatuses(Pod pod) {
        if (pod.getStatus() == null || pod.getStatus().getContainerStatuses() == null) {
            return List.of();
        }
        return pod.getStatus().getContainerStatuses();
    }

    // ---- logs ----

    /** {@return the first {@code limitBytes} of the log of the phase's container, empty if none} */
    private byte[] podLog(String base, String phase, int limitBytes) {
        List<Pod> pods = pods(base, phase);
        if (pods.isEmpty()) {
            return new byte[0];
        }
        // With backoffLimit 0 there is one pod per phase; the newest is the one that counts.
        Pod pod = pods.stream()
                .max(Comparator.comparing(p -> p.getMetadata().getCreationTimestamp() == null
                        ? ""
                        : p.getMetadata().getCreationTimestamp()))
                .orElseThrow();
        String name = pod.getMetadata().getName();
        // A plain GET of the log: fabric8's getLog first waits for the pod to be ready through a
        // list and a watch, even with no wait time, which costs calls and can stall (and does stall
        // the fabric8 mock server). Bytes, not a String, so offsets count what the container wrote.
        String path = "api/v1/namespaces/" + ns + "/pods/" + name + "/log?pretty=false&container=" + phase
                + "&limitBytes=" + limitBytes;
        return api(new Call("get", "pods/log", name), () -> {
            io.fabric8.kubernetes.client.http.HttpClient http = client.getHttpClient();
            io.fabric8.kubernetes.client.http.HttpResponse<byte[]> response;
            try {
                URL url = new URL(client.getMasterUrl(), path);
                response = http.sendAsync(http.newHttpRequestBuilder().url(url).build(), byte[].class)
                        .get(LOG_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                // Not retried: the thread is asked to stop.
                throw new BrizoException(
                        ErrorKind.UNAVAILABLE, "interrupted while reading the log of " + name, null, true);
            } catch (ExecutionException | TimeoutException | java.net.MalformedURLException e) {
                // No status code: a transport failure, which api() retries. The cause stays out of the
                // message: it may name the API server.
                throw new KubernetesClientException(
                        "reading a log failed: " + e.getClass().getSimpleName(), e);
            }
            if (response.code() == 400 || response.code() == 404) {
                // Not started yet (400 "waiting to start") or already gone.
                return new byte[0];
            }
            if (response.code() != 200) {
                // Mapped by api() as any other answer of the API server.
                throw new KubernetesClientException("reading a log failed", response.code(), null);
            }
            return response.body() == null ? new byte[0] : response.body();
        });
    }

    private void keepLog(String base) {
        String name = JobObjects.logName(base);
        if (api(
                        new Call("get", "configmaps", name),
                        () -> client.configMaps().inNamespace(ns).withName(name).get())
                != null) {
            return;
        }
        byte[] log = podLog(base, JobObjects.ALGORITHM, MAX_KEPT_LOG + 1);
        if (log.length > MAX_KEPT_LOG) {
            byte[] marker =
                    "\n[log truncated by brizo: only the first 256 KiB are kept]\n".getBytes(StandardCharsets.UTF_8);
            byte[] cut = Arrays.copyOf(log, MAX_KEPT_LOG + marker.length);
            System.arraycopy(marker, 0, cut, MAX_KEPT_LOG, marker.length);
            log = cut;
        }
        ConfigMap root = root(base);
        if (root == null) {
            return;
        }
        // The digest of the bytes this server holds and is about to store: no second read.
        ConfigMap kept = new ConfigMapBuilder()
                .withMetadata(JobObjects.partMeta(name, base, JobObjects.ownedBy(root)))
                .editMetadata()
                .addToAnnotations(A_SIZE, Integer.toString(log.length))
                .addToAnnotations(A_SHA256, sha256(log))
                .endMetadata()
                .withBinaryData(Map.of("algorithm.log", Base64.getEncoder().encodeToString(log)))
                .build();
        createPart(kept);
        try {
            // Beside the outputs, so the log outlives the job's Kubernetes objects.
            storage.write(
                    StorageAccess.resolve(prefix(base), ALGORITHM_LOG),
                    new ByteArrayInputStream(log),
                    log.length,
                    "text/plain; charset=utf-8");
        } catch (BrizoException e) {
            // The log API still serves the copy above; a storage hiccup should not fail the job.
            LOG.warn("could not store the log of job {} in the output location: {}", base, e.getMessage());
        }
    }

    private byte[] keptLog(String base) {
        ConfigMap cm = api(new Call("get", "configmaps", JobObjects.logName(base)), () -> client.configMaps()
                .inNamespace(ns)
                .withName(JobObjects.logName(base))
                .get());
        if (cm == null || cm.getBinaryData() == null || !cm.getBinaryData().containsKey("algorithm.log")) {
            return new byte[0];
        }
        return Base64.getDecoder().decode(cm.getBinaryData().get("algorithm.log"));
    }

    private ConfigMap outputsMap(String base) {
        return api(new Call("get", "configmaps", JobObjects.outputsName(base)), () -> client.configMaps()
                .inNamespace(ns)
                .withName(JobObjects.outputsName(base))
                .get());
    }

    // ---- objects ----

    private ConfigMap root(String base) {
        ConfigMap cm = api(
                new Call("get", "configmaps", base),
                () -> client.configMaps().inNamespace(ns).withName(base).get());
        if (cm == null || !JobObjects.ROLE_JOB.equals(labels(cm).get(JobObjects.LABEL_ROLE))) {
            return null;
        }
        return cm;
    }

    private ConfigMap requireRoot(String jobId) {
        ConfigMap root = root(JobObjects.baseName(jobId));
        if (root == null || !jobId.equals(annotations(root).get(A_JOB_ID))) {
            throw BrizoException.notFound("no compute job " + jobId);
        }
        return root;
    }

    /**
     * Applies {@code changes} to the root's annotations if its state passes {@code when}: a
     * compare-and-set on the resource version, retried on conflict with a fresh read, so two
     * replicas never both apply a transition.
     */
    private void transition(String base, Predicate<JobState> when, Map<String, String> changes) {
        for (int attempt = 0; attempt < 10; attempt++) {
            ConfigMap root = root(base);
            if (root == null || !when.test(stateOf(root))) {
                return;
            }
            root.getMetadata().getAnnotations().putAll(changes);
            String next = changes.get(A_STATE);
            if (next != null && JobState.valueOf(next).isTerminal()) {
                root.getMetadata().getLabels().put(JobObjects.LABEL_ENDED, "true");
            }
            if (JobState.DELETED.name().equals(changes.get(A_STATE))) {
                root.setData(Map.of());
            }
            try {
                api(
                        new Call("update", "configmaps", base),
                        () -> client.resource(root).inNamespace(ns).update());
                return;
            } catch (BrizoException e) {
                // Another replica changed the root since it was read: read it again.
                if (e.kind() != ErrorKind.CONFLICT) {
                    throw e;
                }
            }
        }
        throw new BrizoException(ErrorKind.UNAVAILABLE, "job " + base + " changes too often to update", null, true);
    }

    private void createPart(HasMetadata object) {
        try {
            api(
                    new Call("create", object.getPlural(), object.getMetadata().getName()),
                    () -> client.resource(object).inNamespace(ns).create());
        } catch (BrizoException e) {
            // Deterministic names: 409 means this replica or another already created it.
            if (e.kind() != ErrorKind.CONFLICT) {
                throw e;
            }
        }
    }

    private void deletePhases(String base) {
        for (String phase : List.of(JobObjects.CONFIGURE, JobObjects.ALGORITHM, JobObjects.PUBLISH)) {
            deleteQuietly(
                    "jobs",
                    JobObjects.phaseName(base, phase),
                    client.batch().v1().jobs().inNamespace(ns));
        }
        deleteQuietly(
                "secrets", JobObjects.uploadSecretName(base), client.secrets().inNamespace(ns));
        // The garbage collector removes a deleted Job's pods; without one (or before it runs),
        // this does, so stop takes effect at once.
        api(new Call("deletecollection", "pods", base), () -> client.pods()
                .inNamespace(ns)
                .withLabel(JobObjects.LABEL_JOB, base)
                .withGracePeriod(0)
                .delete());
    }

    private void deleteParts(String base) {
        api(new Call("deletecollection", "jobs", base), () -> client.batch()
                .v1()
                .jobs()
                .inNamespace(ns)
                .withLabel(JobObjects.LABEL_JOB, base)
                .delete());
        api(new Call("deletecollection", "persistentvolumeclaims", base), () -> client.persistentVolumeClaims()
                .inNamespace(ns)
                .withLabel(JobObjects.LABEL_JOB, base)
                .delete());
        api(new Call("deletecollection", "networkpolicies", base), () -> client.network()
                .v1()
                .networkPolicies()
                .inNamespace(ns)
                .withLabel(JobObjects.LABEL_JOB, base)
                .delete());
        api(new Call("deletecollection", "secrets", base), () -> client.secrets()
                .inNamespace(ns)
                .withLabel(JobObjects.LABEL_JOB, base)
                .delete());
        api(new Call("deletecollection", "configmaps", base), () -> client.configMaps()
                .inNamespace(ns)
                .withLabel(JobObjects.LABEL_JOB, base)
                .withLabel(JobObjects.LABEL_ROLE, JobObjects.ROLE_PART)
                .delete());
    }

    /** Deletes the object {@code name} of {@code resource} (as RBAC names it) through {@code objects}. */
    private void deleteQuietly(
            String resource, String name, NonNamespaceOperation<?, ?, ? extends Resource<?>> objects) {
        // A missing object is already deleted: fabric8 answers 404 with an empty list.
        api(new Call("delete", resource, name), () -> objects.withName(name)
                .withPropagationPolicy(DeletionPropagation.BACKGROUND)
                .delete());
    }

    /**
     * One call of the Kubernetes API, named as RBAC names it: {@code verb} on {@code resource}
     * (plural, with a subresource after a slash), about the object or job {@code name} (null for
     * a call about none). Only what the messages and logs may show: no URL, no token.
     */
    private record Call(String verb, String resource, String name) {
        @Override
        public String toString() {
            return verb + " " + resource + (name == null ? "" : " " + name);
        }
    }

    /**
     * Runs one API call, retrying 5xx answers, 429 and transport failures with exponential
     * backoff. Every failure of fabric8 leaves as a {@link BrizoException} of the kind {@link
     * #failure} gives it: the one place where answers of the API server become error kinds, so no
     * fabric8 exception (whose message names the API server) reaches a caller of this backend.
     * Callers that expect an answer (409 on a create of a deterministic name, on a
     * compare-and-set update) test the kind.
     */
    private <T> T api(Call call, Supplier<T> request) {
        Duration backoff = FIRST_BACKOFF;
        for (int attempt = 1; ; attempt++) {
            try {
                return request.get();
            } catch (KubernetesClientException e) {
                int code = e.getCode();
                boolean transientFailure = code <= 0 || code == 429 || code >= 500;
                if (!transientFailure || attempt >= ATTEMPTS) {
                    throw failure(call, e, attempt);
                }
                LOG.debug("Kubernetes API call to {} failed with code {}; retrying", call, code);
                LockSupport.parkNanos(backoff.toNanos());
                backoff = backoff.multipliedBy(2);
            }
        }
    }

    /**
     * {@return the error for {@code e}, the answer of the API server to {@code call} after
     * {@code attempts} attempts} Messages name the verb and resource, never the API server's URL,
     * a token or a class name; the cause keeps the chain's types and stack traces, not their
     * messages.
     */
    private BrizoException failure(Call call, KubernetesClientException e, int attempts) {
        int code = e.getCode();
        Throwable cause = BrizoException.redactedCause(e);
        String reason = e.getStatus() == null ? null : e.getStatus().getReason();
        BrizoException mapped;
        // No status (fabric8 gives 0 or -1): the server was not reached, or did not answer in time.
        if (code <= 0 || code == 429 || code >= 500) {
            String what = code <= 0
                    ? "did not answer (unreachable or too slow)"
                    : code == 429 ? "is overloaded (429 Too Many Requests)" : "failed with status " + code;
            mapped = new BrizoException(
                    ErrorKind.UNAVAILABLE,
                    "the Kubernetes API server " + what + " to " + call + " after " + attempts
                            + " attempts; try again later",
                    cause,
                    true);
        } else if (code == 401 || code == 403) {
            mapped = new BrizoException(
                    ErrorKind.CONFIGURATION,
                    (code == 401
                                    ? "the Kubernetes API server did not accept the publisher's credentials (401) to "
                                            + call.verb() + " " + call.resource()
                                            + "; check BRIZO_K8S_KUBECONFIG or the service account's token, and"
                                    : "the publisher's service account may not " + call.verb() + " "
                                            + call.resource() + " in namespace " + ns
                                            + " (403 from the Kubernetes API server); grant it")
                            + " the RBAC Role described in the README of brizo-compute-k8s",
                    cause,
                    false);
        } else if (code == 404 && !OBJECT_VERBS.contains(call.verb())) {
            // A create or a call on a collection fails with 404 only when the namespace or the kind
            // is not there; a call on one object, when that object is gone.
            mapped = new BrizoException(
                    ErrorKind.CONFIGURATION,
                    "the Kubernetes API server has no namespace " + ns + " or does not serve " + call.resource()
                            + " (404); check BRIZO_K8S_NAMESPACE and the cluster",
                    cause,
                    false);
        } else if (code == 404) {
            mapped = new BrizoException(
                    ErrorKind.NOT_FOUND,
                    "the " + call.resource() + " " + call.name()
                            + " of the compute job no longer exists in Kubernetes: the job was deleted meanwhile",
                    cause,
                    false);
        } else if (code == 409) {
            mapped = new BrizoException(
                    ErrorKind.CONFLICT,
                    "the Kubernetes API server refused to " + call
                            + ": it already exists or was changed meanwhile (409)",
                    cause,
                    false);
        } else if (code == 422) {
            mapped = new BrizoException(
                    ErrorKind.INTERNAL,
                    "the Kubernetes API server refused to " + call
                            + " as invalid (422); this is a defect of brizo-compute-k8s",
                    cause,
                    false);
        } else {
            mapped = new BrizoException(
                    ErrorKind.UPSTREAM_FAILED,
                    "the Kubernetes API server answered status " + code + " to " + call + "; try again later",
                    cause,
                    true);
        }
        if (code == 404 || code == 409) {
            // Expected answers of a busy cluster (deleted jobs, other replicas).
            LOG.debug("Kubernetes API call to {}: {} {}", call, code, reason);
        } else {
            LOG.warn(
                    "Kubernetes API call to {} failed: {} ({}); answered {} {}",
                    call,
                    mapped.kind(),
                    attempts == 1 ? "no retry" : attempts + " attempts",
                    code <= 0 ? "no status" : code,
                    reason == null ? "" : reason);
        }
        // The fabric8 message names the API server's URL (not a secret) and the server's reason.
        LOG.debug("Kubernetes API call to {} failed", call, e);
        return mapped;
    }

    private Object lock(String base) {
        return locks.computeIfAbsent(base, k -> new Object());
    }

    private String json(Object o) {
        try {
            return client.getKubernetesSerialization().asJson(o);
        } catch (KubernetesClientException | IllegalArgumentException e) {
            throw new BrizoException(
                    ErrorKind.INTERNAL,
                    "a job manifest could not be written as JSON",
                    BrizoException.redactedCause(e),
                    false);
        }
    }

    private static Map<String, String> annotations(HasMetadata o) {
        Map<String, String> a = o.getMetadata().getAnnotations();
        return a == null ? Map.of() : a;
    }

    private static Map<String, String> labels(HasMetadata o) {
        Map<String, String> l = o.getMetadata().getLabels();
        return l == null ? Map.of() : l;
    }

    private static JobState stateOf(ConfigMap root) {
        try {
            return JobState.valueOf(annotations(root).getOrDefault(A_STATE, "QUEUED"));
        } catch (IllegalArgumentException e) {
            return JobState.FAILED;
        }
    }

    static JobStatus statusOf(ConfigMap root) {
        Map<String, String> a = annotations(root);
        return new JobStatus(
                a.getOrDefault(A_JOB_ID, root.getMetadata().getName()),
                a.getOrDefault(A_OWNER, ""),
                a.getOrDefault(A_AGREEMENT, ""),
                stateOf(root),
                a.containsKey(A_EXIT) ? Integer.valueOf(a.get(A_EXIT)) : null,
                instant(a.get(A_CREATED)).orElse(Instant.EPOCH),
                instant(a.get(A_STARTED)).orElse(null),
                instant(a.get(A_FINISHED)).orElse(null),
                a.get(A_MESSAGE));
    }

    private static Optional<Instant> instant(String s) {
        try {
            return s == null ? Optional.empty() : Optional.of(Instant.parse(s));
        } catch (RuntimeException e) {
            return Optional.empty();
        }
    }

    @Override
    public String toString() {
        return "KubernetesComputeBackend{namespace=" + ns + "}";
    }
}
