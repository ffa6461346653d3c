package io.brizo.storage.ipfs;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.brizo.spi.BrizoException;
import io.brizo.spi.ErrorKind;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Decoding dag-pb nodes, UnixFS Data messages and file nodes, and refusing malformed ones. */
class DagPbAndUnixFsTest {
    private static final Cid LEAF_A = new Cid(1, Cid.RAW, Multihash.sha256Of(new byte[] {1}));
    private static final Cid LEAF_B = Cid.parse(CidTest.HELLO_V0);

    private static Proto link(Cid cid, String name, long tsize) {
        return new Proto()
                .bytes(1, cid.toBytes())
                .bytes(2, name.getBytes(StandardCharsets.UTF_8))
                .varint(3, tsize);
    }

    @Test
    void decodesKubosHelloBlock() {
        DagPbNode node = DagPbNode.decode(CidTest.HELLO_BLOCK);
        assertEquals(List.of(), node.links());
        UnixFsData data = UnixFsData.decode(node.data().orElseThrow());
        assertEquals(UnixFsData.Type.FILE, data.type());
        assertArrayEquals("hello\n".getBytes(StandardCharsets.US_ASCII), data.data());
        assertEquals(Optional.of(6L), data.fileSize());
        assertEquals(List.of(), data.blockSizes());
    }

    @Test
    void decodesLinksWithTheirCidsNamesAndSizesInOrder() {
        byte[] block = new Proto()
                .bytes(2, link(LEAF_A, "", 1))
                .bytes(2, link(LEAF_B, "name é", 14))
                .bytes(1, new Proto().varint(1, 2).varint(3, 7).varint(4, 1).varint(4, 6))
                .build();
        DagPbNode node = DagPbNode.decode(block);
        assertEquals(
                List.of(new DagPbNode.Link(LEAF_A, "", 1), new DagPbNode.Link(LEAF_B, "name é", 14)), node.links());
        UnixFsData data = UnixFsData.decode(node.data().orElseThrow());
        assertEquals(List.of(1L, 6L), data.blockSizes());
    }

    @Test
    void acceptsDataBeforeLinksAsHeliasDataFirstOrderWrites() {
        byte[] block = new Proto()
                .bytes(1, new Proto().varint(1, 1))
                .bytes(2, new Proto().bytes(1, LEAF_A.toBytes()))
                .build();
        DagPbNode node = DagPbNode.decode(block);
        assertEquals(1, node.links().size());
        assertEquals("", node.links().get(0).name());
        assertEquals(-1, node.links().get(0).tsize());
    }

    @Test
    void refusesMalformedDagPb() {
        byte[][] bad = {
            new Proto().varint(3, 1).build(), // unknown field
            new Proto().varint(1, 5).build(), // Data with the wrong wire type
            new Proto().bytes(1, new byte[1]).bytes(1, new byte[1]).build(), // two Data fields
            new Proto().bytes(2, new Proto().bytes(2, new byte[0])).build(), // link without a hash
            new Proto()
                    .bytes(2, new Proto().bytes(1, LEAF_A.toBytes()).bytes(2, new byte[] {(byte) 0xff}))
                    .build(), // name not UTF-8
            new Proto()
                    .bytes(2, new Proto().bytes(1, LEAF_A.toBytes()).varint(4, 1))
                    .build(), // unknown link field
            new Proto().bytes(2, new Proto().bytes(1, new byte[] {1, 0x55})).build(), // cut-off CID
            new Proto().key(1, 2).raw(10).rawBytes(new byte[3]).build(), // length past the end
            new Proto().key(1, 2).build(), // length missing
        };
        for (byte[] block : bad) {
            assertThrows(MalformedDataException.class, () -> DagPbNode.decode(block));
        }
    }

    @Test
    void readsPackedAndUnpackedBlockSizesAndSkipsFieldsItDoesNotUse() {
        byte[] packed = new Proto()
                .varint(1, 2)
                .bytes(4, new Proto().raw(262144).raw(5).build())
                .varint(7, 0644) // mode
                .bytes(8, new Proto().varint(1, 1700000000)) // mtime
                .key(9, 5)
                .rawBytes(new byte[4]) // an unknown fixed32
                .key(10, 1)
                .rawBytes(new byte[8]) // an unknown fixed64
                .build();
        UnixFsData data = UnixFsData.decode(packed);
        assertEquals(List.of(262144L, 5L), data.blockSizes());
        assertEquals(Optional.empty(), data.fileSize());
        assertEquals(0, data.dataLength());
    }

    @Test
    void readsTheHamtFieldsOfAShard() {
        UnixFsData shard = UnixFsData.decode(
                new Proto().varint(1, 5).varint(5, 0x22).varint(6, 256).build());
        assertEquals(UnixFsData.Type.HAMT_SHARD, shard.type());
        assertEquals(Optional.of(0x22L), shard.hashType());
        assertEquals(Optional.of(256L), shard.fanout());
    }

    @Test
    void refusesMalformedUnixFs() {
        byte[][] bad = {
            new Proto().varint(3, 5).build(), // no type
            new Proto().varint(1, 6).build(), // unknown type
            new Proto().varint(1, 2).varint(3, -1).build(), // a filesize of 2^64-1
            new Proto().varint(1, 2).bytes(3, new byte[1]).build(), // filesize with the wrong wire type
            new Proto().varint(1, 2).key(4, 5).rawBytes(new byte[4]).build(), // blocksizes as fixed32
            new Proto().varint(1, 2).key(11, 3).build(), // a group: not a wire type this reader knows
        };
        for (byte[] b : bad) {
            assertThrows(MalformedDataException.class, () -> UnixFsData.decode(b));
        }
    }

    @Test
    void aRawBlockIsAFileLeafOfItsOwnBytes() {
        FileNode node = FileNode.decode(LEAF_A, new byte[] {1});
        assertEquals(1, node.size());
        assertArrayEquals(new byte[] {1}, node.data());
        assertEquals(List.of(), node.children());
    }

    @Test
    void aFileNodeSizeIsItsDataPlusItsChildrensBlockSizes() {
        byte[] block = new Proto()
                .bytes(2, link(LEAF_A, "", 9))
                .bytes(2, link(LEAF_B, "", 14))
                .bytes(
                        1,
                        new Proto()
                                .varint(1, 2)
                                .bytes(2, new byte[3])
                                .varint(3, 10)
                                .varint(4, 1)
                                .varint(4, 6))
                .build();
        FileNode node = FileNode.decode(dagPb(block), block);
        assertEquals(10, node.size());
        assertEquals(List.of(new FileNode.Child(LEAF_A, 1), new FileNode.Child(LEAF_B, 6)), node.children());
        assertEquals(3, node.data().length);
    }

    @Test
    void aFileNodeWhoseSizesDisagreeIsMalformed() {
        byte[] countMismatch = new Proto()
                .bytes(2, link(LEAF_A, "", 9))
                .bytes(1, new Proto().varint(1, 2).varint(4, 1).varint(4, 6))
                .build();
        byte[] sizeMismatch = new Proto()
                .bytes(2, link(LEAF_A, "", 9))
                .bytes(1, new Proto().varint(1, 2).varint(3, 2).varint(4, 1))
                .build();
        byte[] overflow = new Proto()
                .bytes(2, link(LEAF_A, "", 9))
                .bytes(2, link(LEAF_A, "", 9))
                .bytes(1, new Proto().varint(1, 2).varint(4, Long.MAX_VALUE).varint(4, 1))
                .build();
        byte[] noUnixFs = new Proto().bytes(2, link(LEAF_A, "", 9)).build();
        byte[] garbage = {(byte) 0xff};
        for (byte[] block : new byte[][] {countMismatch, sizeMismatch, overflow, noUnixFs, garbage}) {
            BrizoException e = assertThrows(BrizoException.class, () -> FileNode.decode(dagPb(block), block));
            assertEquals(ErrorKind.UPSTREAM_FAILED, e.kind());
            assertTrue(e.getMessage().contains("not a valid UnixFS file"), e.getMessage());
        }
    }

    @Test
    void directoriesSymlinksAndOtherCodecsAreNotFiles() {
        byte[] dir = new Proto().bytes(1, new Proto().varint(1, 1)).build();
        byte[] shard = new Proto().bytes(1, new Proto().varint(1, 5)).build();
        byte[] symlink = new Proto()
                .bytes(1, new Proto().varint(1, 4).bytes(2, new byte[] {'x'}))
                .build();
        assertThrows(FileNode.DirectoryException.class, () -> FileNode.decode(dagPb(dir), dir));
        assertThrows(FileNode.DirectoryException.class, () -> FileNode.decode(dagPb(shard), shard));
        BrizoException e = assertThrows(BrizoException.class, () -> FileNode.decode(dagPb(symlink), symlink));
        assertTrue(e.getMessage().contains("cannot verify"), e.getMessage());
        Cid cbor = new Cid(1, 0x71, Multihash.sha256Of(new byte[0]));
        assertThrows(BrizoException.class, () -> FileNode.decode(cbor, new byte[0]));
    }

    private static Cid dagPb(byte[] block) {
        return new Cid(1, Cid.DAG_PB, Multihash.sha256Of(block));
    }
}
