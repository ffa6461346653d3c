package io.brizo.spi;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * An opened object: its metadata, the part being read and the stream of exactly those bytes.
 * The caller must close it. A stream that ends before {@code slice().length()} bytes, or throws,
 * means the read failed: the consumer must never receive a short copy as if it were complete.
 */
public final class StorageObject implements Closeable {
    private final ObjectInfo info;
    private final ByteRange.Slice slice;
    private final InputStream stream;
    private final LocalFile file;

    /**
     * A local file behind an opened object, which a server may send from a memory mapping instead
     * of copying it through a buffer.
     *
     * @param channel the opened file, readable from position 0 to the object's size; closed with
     *     the object
     * @param version what identifies this content of the file, such as its real path, file key,
     *     size and modification time: a server may reuse a mapping made for an equal version, so
     *     two different contents must never have equal versions
     * @param path the file's real path (absolute, no symbolic links), which a server may hand to a
     *     front proxy that sends the file itself; never shown to a consumer
     */
    public record LocalFile(FileChannel channel, String version, Path path) {
        /** Checks that all are given and that the path is absolute. */
        public LocalFile {
            Objects.requireNonNull(channel, "channel");
            Objects.requireNonNull(version, "version");
            Objects.requireNonNull(path, "path");
            if (!path.isAbsolute()) {
                throw new IllegalArgumentException("the path of a local file must be absolute");
            }
        }
    }

    /**
     * Creates an opened object.
     *
     * @param info the object's metadata
     * @param slice the part of the object {@code stream} yields
     * @param stream the bytes of {@code slice}, in order
     */
    public StorageObject(ObjectInfo info, ByteRange.Slice slice, InputStream stream) {
        this(info, slice, stream, null);
    }

    /**
     * Creates an opened object that is a local file: {@code stream} reads it, and a server may
     * instead send the slice from a memory mapping of {@code file}.
     *
     * @param info the object's metadata
     * @param slice the part of the object {@code stream} yields
     * @param stream the bytes of {@code slice}, in order, read from {@code file}'s channel
     * @param file the file, or null when the object is not one
     */
    public StorageObject(ObjectInfo info, ByteRange.Slice slice, InputStream stream, LocalFile file) {
        this.info = Objects.requireNonNull(info, "info");
        this.slice = Objects.requireNonNull(slice, "slice");
        this.stream = Objects.requireNonNull(stream, "stream");
        this.file = file;
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

    /** {@return the local file this object reads, when it is one} */
    public Optional<LocalFile> localFile() {
        return Optional.ofNullable(file);
    }

    @Override
    public void close() throws IOException {
        try {
            stream.close();
        } finally {
            if (file != null) {
                file.channel().close();
            }
        }
    }
}
