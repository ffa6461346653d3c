package io.brizo.spi;

import java.util.Objects;

/**
 * What makes an asset an algorithm, in the shape of Ocean's DDOs ({@code algorithm: {language,
 * version, container}}): a published algorithm always runs in its own container with its own
 * entrypoint, whatever a request says.
 *
 * @param language the language, for example {@code python}, or null
 * @param version the language or algorithm version, or null
 * @param container the container it runs in
 */
public record AlgorithmMetadata(String language, String version, AlgorithmContainer container) {
    /** Validates the metadata. */
    public AlgorithmMetadata {
        Objects.requireNonNull(container, "container");
    }
}
