package io.brizo.storage.ipfs;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/**
 * CIDs and multihashes, with vectors from kubo ({@code echo hello | ipfs add}: the block
 * {@code 0a0c08021206 68656c6c6f0a 1806}) and from Debian's ipfs_cid.
 */
class CidTest {
    static final String HELLO_V0 = "QmZULkCELmmk5XNfCgTnCyFgAVxBRBXyDHGGMVoLFLiXEN";
    static final String HELLO_V1 = "bafybeiffndsajwhk3lwjewwdxqntmjm4b5wxaaanokonsggenkbw6slwk4";
    static final byte[] HELLO_BLOCK = HexFormat.of().parseHex("0a0c0802120668656c6c6f0a1806");
    // Helia's CID of "hello\n" as one raw leaf.
    static final String HELLO_RAW = "bafkreicysg23kiwv34eg2d7qweipxwosdo2py4ldv42nbauguluen5v6am";

    @Test
    void parsesACidV0AsADagPbSha256Cid() {
        Cid cid = Cid.parse(HELLO_V0);
        assertEquals(0, cid.version());
        assertEquals(Cid.DAG_PB, cid.codec());
        assertEquals(Multihash.SHA2_256, cid.multihash().code());
        assertEquals(32, cid.multihash().digest().length);
        assertEquals(HELLO_V0, cid.toString());
    }

    @Test
    void aCidV1InBase32OrBase58NamesTheSameContentAsItsCidV0() {
        Cid v0 = Cid.parse(HELLO_V0);
        Cid v1 = Cid.parse(HELLO_V1);
        assertEquals(1, v1.version());
        assertEquals(Cid.DAG_PB, v1.codec());
        assertEquals(v0.multihash(), v1.multihash());
        assertEquals(v1, v0.toV1());
        assertEquals(HELLO_V1, v1.toString());
        assertEquals(v1, Cid.parse("B" + HELLO_V1.substring(1).toUpperCase()));
        assertEquals(v1, Cid.parse("z" + Multibase.encodeBase58(v1.toBytes())));
    }

    @Test
    void theHashOfKubosHelloBlockIsTheDigestOfItsCid() {
        Multihash mh = Cid.parse(HELLO_V0).multihash();
        assertTrue(mh.matches(HELLO_BLOCK));
        byte[] flipped = HELLO_BLOCK.clone();
        flipped[flipped.length - 1] ^= 1;
        assertFalse(mh.matches(flipped));
        assertEquals(mh, Multihash.sha256Of(HELLO_BLOCK));
    }

    @Test
    void aRawLeafCidHasTheRawCodecAndTheHashOfTheBareBytes() {
        Cid cid = Cid.parse(HELLO_RAW);
        assertEquals(Cid.RAW, cid.codec());
        assertTrue(cid.multihash().matches("hello\n".getBytes(StandardCharsets.US_ASCII)));
        assertEquals(HELLO_RAW, cid.toString());
    }

    @Test
    void binaryCidsRoundTripAsInDagPbLinks() {
        for (String text : new String[] {HELLO_V0, HELLO_V1, HELLO_RAW}) {
            Cid cid = Cid.parse(text);
            ByteCursor in = new ByteCursor(cid.toBytes());
            assertEquals(cid, Cid.read(in));
            assertFalse(in.hasRemaining());
        }
        assertArrayEquals(
                Cid.parse(HELLO_V0).multihash().toBytes(), Cid.parse(HELLO_V0).toBytes());
    }

    @Test
    void identityMultihashesCarryTheirDataAndVerifyAgainstIt() {
        byte[] data = "tiny".getBytes(StandardCharsets.US_ASCII);
        Cid cid = new Cid(1, Cid.RAW, new Multihash(Multihash.IDENTITY, data));
        Cid parsed = Cid.parse(cid.toString());
        assertEquals(cid, parsed);
        assertTrue(parsed.multihash().matches(data));
        assertFalse(parsed.multihash().matches("tinY".getBytes(StandardCharsets.US_ASCII)));
    }

    @Test
    void otherHashFunctionsParseButCannotBeVerified() {
        Cid blake = new Cid(1, Cid.RAW, new Multihash(0xb220, new byte[32]));
        Cid parsed = Cid.parse(blake.toString());
        assertFalse(parsed.multihash().isVerifiable());
        assertThrows(IllegalStateException.class, () -> parsed.multihash().matches(new byte[0]));
    }

    @Test
    void malformedCidsAreRefused() {
        String[] bad = {
            "",
            "Qm",
            HELLO_V0.substring(0, 45), // one character short
            HELLO_V0 + "a",
            HELLO_V1.substring(0, HELLO_V1.length() - 1),
            HELLO_V1 + "a",
            "f01701220" + "00".repeat(32), // base16: not supported
            "b" + Multibase.encodeBase32(new byte[] {2, 0x70, 0x12, 0x20}), // version 2
            "b" + Multibase.encodeBase32(concat(Cid.parse(HELLO_V1).toBytes(), new byte[] {0})), // trailing byte
            "b" + Multibase.encodeBase32(concat(new byte[] {1, 0x55, 0x12, 0x10}, new byte[16])), // short sha2-256
            "z" + Multibase.encodeBase58(Cid.parse(HELLO_V0).toBytes()), // a v0 in multibase
        };
        for (String text : bad) {
            assertThrows(MalformedDataException.class, () -> Cid.parse(text), text);
        }
    }

    @Test
    void aCidV0MustBeDagPbAndSha256() {
        assertThrows(
                IllegalArgumentException.class,
                () -> new Cid(0, Cid.RAW, Cid.parse(HELLO_V0).multihash()));
        assertThrows(
                IllegalArgumentException.class,
                () -> new Cid(2, Cid.RAW, Cid.parse(HELLO_V0).multihash()));
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = new byte[a.length + b.length];
        System.arraycopy(a, 0, out, 0, a.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
