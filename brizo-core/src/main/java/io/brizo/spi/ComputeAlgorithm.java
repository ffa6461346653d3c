package io.brizo.spi;

import java.util.Objects;
import java.util.Optional;

/**
 * The algorithm of a compute job: its code (inline or as a file) and the container it runs in.
 * For a published algorithm both come from its asset, never from the request.
 *
 * @param did the algorithm asset's DID, or null for inline algorithms
 * @param code the algorithm's file: either {@code rawCode} or a secret {@code file}; exactly one
 *     is set
 * @param container the container image and the entrypoint
 */
public record ComputeAlgorithm(String did, Code code, AlgorithmContainer container) {
    /** Validates the algorithm. */
    public ComputeAlgorithm {
        Objects.requireNonNull(code, "code");
        Objects.requireNonNull(container, "container");
    }

    /** {@return the algorithm asset's DID, if it has one} */
    public Optional<String> didIfAny() {
        return Optional.ofNullable(did);
    }

    /**
     * The algorithm's code: raw text, or a file resolved through a storage driver.
     *
     * @param rawCode the code as text, or null
     * @param file the code's location, or null; secret
     */
    public record Code(String rawCode, AssetFile file) {
        /** Validates that exactly one form is set. */
        public Code {
            if ((rawCode == null) == (file == null)) {
                throw new IllegalArgumentException("exactly one of rawCode and file must be set");
            }
        }
    }
}
