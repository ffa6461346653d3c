package io.brizo.spi;

/**
 * Part of a job's log.
 *
 * @param offset the byte offset of {@code data} in the log
 * @param data the bytes read
 * @param complete whether the log has ended (the job is over and this chunk reaches the end)
 */
public record LogChunk(long offset, byte[] data, boolean complete) {
    /** Copies the data. */
    public LogChunk {
        data = data.clone();
    }

    /** {@return a copy of the bytes read} */
    @Override
    public byte[] data() {
        return data.clone();
    }

    /** {@return the offset at which to read next} */
    public long nextOffset() {
        return offset + data.length;
    }
}
