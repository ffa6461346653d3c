package io.brizo.storage.ipfs;

import java.io.ByteArrayOutputStream;

/** A test-only protobuf writer, to build dag-pb and UnixFS bytes field by field. */
final class Proto {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    Proto varint(int field, long value) {
        key(field, 0);
        raw(value);
        return this;
    }

    Proto bytes(int field, byte[] value) {
        key(field, 2);
        raw(value.length);
        out.writeBytes(value);
        return this;
    }

    Proto bytes(int field, Proto message) {
        return bytes(field, message.build());
    }

    Proto key(int field, int wireType) {
        raw(((long) field << 3) | wireType);
        return this;
    }

    Proto raw(long varint) {
        long v = varint;
        while ((v & ~0x7fL) != 0) {
            out.write((int) ((v & 0x7f) | 0x80));
            v >>>= 7;
        }
        out.write((int) v);
        return this;
    }

    Proto rawBytes(byte... b) {
        out.writeBytes(b);
        return this;
    }

    byte[] build() {
        return out.toByteArray();
    }
}
