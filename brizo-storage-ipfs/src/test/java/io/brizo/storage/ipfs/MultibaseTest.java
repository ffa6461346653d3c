package io.brizo.storage.ipfs;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.Random;
import org.junit.jupiter.api.Test;

class MultibaseTest {
    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    @Test
    void base58btcMatchesBitcoinsEncodingIncludingLeadingZeros() {
        assertEquals("", Multibase.encodeBase58(new byte[0]));
        assertEquals("1", Multibase.encodeBase58(new byte[1]));
        assertEquals("StV1DL6CwTryKyV", Multibase.encodeBase58(ascii("hello world")));
        assertEquals("11233QC4", Multibase.encodeBase58(HexFormat.of().parseHex("0000287fb4cd")));
        assertArrayEquals(HexFormat.of().parseHex("0000287fb4cd"), Multibase.decodeBase58("11233QC4"));
        assertArrayEquals(ascii("hello world"), Multibase.decodeBase58("StV1DL6CwTryKyV"));
        assertArrayEquals(new byte[0], Multibase.decodeBase58(""));
        assertArrayEquals(new byte[2], Multibase.decodeBase58("11"));
    }

    @Test
    void base58btcRefusesTheLettersItLeavesOut() {
        for (String bad : new String[] {"0", "O", "I", "l", "+", "é"}) {
            assertThrows(MalformedDataException.class, () -> Multibase.decodeBase58("Qm" + bad), bad);
        }
    }

    @Test
    void base32MatchesTheRfc4648VectorsWithoutPadding() {
        String[][] vectors = {
            {"", ""},
            {"f", "my"},
            {"fo", "mzxq"},
            {"foo", "mzxw6"},
            {"foob", "mzxw6yq"},
            {"fooba", "mzxw6ytb"},
            {"foobar", "mzxw6ytboi"}
        };
        for (String[] v : vectors) {
            assertEquals(v[1], Multibase.encodeBase32(ascii(v[0])), v[0]);
            assertArrayEquals(ascii(v[0]), Multibase.decodeBase32(v[1]), v[1]);
            assertArrayEquals(ascii(v[0]), Multibase.decodeBase32(v[1].toUpperCase()), v[1]);
        }
    }

    @Test
    void base32RefusesForeignCharactersAndImpossibleLengthsAndNonZeroPadding() {
        for (String bad : new String[] {"m", "mzx", "mzxw6y", "mz", "my1", "my8", "my=", "my "}) {
            assertThrows(MalformedDataException.class, () -> Multibase.decodeBase32(bad), bad);
        }
    }

    @Test
    void bothBasesRoundTripRandomBytes() {
        Random random = new Random(42);
        for (int i = 0; i < 200; i++) {
            byte[] b = new byte[random.nextInt(60)];
            random.nextBytes(b);
            if (b.length > 0 && i % 5 == 0) {
                b[0] = 0; // leading zeros are the tricky case of base58
            }
            assertArrayEquals(b, Multibase.decodeBase58(Multibase.encodeBase58(b)));
            assertArrayEquals(b, Multibase.decodeBase32(Multibase.encodeBase32(b)));
            assertArrayEquals(b, Multibase.decode("z" + Multibase.encodeBase58(b)));
            assertArrayEquals(b, Multibase.decode("b" + Multibase.encodeBase32(b)));
        }
    }

    @Test
    void onlyTheBase58btcAndBase32PrefixesAreUnderstood() {
        for (String bad : new String[] {"", "f0155", "mAXESIA", "uAXESIA", "Zabc", "9abc"}) {
            assertThrows(MalformedDataException.class, () -> Multibase.decode(bad), bad);
        }
    }

    @Test
    void veryLongTextIsRefusedBeforeDecoding() {
        assertThrows(MalformedDataException.class, () -> Multibase.decodeBase58("2".repeat(10_000)));
        assertThrows(MalformedDataException.class, () -> Multibase.decodeBase32("a".repeat(10_000)));
    }
}
