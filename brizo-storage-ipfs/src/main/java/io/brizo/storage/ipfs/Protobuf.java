package io.brizo.storage.ipfs;

/**
 * The few pieces of the protobuf wire format that dag-pb and UnixFS need: field keys, varints,
 * length-delimited fields, and skipping what a reader does not know. Enough for two small,
 * fixed schemas; not a general protobuf library.
 */
final class Protobuf {
    static final int VARINT = 0;
    static final int FIXED64 = 1;
    static final int LENGTH_DELIMITED = 2;
    static final int FIXED32 = 5;

    private Protobuf() {}

    /** A field key: field number and wire type. */
    record Key(int field, int wireType) {}

    /** {@return the next field key} */
    static Key readKey(ByteCursor in) {
        long key = Varint.readProtobuf(in);
        long field = key >>> 3;
        if (field < 1 || field > 0x1fffffff) {
            throw new MalformedDataException("a protobuf field number out of range");
        }
        return new Key((int) field, (int) (key & 7));
    }

    /** {@return a cursor over the next length-delimited field's bytes} */
    static ByteCursor readLengthDelimited(ByteCursor in) {
        long length = Varint.readProtobuf(in);
        if (length < 0 || length > in.remaining()) {
            throw new MalformedDataException("a protobuf field is longer than its message");
        }
        return in.slice((int) length);
    }

    /** Skips the value of a field of {@code wireType}. */
    static void skip(ByteCursor in, int wireType) {
        switch (wireType) {
            case VARINT -> Varint.readProtobuf(in);
            case FIXED64 -> in.skip(8);
            case LENGTH_DELIMITED -> readLengthDelimited(in);
            case FIXED32 -> in.skip(4);
            default -> throw new MalformedDataException("unsupported protobuf wire type " + wireType);
        }
    }

    /** Fails unless {@code key} has {@code wireType}. */
    static void expect(Key key, int wireType, String what) {
        if (key.wireType() != wireType) {
            throw new MalformedDataException(what + " has the wrong protobuf wire type");
        }
    }
}
