package io.brizo.storage.ipfs;

import io.brizo.spi.BrizoException;
import java.io.IOException;

/**
 * Thrown by a stream when a block from the gateway does not match its CID after some bytes of
 * the file were already delivered. None of the mismatching block's bytes were passed on; the
 * cause carries the BrizoException (UPSTREAM_FAILED, not retryable).
 */
final class ContentMismatchException extends IOException {
    private static final long serialVersionUID = 1L;

    ContentMismatchException(BrizoException cause) {
        super(IpfsErrors.MISMATCH, cause);
    }
}
