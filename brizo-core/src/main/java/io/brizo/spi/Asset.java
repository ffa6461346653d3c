package io.brizo.spi;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A published asset: its DID, its files, in order (the consume {@code index} counts from 0), and
 * the timeout of its services.
 *
 * @param did {@code did:op:} followed by 64 lowercase hex digits
 * @param files the files, in order
 * @param timeout how long an agreement for this asset lasts after it was made; zero = forever
 */
public record Asset(String did, List<AssetFile> files, Duration timeout) {
    private static final Pattern DID = Pattern.compile("did:op:[0-9a-f]{64}");

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
    }

    /** Creates an asset whose agreements never time out. */
    public Asset(String did, List<AssetFile> files) {
        this(did, files, Duration.ZERO);
    }

    /** {@return whether {@code did} has the DID form this library understands} */
    public static boolean isDid(String did) {
        return did != null && DID.matcher(did).matches();
    }
}
