package io.brizo.storage.s3;

/**
 * Stands in for an exception whose message may name a storage location (a bucket, a key, an
 * endpoint's host), so it can be attached as a cause without leaking it: it keeps the class
 * names and stack traces of the original chain and drops the messages. (The same idea as the
 * built-in drivers' own, which is internal to brizo-core.)
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
