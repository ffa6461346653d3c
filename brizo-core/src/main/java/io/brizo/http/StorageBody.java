package io.brizo.http;

import io.brizo.metrics.BrizoMetrics;
import io.brizo.spi.ByteRange;
import io.brizo.spi.StorageObject;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The body of a download: {@link #writeTo} for blocking bindings, {@link #openStream} for
 * bindings that pull at the client's pace. Both give exactly the slice's bytes or fail, log a
 * storage failure once (WARN, by {@code what}, never by location) and close the storage object.
 */
final class StorageBody implements HttpResponse.Body {
    // The API's logger: the same name and lines whichever way the body is sent.
    private static final Logger LOG = LoggerFactory.getLogger(BrizoHttpApi.class);

    private final StorageObject object;
    private final ByteRange.Slice slice;
    private final String what;
    private final BrizoMetrics metrics;
    private final String route;

    /**
     * {@code object} is null when the slice is empty; {@code metrics} learn of the download and its
     * bytes under the route template {@code route}.
     */
    StorageBody(StorageObject object, ByteRange.Slice slice, String what, BrizoMetrics metrics, String route) {
        this.object = object;
        this.slice = slice;
        this.what = what;
        this.metrics = metrics;
        this.route = route;
    }

    /** Pushes the slice through one buffer, counting bytes once written. */
    @Override
    public void writeTo(OutputStream out) throws IOException {
        try (SliceStream in = new SliceStream(false)) {
            byte[] buffer = new byte[(int) Math.min(BrizoHttpApi.BUFFER, Math.max(1, slice.length()))];
            for (int n; (n = in.read(buffer, 0, buffer.length)) > 0; ) {
                out.write(buffer, 0, n);
                metrics.bytesServed(route, n);
            }
        }
    }

    @Override
    public InputStream openStream() {
        return new SliceStream(true);
    }

    /**
     * The slice's bytes, checked: a failure or an early end of the storage stream throws. Its life
     * is the download's, for the metrics.
     */
    private final class SliceStream extends InputStream {
        /** Whether bytes count as served once read: so when the binding pulls at the client's pace. */
        private final boolean countReads;

        private long remaining = slice.length();
        private boolean failed;
        private boolean closed;

        SliceStream(boolean countReads) {
            this.countReads = countReads;
            metrics.downloadStarted(route);
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
            if (closed) {
                throw new IOException("the download stream is closed");
            }
            if (failed) {
                throw new IOException("storage failed midway; aborting the response");
            }
            if (remaining == 0) {
                return -1;
            }
            if (len == 0) {
                return 0;
            }
            int n;
            try {
                n = object.stream().read(b, off, (int) Math.min(len, remaining));
            } catch (IOException | RuntimeException e) {
                failed = true;
                LOG.warn(
                        "download of {} aborted after {} of {} bytes: storage failed ({})",
                        what,
                        slice.length() - remaining,
                        slice.length(),
                        e.getClass().getSimpleName());
                throw new IOException("storage failed midway; aborting the response");
            }
            if (n < 0) {
                failed = true;
                LOG.warn(
                        "download of {} aborted: storage ended after {} of {} bytes",
                        what,
                        slice.length() - remaining,
                        slice.length());
                throw new IOException("storage ended early; aborting the response");
            }
            remaining -= n;
            if (countReads) {
                metrics.bytesServed(route, n);
            }
            return n;
        }

        @Override
        public int available() {
            return 0;
        }

        @Override
        public void close() {
            if (closed) {
                return;
            }
            closed = true;
            metrics.downloadEnded(route);
            if (object != null) {
                try {
                    object.close();
                } catch (IOException ignored) {
                    // Nothing more to do with a stream we will not read.
                }
            }
        }
    }
}
