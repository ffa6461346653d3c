package io.brizo.spi;

import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A published asset: its DID and its files, in order (the consume {@code index} counts from 0).
 *
 * @param did {@code did:op:} followed by 64 lowercase hex digits
 * @param files the files, in order
 */
public record Asset(String did, List<AssetFile> files) {
    private static final Pattern DID = Pattern.compile("did:op:[0-9a-f]{64}");

    /** Validates the asset and copies the list. */
    public Asset {
        Objects.requireNonNull(did, "did");
        if (!DID.matcher(did).matches()) {
            throw new IllegalArgumentException("a DID is did:op: and 64 lowercase hex digits");
        }
        files = List.copyOf(files);
    }

    /** {@return whether {@code did} has the DID form this library understands} */
    public static boolean isDid(String did) {
        return did != null && DID.matcher(did).matches();
    }
}
