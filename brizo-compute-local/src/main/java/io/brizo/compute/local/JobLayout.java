package io.brizo.compute.local;

import java.nio.file.Path;

/**
 * Where a job's files are. The public part follows the Ocean operator's pod layout, so
 * algorithms written for Ocean find their files; the backend's own files are kept apart in
 * {@code .brizo/}.
 *
 * <pre>
 * &lt;job&gt;/inputs/&lt;did without "did:op:"&gt;/&lt;file index&gt;
 * &lt;job&gt;/transformations/algorithm
 * &lt;job&gt;/outputs/
 * &lt;job&gt;/logs/algorithm.log
 * &lt;job&gt;/.brizo/state.json      the job's state, rewritten atomically on every change
 * &lt;job&gt;/.brizo/exit-code       written by the wrapper when the algorithm exits
 * &lt;job&gt;/.brizo/stored.json     what was written to the output location, if one is set
 * &lt;job&gt;/.brizo/gpus            the indexes of the GPUs the job holds, if any
 * </pre>
 *
 * @param dir the job's directory
 */
record JobLayout(Path dir) {
    static final String DID_PREFIX = "did:op:";
    /** The name of the backend's own folder in a job's directory. */
    static final String BRIZO = ".brizo";

    Path inputs() {
        return dir.resolve("inputs");
    }

    /** {@return the directory of one input dataset} */
    Path inputDir(String did) {
        return inputs().resolve(did.substring(DID_PREFIX.length()));
    }

    Path transformations() {
        return dir.resolve("transformations");
    }

    Path algorithm() {
        return transformations().resolve("algorithm");
    }

    Path outputs() {
        return dir.resolve("outputs");
    }

    Path logs() {
        return dir.resolve("logs");
    }

    Path log() {
        return logs().resolve("algorithm.log");
    }

    Path brizo() {
        return dir.resolve(BRIZO);
    }

    Path stateFile() {
        return brizo().resolve("state.json");
    }

    Path exitFile() {
        return brizo().resolve("exit-code");
    }

    Path gpusFile() {
        return brizo().resolve("gpus");
    }

    Path storedFile() {
        return brizo().resolve("stored.json");
    }
}
