package io.brizo.storage.azure;

import io.brizo.spi.BrizoException;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * A blob of the driver's account: its container and its name (decoded, any depth of {@code /}).
 *
 * @param container the container name
 * @param blob the blob name, without percent-encoding
 */
record BlobLocation(String container, String blob) {
    static final String NOT_A_BLOB_URL = "the storage location of this asset is not an Azure blob URL;"
            + " use https://<account>.blob.core.windows.net/<container>/<blob>";

    BlobLocation {
        Objects.requireNonNull(container, "container");
        Objects.requireNonNull(blob, "blob");
    }

    /** {@return without names: locations are secrets} */
    @Override
    public String toString() {
        return "BlobLocation";
    }

    /**
     * Which locations belong to one account: those at its canonical host, and those under its
     * configured endpoint (an emulator's {@code http://127.0.0.1:10000/devstoreaccount1/...}, a
     * sovereign cloud's host). Locations with a query (a SAS of their own, a snapshot) are not
     * claimed, so the generic HTTP driver serves them as they are.
     */
    static final class Matcher {
        private final String canonicalHost;
        private final URI endpoint; // may be null

        Matcher(String canonicalHost, URI endpoint) {
            this.canonicalHost = canonicalHost;
            this.endpoint = endpoint;
        }

        /** {@return whether {@code location} is a location of this account} */
        boolean supports(URI location) {
            return rawPathInAccount(location).isPresent();
        }

        /**
         * {@return the blob at {@code location}}
         *
         * @throws BrizoException of kind CONFIGURATION if it is not a blob URL of this account
         */
        BlobLocation parse(URI location) {
            String rest = rawPathInAccount(location).orElseThrow(() -> BrizoException.configuration(NOT_A_BLOB_URL));
            // rest is "/<container>/<blob...>"
            int slash = rest.indexOf('/', 1);
            if (!rest.startsWith("/") || slash < 0 || slash == 1 || slash == rest.length() - 1) {
                throw BrizoException.configuration(NOT_A_BLOB_URL);
            }
            String container = decode(rest.substring(1, slash));
            String blob = decode(rest.substring(slash + 1));
            if (container.indexOf('/') >= 0 || blob.isEmpty()) {
                throw BrizoException.configuration(NOT_A_BLOB_URL);
            }
            return new BlobLocation(container, blob);
        }

        /** {@return the raw path after the account part, if {@code location} is in the account} */
        private Optional<String> rawPathInAccount(URI location) {
            if (location == null
                    || location.isOpaque()
                    || location.getScheme() == null
                    || location.getHost() == null
                    || location.getRawUserInfo() != null
                    || location.getRawQuery() != null
                    || location.getRawFragment() != null) {
                return Optional.empty();
            }
            String scheme = location.getScheme().toLowerCase(Locale.ROOT);
            String path = location.getRawPath() == null ? "" : location.getRawPath();
            if (scheme.equals("https")
                    && location.getHost().equalsIgnoreCase(canonicalHost)
                    && (location.getPort() == -1 || location.getPort() == 443)) {
                return Optional.of(path);
            }
            if (endpoint != null
                    && scheme.equalsIgnoreCase(endpoint.getScheme())
                    && location.getHost().equalsIgnoreCase(endpoint.getHost())
                    && port(location) == port(endpoint)) {
                String prefix = endpoint.getRawPath() == null ? "" : endpoint.getRawPath();
                if (prefix.endsWith("/")) {
                    prefix = prefix.substring(0, prefix.length() - 1);
                }
                if (path.startsWith(prefix + "/")) {
                    return Optional.of(path.substring(prefix.length()));
                }
            }
            return Optional.empty();
        }

        private static int port(URI uri) {
            if (uri.getPort() != -1) {
                return uri.getPort();
            }
            return "https".equalsIgnoreCase(uri.getScheme()) ? 443 : 80;
        }
    }

    /** Decodes percent-escapes as UTF-8; a {@code +} stays a {@code +}, as in any URL path. */
    static String decode(String raw) {
        if (raw.indexOf('%') < 0) {
            return raw;
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(raw.length());
        int i = 0;
        while (i < raw.length()) {
            if (raw.charAt(i) == '%') {
                if (i + 2 >= raw.length()) {
                    throw BrizoException.configuration(NOT_A_BLOB_URL);
                }
                int hi = Character.digit(raw.charAt(i + 1), 16);
                int lo = Character.digit(raw.charAt(i + 2), 16);
                if (hi < 0 || lo < 0) {
                    throw BrizoException.configuration(NOT_A_BLOB_URL);
                }
                bytes.write(hi * 16 + lo);
                i += 3;
            } else {
                // A whole run at once, so characters outside the BMP stay intact.
                int next = raw.indexOf('%', i);
                int end = next < 0 ? raw.length() : next;
                byte[] b = raw.substring(i, end).getBytes(StandardCharsets.UTF_8);
                bytes.write(b, 0, b.length);
                i = end;
            }
        }
        try {
            return StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(java.nio.ByteBuffer.wrap(bytes.toByteArray()))
                    .toString();
        } catch (CharacterCodingException e) {
            throw BrizoException.configuration(NOT_A_BLOB_URL);
        }
    }
}
