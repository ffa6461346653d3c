package io.brizo.storage.azure;

/**
 * Stands in for an exception whose message may name the account's host, a container, a blob or
 * a URL with a SAS token, so it can be attached as a cause without leaking them: it keeps the
 * class names and stack traces of the original chain and drops the messages. (brizo-core has the
 * same class for its own drivers, package-private there.)
 */
final class RedactedCause extends Exception {
    private static final long serialVersionUID = 1L;

    private RedactedCause(Throwable original, int depth) {
        super(
                original.getClass().getName() + " (message withheld: it may name the storage location)",
                original.getCause() == null || original.getCause() == original || depth >= 8
                        ? null
                        : new RedactedCause(original.getCause(), depth + 1));
        setStackTrace(original.getStackTrace());
    }

    /** {@return a stand-in for {@code original} without its message or its causes' messages} */
    static RedactedCause of(Throwable original) {
        return new RedactedCause(original, 0);
    }
}
