package io.brizo.storage.s3;

import io.brizo.spi.BrizoException;
import java.net.URI;
import java.util.Locale;

/**
 * A parsed {@code s3://bucket/key} location. The key is the URI's decoded path without its
 * leading slash, so a key with spaces or other reserved characters is written percent-encoded
 * ({@code s3://bucket/my%20file.csv}).
 *
 * <p>{@link #toString()} does not show the bucket or the key: a location is a secret.
 *
 * @param bucket the bucket name
 * @param key the object key
 */
record S3Location(String bucket, String key) {
    static final String SCHEME = "s3";

    static final String MALFORMED_MESSAGE = "the storage location of this asset is not a valid s3://bucket/key URL;"
            + " check the asset's metadata (reserved characters in the key must be percent-encoded)";

    /** {@return whether {@code location} has the s3 scheme, whatever else it holds} */
    static boolean isS3(URI location) {
        return location != null
                && location.getScheme() != null
                && location.getScheme().toLowerCase(Locale.ROOT).equals(SCHEME);
    }

    /**
     * {@return the bucket and key of {@code location}}
     *
     * @throws BrizoException of kind CONFIGURATION if it is not a usable s3 URL: no bucket or key,
     *     user info, a port, a query (a literal {@code ?} in a key must be {@code %3F}, or a
     *     different object would be read) or a fragment
     */
    static S3Location parse(URI location) {
        if (!isS3(location) || location.isOpaque()) {
            throw BrizoException.configuration(MALFORMED_MESSAGE);
        }
        // The authority, not the host: URI.getHost() is null for legacy bucket names with
        // underscores, and a port or user info would be silently ignored.
        String bucket = location.getRawAuthority();
        String path = location.getPath();
        if (bucket == null
                || bucket.isEmpty()
                || !bucket.matches("[A-Za-z0-9._-]{1,255}")
                || location.getRawQuery() != null
                || location.getRawFragment() != null
                || path == null
                || path.length() < 2
                || path.charAt(0) != '/') {
            throw BrizoException.configuration(MALFORMED_MESSAGE);
        }
        return new S3Location(bucket, path.substring(1));
    }

    @Override
    public String toString() {
        return "S3Location{bucket and key withheld}";
    }
}
