package io.brizo.spi;

/**
 * A byte range as a client asks for it (RFC 9110 section 14.1.2), before it is resolved against
 * an object's size: {@code first-last}, {@code first-} (open-ended) or {@code -suffixLength}.
 *
 * <p>Instances are immutable. Use {@link #resolve(long)} to get absolute offsets.
 */
public final class ByteRange {
    private static final ByteRange ALL = new ByteRange(0, -1, -1, true);

    private final long first;
    private final long last; // -1 = up to the end
    private final long suffixLength; // -1 = not a suffix range
    // "bytes=0-" covers the same bytes as no range but is a range request: it gets 206, and 416
    // on an empty object, so the two must stay distinguishable.
    private final boolean all;

    private ByteRange(long first, long last, long suffixLength, boolean all) {
        this.first = first;
        this.last = last;
        this.suffixLength = suffixLength;
        this.all = all;
    }

    /** {@return the whole object} */
    public static ByteRange all() {
        return ALL;
    }

    /** {@return bytes {@code first} to {@code last}, both inclusive} */
    public static ByteRange of(long first, long last) {
        if (first < 0 || last < first) {
            throw BrizoException.invalid("invalid byte range " + first + "-" + last);
        }
        return new ByteRange(first, last, -1, false);
    }

    /** {@return bytes from {@code first} to the end} */
    public static ByteRange from(long first) {
        if (first < 0) {
            throw BrizoException.invalid("invalid byte range " + first + "-");
        }
        return new ByteRange(first, -1, -1, false);
    }

    /** {@return the last {@code length} bytes} */
    public static ByteRange suffix(long length) {
        if (length < 0) {
            throw BrizoException.invalid("invalid suffix byte range -" + length);
        }
        return new ByteRange(-1, -1, length, false);
    }

    /** {@return whether this is the whole object, not a range request ({@code from(0)} is one)} */
    public boolean isAll() {
        return all;
    }

    /**
     * Resolves this range against an object of {@code size} bytes, clamping an end past the
     * object's end as RFC 9110 requires.
     *
     * @return the absolute offset and length
     * @throws BrizoException of kind RANGE_NOT_SATISFIABLE if no byte of the range exists
     */
    public Slice resolve(long size) {
        if (size < 0) {
            throw new IllegalArgumentException("size must be known to resolve a range");
        }
        if (isAll()) {
            return new Slice(0, size, size);
        }
        if (suffixLength >= 0) {
            if (suffixLength == 0 || size == 0) {
                throw unsatisfiable(size);
            }
            long length = Math.min(suffixLength, size);
            return new Slice(size - length, length, size);
        }
        if (first >= size) {
            throw unsatisfiable(size);
        }
        long end = last < 0 ? size - 1 : Math.min(last, size - 1);
        return new Slice(first, end - first + 1, size);
    }

    private BrizoException unsatisfiable(long size) {
        return new BrizoException(
                ErrorKind.RANGE_NOT_SATISFIABLE, "range " + this + " is outside the object of " + size + " bytes");
    }

    /** {@return the range as an HTTP {@code Range} value without the unit; {@code 0-} for all} */
    @Override
    public String toString() {
        if (suffixLength >= 0) {
            return "-" + suffixLength;
        }
        return first + "-" + (last < 0 ? "" : Long.toString(last));
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ByteRange r
                && r.first == first
                && r.last == last
                && r.suffixLength == suffixLength
                && r.all == all;
    }

    @Override
    public int hashCode() {
        return java.util.Objects.hash(first, last, suffixLength, all);
    }

    /**
     * An absolute part of an object.
     *
     * @param offset the first byte's offset
     * @param length how many bytes
     * @param totalSize the whole object's size
     */
    public record Slice(long offset, long length, long totalSize) {
        /** Validates the slice. */
        public Slice {
            if (offset < 0 || length < 0 || totalSize < 0 || offset + length > totalSize) {
                throw new IllegalArgumentException(
                        "invalid slice offset=" + offset + " length=" + length + " total=" + totalSize);
            }
        }

        /** {@return whether the slice covers the whole object} */
        public boolean isWhole() {
            return offset == 0 && length == totalSize;
        }

        /** {@return the offset of the last byte, inclusive} */
        public long lastOffset() {
            return offset + length - 1;
        }
    }
}
