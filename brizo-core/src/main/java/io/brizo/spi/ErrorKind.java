package io.brizo.spi;

/** What went wrong, independent of transport. The HTTP layer maps each kind to one status code. */
public enum ErrorKind {
    /** The request is malformed: a parameter is missing or has the wrong form. */
    INVALID_REQUEST(false),
    /** The caller could not be authenticated (bad signature, replayed nonce, expired token). */
    UNAUTHENTICATED(false),
    /** The caller is known but not allowed to do this. */
    FORBIDDEN(false),
    /** The agreement, asset, file or job does not exist. */
    NOT_FOUND(false),
    /** The requested byte range lies outside the object. */
    RANGE_NOT_SATISFIABLE(false),
    /** The request conflicts with the current state (for example a job that already ended). */
    CONFLICT(false),
    /** A storage service or other upstream system failed or answered something unusable. */
    UPSTREAM_FAILED(true),
    /** A dependency (chain node, storage) is unreachable or too slow; try again later. */
    UNAVAILABLE(true),
    /** The library or its embedding server is misconfigured; the message says which setting. */
    CONFIGURATION(false),
    /** A defect in this library or a driver. */
    INTERNAL(false);

    private final boolean retryableByDefault;

    ErrorKind(boolean retryableByDefault) {
        this.retryableByDefault = retryableByDefault;
    }

    /** {@return whether errors of this kind are retryable unless the thrower says otherwise} */
    public boolean retryableByDefault() {
        return retryableByDefault;
    }
}
