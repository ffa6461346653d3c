package io.brizo.storage.ipfs;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Test-only, independent re-implementation of how kubo ({@code ipfs add} with its defaults)
 * turns a file into a UnixFS DAG: 256 KiB fixed-size chunks, each a dag-pb leaf with UnixFS type
 * File; leaves grouped bottom-up into balanced parents of at most 174 links; a file of one chunk
 * is that leaf alone; CIDv0. It encodes protobuf itself (nothing of the driver's decoders is
 * used except Multibase/Multihash for the final CID text), so that agreeing with {@code ipfs_cid}
 * and with Helia checks the driver's understanding of the format from the writing side.
 */
final class KuboImporter {
    static final int CHUNK = 256 * 1024;
    static final int MAX_LINKS = 174;

    private KuboImporter() {}

    /** A node built so far: its CID, the file bytes under it, and its cumulative DAG size (Tsize). */
    private record Built(byte[] multihash, long fileSize, long tsize) {}

    /** {@return the CIDv0 kubo gives {@code content}} */
    static String cidV0(byte[] content) {
        List<Built> level = new ArrayList<>();
        if (content.length == 0) {
            level.add(leaf(new byte[0]));
        }
        for (int off = 0; off < content.length; off += CHUNK) {
            level.add(leaf(Arrays.copyOfRange(content, off, Math.min(content.length, off + CHUNK))));
        }
        while (level.size() > 1) {
            List<Built> parents = new ArrayList<>();
            for (int i = 0; i < level.size(); i += MAX_LINKS) {
                parents.add(parent(level.subList(i, Math.min(level.size(), i + MAX_LINKS))));
            }
            level = parents;
        }
        return Multibase.encodeBase58(level.get(0).multihash());
    }

    private static Built leaf(byte[] chunk) {
        ByteArrayOutputStream unixfs = new ByteArrayOutputStream();
        varintField(unixfs, 1, 2); // Type = File
        if (chunk.length > 0) {
            bytesField(unixfs, 2, chunk); // Data
        }
        varintField(unixfs, 3, chunk.length); // filesize
        ByteArrayOutputStream node = new ByteArrayOutputStream();
        bytesField(node, 1, unixfs.toByteArray()); // PBNode.Data
        byte[] block = node.toByteArray();
        return new Built(sha256Multihash(block), chunk.length, block.length);
    }

    private static Built parent(List<Built> children) {
        long fileSize = 0;
        long tsize = 0;
        ByteArrayOutputStream node = new ByteArrayOutputStream();
        // dag-pb's canonical order: every link (field 2) before the data (field 1).
        for (Built child : children) {
            ByteArrayOutputStream link = new ByteArrayOutputStream();
            bytesField(link, 1, child.multihash()); // Hash: a CIDv0 is the bare multihash
            bytesField(link, 2, new byte[0]); // Name: present and empty, as kubo writes it
            varintField(link, 3, child.tsize()); // Tsize
            bytesField(node, 2, link.toByteArray());
            fileSize += child.fileSize();
            tsize += child.tsize();
        }
        ByteArrayOutputStream unixfs = new ByteArrayOutputStream();
        varintField(unixfs, 1, 2); // Type = File
        varintField(unixfs, 3, fileSize); // filesize
        for (Built child : children) {
            varintField(unixfs, 4, child.fileSize()); // blocksizes, one key per value (not packed)
        }
        bytesField(node, 1, unixfs.toByteArray());
        byte[] block = node.toByteArray();
        return new Built(sha256Multihash(block), fileSize, tsize + block.length);
    }

    private static byte[] sha256Multihash(byte[] block) {
        return Multihash.sha256Of(block).toBytes();
    }

    private static void varintField(ByteArrayOutputStream out, int field, long value) {
        writeVarint(out, (long) field << 3);
        writeVarint(out, value);
    }

    private static void bytesField(ByteArrayOutputStream out, int field, byte[] value) {
        writeVarint(out, ((long) field << 3) | 2);
        writeVarint(out, value.length);
        out.writeBytes(value);
    }

    private static void writeVarint(ByteArrayOutputStream out, long value) {
        long v = value;
        while ((v & ~0x7fL) != 0) {
            out.write((int) ((v & 0x7f) | 0x80));
            v >>>= 7;
        }
        out.write((int) v);
    }
}
