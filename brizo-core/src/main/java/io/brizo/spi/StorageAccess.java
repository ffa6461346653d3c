package io.brizo.spi;

import java.io.InputStream;
import java.net.URI;
import java.time.Duration;
import java.util.Optional;

/**
 * The publisher's storage as a whole: each call goes to the storage driver that handles the
 * location. Given to compute backends so they can stage inputs and store outputs without
 * knowing which drivers exist. Locations are secrets, as everywhere.
 */
public interface StorageAccess {
    /** {@return the object's metadata} */
    ObjectInfo stat(URI location);

    /** {@return {@code range} of the object, opened for reading; the caller closes it} */
    StorageObject open(URI location, ByteRange range);

    /** {@return a URL that reads the object for {@code lifetime}, if its driver can make one} */
    Optional<URI> presignGet(URI location, Duration lifetime);

    /**
     * {@return a single-use URL that reads the object once within {@code lifetime}, served by the
     * library itself, for storage that cannot presign; empty when the library has no public URL
     * ({@code BRIZO_PUBLIC_URL}) or this access makes no such links (the default)}
     *
     * <p>The link lives in the memory of the replica that made it: setups with several replicas
     * need sticky routing to it, or storage that can presign.
     */
    default Optional<URI> transferLink(URI location, Duration lifetime) {
        return Optional.empty();
    }

    /**
     * {@return a URL through which the holder may write objects under {@code prefix} within {@code
     * lifetime}, served by the library itself; empty when the library has no public URL ({@code
     * BRIZO_PUBLIC_URL}) or this access makes no such links (the default)}
     *
     * <p>Each object is one {@code PUT <link>?name=<name>} with a {@code Content-Length}, where
     * {@code name} is a relative path ({@code a/b.csv}; no {@code .} or {@code ..} parts) that is
     * appended to {@code prefix}; the library writes it through the prefix's driver. The link
     * writes at most {@code maxBytes} in all (and a bounded number of files). Like {@link
     * #transferLink}, it lives in the memory of the replica that made it.
     *
     * @param prefix a location ending with {@code /}
     */
    default Optional<URI> uploadLink(URI prefix, Duration lifetime, long maxBytes) {
        return Optional.empty();
    }

    /**
     * {@return the location of {@code name} under {@code prefix}, as upload links write it}
     *
     * @param prefix a location ending with {@code /}
     * @param name a relative path of at most 1024 characters: no empty, {@code .} or {@code ..}
     *     parts, no backslash, no control characters
     * @throws BrizoException of kind INVALID_REQUEST if {@code name} is not such a path
     */
    static URI resolve(URI prefix, String name) {
        if (!prefix.getRawPath().endsWith("/")) {
            throw new IllegalArgumentException("a prefix must end with /");
        }
        if (name == null || name.isEmpty() || name.length() > 1024) {
            throw BrizoException.invalid("a name must be 1 to 1024 characters long");
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c < 0x20 || c == 0x7f || c == '\\') {
                throw BrizoException.invalid("a name must not hold control characters or backslashes");
            }
        }
        for (String part : name.split("/", -1)) {
            if (part.isEmpty() || part.equals(".") || part.equals("..")) {
                throw BrizoException.invalid("a name must be a relative path without empty, . or .. parts");
            }
        }
        try {
            // The multi-argument constructor quotes what the name needs (spaces, %, #, ?).
            return new URI(prefix.getScheme(), prefix.getAuthority(), prefix.getPath() + name, prefix.getQuery(), null);
        } catch (java.net.URISyntaxException e) {
            throw BrizoException.invalid("a name must form a valid location");
        }
    }

    /** Writes an object through its driver; see {@link StorageDriver#write}. */
    ObjectInfo write(URI location, InputStream data, long length, String contentType);

    /**
     * Deletes an object through its driver; a missing object is not an error. See {@link
     * StorageDriver#delete}.
     *
     * @throws BrizoException of kind CONFIGURATION if this access or the object's driver cannot
     *     delete
     */
    default void delete(URI location) {
        throw BrizoException.configuration("this storage access cannot delete");
    }
}
