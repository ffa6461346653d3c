package io.brizo.spi;

import java.util.Locale;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * What a compute job's consumer asked to be done with its outputs once it succeeds: the
 * request's {@code output} parameter, checked. When {@link #publishes()}, the library makes the
 * outputs of the SUCCEEDED job (and its log, if asked) a new asset, its <em>derived asset</em>,
 * and gives {@link #owner} direct permission on it.
 *
 * <p>A backend keeps this with the job and returns it in {@link JobEvidence#output()}, so that
 * the library can read it back after the job ended (or after a restart). A backend that does not
 * (returns no evidence, or evidence without it) simply yields no derived asset.
 *
 * @param publishOutput whether the outputs become files of the derived asset
 * @param publishAlgorithmLog whether the job's log becomes a file of the derived asset (after the
 *     outputs)
 * @param owner who is given permission on the derived asset: {@code 0x} and 40 hex digits,
 *     stored in lower case (the consumer, unless the request named another)
 * @param metadataJson the public metadata the consumer gave for the asset, as a JSON object's
 *     text, or null
 */
public record OutputPublication(boolean publishOutput, boolean publishAlgorithmLog, String owner, String metadataJson) {
    private static final Pattern ADDRESS = Pattern.compile("0x[0-9a-fA-F]{40}");

    /** Validates the request and lower-cases the owner. */
    public OutputPublication {
        Objects.requireNonNull(owner, "owner");
        if (!ADDRESS.matcher(owner).matches()) {
            throw new IllegalArgumentException("owner must be 0x and 40 hex digits");
        }
        owner = owner.toLowerCase(Locale.ROOT);
    }

    /** {@return whether anything is to be published: the outputs, the log, or both} */
    public boolean publishes() {
        return publishOutput || publishAlgorithmLog;
    }
}
