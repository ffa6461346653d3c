package io.brizo.spi;

import java.util.Objects;

/**
 * The one exception type of Brizo and its drivers.
 *
 * <p>The message may reach a consumer over HTTP, so it must never contain a storage URL, a
 * credential or a server path. Put such details in the cause only, and only where the cause
 * is itself free of secrets.
 */
public class BrizoException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final ErrorKind kind;
    private final boolean retryable;

    /** Creates an exception of {@code kind}, retryable as the kind is by default. */
    public BrizoException(ErrorKind kind, String message) {
        this(kind, message, null, Objects.requireNonNull(kind, "kind").retryableByDefault());
    }

    /** Creates an exception of {@code kind} with a cause, retryable as the kind is by default. */
    public BrizoException(ErrorKind kind, String message, Throwable cause) {
        this(kind, message, cause, Objects.requireNonNull(kind, "kind").retryableByDefault());
    }

    /** Creates an exception of {@code kind} whose retryability is stated explicitly. */
    public BrizoException(ErrorKind kind, String message, Throwable cause, boolean retryable) {
        super(Objects.requireNonNull(message, "message"), cause);
        this.kind = Objects.requireNonNull(kind, "kind");
        this.retryable = retryable;
    }

    /** {@return what went wrong} */
    public ErrorKind kind() {
        return kind;
    }

    /** {@return whether the same request may succeed if tried again later} */
    public boolean retryable() {
        return retryable;
    }

    /** {@return a new INVALID_REQUEST exception} */
    public static BrizoException invalid(String message) {
        return new BrizoException(ErrorKind.INVALID_REQUEST, message);
    }

    /** {@return a new NOT_FOUND exception} */
    public static BrizoException notFound(String message) {
        return new BrizoException(ErrorKind.NOT_FOUND, message);
    }

    /**
     * {@return a stand-in for {@code original} to attach as a cause, keeping the class names and
     * stack traces of its chain but not their messages}, for exceptions of clients and SDKs whose
     * messages may name a storage location, a host or a path
     */
    public static Throwable redactedCause(Throwable original) {
        return new RedactedCause(original, 0);
    }

    /** A cause with its message withheld. */
    private static final class RedactedCause extends Exception {
        private static final long serialVersionUID = 1L;

        RedactedCause(Throwable original, int depth) {
            super(
                    original.getClass().getName() + " (message withheld: it may name the storage location)",
                    original.getCause() == null || original.getCause() == original || depth >= 8
                            ? null
                            : new RedactedCause(original.getCause(), depth + 1));
            setStackTrace(original.getStackTrace());
        }
    }

    /** {@return a new CONFIGURATION exception} */
    public static BrizoException configuration(String message) {
        return new BrizoException(ErrorKind.CONFIGURATION, message);
    }
}
