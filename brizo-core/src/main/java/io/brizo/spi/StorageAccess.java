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
