package io.brizo.spi;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.util.Objects;

/**
 * An opened object: its metadata, the part being read and the stream of exactly those bytes.
 * The caller must close it. A stream that ends before {@code slice().length()} bytes, or throws,
 * means the read failed: the consumer must never receive a short copy as if it were complete.
 */
public final class StorageObject implements Closeable {
    private final ObjectInfo info;
    private final ByteRange.Slice slice;
    private final InputStream stream;

    /**
     * Creates an opened object.
     *
     * @param info the object's metadata
     * @param slice the part of the object {@code stream} yields
     * @param stream the bytes of {@code slice}, in order
     */
    public StorageObject(ObjectInfo info, ByteRange.Slice slice, InputStream stream) {
        this.info = Objects.requireNonNull(info, "info");
        this.slice = Objects.requireNonNull(slice, "slice");
        this.stream = Objects.requireNonNull(stream, "stream");
        if (slice.totalSize() != info.size()) {
            throw new IllegalArgumentException("slice total size differs from the object size");
        }
    }

    /** {@return the object's metadata} */
    public ObjectInfo info() {
        return info;
    }

    /** {@return the part of the object this stream yields} */
    public ByteRange.Slice slice() {
        return slice;
    }

    /** {@return the bytes of {@link #slice()}} */
    public InputStream stream() {
        return stream;
    }

    @Override
    public void close() throws IOException {
        stream.close();
    }
}
