package io.brizo.internal.compute;

import static io.brizo.internal.RequestFields.address;
import static io.brizo.internal.RequestFields.required;

import com.fasterxml.jackson.databind.JsonNode;
import io.brizo.ComputeJobRequest;
import io.brizo.ComputeStartRequest;
import io.brizo.http.Routes;
import io.brizo.internal.RequestFields;
import io.brizo.internal.RequestPipeline;
import io.brizo.internal.compute.receipt.ComputeReceipts;
import io.brizo.internal.compute.receipt.Receipt;
import io.brizo.internal.json.Json;
import io.brizo.internal.storage.StorageRouter;
import io.brizo.metrics.BrizoMetrics;
import io.brizo.spi.AgreementClaim;
import io.brizo.spi.AlgorithmContainer;
import io.brizo.spi.AlgorithmMetadata;
import io.brizo.spi.Asset;
import io.brizo.spi.AssetFile;
import io.brizo.spi.BrizoException;
import io.brizo.spi.ByteRange;
import io.brizo.spi.ComputeAlgorithm;
import io.brizo.spi.ComputeBackend;
import io.brizo.spi.ComputeEnvironment;
import io.brizo.spi.ComputeJob;
import io.brizo.spi.ErrorKind;
import io.brizo.spi.ExactLengthInputStream;
import io.brizo.spi.JobEvidence;
import io.brizo.spi.JobStatus;
import io.brizo.spi.LogChunk;
import io.brizo.spi.OutputFile;
import io.brizo.spi.OutputPublication;
import io.brizo.spi.ServiceType;
import io.brizo.spi.StorageObject;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Compute-to-data orchestration: authenticates, verifies COMPUTE agreements, resolves datasets
 * and the algorithm, applies the publisher's policy, and hands jobs to the backend. Only a job's
 * owner may act on it.
 */
public final class ComputeService {
    private static final Logger LOG = LoggerFactory.getLogger(ComputeService.class);
    private static final Pattern JOB_ID = Pattern.compile("[0-9a-zA-Z_-]{1,100}");
    private static final int MAX_INPUTS = 10;
    /** The most bytes of {@code output.metadata}, serialised. */
    static final int MAX_METADATA_BYTES = 16 * 1024;

    private static final SecureRandom RANDOM = new SecureRandom();

    private final ComputeBackend backend;
    private final ComputePolicy policy;
    private final RequestPipeline pipeline;
    private final StorageRouter storage;
    private final ObservedJobStates states;
    private final ComputeReceipts receipts;
    private final DerivedAssets derived;

    /**
     * Creates the service with unsigned receipts; {@code pipeline} authorises requests as it does
     * for consume, {@code metrics} gets the job states this service sees.
     */
    public ComputeService(
            ComputeBackend backend,
            ComputePolicy policy,
            RequestPipeline pipeline,
            StorageRouter storage,
            BrizoMetrics metrics) {
        this(backend, policy, pipeline, storage, metrics, new ComputeReceipts(null, null));
    }

    /** Creates the service; {@code receipts} makes (and signs) the receipts of ended jobs. */
    public ComputeService(
            ComputeBackend backend,
            ComputePolicy policy,
            RequestPipeline pipeline,
            StorageRouter storage,
            BrizoMetrics metrics,
            ComputeReceipts receipts) {
        this(backend, policy, pipeline, storage, metrics, receipts, null);
    }

    /**
     * Creates the service; {@code derived} publishes the outputs of jobs that ask for it (null: this
     * publisher refuses such jobs).
     */
    public ComputeService(
            ComputeBackend backend,
            ComputePolicy policy,
            RequestPipeline pipeline,
            StorageRouter storage,
            BrizoMetrics metrics,
            ComputeReceipts receipts,
            DerivedAssets derived) {
        this.receipts = receipts;
        this.derived = derived;
        this.backend = backend;
        this.policy = policy;
        this.pipeline = pipeline;
        this.storage = storage;
        this.states = new ObservedJobStates(metrics);
    }

    /** {@return where jobs can run} */
    public List<ComputeEnvironment> environments() {
        return backend.environments();
    }

    /** Starts a job; see {@link io.brizo.Brizo#startCompute}. */
    public JobStatus start(ComputeStartRequest r) {
        // An agreement id, or the DID form: the DID's owner gave the consumer direct permission.
        String agreementId = agreementIdOrDid(r.agreementId());
        String consumer = address(r.consumerAddress());
        required(r.signature(), "signature");
        JsonNode meta = json(r.algorithmMeta(), "algorithmMeta");
        String algorithmDid = r.algorithmDid() == null || r.algorithmDid().isBlank()
                ? null
                : r.algorithmDid().trim();
        if (algorithmDid == null && meta == null) {
            throw BrizoException.invalid("algorithmDid or algorithmMeta is required");
        }
        if (algorithmDid != null && !Asset.isDid(algorithmDid)) {
            throw BrizoException.invalid("algorithmDid must be did:op: and 64 lowercase hex digits");
        }
        if (algorithmDid != null && meta != null) {
            throw BrizoException.invalid(overridden(meta)
                    + " cannot be given with algorithmDid: a published algorithm runs with its own code, container"
                    + " and entrypoint");
        }
        List<String> inputAgreements = new ArrayList<>();
        inputAgreements.add(agreementId);
        inputAgreements.addAll(additionalInputs(r.additionalInputs()));
        AlgorithmContainer requested = algorithmDid == null ? container(meta) : null;
        OutputOptions output = OutputOptions.parse(r.output(), MAX_METADATA_BYTES);
        if (output.publishes()) {
            if (derived == null) {
                throw BrizoException.invalid(
                        (output.publishOutput() ? "output.publishOutput" : "output.publishAlgorithmLog")
                                + " cannot be honoured: this publisher does not publish job outputs as assets; start the"
                                + " job without publishing its outputs");
            }
            derived.requirePossible(output.publication(output.owner() == null ? consumer : output.owner()));
        }

        consumer = pipeline.authenticate(
                consumer, r.consumerAddress().trim() + r.agreementId().trim(), r.signature(), nonce(r.nonce()));

        List<Asset> inputs = new ArrayList<>();
        for (String id : inputAgreements) {
            inputs.add(
                    RequestFields.isDidForm(id)
                            ? pipeline.authorizePermission(id, consumer).asset()
                            : pipeline.authorize(new AgreementClaim(id, consumer, ServiceType.COMPUTE))
                                    .asset());
        }
        OutputPublication publication =
                output.publishes() ? output.publication(output.owner() == null ? consumer : output.owner()) : null;

        ComputeAlgorithm algorithm = algorithmDid != null ? published(algorithmDid) : inline(meta, requested);
        policy.requireImage(algorithm.container());

        ComputeEnvironment environment = environment(r.environment());
        requireCapacity(consumer);
        Duration maxDuration = environment.maxDuration().compareTo(policy.maxDuration()) < 0
                ? environment.maxDuration()
                : policy.maxDuration();
        String jobId = newJobId();
        JobStatus status = backend.start(new ComputeJob(
                jobId,
                consumer,
                agreementId,
                inputs,
                algorithm,
                environment.id(),
                maxDuration,
                inputAgreements,
                publication));
        states.started(status);
        LOG.info(
                "compute job {} started: agreement={} consumer={} inputs={} algorithm={} image={} publish={}",
                jobId,
                agreementId,
                consumer,
                inputs.size(),
                algorithmDid == null ? "inline" : algorithmDid,
                algorithm.container().reference(),
                publication == null ? "no" : "to " + publication.owner());
        return status;
    }

    /** {@return a published algorithm with the code, container and entrypoint of its asset, if trusted} */
    private ComputeAlgorithm published(String did) {
        Asset asset = pipeline.resolve(did)
                .orElseThrow(() -> BrizoException.notFound("the algorithm asset is not served by this publisher"));
        AlgorithmMetadata metadata = asset.algorithmIfAny()
                .orElseThrow(() -> BrizoException.invalid(
                        "algorithmDid names an asset that is not published as an algorithm (it has no algorithm"
                                + " metadata)"));
        if (asset.files().size() != 1) {
            throw BrizoException.notFound("the algorithm asset must have exactly one file, its code");
        }
        AssetFile codeFile = asset.files().get(0);
        byte[] code = fetch(codeFile);
        String sha256 = sha256(code);
        if (codeFile.checksum() != null
                && codeFile.checksum().startsWith("sha256:")
                && !codeFile.checksum().equalsIgnoreCase("sha256:" + sha256)) {
            throw new BrizoException(
                    ErrorKind.UPSTREAM_FAILED, "the algorithm's file does not match its published checksum");
        }
        policy.requireTrusted(did, asset.publisherIfKnown().orElse(null), sha256, metadata.container());
        return new ComputeAlgorithm(
                did, new ComputeAlgorithm.Code(new String(code, StandardCharsets.UTF_8), null), metadata.container());
    }

    /** {@return an inline algorithm in the requested container, if the publisher accepts it} */
    private ComputeAlgorithm inline(JsonNode meta, AlgorithmContainer container) {
        byte[] code = inlineCode(meta);
        policy.requireTrusted(null, null, sha256(code), container);
        return new ComputeAlgorithm(
                null, new ComputeAlgorithm.Code(new String(code, StandardCharsets.UTF_8), null), container);
    }

    /**
     * {@return what an algorithmMeta sent with an algorithmDid tries to set, for the error message}
     * Only known names are echoed, never the consumer's own text.
     */
    private static String overridden(JsonNode meta) {
        List<String> fields = new ArrayList<>();
        for (String f : List.of("container", "rawcode", "url")) {
            if (meta.has(f)) {
                fields.add("algorithmMeta." + f);
            }
        }
        return fields.isEmpty() ? "algorithmMeta" : String.join(", ", fields);
    }

    private static AlgorithmContainer container(JsonNode meta) {
        JsonNode container = meta.get("container");
        if (container == null || !container.isObject()) {
            throw BrizoException.invalid("algorithmMeta.container {image, tag, entrypoint} is required");
        }
        String image = text(container, "algorithmMeta.container", "image", true);
        String entrypoint = text(container, "algorithmMeta.container", "entrypoint", true);
        String tag = text(container, "algorithmMeta.container", "tag", false);
        String digest = text(container, "algorithmMeta.container", "digest", false);
        String checksum = text(container, "algorithmMeta.container", "checksum", false);
        if (digest != null && checksum != null && !digest.equals(checksum)) {
            throw BrizoException.invalid(
                    "algorithmMeta.container.digest and algorithmMeta.container.checksum differ; send one");
        }
        digest = digest != null ? digest : checksum;
        if (digest != null && !AlgorithmContainer.isDigest(digest)) {
            throw BrizoException.invalid("algorithmMeta.container.digest must be sha256:<64 lowercase hex>");
        }
        try {
            return new AlgorithmContainer(image, tag, digest, entrypoint);
        } catch (IllegalArgumentException e) {
            throw BrizoException.invalid("algorithmMeta.container is invalid: " + e.getMessage());
        }
    }

    /** {@return the owner's jobs: one if a jobId is given, else all (of the agreement, if given)} */
    public List<JobStatus> status(ComputeJobRequest r) {
        String owner = authenticate(r, false);
        List<JobStatus> found = r.jobId() == null || r.jobId().isBlank()
                ? backend.jobs(owner, optionalAgreementId(r.agreementId()))
                : List.of(owned(owner, r.jobId()));
        found.forEach(states::seen);
        return found;
    }

    /** Stops the owner's job. */
    public JobStatus stop(ComputeJobRequest r) {
        String owner = authenticate(r, true);
        states.seen(owned(owner, r.jobId()));
        JobStatus stopped = backend.stop(r.jobId().trim());
        states.seen(stopped);
        return stopped;
    }

    /** Deletes the owner's job. */
    public JobStatus delete(ComputeJobRequest r) {
        String owner = authenticate(r, true);
        JobStatus status = owned(owner, r.jobId());
        backend.delete(r.jobId().trim());
        states.deleted(status.jobId());
        return status;
    }

    /**
     * {@return the receipt of the owner's ended job, built from what the backend kept of it}
     *
     * @throws BrizoException NOT_FOUND while the job runs, and when the backend keeps no evidence
     */
    public Receipt receipt(ComputeJobRequest r) {
        String owner = authenticate(r, true);
        JobStatus status = owned(owner, r.jobId());
        states.seen(status);
        if (!ComputeReceipts.hasReceipt(status.state())) {
            throw BrizoException.notFound(
                    "the job has no receipt yet: it is " + status.state() + "; a receipt exists once it has ended");
        }
        JobEvidence evidence = backend.evidence(status.jobId())
                .orElseThrow(() -> BrizoException.notFound(
                        "the job has no receipt yet: the compute backend has kept no evidence of it"));
        DerivedAssets.Outcome outcome = derived == null ? DerivedAssets.Outcome.NONE : derived.ensure(status, evidence);
        if (outcome.missing() && outcome.retryable()) {
            // A receipt never changes: none until it can name the derived asset it was asked for.
            throw new BrizoException(
                    ErrorKind.UNAVAILABLE,
                    "the job's receipt waits for its derived asset, which is not published yet; try again later",
                    null,
                    true);
        }
        return receipts.receipt(status, evidence, outcome.did());
    }

    /**
     * {@return the derived asset of {@code status}'s job, made now if the job SUCCEEDED, asked for
     * one and it does not exist yet} Any observation of a job may call this: it is idempotent.
     */
    public DerivedAssets.Outcome derived(JobStatus status) {
        return derived == null ? DerivedAssets.Outcome.NONE : derived.ensure(status);
    }

    /** {@return the job's log from {@code offset}} */
    public LogChunk logs(ComputeJobRequest r, long offset) {
        String owner = authenticate(r, true);
        owned(owner, r.jobId());
        if (offset < 0) {
            throw BrizoException.invalid("offset must be a whole number from 0");
        }
        return backend.logs(r.jobId().trim(), offset);
    }

    /** {@return the job's outputs, in index order} */
    public List<OutputFile> outputs(ComputeJobRequest r) {
        String owner = authenticate(r, true);
        owned(owner, r.jobId());
        return backend.outputs(r.jobId().trim());
    }

    /** {@return the outputs of a job already checked as the caller's} */
    public List<OutputFile> outputsOf(String jobId) {
        return backend.outputs(jobId);
    }

    /** {@return output {@code name} of a job already checked as the caller's, opened for {@code range}} */
    public StorageObject openOutput(String jobId, String name, ByteRange range) {
        return openOutput(backend, jobId, name, range);
    }

    /**
     * {@return output {@code name} of job {@code jobId} of {@code backend}, opened for {@code
     * range}} Backends open whole outputs; a range skips within the stream, which is fine for
     * outputs. The slice is exact: an output cut short fails the download instead of ending it
     * quietly.
     */
    static StorageObject openOutput(ComputeBackend backend, String jobId, String name, ByteRange range) {
        StorageObject object = backend.openOutput(jobId, name);
        if (range.isAll()) {
            return object;
        }
        try {
            ByteRange.Slice slice = range.resolve(object.info().size());
            InputStream in = object.stream();
            in.skipNBytes(slice.offset());
            InputStream exact = ExactLengthInputStream.builder(in, slice.length())
                    .describedAs("the output file")
                    .build();
            return new StorageObject(object.info(), slice, exact);
        } catch (IOException | RuntimeException e) {
            try {
                object.close();
            } catch (IOException ignored) {
                // Nothing to recover.
            }
            if (e instanceof RuntimeException r) {
                throw r;
            }
            throw new BrizoException(ErrorKind.UPSTREAM_FAILED, "the output cannot be read", null, true);
        }
    }

    private String authenticate(ComputeJobRequest r, boolean jobRequired) {
        String consumer = address(r.consumerAddress());
        required(r.signature(), "signature");
        if (jobRequired) {
            jobId(required(r.jobId(), "jobId"));
        } else if (r.jobId() != null && !r.jobId().isBlank()) {
            jobId(r.jobId());
        }
        if (r.agreementId() != null && !r.agreementId().isBlank()) {
            agreementIdOrDid(r.agreementId());
        }
        String text = r.consumerAddress().trim() + blankIfNull(r.jobId()) + blankIfNull(r.agreementId());
        return pipeline.authenticate(consumer, text, r.signature(), nonce(r.nonce()));
    }

    private JobStatus owned(String owner, String jobId) {
        JobStatus status = backend.status(jobId(jobId));
        if (!status.owner().equalsIgnoreCase(owner)) {
            throw new BrizoException(ErrorKind.FORBIDDEN, "this job belongs to another consumer");
        }
        return status;
    }

    private void requireCapacity(String consumer) {
        // One listing for both limits: on Kubernetes each listing is an API call.
        List<JobStatus> all = backend.jobs(null, null);
        states.seenAll(all);
        List<JobStatus> running =
                all.stream().filter(j -> !j.state().isTerminal()).toList();
        long mine = running.stream()
                .filter(j -> j.owner().equalsIgnoreCase(consumer))
                .count();
        if (mine >= policy.maxJobsPerConsumer()) {
            throw new BrizoException(
                    ErrorKind.CONFLICT,
                    "this consumer already has " + mine
                            + " compute jobs running, the most this publisher allows; wait for one to end",
                    null,
                    true);
        }
        if (running.size() >= policy.maxJobs()) {
            throw new BrizoException(
                    ErrorKind.UNAVAILABLE, "the publisher runs as many compute jobs as it allows; try again later");
        }
    }

    private ComputeEnvironment environment(String id) {
        List<ComputeEnvironment> environments = backend.environments();
        if (environments.isEmpty()) {
            throw BrizoException.configuration("the compute backend offers no environment");
        }
        if (id == null || id.isBlank()) {
            return environments.get(0);
        }
        return environments.stream()
                .filter(e -> e.id().equals(id.trim()))
                .findFirst()
                .orElseThrow(() ->
                        BrizoException.invalid("unknown compute environment; see GET " + Routes.COMPUTE_ENVIRONMENTS));
    }

    private byte[] inlineCode(JsonNode meta) {
        String raw = text(meta, "algorithmMeta", "rawcode", false);
        String url = text(meta, "algorithmMeta", "url", false);
        if ((raw == null) == (url == null)) {
            throw BrizoException.invalid("algorithmMeta needs exactly one of rawcode and url");
        }
        if (raw != null) {
            byte[] code = raw.getBytes(StandardCharsets.UTF_8);
            if (code.length > policy.maxAlgorithmBytes()) {
                throw BrizoException.invalid("the algorithm is larger than " + policy.maxAlgorithmBytes() + " bytes");
            }
            policy.requireRawAllowed();
            return code;
        }
        // Refuse before fetching anything.
        policy.requireRawAllowed();
        URI uri;
        try {
            uri = new URI(url);
        } catch (URISyntaxException e) {
            throw BrizoException.invalid("algorithmMeta.url is not a valid URL");
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            // Never let a consumer read the publisher's own files or stores as an "algorithm".
            throw BrizoException.invalid("algorithmMeta.url must be an http(s) URL");
        }
        return fetch(new AssetFile(uri, null, null));
    }

    /** Reads a small file fully, refusing anything larger than the policy allows. */
    private byte[] fetch(AssetFile file) {
        try (StorageObject object = storage.open(file.url(), ByteRange.all())) {
            if (object.info().size() > policy.maxAlgorithmBytes()) {
                throw BrizoException.invalid("the algorithm is larger than " + policy.maxAlgorithmBytes() + " bytes");
            }
            return object.stream().readNBytes(policy.maxAlgorithmBytes());
        } catch (IOException e) {
            throw new BrizoException(ErrorKind.UPSTREAM_FAILED, "the algorithm's file cannot be read", null, true);
        }
    }

    private static List<String> additionalInputs(String raw) {
        // Each an agreement id, or the DID form (direct permission on the DID, as for the first).
        if (raw == null || raw.isBlank()) {
            return List.of();
        }
        Set<String> ids = new LinkedHashSet<>();
        String trimmed = raw.trim();
        if (trimmed.startsWith("[")) {
            JsonNode list = json(trimmed, "additionalInputs");
            for (JsonNode n : list) {
                if (!n.isTextual()) {
                    throw BrizoException.invalid("additionalInputs must list agreement ids as strings");
                }
                ids.add(agreementIdOrDid(n.asText()));
            }
        } else {
            for (String s : trimmed.split(",")) {
                ids.add(agreementIdOrDid(s.trim()));
            }
        }
        if (ids.size() >= MAX_INPUTS) {
            throw BrizoException.invalid("at most " + (MAX_INPUTS - 1) + " additional inputs are accepted");
        }
        return List.copyOf(ids);
    }

    private static JsonNode json(String raw, String name) {
        if (raw == null || raw.isBlank()) {
            return null;
        }
        try {
            JsonNode node = Json.MAPPER.readTree(raw);
            if (node == null || !(node.isObject() || node.isArray())) {
                throw BrizoException.invalid(name + " must be JSON, each key once");
            }
            return node;
        } catch (IOException e) {
            throw BrizoException.invalid(name + " must be JSON, each key once");
        }
    }

    private static String text(JsonNode node, String path, String field, boolean required) {
        JsonNode n = node.get(field);
        if (n == null || n.isNull() || (n.isTextual() && n.asText().isBlank())) {
            if (required) {
                throw BrizoException.invalid(path + " needs " + field);
            }
            return null;
        }
        if (!n.isTextual()) {
            throw BrizoException.invalid(path + "." + field + " must be a string");
        }
        return n.asText().trim();
    }

    private static String optionalAgreementId(String raw) {
        if (raw == null || raw.isBlank()) {
            return null;
        }
        String id = agreementIdOrDid(raw).toLowerCase(Locale.ROOT);
        return id.startsWith("0x") ? id.substring(2) : id;
    }

    /** {@return an agreement id as sent, or a DID (the direct-permission form) in lower case} */
    private static String agreementIdOrDid(String raw) {
        String id = RequestFields.agreementIdOrDid(raw);
        return RequestFields.isDidForm(id) ? id.toLowerCase(Locale.ROOT) : id;
    }

    private static String jobId(String raw) {
        String id = raw.trim();
        if (!JOB_ID.matcher(id).matches()) {
            throw BrizoException.invalid("jobId has an invalid form");
        }
        return id;
    }

    /** A blank nonce parameter counts as absent here. */
    private static Long nonce(String raw) {
        return RequestFields.nonce(raw == null || raw.isBlank() ? null : raw);
    }

    private static String blankIfNull(String s) {
        return s == null ? "" : s.trim();
    }

    private static String newJobId() {
        byte[] b = new byte[16];
        RANDOM.nextBytes(b);
        return HexFormat.of().formatHex(b);
    }

    private static String sha256(byte[] data) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
