package io.brizo.spi;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * The container an algorithm runs in, as Ocean's DDOs describe it ({@code algorithm.container}).
 *
 * @param image the image name, for example {@code python}
 * @param tag the image tag, or null; ignored by backends when a digest is set
 * @param digest the image digest ({@code sha256:<64 hex>}; a DDO's {@code checksum}), or null;
 *     when set, the backend runs exactly this image content
 * @param entrypoint the command; {@code $ALGO} stands for the algorithm file's path
 */
public record AlgorithmContainer(String image, String tag, String digest, String entrypoint) {
    private static final Pattern DIGEST = Pattern.compile("sha256:[0-9a-f]{64}");

    /** Validates the container. */
    public AlgorithmContainer {
        if (image == null
                || image.isBlank()
                || image.length() > 255
                || image.chars().anyMatch(Character::isWhitespace)) {
            throw new IllegalArgumentException("image must be a name of at most 255 characters without white space");
        }
        if (tag != null && (tag.isBlank() || tag.length() > 128 || tag.chars().anyMatch(Character::isWhitespace))) {
            throw new IllegalArgumentException("tag must be null or a word of at most 128 characters");
        }
        if (digest != null && !DIGEST.matcher(digest).matches()) {
            throw new IllegalArgumentException("digest must be null or sha256: and 64 lowercase hex digits");
        }
        Objects.requireNonNull(entrypoint, "entrypoint");
        if (entrypoint.isBlank() || entrypoint.length() > 4096) {
            throw new IllegalArgumentException("entrypoint must be a command of 1 to 4096 characters");
        }
    }

    /** {@return whether {@code digest} has the form {@code sha256:<64 lowercase hex>}} */
    public static boolean isDigest(String digest) {
        return digest != null && DIGEST.matcher(digest).matches();
    }

    /**
     * {@return the image reference a backend runs: {@code image@digest} when pinned, else {@code
     * image:tag}, else {@code image}}
     */
    public String reference() {
        if (digest != null) {
            return image + "@" + digest;
        }
        return tag == null ? image : image + ":" + tag;
    }

    /**
     * {@return the container section's checksum, hex} As ocean-node computes a trusted algorithm's
     * {@code containerSectionChecksum}: the SHA-256 of the entrypoint followed by the image digest.
     * Without a digest, the image reference ({@code image} or {@code image:tag}) stands in for
     * it, so a changed entrypoint, image or tag always changes the checksum.
     */
    public String checksum() {
        String pin = digest != null ? digest : reference();
        try {
            byte[] hash =
                    MessageDigest.getInstance("SHA-256").digest((entrypoint + pin).getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(hash);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }
}
