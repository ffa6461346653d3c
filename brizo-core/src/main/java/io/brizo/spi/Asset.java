package io.brizo.spi;

import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * A published asset: its DID, its files, in order (the consume {@code index} counts from 0), the
 * timeout of its services, who published it and, for an algorithm, how it runs.
 *
 * @param did {@code did:op:} followed by 64 lowercase hex digits
 * @param files the files, in order
 * @param timeout how long an agreement for this asset lasts after it was made; zero = forever
 * @param publisher the address that published the asset ({@code 0x} and 40 hex digits, stored in
 *     lower case), or null when unknown
 * @param algorithm the algorithm metadata, or null when the asset is not an algorithm
 */
public record Asset(
        String did, List<AssetFile> files, Duration timeout, String publisher, AlgorithmMetadata algorithm) {
    private static final Pattern DID = Pattern.compile("did:op:[0-9a-f]{64}");
    private static final Pattern ADDRESS = Pattern.compile("0x[0-9a-fA-F]{40}");

    /** Validates the asset and copies the list. */
    public Asset {
        Objects.requireNonNull(did, "did");
        if (!DID.matcher(did).matches()) {
            throw new IllegalArgumentException("a DID is did:op: and 64 lowercase hex digits");
        }
        files = List.copyOf(files);
        Objects.requireNonNull(timeout, "timeout");
        if (timeout.isNegative()) {
            throw new IllegalArgumentException("timeout must not be negative");
        }
        if (publisher != null) {
            if (!ADDRESS.matcher(publisher).matches()) {
                throw new IllegalArgumentException("publisher must be 0x and 40 hex digits");
            }
            publisher = publisher.toLowerCase(Locale.ROOT);
        }
    }

    /** Creates a data asset of unknown publisher. */
    public Asset(String did, List<AssetFile> files, Duration timeout) {
        this(did, files, timeout, null, null);
    }

    /** Creates a data asset of unknown publisher whose agreements never time out. */
    public Asset(String did, List<AssetFile> files) {
        this(did, files, Duration.ZERO);
    }

    /** {@return the algorithm metadata, if this asset is an algorithm} */
    public Optional<AlgorithmMetadata> algorithmIfAny() {
        return Optional.ofNullable(algorithm);
    }

    /** {@return the publisher's address in lower case, if known} */
    public Optional<String> publisherIfKnown() {
        return Optional.ofNullable(publisher);
    }

    /** {@return whether {@code did} has the DID form this library understands} */
    public static boolean isDid(String did) {
        return did != null && DID.matcher(did).matches();
    }
}
