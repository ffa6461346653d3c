package io.brizo.storage.ipfs;

import io.brizo.spi.BrizoException;
import io.brizo.spi.ErrorKind;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;

/**
 * The bytes {@code [from, to)} of a UnixFS file, streamed in order as its blocks verify.
 *
 * <p>The file's DAG is walked depth first. A child whose subtree lies wholly outside the range
 * is skipped without being fetched (the parent's {@code blocksizes} say where it lies), so a
 * range costs the blocks on its path, not the whole file. Each fetched block is checked against
 * its CID by {@link GatewayClient} before any byte of it is used, and against the size its parent
 * declares, so the stream yields exactly {@code to - from} bytes or fails.
 *
 * <p>Memory is bounded whatever the file's size: the block being read, at most {@code prefetch}
 * blocks requested ahead of it (in DAG order), and the child lists of the nodes on the current
 * path (at most IPFS_MAX_DAG_DEPTH of them).
 *
 * <p>Failures after the first byte are {@link IOException}s (a {@link ContentMismatchException}
 * when content does not match its CID), and every later read repeats them. Not thread-safe.
 */
final class VerifiedFileStream extends InputStream {
    private final BlockFetches fetches;
    private final long from;
    private final long to;
    private final int prefetch;
    private final int maxDepth;
    private final Deque<Frame> frames = new ArrayDeque<>();

    private byte[] current = new byte[0];
    private int position;
    private int end;
    private long remaining;
    private int started; // requests sent whose blocks have not been taken yet
    private IOException failure;
    private boolean closed;

    /** A node on the current path: the children still to read, and their depth. */
    private static final class Frame {
        final List<Pending> children;
        final int depth;
        int next;

        Frame(List<Pending> children, int depth) {
            this.children = children;
            this.depth = depth;
        }
    }

    /** A child in the range: where its bytes start in the file, and its request once sent. */
    private static final class Pending {
        final Cid cid;
        final long offset;
        final long size;
        CompletableFuture<byte[]> request;

        Pending(Cid cid, long offset, long size) {
            this.cid = cid;
            this.offset = offset;
            this.size = size;
        }
    }

    /**
     * Creates the stream; no block is fetched until {@link #prime()} or the first read.
     *
     * @param root the file's verified, decoded root
     * @param from the first byte's offset in the file
     * @param length how many bytes to yield
     */
    VerifiedFileStream(BlockFetches fetches, FileNode root, long from, long length, int prefetch, int maxDepth) {
        this.fetches = Objects.requireNonNull(fetches, "fetches");
        this.from = from;
        this.to = from + length;
        this.remaining = length;
        this.prefetch = prefetch;
        this.maxDepth = maxDepth;
        enter(root, 0, 0);
    }

    /**
     * Fetches up to the first byte, so that a missing or corrupt first block fails the open with
     * a BrizoException rather than the first read with an IOException.
     */
    void prime() {
        if (remaining > 0) {
            fill();
        }
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        int n = read(one, 0, 1);
        return n < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        Objects.checkFromIndexSize(off, len, b.length);
        ensureOpen();
        if (len == 0) {
            return 0;
        }
        if (remaining == 0) {
            return -1;
        }
        if (position == end) {
            try {
                fill();
            } catch (BrizoException e) {
                failure = toIOException(e);
                cancelAll();
                throw failure;
            }
        }
        int n = (int) Math.min(Math.min(len, end - position), remaining);
        System.arraycopy(current, position, b, off, n);
        position += n;
        remaining -= n;
        return n;
    }

    @Override
    public int available() throws IOException {
        ensureOpen();
        return end - position;
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            cancelAll();
            current = new byte[0];
            position = 0;
            end = 0;
        }
    }

    private void ensureOpen() throws IOException {
        if (closed) {
            throw new IOException("the IPFS stream is closed");
        }
        if (failure != null) {
            throw failure;
        }
    }

    /** Makes {@code current} hold at least one byte of the range; there is one, by {@code remaining}. */
    private void fill() {
        while (position == end) {
            Frame top = frames.peek();
            if (top == null) {
                // The nodes' declared sizes promised more bytes than the DAG holds.
                throw IpfsErrors.malformed("the file ends before its declared size");
            }
            if (top.next == top.children.size()) {
                frames.pop();
                continue;
            }
            Pending child = top.children.get(top.next);
            sendRequests(child);
            top.next++;
            byte[] block = take(child);
            FileNode node;
            try {
                node = FileNode.decode(child.cid, block);
            } catch (FileNode.DirectoryException e) {
                throw IpfsErrors.malformed("a directory inside a file");
            }
            if (node.size() != child.size) {
                throw IpfsErrors.malformed("a block holds a different number of bytes than its parent declares");
            }
            enter(node, child.offset, top.depth);
        }
    }

    /** Uses a node's own bytes in the range, and lines up its children that are in it. */
    private void enter(FileNode node, long offset, int depth) {
        byte[] data = node.data();
        long dataEnd = offset + data.length;
        long first = Math.max(offset, from);
        long last = Math.min(dataEnd, to);
        if (first < last) {
            current = data;
            position = (int) (first - offset);
            end = (int) (last - offset);
        }
        List<Pending> inRange = new ArrayList<>();
        long childOffset = dataEnd;
        for (FileNode.Child c : node.children()) {
            // Empty children hold no byte of any range; the rest are fetched only if they overlap.
            if (c.size() > 0 && childOffset < to && childOffset + c.size() > from) {
                inRange.add(new Pending(c.cid(), childOffset, c.size()));
            }
            childOffset += c.size();
        }
        if (!inRange.isEmpty()) {
            if (depth + 1 > maxDepth) {
                throw IpfsErrors.limit("this asset's IPFS file is deeper than IPFS_MAX_DAG_DEPTH (" + maxDepth
                        + "); raise it if such files are expected");
            }
            frames.push(new Frame(inRange, depth + 1));
        }
    }

    /**
     * Sends the request for {@code next} if it is not on its way, then up to {@code prefetch}
     * more for the blocks after it, in the order they will be read.
     */
    private void sendRequests(Pending next) {
        if (next.request == null) {
            send(next);
        }
        int ahead = started - 1;
        if (ahead >= prefetch) {
            return;
        }
        boolean first = true;
        for (Frame frame : frames) {
            for (int i = frame.next; i < frame.children.size(); i++) {
                Pending p = frame.children.get(i);
                if (first) {
                    first = false; // that is {@code next} itself
                    continue;
                }
                if (p.request == null) {
                    send(p);
                    if (++ahead >= prefetch) {
                        return;
                    }
                }
            }
        }
    }

    private void send(Pending p) {
        p.request = fetches.start(p.cid);
        started++;
    }

    private byte[] take(Pending p) {
        try {
            return UnixFsResolver.awaitListed(p.request);
        } finally {
            p.request = null;
            started--;
        }
    }

    private void cancelAll() {
        for (Frame frame : frames) {
            for (Pending p : frame.children) {
                if (p.request != null) {
                    p.request.cancel(true);
                    p.request = null;
                }
            }
        }
        frames.clear();
        started = 0;
    }

    private static IOException toIOException(BrizoException e) {
        if (e.getMessage().startsWith(IpfsErrors.MISMATCH)) {
            return new ContentMismatchException(e);
        }
        if (e.kind() == ErrorKind.UNAVAILABLE && Thread.currentThread().isInterrupted()) {
            InterruptedIOException i = new InterruptedIOException(e.getMessage());
            i.initCause(e);
            return i;
        }
        return new IOException(e.getMessage(), e);
    }
}
