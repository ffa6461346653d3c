package io.brizo.spi;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.util.Objects;

/**
 * Yields exactly {@code length} bytes of an underlying stream and then ends, and throws if the
 * underlying stream ends sooner. A storage object that is cut short must never look complete to
 * the consumer, so an early end is an error, not a quiet end of stream. Reading after {@link
 * #close()} always throws. Not thread-safe, like most streams.
 *
 * <p>The building block for a driver's {@link StorageObject}: wrap the store's body with the
 * length of the requested slice, so a connection that ends early fails the consumer's transfer.
 */
public final class ExactLengthInputStream extends InputStream {
    private final InputStream in;
    private final long length;
    private long remaining;
    private boolean closed;

    /**
     * Wraps {@code in}.
     *
     * @param length the exact number of bytes {@code in} must yield
     */
    public ExactLengthInputStream(InputStream in, long length) {
        if (length < 0) {
            throw new IllegalArgumentException("length must be >= 0");
        }
        this.in = Objects.requireNonNull(in, "in");
        this.length = length;
        this.remaining = length;
    }

    @Override
    public int read() throws IOException {
        ensureOpen();
        if (remaining == 0) {
            return -1;
        }
        int b = in.read();
        if (b < 0) {
            throw endedEarly();
        }
        remaining--;
        return b;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        Objects.checkFromIndexSize(off, len, b.length);
        ensureOpen();
        if (len == 0) {
            return 0;
        }
        if (remaining == 0) {
            return -1;
        }
        int n = in.read(b, off, (int) Math.min(len, remaining));
        if (n < 0) {
            throw endedEarly();
        }
        remaining -= n;
        return n;
    }

    @Override
    public long skip(long n) throws IOException {
        ensureOpen();
        // Skipping by reading keeps the early-end check; InputStream.skip does the same with a
        // small buffer, so memory stays flat.
        return super.skip(Math.min(n, remaining));
    }

    @Override
    public int available() throws IOException {
        ensureOpen();
        return (int) Math.min(in.available(), remaining);
    }

    @Override
    public void close() throws IOException {
        if (!closed) {
            closed = true;
            in.close();
        }
    }

    private void ensureOpen() throws IOException {
        if (closed) {
            throw new IOException("the storage stream is closed");
        }
    }

    private EOFException endedEarly() {
        return new EOFException("the storage stream ended after " + (length - remaining) + " of " + length
                + " bytes; the object is incomplete");
    }
}
