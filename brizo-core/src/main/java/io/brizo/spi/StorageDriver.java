package io.brizo.spi;

import java.io.InputStream;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * Reads (and optionally writes and deletes) objects at storage locations of one or more URI
 * schemes.
 *
 * <p>Implementations must be thread-safe. Locations are secrets: never put one in an exception
 * message, a log line at INFO or above, or {@code toString()}. Failures are {@link
 * BrizoException}s: a missing object is NOT_FOUND, a range past the end RANGE_NOT_SATISFIABLE,
 * a failing store UPSTREAM_FAILED or UNAVAILABLE (retryable).
 */
public interface StorageDriver extends AutoCloseable {
    /** {@return a short stable name for this driver, such as {@code file} or {@code s3}} */
    String name();

    /** {@return whether this driver handles {@code location}} */
    boolean supports(URI location);

    /** {@return the object's metadata} */
    ObjectInfo stat(URI location);

    /**
     * Opens the object for reading {@code range}. Memory use must not grow with the object's
     * size: stream, never buffer the whole object.
     *
     * @return the opened object; the caller closes it
     */
    StorageObject open(URI location, ByteRange range);

    /**
     * {@return a URL that lets anyone holding it read the object for {@code lifetime}, if this
     * driver can make one}
     */
    default Optional<URI> presignGet(URI location, Duration lifetime) {
        return Optional.empty();
    }

    /**
     * Writes an object (used for compute outputs).
     *
     * @param length the number of bytes {@code data} yields, or -1 if unknown
     * @return the written object's metadata
     * @throws BrizoException of kind CONFIGURATION if this driver cannot write
     */
    default ObjectInfo write(URI location, InputStream data, long length, String contentType) {
        throw BrizoException.configuration("the " + name() + " storage driver cannot write");
    }

    /**
     * Deletes the object at {@code location}. Deleting an object that does not exist is not an
     * error, so a retried or repeated delete succeeds. The location is a secret: it must not
     * appear in an error message.
     *
     * @throws BrizoException of kind CONFIGURATION if this driver cannot delete
     */
    default void delete(URI location) {
        throw BrizoException.configuration("the " + name() + " storage driver cannot delete");
    }

    /** Releases the driver's clients and threads. */
    @Override
    default void close() {}

    /**
     * Creates a {@link StorageDriver} from settings. Found through {@link java.util.ServiceLoader},
     * so implementations need a public no-argument constructor.
     */
    interface Factory {
        /** {@return the name of the drivers this factory makes} */
        String name();

        /**
         * {@return the driver, or empty if the settings do not configure it here} Throws a
         * CONFIGURATION error if the settings are present but wrong.
         */
        Optional<StorageDriver> create(Settings settings);

        /**
         * {@return the selection priority; higher is asked first} Specific drivers use the
         * default 0; catch-all drivers (generic HTTP) use a negative number.
         */
        default int priority() {
            return 0;
        }

        /** {@return the settings this factory understands} */
        default List<SettingKey> settingKeys() {
            return List.of();
        }
    }
}
