package io.brizo.storage.s3;

import io.brizo.spi.BrizoException;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.core.exception.SdkException;

/**
 * The body of a GET: exactly {@code length} bytes, then the end.
 *
 * <ul>
 *   <li>A body that ends early throws, so a cut transfer never looks complete to the consumer.
 *   <li>Once the last byte is read, the body is read once more to its end: that is when the SDK
 *       checks the object's checksum (if the store sent one), and a body longer than announced
 *       is an error as well.
 *   <li>Closing before the end aborts the HTTP connection instead of draining it: a consumer who
 *       stops a 1 GiB download must not make the publisher read the rest from S3.
 *   <li>The SDK reports some failures (a checksum mismatch) as unchecked exceptions; they become
 *       {@link IOException}s with a cause that names no location, as callers of a stream expect.
 *   <li>Reading after {@link #close()} always throws.
 * </ul>
 *
 * Not thread-safe, like most streams.
 */
final class S3ObjectStream extends InputStream {
    private static final Logger LOG = LoggerFactory.getLogger(S3ObjectStream.class);

    private final ResponseInputStream<?> in;
    private final long length;
    private final boolean bodyEndsHere;
    private long remaining;
    private boolean endVerified;
    private boolean closed;

    /**
     * @param in the response body, positioned at the first byte to yield
     * @param length how many bytes to yield
     * @param bodyEndsHere whether the body ends after them, so its end can be verified; false
     *     when the store sent more than was asked for (it ignored a range)
     */
    S3ObjectStream(ResponseInputStream<?> in, long length, boolean bodyEndsHere) {
        if (length < 0) {
            throw new IllegalArgumentException("length must be >= 0");
        }
        this.in = Objects.requireNonNull(in, "in");
        this.length = length;
        this.bodyEndsHere = bodyEndsHere;
        this.remaining = length;
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        int n = read(one, 0, 1);
        return n < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        Objects.checkFromIndexSize(off, len, b.length);
        ensureOpen();
        if (len == 0) {
            return 0;
        }
        if (remaining == 0) {
            verifyEnd();
            return -1;
        }
        int n;
        try {
            n = in.read(b, off, (int) Math.min(len, remaining));
        } catch (SdkException e) {
            throw failed(e);
        }
        if (n < 0) {
            throw new EOFException("the storage stream ended after " + (length - remaining) + " of " + length
                    + " bytes; the object is incomplete");
        }
        remaining -= n;
        if (remaining == 0) {
            verifyEnd();
        }
        return n;
    }

    /** Reads the body's end, which makes the SDK validate the object's checksum if it has one. */
    private void verifyEnd() throws IOException {
        if (endVerified || !bodyEndsHere) {
            return;
        }
        endVerified = true;
        int extra;
        try {
            extra = in.read();
        } catch (SdkException e) {
            throw failed(e);
        }
        if (extra >= 0) {
            throw new IOException("the storage sent more than the " + length + " bytes it announced");
        }
    }

    @Override
    public long skip(long n) throws IOException {
        ensureOpen();
        // Skipping by reading keeps the early-end check, in small chunks so memory stays flat.
        return super.skip(Math.min(n, remaining));
    }

    @Override
    public int available() throws IOException {
        ensureOpen();
        return (int) Math.min(in.available(), remaining);
    }

    @Override
    public void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        if (!endVerified) {
            // Unread bytes are left: drop the connection rather than reading them all.
            try {
                in.abort();
            } catch (RuntimeException e) {
                LOG.debug("aborting an S3 response failed", e);
            }
        }
        try {
            in.close();
        } catch (IOException | RuntimeException e) {
            // The bytes the caller asked for were delivered (or the stream was abandoned); a
            // failure to release the connection is the pool's business, not the reader's.
            LOG.debug("closing an S3 response failed", e);
        }
    }

    private void ensureOpen() throws IOException {
        if (closed) {
            throw new IOException("the storage stream is closed");
        }
    }

    private static IOException failed(SdkException e) {
        LOG.debug("reading an S3 object failed", e);
        return new IOException("reading from the storage service failed", BrizoException.redactedCause(e));
    }
}
