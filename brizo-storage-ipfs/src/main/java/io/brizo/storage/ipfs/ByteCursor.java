package io.brizo.storage.ipfs;

import java.util.Arrays;

/**
 * Reads a byte array from front to back: varints, fixed-size fields and byte strings. Every read
 * is bounds-checked against the cursor's limit and fails with {@link MalformedDataException}, so
 * that a hostile block can make decoding fail but never read outside its bytes. Not thread-safe.
 */
final class ByteCursor {
    private final byte[] data;
    private final int limit;
    private int position;

    ByteCursor(byte[] data) {
        this(data, 0, data.length);
    }

    ByteCursor(byte[] data, int offset, int limit) {
        if (offset < 0 || limit > data.length || offset > limit) {
            throw new IllegalArgumentException("invalid cursor bounds");
        }
        this.data = data;
        this.position = offset;
        this.limit = limit;
    }

    boolean hasRemaining() {
        return position < limit;
    }

    int remaining() {
        return limit - position;
    }

    int position() {
        return position;
    }

    int readByte() {
        if (position >= limit) {
            throw new MalformedDataException("unexpected end of data");
        }
        return data[position++] & 0xff;
    }

    /** {@return the next byte without consuming it} */
    int peekByte() {
        if (position >= limit) {
            throw new MalformedDataException("unexpected end of data");
        }
        return data[position] & 0xff;
    }

    /** {@return the next {@code length} bytes as a new array} */
    byte[] readBytes(int length) {
        if (length < 0 || length > remaining()) {
            throw new MalformedDataException("a field is longer than the data holding it");
        }
        byte[] out = Arrays.copyOfRange(data, position, position + length);
        position += length;
        return out;
    }

    /** {@return a cursor over the next {@code length} bytes, which this cursor then skips} */
    ByteCursor slice(int length) {
        if (length < 0 || length > remaining()) {
            throw new MalformedDataException("a field is longer than the data holding it");
        }
        ByteCursor s = new ByteCursor(data, position, position + length);
        position += length;
        return s;
    }

    void skip(long length) {
        if (length < 0 || length > remaining()) {
            throw new MalformedDataException("a field is longer than the data holding it");
        }
        position += (int) length;
    }
}
