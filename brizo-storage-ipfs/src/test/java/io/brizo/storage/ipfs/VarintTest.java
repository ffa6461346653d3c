package io.brizo.storage.ipfs;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.HexFormat;
import org.junit.jupiter.api.Test;

class VarintTest {
    private static byte[] hex(String h) {
        return HexFormat.of().parseHex(h);
    }

    @Test
    void encodesTheUnsignedVarintSpecExamples() {
        assertArrayEquals(hex("00"), Varint.encode(0));
        assertArrayEquals(hex("01"), Varint.encode(1));
        assertArrayEquals(hex("7f"), Varint.encode(127));
        assertArrayEquals(hex("8001"), Varint.encode(128));
        assertArrayEquals(hex("ff01"), Varint.encode(255));
        assertArrayEquals(hex("ac02"), Varint.encode(300));
        assertArrayEquals(hex("808001"), Varint.encode(16384));
        assertArrayEquals(hex("ffffffffffffffff7f"), Varint.encode(Long.MAX_VALUE));
    }

    @Test
    void decodesWhatItEncodesAndStopsAfterTheLastByte() {
        for (long v : new long[] {0, 1, 127, 128, 255, 300, 16384, 0x70, 0x12, 1L << 40, Long.MAX_VALUE}) {
            byte[] encoded = Varint.encode(v);
            byte[] withTail = new byte[encoded.length + 1];
            System.arraycopy(encoded, 0, withTail, 0, encoded.length);
            withTail[encoded.length] = 0x55;
            ByteCursor in = new ByteCursor(withTail);
            assertEquals(v, Varint.readUnsigned(in));
            assertEquals(0x55, in.readByte(), "the cursor stops right after the varint");
            assertFalse(in.hasRemaining());
        }
    }

    @Test
    void refusesNonMinimalOverlongAndCutOffMultiformatsVarints() {
        assertThrows(MalformedDataException.class, () -> Varint.readUnsigned(new ByteCursor(hex("8000"))));
        assertThrows(MalformedDataException.class, () -> Varint.readUnsigned(new ByteCursor(hex("ff00"))));
        assertThrows(
                MalformedDataException.class, () -> Varint.readUnsigned(new ByteCursor(hex("ffffffffffffffffff01"))));
        assertThrows(MalformedDataException.class, () -> Varint.readUnsigned(new ByteCursor(hex("80"))));
        assertThrows(MalformedDataException.class, () -> Varint.readUnsigned(new ByteCursor(new byte[0])));
    }

    @Test
    void protobufVarintsHoldAll64BitsInTenBytes() {
        assertEquals(-1L, Varint.readProtobuf(new ByteCursor(hex("ffffffffffffffffff01"))));
        assertEquals(150, Varint.readProtobuf(new ByteCursor(hex("9601"))));
        // protobuf allows redundant zero groups, unlike multiformats
        assertEquals(0, Varint.readProtobuf(new ByteCursor(hex("8000"))));
        assertThrows(
                MalformedDataException.class, () -> Varint.readProtobuf(new ByteCursor(hex("ffffffffffffffffff02"))));
        assertThrows(
                MalformedDataException.class, () -> Varint.readProtobuf(new ByteCursor(hex("ffffffffffffffffffff01"))));
    }

    @Test
    void refusesToEncodeNegativeNumbers() {
        assertThrows(IllegalArgumentException.class, () -> Varint.encode(-1));
    }
}
