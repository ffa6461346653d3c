package io.brizo.internal.compute;

import io.brizo.spi.Asset;
import io.brizo.spi.AssetFile;
import io.brizo.spi.AssetResolver;
import io.brizo.spi.BrizoException;
import io.brizo.spi.ComputeBackend;
import io.brizo.spi.ErrorKind;
import io.brizo.spi.JobEvidence;
import io.brizo.spi.JobState;
import io.brizo.spi.JobStatus;
import io.brizo.spi.OutputPublication;
import io.brizo.spi.ServiceAgreementVerifier;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.web3j.crypto.Hash;
import org.web3j.utils.Numeric;

/**
 * Makes the outputs of a SUCCEEDED compute job whose consumer asked for it ({@link
 * OutputPublication}) a new asset, its <em>derived asset</em>, and gives the asset's owner direct
 * permission on it.
 *
 * <p>Idempotent, so that whoever observes the job first (a status request, a job list, a receipt)
 * does it, and a restarted server does it again harmlessly: the DID is {@code did:op:} and the
 * keccak256 of {@code <provider address or a fixed salt> + ":" + <jobId>}, the asset's files are
 * the job's outputs (in the order the backend lists them), then its log if asked, as {@link
 * JobOutputStorageDriver} locations with the SHA-256 the backend recorded; the catalogue's {@link
 * AssetResolver#register} and the verifier's {@link ServiceAgreementVerifier#grantPermission} are
 * both idempotent. A failure that may pass (the catalogue or the chain unavailable) leaves the job
 * SUCCEEDED without a derived asset, and is tried again at the next observation. The consumer's
 * metadata is not kept with the asset: the {@link Asset} of the SPI has no place for it (the
 * local backend keeps it with the job). Thread-safe.
 */
public final class DerivedAssets {
    private static final Logger LOG = LoggerFactory.getLogger(DerivedAssets.class);
    /** The salt of derived DIDs when the provider's address is unknown. */
    static final String NO_PROVIDER_SALT = "brizo-derived-asset";

    private static final int REMEMBERED = 10_000;
    private static final String NOTHING = "";

    private final ComputeBackend backend;
    private final AssetResolver assets;
    private final ServiceAgreementVerifier verifier;
    private final String provider;
    private final String salt;
    /** Jobs whose derived asset exists (its DID), or that asked for none (empty). */
    private final Map<String, String> done = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, String> eldest) {
            return size() > REMEMBERED;
        }
    };

    /**
     * What became of a job's derived asset.
     *
     * @param did its DID once registered and granted; null otherwise
     * @param problem why it is not there although it was asked for; null otherwise
     * @param retryable whether the problem may pass (it is tried again at the next observation)
     */
    public record Outcome(String did, String problem, boolean retryable) {
        static final Outcome NONE = new Outcome(null, null, false);

        /** {@return whether the job's consumer asked for a derived asset that is not there (yet)} */
        public boolean missing() {
            return problem != null;
        }
    }

    /**
     * Publishes over {@code backend}'s outputs, into {@code assets}, granting with {@code
     * verifier}; {@code provider} (an address, or null) salts the DIDs and publishes the assets.
     */
    public DerivedAssets(
            ComputeBackend backend, AssetResolver assets, ServiceAgreementVerifier verifier, String provider) {
        this.backend = Objects.requireNonNull(backend, "backend");
        this.assets = Objects.requireNonNull(assets, "assets");
        this.verifier = Objects.requireNonNull(verifier, "verifier");
        this.provider = provider == null ? null : provider.toLowerCase(Locale.ROOT);
        this.salt = this.provider == null ? NO_PROVIDER_SALT : this.provider;
    }

    /**
     * Checks, when a job is started, that its outputs can be published as asked.
     *
     * @throws BrizoException INVALID_REQUEST naming {@code output.publishOutput} when this
     *     publisher's catalogue cannot register assets or its verifier cannot grant permissions
     */
    public void requirePossible(OutputPublication output) {
        if (output == null || !output.publishes()) {
            return;
        }
        String field = output.publishOutput() ? "output.publishOutput" : "output.publishAlgorithmLog";
        if (!assets.canRegister()) {
            throw BrizoException.invalid(field + " cannot be honoured: this publisher's asset catalogue cannot"
                    + " register assets; start the job without publishing its outputs");
        }
        if (!verifier.canGrant()) {
            throw BrizoException.invalid(field + " cannot be honoured: this publisher's agreement verifier cannot"
                    + " grant permissions on a DID; start the job without publishing its outputs");
        }
    }

    /** {@return the DID of the derived asset of job {@code jobId}} */
    public String didOf(String jobId) {
        byte[] hash = Hash.sha3((salt + ":" + jobId).getBytes(StandardCharsets.UTF_8));
        return "did:op:" + Numeric.toHexStringNoPrefix(hash);
    }

    /**
     * Makes sure the derived asset of {@code status}'s job exists, if the job SUCCEEDED and its
     * consumer asked for one; {@return what became of it}
     */
    public Outcome ensure(JobStatus status) {
        return ensure(status, null);
    }

    /**
     * As {@link #ensure(JobStatus)}, with the job's {@code evidence} when the caller has already
     * read it (null: read it here).
     */
    public Outcome ensure(JobStatus status, JobEvidence known) {
        if (status.state() != JobState.SUCCEEDED) {
            return Outcome.NONE;
        }
        String jobId = status.jobId();
        String remembered;
        synchronized (done) {
            remembered = done.get(jobId);
        }
        if (remembered != null) {
            return remembered.isEmpty() ? Outcome.NONE : new Outcome(remembered, null, false);
        }
        Optional<JobEvidence> evidence;
        try {
            evidence = known != null ? Optional.of(known) : backend.evidence(jobId);
        } catch (BrizoException e) {
            return failed(jobId, e);
        }
        if (evidence.isEmpty()) {
            // A backend without evidence (or none yet): nothing to publish from.
            return Outcome.NONE;
        }
        OutputPublication output = evidence.get().output();
        if (output == null || !output.publishes()) {
            remember(jobId, NOTHING);
            return Outcome.NONE;
        }
        String did = didOf(jobId);
        try {
            assets.register(asset(did, jobId, evidence.get(), output));
            verifier.grantPermission(did, output.owner());
        } catch (BrizoException e) {
            return failed(jobId, e);
        } catch (RuntimeException e) {
            LOG.warn(
                    "compute job {}: publishing its outputs failed with {}",
                    jobId,
                    e.getClass().getName());
            return new Outcome(null, "the outputs could not be published as an asset; tried again later", true);
        }
        remember(jobId, did);
        LOG.info("compute job {}: its outputs are the asset {}, owned by {}", jobId, did, output.owner());
        return new Outcome(did, null, false);
    }

    private Asset asset(String did, String jobId, JobEvidence evidence, OutputPublication output) {
        List<AssetFile> files = new ArrayList<>();
        if (output.publishOutput()) {
            for (JobEvidence.FileDigest f : evidence.outputs()) {
                files.add(new AssetFile(JobOutputStorageDriver.output(jobId, f.name()), null, "sha256:" + f.sha256()));
            }
        }
        if (output.publishAlgorithmLog()) {
            evidence.logIfAny()
                    .ifPresent(log -> files.add(new AssetFile(
                            JobOutputStorageDriver.log(jobId, log.name()),
                            "text/plain; charset=utf-8",
                            "sha256:" + log.sha256())));
        }
        return new Asset(did, files, Duration.ZERO, provider, null);
    }

    private Outcome failed(String jobId, BrizoException e) {
        boolean retryable = e.retryable() || e.kind() == ErrorKind.UNAVAILABLE;
        if (retryable) {
            LOG.info(
                    "compute job {}: its outputs are not published as an asset yet ({}); tried again when the job is"
                            + " next looked at",
                    jobId,
                    e.getMessage());
            return new Outcome(
                    null,
                    "the outputs are not published as an asset yet: " + e.getMessage()
                            + " (tried again when the job is next looked at)",
                    true);
        }
        LOG.warn("compute job {}: its outputs cannot be published as an asset: {}", jobId, e.getMessage());
        return new Outcome(null, "the outputs could not be published as an asset: " + e.getMessage(), false);
    }

    private void remember(String jobId, String did) {
        synchronized (done) {
            done.put(jobId, did);
        }
    }
}
