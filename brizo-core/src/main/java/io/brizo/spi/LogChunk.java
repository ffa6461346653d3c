package io.brizo.spi;

/**
 * Part of a job's log.
 *
 * @param offset the byte offset in the log at which this chunk starts
 * @param data the bytes read, as the job's owner may see them: a backend may rewrite parts (a
 *     server path shown as the job's {@code /data} view), so their count need not be the span
 *     read
 * @param complete whether the log has ended (the job is over and this chunk reaches the end)
 * @param nextOffset the byte offset in the log at which to read next; at least {@code offset}
 */
public record LogChunk(long offset, byte[] data, boolean complete, long nextOffset) {
    /** Validates the offsets and copies the data. */
    public LogChunk {
        data = data.clone();
        if (offset < 0 || nextOffset < offset) {
            throw new IllegalArgumentException("offsets must be 0 <= offset <= nextOffset");
        }
    }

    /** Creates a chunk of bytes exactly as they are in the log: the next read starts after them. */
    public LogChunk(long offset, byte[] data, boolean complete) {
        this(offset, data, complete, offset + data.length);
    }

    /** {@return a copy of the bytes read} */
    @Override
    public byte[] data() {
        return data.clone();
    }
}
