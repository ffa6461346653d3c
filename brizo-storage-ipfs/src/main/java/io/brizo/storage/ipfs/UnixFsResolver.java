package io.brizo.storage.ipfs;

import io.brizo.spi.BrizoException;
import io.brizo.spi.ErrorKind;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * Walks an {@link IpfsLocation} to the file it names: fetches the root block, follows the path
 * through UnixFS directories (plain and HAMT-sharded), and decodes the file's root node. Every
 * block is verified against its CID before it is decoded.
 */
final class UnixFsResolver {
    /** The multicodec code of murmur3-x64-64, the only HAMT hash UnixFS uses. */
    static final long MURMUR3_X64_64 = 0x22;

    private UnixFsResolver() {}

    /**
     * The file a location names.
     *
     * @param cid the file's root block
     * @param node the decoded root block
     */
    record Resolved(Cid cid, FileNode node) {}

    /**
     * {@return the file at {@code location}}
     *
     * @throws BrizoException NOT_FOUND if the gateway lacks the root block, the path names no
     *     entry, or the location is a directory; UPSTREAM_FAILED if content does not verify or is
     *     not UnixFS
     */
    static Resolved resolve(IpfsLocation location, BlockFetches fetches) {
        Cid cid = location.root();
        byte[] block = fetches.fetch(cid); // a missing root is NOT_FOUND, as it should be
        for (String name : location.path()) {
            cid = entry(cid, block, name, fetches);
            block = fetchListed(cid, fetches);
        }
        try {
            return new Resolved(cid, FileNode.decode(cid, block));
        } catch (FileNode.DirectoryException e) {
            throw IpfsErrors.directory();
        }
    }

    /** {@return the CID of entry {@code name} of the directory {@code dir}} */
    private static Cid entry(Cid dir, byte[] block, String name, BlockFetches fetches) {
        if (dir.codec() != Cid.DAG_PB) {
            throw IpfsErrors.noSuchPath(); // a raw block is a file: it has no entries
        }
        DagPbNode node;
        UnixFsData data;
        try {
            node = DagPbNode.decode(block);
            data = UnixFsData.decode(node.data().orElseThrow(() -> new MalformedDataException("no UnixFS data")));
        } catch (MalformedDataException e) {
            throw IpfsErrors.malformed(e.getMessage());
        }
        switch (data.type()) {
            case DIRECTORY -> {
                for (DagPbNode.Link link : node.links()) {
                    if (link.name().equals(name)) {
                        return link.cid();
                    }
                }
                throw IpfsErrors.noSuchPath();
            }
            case HAMT_SHARD -> {
                return shardEntry(node, data, name, fetches);
            }
            default -> throw IpfsErrors.noSuchPath(); // a file has no entries
        }
    }

    /**
     * Finds {@code name} in a HAMT-sharded directory the way go-unixfs and js-ipfs-unixfs place it:
     * the murmur3-x64-64 hash of the name, read most significant bit first, gives at each level
     * the index of a bucket; a link named by that index alone (upper-case hex, padded) is a
     * sub-shard, a link named index + name is the entry.
     */
    private static Cid shardEntry(DagPbNode shard, UnixFsData data, String name, BlockFetches fetches) {
        long fanout = data.fanout().orElse(0L);
        if (data.hashType().orElse(-1L) != MURMUR3_X64_64) {
            throw IpfsErrors.unsupported("a sharded directory with a hash other than murmur3-x64-64");
        }
        if (fanout < 2 || fanout > 1 << 16 || Long.bitCount(fanout) != 1) {
            throw IpfsErrors.malformed("a sharded directory's fanout is not a power of two up to 65536");
        }
        int bits = Long.numberOfTrailingZeros(fanout);
        int padding = Long.toHexString(fanout - 1).length();
        byte[] hash = Murmur3.x64_64(name.getBytes(StandardCharsets.UTF_8));
        DagPbNode node = shard;
        for (int level = 0; ; level++) {
            if ((level + 1) * bits > hash.length * 8) {
                throw IpfsErrors.malformed("a sharded directory is deeper than its hash has bits");
            }
            String prefix = hex(bitsAt(hash, level * bits, bits), padding);
            DagPbNode.Link next = null;
            for (DagPbNode.Link link : node.links()) {
                if (link.name().startsWith(prefix)) {
                    next = link;
                    break;
                }
            }
            if (next == null) {
                throw IpfsErrors.noSuchPath();
            }
            if (next.name().length() > padding) {
                if (next.name().substring(padding).equals(name)) {
                    return next.cid();
                }
                throw IpfsErrors.noSuchPath();
            }
            Cid sub = next.cid();
            if (sub.codec() != Cid.DAG_PB) {
                throw IpfsErrors.malformed("a sub-shard that is not dag-pb");
            }
            byte[] block = fetchListed(sub, fetches);
            try {
                node = DagPbNode.decode(block);
                UnixFsData subData =
                        UnixFsData.decode(node.data().orElseThrow(() -> new MalformedDataException("no UnixFS data")));
                if (subData.type() != UnixFsData.Type.HAMT_SHARD
                        || subData.fanout().orElse(0L) != fanout) {
                    throw new MalformedDataException("a sub-shard that is not a shard of the same fanout");
                }
            } catch (MalformedDataException e) {
                throw IpfsErrors.malformed(e.getMessage());
            }
        }
    }

    /** Fetches a block some verified block links to: if the gateway lacks it, that is its failure. */
    static byte[] fetchListed(Cid cid, BlockFetches fetches) {
        return awaitListed(fetches.start(cid));
    }

    /** {@return the block of a request for a listed block; a 404 is the gateway's failure} */
    static byte[] awaitListed(java.util.concurrent.CompletableFuture<byte[]> request) {
        try {
            return BlockFetches.await(request);
        } catch (BrizoException e) {
            if (e.kind() == ErrorKind.NOT_FOUND) {
                throw IpfsErrors.blockMissing();
            }
            throw e;
        }
    }

    static int bitsAt(byte[] bytes, int start, int count) {
        int value = 0;
        for (int i = start; i < start + count; i++) {
            value = (value << 1) | ((bytes[i / 8] >>> (7 - i % 8)) & 1);
        }
        return value;
    }

    private static String hex(int value, int width) {
        String h = Integer.toHexString(value).toUpperCase(Locale.ROOT);
        return "0".repeat(Math.max(0, width - h.length())) + h;
    }
}
