package io.brizo.storage.azure;

import io.brizo.spi.BrizoException;
import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The body of one ranged GET of a blob: yields exactly {@code length} bytes and then ends, throws
 * if Azure's stream ends sooner (a cut transfer must never look complete), and releases the HTTP
 * response when closed. Transport errors are rethrown without their messages, which may name the
 * host. Reading after {@link #close()} always throws. Not thread-safe, like most streams.
 */
final class BlobBodyStream extends InputStream {
    private static final Logger LOG = LoggerFactory.getLogger(BlobBodyStream.class);

    private final InputStream in;
    private final Closeable response;
    private final long length;
    private long remaining;
    private boolean closed;

    BlobBodyStream(InputStream in, Closeable response, long length) {
        if (length < 0) {
            throw new IllegalArgumentException("length must be >= 0");
        }
        this.in = Objects.requireNonNull(in, "in");
        this.response = Objects.requireNonNull(response, "response");
        this.length = length;
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
            return -1;
        }
        int n;
        try {
            n = in.read(b, off, (int) Math.min(len, remaining));
        } catch (IOException | RuntimeException e) {
            LOG.debug("reading an Azure blob failed after {} of {} bytes", length - remaining, length, e);
            throw new IOException(
                    "reading the Azure blob failed after " + (length - remaining) + " of " + length + " bytes",
                    BrizoException.redactedCause(e));
        }
        if (n < 0) {
            throw new EOFException("the Azure blob stream ended after " + (length - remaining) + " of " + length
                    + " bytes; the object is incomplete");
        }
        remaining -= n;
        return n;
    }

    @Override
    public long skip(long n) throws IOException {
        ensureOpen();
        // Skipping by reading keeps the early-end check, with a small buffer.
        return super.skip(Math.min(n, remaining));
    }

    @Override
    public int available() throws IOException {
        ensureOpen();
        try {
            return (int) Math.min(in.available(), remaining);
        } catch (IOException e) {
            return 0;
        }
    }

    @Override
    public void close() throws IOException {
        if (!closed) {
            closed = true;
            try {
                // Closing before the end abandons the connection rather than draining the rest.
                response.close();
            } catch (IOException | RuntimeException e) {
                LOG.debug("closing an Azure response failed", e);
            }
        }
    }

    private void ensureOpen() throws IOException {
        if (closed) {
            throw new IOException("the Azure blob stream is closed");
        }
    }
}
