package io.brizo.spi;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Yields exactly {@code length} bytes of an underlying stream and then ends, and throws if the
 * underlying stream ends sooner. A storage object that is cut short must never look complete to
 * the consumer, so an early end is an error, not a quiet end of stream. Not thread-safe, like most
 * streams.
 *
 * <p>The building block for the stream of a driver's {@link StorageObject}: wrap the store's body
 * with the length of the requested slice, so a connection that ends early fails the consumer's
 * transfer. What differs between stores is set with a {@link #builder(InputStream, long) builder}:
 *
 * <pre>{@code
 * InputStream stream = ExactLengthInputStream.builder(response.body(), slice.length())
 *         .describedAs("the Azure blob")        // for messages
 *         .onEnd(this::verifyChecksum)          // once the last byte is read
 *         .onEarlyClose(response::abort)        // closed before that: drop, do not drain
 *         .onClose(response::close)             // always, last
 *         .build();
 * }</pre>
 *
 * <p>Failures:
 *
 * <ul>
 *   <li>An early end is an {@link EOFException} that says how many of the expected bytes came.
 *   <li>An {@link IOException} or {@link RuntimeException} of the underlying stream becomes an
 *       {@code IOException} that says what was read and how far it got; its cause is {@link
 *       BrizoException#redactedCause(Throwable)}, because messages of HTTP clients and SDKs may
 *       name the host, the URL or the object. A timeout or an interruption stays an {@link
 *       InterruptedIOException}, so callers can still tell it apart.
 *   <li>After a failure every later read throws the same exception again: a reader that retries
 *       must not skip over the missing bytes and see a complete-looking end.
 *   <li>Reading after {@link #close()} always throws.
 * </ul>
 */
public final class ExactLengthInputStream extends InputStream {
    private static final Logger LOG = LoggerFactory.getLogger(ExactLengthInputStream.class);
    private static final String DEFAULT_DESCRIPTION = "the storage object";

    /** An action a driver hands to the stream, run at a defined moment of its life. */
    @FunctionalInterface
    public interface Hook {
        /**
         * Runs the action.
         *
         * @throws IOException if it fails; what the stream does with it is said where the hook is
         *     set
         */
        void run() throws IOException;
    }

    private final InputStream in;
    private final long length;
    private final String what;
    private final Hook onEnd;
    private final Hook onEarlyClose;
    private final Hook onClose;
    private final byte[] single = new byte[1];
    private long remaining;
    private boolean endReached; // the end hook was run (or there is none) after the last byte
    private boolean endPassed; // ... and it returned normally
    private IOException failure;
    private boolean closed;

    /**
     * Wraps {@code in} with no hooks: the same as {@code builder(in, length).build()}.
     *
     * @param in the stream to read, positioned at the first byte to yield; closed by {@link
     *     #close()}
     * @param length the exact number of bytes {@code in} must yield
     * @throws IllegalArgumentException if {@code length} is negative
     */
    public ExactLengthInputStream(InputStream in, long length) {
        this(builder(in, length));
    }

    private ExactLengthInputStream(Builder b) {
        this.in = b.in;
        this.length = b.length;
        this.what = b.what;
        this.onEnd = b.onEnd;
        this.onEarlyClose = b.onEarlyClose;
        this.onClose = b.onClose;
        this.remaining = b.length;
    }

    /**
     * {@return a builder of a stream that yields exactly {@code length} bytes of {@code in}}
     *
     * @param in the stream to read, positioned at the first byte to yield; closed by {@link
     *     #close()}
     * @param length the exact number of bytes {@code in} must yield
     * @throws IllegalArgumentException if {@code length} is negative
     */
    public static Builder builder(InputStream in, long length) {
        return new Builder(in, length);
    }

    /**
     * Sets up an {@link ExactLengthInputStream}. Every setting is optional; each may be set once
     * or again, the last one counts. Not thread-safe.
     */
    public static final class Builder {
        private final InputStream in;
        private final long length;
        private String what = DEFAULT_DESCRIPTION;
        private Hook onEnd;
        private Hook onEarlyClose;
        private Hook onClose;

        private Builder(InputStream in, long length) {
            if (length < 0) {
                throw new IllegalArgumentException("length must be >= 0");
            }
            this.in = Objects.requireNonNull(in, "in");
            this.length = length;
        }

        /**
         * Names what is read in the stream's messages, such as {@code "the Azure blob"}; {@code
         * "the storage object"} if not set. Messages reach consumers, so this must never be a
         * host, a URL, an object's name or a credential.
         *
         * @param what a noun phrase with its article
         * @return this builder
         */
        public Builder describedAs(String what) {
            Objects.requireNonNull(what, "what");
            if (what.isBlank()) {
                throw new IllegalArgumentException("what must not be blank");
            }
            this.what = what;
            return this;
        }

        /**
         * Sets a check run once, in the read that yields the last expected byte (for a length of
         * zero: in the first read), before that read returns; for example, reading the body to its
         * end to see that nothing follows or that its checksum is right. An {@code IOException} it
         * throws reaches the reader as it is; a {@code RuntimeException} becomes an {@code
         * IOException} with a redacted cause, as a failure of the underlying stream does. Either
         * fails that read and every later one.
         *
         * @param check the check
         * @return this builder
         */
        public Builder onEnd(Hook check) {
            this.onEnd = Objects.requireNonNull(check, "check");
            return this;
        }

        /**
         * Sets what {@link #close()} does first when the stream is closed before its end: before
         * all {@code length} bytes were read, or, with an {@link #onEnd end check}, before that
         * check passed. Meant for aborting a connection, so that closing the underlying stream
         * right after does not drain the rest: a consumer who stops a large download must not
         * make the publisher read all of it from the store.
         *
         * @param abort the action; a failure is logged at DEBUG, and the close goes on
         * @return this builder
         */
        public Builder onEarlyClose(Hook abort) {
            this.onEarlyClose = Objects.requireNonNull(abort, "abort");
            return this;
        }

        /**
         * Sets what {@link #close()} does last, after closing the underlying stream, whether the
         * stream was read to its end or not; for example, releasing the HTTP response the body
         * belongs to.
         *
         * @param release the action; a failure is logged at DEBUG
         * @return this builder
         */
        public Builder onClose(Hook release) {
            this.onClose = Objects.requireNonNull(release, "release");
            return this;
        }

        /** {@return a new stream with these settings} */
        public ExactLengthInputStream build() {
            return new ExactLengthInputStream(this);
        }
    }

    /**
     * Reads one byte, as {@link #read(byte[], int, int)} does.
     *
     * @return the byte, or -1 once all {@code length} bytes were read
     * @throws IOException as {@link #read(byte[], int, int)}
     */
    @Override
    public int read() throws IOException {
        int n = read(single, 0, 1);
        return n < 0 ? -1 : single[0] & 0xff;
    }

    /**
     * Reads up to {@code len} bytes, never past the {@code length} expected.
     *
     * @return how many bytes were read, or -1 once all {@code length} bytes were read
     * @throws EOFException if the underlying stream ends before {@code length} bytes
     * @throws IOException if the stream is closed, the underlying stream fails or the end check
     *     fails, or one of these happened in an earlier read
     */
    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        Objects.checkFromIndexSize(off, len, b.length);
        ensureOpen();
        if (len == 0) {
            return 0;
        }
        if (remaining == 0) {
            reachEnd();
            return -1;
        }
        int n;
        try {
            n = in.read(b, off, (int) Math.min(len, remaining));
        } catch (IOException | RuntimeException e) {
            throw fail(failed(e));
        }
        if (n < 0) {
            throw fail(new EOFException(
                    what + " ended after " + (length - remaining) + " of " + length + " bytes; it is incomplete"));
        }
        remaining -= n;
        if (remaining == 0) {
            reachEnd();
        }
        return n;
    }

    /**
     * Skips by reading, so the early-end check and the end check still apply; memory stays flat,
     * as {@link InputStream#skip(long)} reads into a small buffer.
     *
     * @return how many bytes were skipped; never more than remain of {@code length}
     * @throws IOException as {@link #read(byte[], int, int)}
     */
    @Override
    public long skip(long n) throws IOException {
        ensureOpen();
        return super.skip(Math.min(n, remaining));
    }

    /**
     * {@return the bytes the underlying stream says it can yield without blocking, at most those
     * that remain of {@code length}; 0 if it fails to say} It is only a hint, so a failure of the
     * underlying stream is not the reader's problem here.
     *
     * @throws IOException if the stream is closed or an earlier read failed
     */
    @Override
    public int available() throws IOException {
        ensureOpen();
        try {
            return (int) Math.min(in.available(), remaining);
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }

    /**
     * Closes the stream, once; later calls do nothing. In this order: the {@link
     * Builder#onEarlyClose early-close action} if the stream was not read to its end, the
     * underlying stream, the {@link Builder#onClose release action}. Each runs even if an earlier
     * one failed, and failures are logged at DEBUG rather than thrown: by now every byte was
     * delivered and checked, or the reader gave up on the rest, and in neither case can it act on
     * a failure to let go of a connection, whose message may name the host anyway.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        boolean early = remaining > 0 || (onEnd != null && !endPassed);
        if (early && onEarlyClose != null) {
            runQuietly(onEarlyClose, "abandoning");
        }
        runQuietly(in::close, "closing");
        if (onClose != null) {
            runQuietly(onClose, "releasing");
        }
    }

    private void reachEnd() throws IOException {
        if (endReached) {
            return;
        }
        endReached = true;
        if (onEnd != null) {
            try {
                onEnd.run();
            } catch (IOException e) {
                throw fail(e);
            } catch (RuntimeException e) {
                throw fail(failed(e));
            }
        }
        endPassed = true;
    }

    private void ensureOpen() throws IOException {
        if (closed) {
            throw new IOException("the stream of " + what + " is closed");
        }
        if (failure != null) {
            throw failure;
        }
    }

    private IOException fail(IOException e) {
        failure = e;
        return e;
    }

    /** {@return a failure of the underlying stream (or of the end check) without its message} */
    private IOException failed(Exception e) {
        long read = length - remaining;
        LOG.debug("reading {} failed after {} of {} bytes", what, read, length, e);
        String message = "reading " + what + " failed after " + read + " of " + length + " bytes";
        IOException out =
                e instanceof InterruptedIOException ? new InterruptedIOException(message) : new IOException(message);
        out.initCause(BrizoException.redactedCause(e));
        return out;
    }

    private void runQuietly(Hook hook, String verb) {
        try {
            hook.run();
        } catch (IOException | RuntimeException e) {
            LOG.debug("{} {} failed", verb, what, e);
        }
    }
}
