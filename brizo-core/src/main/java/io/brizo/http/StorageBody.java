package io.brizo.http;

import io.brizo.metrics.BrizoMetrics;
import io.brizo.spi.ByteRange;
import io.brizo.spi.StorageObject;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
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

    /** One cache for the process: every server and binding maps the same files. */
    private static final MappedFiles MAPPED = new MappedFiles();
    /**
     * Parts of a mapped file, each checked against the file's size: a 1 MiB file goes out in one
     * write (measured against 256 KiB parts: a quarter faster at 256 connections, p99 a third lower),
     * and a truncation is still caught between parts.
     */
    private static final int MAPPED_CHUNK = 1024 * 1024;
    /**
     * Windows of a large file, each mapped for one download and unmapped by the garbage collector
     * (the JDK collects and retries when the process runs out of mappings), handed out in parts of
     * {@link #MAPPED_CHUNK}: one copy fewer than the stream's, so a 1 GiB download on Jetty went
     * from 0.8 to about 2 x nginx's sendfile speed (measured on loopback). Parts stay at 1 MiB
     * because a container may copy what the socket cannot take yet into a heap buffer of its own
     * (Tomcat does), which a slow consumer would otherwise hold a whole window of.
     */
    static final int WINDOW = 16 * 1024 * 1024;
    /** Smaller parts of a large file are streamed: a mapping costs more than copying them. */
    static final long MIN_WINDOWED = 1024 * 1024;

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

    @Override
    public HttpResponse.Chunks openChunks() {
        StorageObject.LocalFile file =
                object == null ? null : object.localFile().orElse(null);
        if (file == null) {
            return null;
        }
        boolean windowed = slice.totalSize() > MappedFiles.MAX_FILE;
        if (windowed && slice.length() < MIN_WINDOWED) {
            return null;
        }
        ByteBuffer content;
        try {
            content =
                    windowed ? window(file, 0) : MAPPED.slice(file, slice.totalSize(), slice.offset(), slice.length());
        } catch (IOException | RuntimeException e) {
            // Out of mappings or address space: the stream still serves it.
            LOG.debug(
                    "download of {} streamed: the file could not be mapped ({})",
                    what,
                    e.getClass().getSimpleName());
            return null;
        }
        if (content == null) {
            return null;
        }
        return windowed ? new MappedChunks(file, null, content) : new MappedChunks(file, content, null);
    }

    /** {@return the window of the slice that starts {@code position} bytes into it, mapped} */
    private ByteBuffer window(StorageObject.LocalFile file, long position) throws IOException {
        long n = Math.min(WINDOW, slice.length() - position);
        return file.channel()
                .map(FileChannel.MapMode.READ_ONLY, slice.offset() + position, n)
                .asReadOnlyBuffer();
    }

    /**
     * Parts of a mapped slice, each checked against the file's size before it is handed out: of a
     * mapping kept across downloads ({@code content}), or windows mapped as they are asked for.
     */
    private final class MappedChunks implements HttpResponse.Chunks {
        private final StorageObject.LocalFile file;
        private final ByteBuffer content;
        /** The window being handed out, mapped as the download reaches it; the first when opened. */
        private ByteBuffer window;
        /** Where {@link #window} starts, in bytes from the start of the slice. */
        private long windowStart;

        private long position;
        private int pending;
        private boolean closed;

        MappedChunks(StorageObject.LocalFile file, ByteBuffer content, ByteBuffer first) {
            this.file = file;
            this.content = content;
            this.window = first;
            metrics.downloadStarted(route);
        }

        @Override
        public ByteBuffer next() throws IOException {
            if (pending > 0) {
                metrics.bytesServed(route, pending);
                pending = 0;
            }
            if (position == slice.length()) {
                return null;
            }
            // A mapping past the end of a truncated file cannot be read; the stream would fail
            // here too, as the file ends early.
            long size;
            try {
                size = file.channel().size();
            } catch (IOException e) {
                size = -1;
            }
            if (size < slice.offset() + slice.length()) {
                LOG.warn(
                        "download of {} aborted after {} of {} bytes: the file shrank", what, position, slice.length());
                throw new IOException("the file shrank; aborting the response");
            }
            int n = (int) Math.min(MAPPED_CHUNK, slice.length() - position);
            ByteBuffer part;
            if (content != null) {
                part = content.slice((int) position, n);
            } else {
                if (window != null && position == windowStart + window.capacity()) {
                    window = null;
                }
                try {
                    if (window == null) {
                        windowStart = position;
                        window = window(file, position);
                    }
                    part = window.slice((int) (position - windowStart), n);
                } catch (IOException | RuntimeException e) {
                    LOG.warn(
                            "download of {} aborted after {} of {} bytes: the file could not be mapped ({})",
                            what,
                            position,
                            slice.length(),
                            e.getClass().getSimpleName());
                    throw new IOException("the file could not be mapped; aborting the response");
                }
            }
            position += n;
            pending = n;
            return part;
        }

        @Override
        public void close() {
            if (closed) {
                return;
            }
            closed = true;
            metrics.downloadEnded(route);
            try {
                object.close();
            } catch (IOException ignored) {
                // Releasing only.
            }
        }
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
