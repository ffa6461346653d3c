package io.brizo.spi;

import java.net.URI;
import java.util.Objects;
import java.util.Optional;

/**
 * One file of an asset. The URL is the secret that protects the data: {@link #toString()} never
 * shows it.
 *
 * @param url where the bytes are; secret
 * @param contentType the published content type, or null
 * @param checksum the published checksum ({@code algorithm:hex}, for example {@code
 *     sha256:ab12...}), or null
 */
public record AssetFile(URI url, String contentType, String checksum) {
    /** Validates the file. */
    public AssetFile {
        Objects.requireNonNull(url, "url");
    }

    /** {@return the published content type, if any} */
    public Optional<String> contentTypeIfKnown() {
        return Optional.ofNullable(contentType);
    }

    /** {@return the last path segment of the URL, usable as a download file name; may be empty} */
    public String fileName() {
        String path = url.getPath();
        if (path == null || path.isEmpty()) {
            path = url.getSchemeSpecificPart();
        }
        if (path == null) {
            return "";
        }
        int slash = path.lastIndexOf('/');
        return slash >= 0 ? path.substring(slash + 1) : path;
    }

    @Override
    public String toString() {
        return "AssetFile{url=<hidden>, contentType=" + contentType + ", checksum=" + checksum + "}";
    }
}
