package io.brizo.internal.compute.receipt;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.brizo.internal.CoreSettings;
import io.brizo.internal.auth.Eip191;
import io.brizo.spi.AlgorithmContainer;
import io.brizo.spi.ComputeEnvironment;
import io.brizo.spi.JobEvidence;
import io.brizo.spi.JobState;
import io.brizo.spi.JobStatus;
import io.brizo.spi.Settings;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Locale;
import java.util.Objects;
import org.web3j.crypto.ECKeyPair;
import org.web3j.crypto.Hash;
import org.web3j.utils.Numeric;

/**
 * Builds and signs the receipt of an ended compute job from what its backend saw ({@link
 * JobEvidence}): an in-toto Statement v1 whose subjects are the job's outputs and log, and whose
 * predicate ({@value #PREDICATE_TYPE}) says who ran what on which data, where, and how it ended.
 *
 * <p>The signature is an EIP-191 personal signature by the provider's key ({@code PROVIDER_KEY})
 * over the 32-byte keccak256 of the statement's RFC 8785 canonical bytes. The same evidence always
 * gives the same bytes and, since signing is deterministic (RFC 6979), the same signature. Without
 * a provider key the receipt is unsigned. Thread-safe.
 */
public final class ComputeReceipts {
    /** The in-toto statement type. */
    public static final String STATEMENT_TYPE = "https://in-toto.io/Statement/v1";
    /** The predicate type of a Brizo compute receipt, version 1. */
    public static final String PREDICATE_TYPE = "https://brizo.io/compute-receipt/v1";
    /** The prefix of an output's subject name. */
    public static final String OUTPUTS_PREFIX = "outputs/";
    /** The prefix of the log's subject name. */
    public static final String LOGS_PREFIX = "logs/";

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private final ECKeyPair key;
    private final String provider;

    /**
     * Creates a signer with {@code key}, or an unsigned receipt maker when it is null; {@code
     * provider} is the address receipts name when there is no key (null if unknown).
     */
    public ComputeReceipts(ECKeyPair key, String provider) {
        this.key = key;
        this.provider =
                key != null ? Eip191.addressOf(key) : provider == null ? null : provider.toLowerCase(Locale.ROOT);
    }

    /**
     * {@return receipts signed with the provider's key (PROVIDER_KEY, PROVIDER_KEYFILE or
     * PROVIDER_ENCRYPTED_KEY), or unsigned ones naming {@code PROVIDER_ADDRESS}}
     */
    public static ComputeReceipts from(Settings settings) {
        String address = CoreSettings.providerAddress(settings).orElse(null);
        ECKeyPair key = CoreSettings.providerKey(settings).orElse(null);
        return new ComputeReceipts(key, address);
    }

    /** {@return whether receipts are signed} */
    public boolean signs() {
        return key != null;
    }

    /**
     * {@return the receipt of the ended job {@code status} from its {@code evidence}}
     *
     * @throws IllegalArgumentException if the job has not ended (or was deleted)
     */
    public Receipt receipt(JobStatus status, JobEvidence evidence) {
        return receipt(status, evidence, null);
    }

    /**
     * {@return the receipt of the ended job {@code status} from its {@code evidence}, naming its
     * derived asset {@code resultsDid} (null: it has none)}
     *
     * @throws IllegalArgumentException if the job has not ended (or was deleted)
     */
    public Receipt receipt(JobStatus status, JobEvidence evidence, String resultsDid) {
        ObjectNode statement = statement(status, evidence, provider, resultsDid);
        byte[] hash = Hash.sha3(CanonicalJson.bytes(statement));
        String signature = key == null ? null : Eip191.sign(hash, key);
        return new Receipt(
                status.jobId(), statement, Numeric.toHexString(hash), signature, key == null ? null : provider);
    }

    /** {@return whether a job in {@code state} has a receipt: SUCCEEDED, FAILED and STOPPED} */
    public static boolean hasReceipt(JobState state) {
        return state == JobState.SUCCEEDED || state == JobState.FAILED || state == JobState.STOPPED;
    }

    /** {@return the in-toto statement of an ended job; {@code provider} may be null} */
    static ObjectNode statement(JobStatus status, JobEvidence evidence, String provider) {
        return statement(status, evidence, provider, null);
    }

    /** {@return the in-toto statement of an ended job; {@code provider} and {@code resultsDid} may be null} */
    static ObjectNode statement(JobStatus status, JobEvidence evidence, String provider, String resultsDid) {
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(evidence, "evidence");
        if (!hasReceipt(status.state())) {
            throw new IllegalArgumentException("a job in state " + status.state() + " has no receipt");
        }
        ObjectNode statement = NODES.objectNode();
        statement.put("_type", STATEMENT_TYPE);
        ArrayNode subject = statement.putArray("subject");
        for (JobEvidence.FileDigest output : evidence.outputs()) {
            subject.add(subject(OUTPUTS_PREFIX + output.name(), output.sha256()));
        }
        evidence.logIfAny().ifPresent(log -> subject.add(subject(LOGS_PREFIX + log.name(), log.sha256())));
        statement.put("predicateType", PREDICATE_TYPE);

        ObjectNode p = statement.putObject("predicate");
        p.put("provider", provider == null ? null : provider.toLowerCase(Locale.ROOT));
        p.put("consumer", status.owner().toLowerCase(Locale.ROOT));
        p.put("jobId", status.jobId());
        ArrayNode agreements = p.putArray("agreementIds");
        evidence.agreementIds().forEach(agreements::add);
        ArrayNode inputs = p.putArray("inputs");
        for (JobEvidence.InputDigest in : evidence.inputs()) {
            ObjectNode i = inputs.addObject();
            i.put("did", in.did());
            i.put("fileIndex", in.fileIndex());
            i.put("size", in.size());
            i.put("sha256", in.sha256());
        }

        ObjectNode algorithm = p.putObject("algorithm");
        algorithm.put("did", evidence.algorithmDid());
        algorithm.put("inline", evidence.algorithmDid() == null);
        ArrayNode files = algorithm.putArray("files");
        evidence.algorithmFiles().forEach(f -> files.add(file(f)));
        AlgorithmContainer c = evidence.container();
        algorithm.put("image", c.image());
        algorithm.put("tag", c.tag());
        algorithm.put("digest", c.digest());
        algorithm.put("imageDigest", evidence.imageDigest());
        algorithm.put("entrypoint", c.entrypoint());

        ComputeEnvironment e = evidence.environment();
        ObjectNode environment = p.putObject("environment");
        environment.put("id", e.id());
        environment.put("cpuMillis", Math.round(e.cpus() * 1000));
        environment.put("memoryBytes", e.memoryBytes());
        environment.put("gpus", e.gpus());
        environment.put("maxDurationSeconds", evidence.maxDuration().toSeconds());

        p.put("backend", evidence.backend());
        p.put("createdAt", time(status.created()));
        p.put("startedAt", time(status.started()));
        p.put("finishedAt", time(status.finished()));
        p.put("state", status.state().name());
        if (status.exitCode() == null) {
            p.putNull("exitCode");
        } else {
            p.put("exitCode", status.exitCode().intValue());
        }
        ArrayNode outputs = p.putArray("outputs");
        evidence.outputs().forEach(f -> outputs.add(file(f)));
        p.set(
                "log",
                evidence.logIfAny()
                        .<com.fasterxml.jackson.databind.JsonNode>map(ComputeReceipts::file)
                        .orElse(NODES.nullNode()));
        // The derived asset's DID: the asset made of the outputs, when the consumer asked for one.
        p.put("resultsDid", resultsDid);
        return statement;
    }

    private static ObjectNode subject(String name, String sha256) {
        ObjectNode s = NODES.objectNode();
        s.put("name", name);
        s.putObject("digest").put("sha256", sha256);
        return s;
    }

    private static ObjectNode file(JobEvidence.FileDigest f) {
        ObjectNode n = NODES.objectNode();
        n.put("name", f.name());
        n.put("size", f.size());
        n.put("sha256", f.sha256());
        return n;
    }

    /**
     * {@return {@code t} as RFC 3339 in UTC ({@code Z}), to the millisecond} Backends may hold
     * finer times in memory than they keep on disk; milliseconds keep a job's receipt the same
     * bytes across a restart.
     */
    private static String time(Instant t) {
        return t == null ? null : t.truncatedTo(ChronoUnit.MILLIS).toString();
    }
}
