package io.brizo.storage.ipfs;

import java.io.ByteArrayOutputStream;

/**
 * Unsigned LEB128 varints in their two dialects: the multiformats one (CIDs, multihashes: at most
 * 9 bytes, 63 bits, minimally encoded, as the unsigned-varint spec requires so that every value
 * has exactly one encoding) and the protobuf one (up to 10 bytes, 64 bits).
 */
final class Varint {
    private Varint() {}

    /**
     * {@return the next multiformats unsigned varint}
     *
     * @throws MalformedDataException if it is longer than 9 bytes, not minimal, or cut off
     */
    static long readUnsigned(ByteCursor in) {
        long value = 0;
        for (int i = 0; i < 9; i++) {
            int b = in.readByte();
            value |= (long) (b & 0x7f) << (7 * i);
            if ((b & 0x80) == 0) {
                if (b == 0 && i > 0) {
                    throw new MalformedDataException("a varint is not minimally encoded");
                }
                return value;
            }
        }
        throw new MalformedDataException("a varint is longer than 9 bytes");
    }

    /**
     * {@return the next protobuf varint, as the 64 bits it encodes}
     *
     * @throws MalformedDataException if it is longer than 10 bytes or cut off
     */
    static long readProtobuf(ByteCursor in) {
        long value = 0;
        for (int i = 0; i < 10; i++) {
            int b = in.readByte();
            if (i == 9 && b > 1) {
                throw new MalformedDataException("a protobuf varint does not fit in 64 bits");
            }
            value |= (long) (b & 0x7f) << (7 * i);
            if ((b & 0x80) == 0) {
                return value;
            }
        }
        throw new MalformedDataException("a protobuf varint is longer than 10 bytes");
    }

    /** {@return {@code value} (at least 0) as a minimal unsigned varint} */
    static byte[] encode(long value) {
        if (value < 0) {
            throw new IllegalArgumentException("varints here are unsigned, got " + value);
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(10);
        long v = value;
        while ((v & ~0x7fL) != 0) {
            out.write((int) ((v & 0x7f) | 0x80));
            v >>>= 7;
        }
        out.write((int) v);
        return out.toByteArray();
    }
}
