package io.brizo.storage.ipfs;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/**
 * MurmurHash3 x64 (first 64 bits) against the values of the murmur3 the HAMT importer of Helia
 * uses ({@code @multiformats/murmur3}'s murmur3128, first 8 bytes), computed once with the Node of
 * test-servers. Inputs cover every tail length class: empty, 1, 5, 16 (a whole block), 17, 43, and
 * a non-ASCII name.
 */
class Murmur3Test {
    @Test
    void matchesTheHashHeliasShardingUses() {
        String[][] vectors = {
            {"", "0000000000000000"},
            {"a", "85555565f6597889"},
            {"hello", "cbd8a7b341bd9b02"},
            {"file-23.txt", "0294e2ea766bb875"},
            {"abcdefghijklmnop", "c4ca3ca3224cb723"},
            {"abcdefghijklmnopq", "7564747f88bda657"},
            {"The quick brown fox jumps over the lazy dog", "e34bbc7bbc071b6c"},
            {"é", "c9187aa411d463e8"},
        };
        for (String[] v : vectors) {
            assertEquals(
                    v[1],
                    HexFormat.of().formatHex(Murmur3.x64_64(v[0].getBytes(StandardCharsets.UTF_8))),
                    "murmur3 of '" + v[0] + "'");
        }
    }

    @Test
    void theFirstByteIsTheBucketOfAShardOf256() {
        // Helia put "file-23.txt" into bucket 02 of a 256-way shard (seen in the node's own links).
        byte[] hash = Murmur3.x64_64("file-23.txt".getBytes(StandardCharsets.UTF_8));
        assertEquals(0x02, UnixFsResolver.bitsAt(hash, 0, 8));
        assertEquals(0x0, UnixFsResolver.bitsAt(hash, 0, 4));
        assertEquals(0x2, UnixFsResolver.bitsAt(hash, 4, 4));
        assertEquals(0x94, UnixFsResolver.bitsAt(hash, 8, 8));
    }
}
