package io.brizo.storage.ipfs;

import java.util.ArrayList;
import java.util.List;

/**
 * One verified block of a UnixFS file, decoded: the file bytes it holds itself, then its
 * children in order with the number of file bytes each one's subtree holds. A raw-codec block
 * is a leaf whose bytes are all file bytes. Immutable.
 *
 * @param data this block's own file bytes, which come before its children's
 * @param children the child blocks, in file order
 * @param size this subtree's file bytes: its own plus its children's
 */
record FileNode(byte[] data, List<Child> children, long size) {
    FileNode {
        children = List.copyOf(children);
    }

    /**
     * A child block and the file bytes its subtree holds, as the parent declares.
     *
     * @param cid the child block
     * @param size the file bytes under it (the parent's {@code blocksizes} entry)
     */
    record Child(Cid cid, long size) {}

    /** Thrown when a block decodes as a UnixFS directory where a file was expected. */
    static final class DirectoryException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        DirectoryException() {
            super("a UnixFS directory, not a file", null, false, false);
        }
    }

    /**
     * {@return the file node in a block already verified against {@code cid}}
     *
     * @throws DirectoryException if the block is a UnixFS directory or HAMT shard
     * @throws io.brizo.spi.BrizoException (UPSTREAM_FAILED) if it is not a well-formed file node
     *     or uses a codec the driver cannot read
     */
    static FileNode decode(Cid cid, byte[] block) {
        if (cid.codec() == Cid.RAW) {
            return new FileNode(block, List.of(), block.length);
        }
        if (cid.codec() != Cid.DAG_PB) {
            throw IpfsErrors.unsupported("a codec other than dag-pb and raw");
        }
        DagPbNode node;
        UnixFsData unixfs;
        try {
            node = DagPbNode.decode(block);
            unixfs = UnixFsData.decode(node.data().orElseThrow(() -> new MalformedDataException("no UnixFS data")));
        } catch (MalformedDataException e) {
            throw IpfsErrors.malformed(e.getMessage());
        }
        switch (unixfs.type()) {
            case FILE, RAW -> {
                // file nodes: checked below
            }
            case DIRECTORY, HAMT_SHARD -> throw new DirectoryException();
            default ->
                throw IpfsErrors.unsupported("a UnixFS " + unixfs.type().name().toLowerCase() + " node");
        }
        List<DagPbNode.Link> links = node.links();
        List<Long> sizes = unixfs.blockSizes();
        if (links.size() != sizes.size()) {
            throw IpfsErrors.malformed(
                    "a node declares " + sizes.size() + " block sizes for " + links.size() + " links");
        }
        List<Child> children = new ArrayList<>(links.size());
        long size = unixfs.dataLength();
        try {
            for (int i = 0; i < links.size(); i++) {
                children.add(new Child(links.get(i).cid(), sizes.get(i)));
                size = Math.addExact(size, sizes.get(i));
            }
        } catch (ArithmeticException e) {
            throw IpfsErrors.malformed("the block sizes add up to more than 2^63 bytes");
        }
        if (unixfs.fileSize().isPresent() && unixfs.fileSize().get() != size) {
            throw IpfsErrors.malformed("a node's filesize differs from the sizes of its data and children");
        }
        return new FileNode(unixfs.data(), children, size);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof FileNode f
                && f.size == size
                && java.util.Arrays.equals(f.data, data)
                && f.children.equals(children);
    }

    @Override
    public int hashCode() {
        return java.util.Objects.hash(java.util.Arrays.hashCode(data), children, size);
    }

    @Override
    public String toString() {
        return "FileNode{data=" + data.length + " bytes, children=" + children.size() + ", size=" + size + "}";
    }
}
