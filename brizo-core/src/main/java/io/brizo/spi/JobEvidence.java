package io.brizo.spi;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * What a backend saw of an ended job, for its signed receipt: what ran, where, and the SHA-256
 * of every byte the algorithm read and wrote. Digests are computed while the bytes flow (staging
 * inputs, storing outputs), never by reading them a second time. Kept by the backend as long as
 * the job's outputs. Holds no storage location.
 *
 * @param backend the backend's name, such as {@code local} or {@code kubernetes}
 * @param environment the environment the job ran in
 * @param maxDuration the job's hard time limit
 * @param agreementIds the agreements of the job's inputs, in input order (the job's own first)
 * @param algorithmDid the algorithm asset's DID, or null for an inline algorithm
 * @param container the container the algorithm was asked to run in
 * @param imageDigest the digest ({@code sha256:<64 hex>}) of the image that ran, when the backend
 *     learned it; null otherwise (then {@code container.digest()} is what was asked for, if any)
 * @param algorithmFiles the algorithm's files as the job saw them
 * @param inputs every input file as the algorithm saw it
 * @param outputs every output file as stored
 * @param log the job's log as stored, or null if it has none
 * @param output what the job's consumer asked to be done with the outputs ({@link
 *     ComputeJob#output()}), or null when nothing (or when the backend does not keep it: then the
 *     job yields no derived asset)
 */
public record JobEvidence(
        String backend,
        ComputeEnvironment environment,
        Duration maxDuration,
        List<String> agreementIds,
        String algorithmDid,
        AlgorithmContainer container,
        String imageDigest,
        List<FileDigest> algorithmFiles,
        List<InputDigest> inputs,
        List<FileDigest> outputs,
        FileDigest log,
        OutputPublication output) {
    private static final Pattern SHA256_HEX = Pattern.compile("[0-9a-f]{64}");

    /** Validates the evidence and copies the lists. */
    public JobEvidence {
        Objects.requireNonNull(backend, "backend");
        Objects.requireNonNull(environment, "environment");
        Objects.requireNonNull(maxDuration, "maxDuration");
        agreementIds = List.copyOf(agreementIds);
        Objects.requireNonNull(container, "container");
        if (imageDigest != null && !AlgorithmContainer.isDigest(imageDigest)) {
            throw new IllegalArgumentException("imageDigest must be null or sha256: and 64 lowercase hex digits");
        }
        algorithmFiles = List.copyOf(algorithmFiles);
        inputs = List.copyOf(inputs);
        outputs = List.copyOf(outputs);
    }

    /** Creates evidence of a job that asked for nothing to be published. */
    public JobEvidence(
            String backend,
            ComputeEnvironment environment,
            Duration maxDuration,
            List<String> agreementIds,
            String algorithmDid,
            AlgorithmContainer container,
            String imageDigest,
            List<FileDigest> algorithmFiles,
            List<InputDigest> inputs,
            List<FileDigest> outputs,
            FileDigest log) {
        this(
                backend,
                environment,
                maxDuration,
                agreementIds,
                algorithmDid,
                container,
                imageDigest,
                algorithmFiles,
                inputs,
                outputs,
                log,
                null);
    }

    /** {@return what the consumer asked to be published, if anything} */
    public Optional<OutputPublication> outputIfAny() {
        return Optional.ofNullable(output);
    }

    /** {@return the algorithm asset's DID, if it has one} */
    public Optional<String> algorithmDidIfAny() {
        return Optional.ofNullable(algorithmDid);
    }

    /** {@return the log's digest, if the job has a log} */
    public Optional<FileDigest> logIfAny() {
        return Optional.ofNullable(log);
    }

    /**
     * A file and the SHA-256 of its bytes.
     *
     * @param name the file's name as the job's owner sees it (an output's name as listed, {@code
     *     algorithm} for inline code); never a storage location or a server path
     * @param size its size in bytes
     * @param sha256 64 lowercase hex digits
     */
    public record FileDigest(String name, long size, String sha256) {
        /** Validates the digest. */
        public FileDigest {
            Objects.requireNonNull(name, "name");
            requireSize(size);
            requireSha256(sha256);
        }
    }

    /**
     * An input file as the algorithm saw it.
     *
     * @param did the input asset's DID
     * @param fileIndex the file's index in the asset
     * @param size its size in bytes
     * @param sha256 64 lowercase hex digits
     */
    public record InputDigest(String did, int fileIndex, long size, String sha256) {
        /** Validates the digest. */
        public InputDigest {
            Objects.requireNonNull(did, "did");
            if (fileIndex < 0) {
                throw new IllegalArgumentException("fileIndex must not be negative");
            }
            requireSize(size);
            requireSha256(sha256);
        }
    }

    private static void requireSize(long size) {
        if (size < 0) {
            throw new IllegalArgumentException("size must not be negative");
        }
    }

    private static void requireSha256(String sha256) {
        if (sha256 == null || !SHA256_HEX.matcher(sha256).matches()) {
            throw new IllegalArgumentException("sha256 must be 64 lowercase hex digits");
        }
    }
}
