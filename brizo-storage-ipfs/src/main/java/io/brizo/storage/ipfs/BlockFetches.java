package io.brizo.storage.ipfs;

import io.brizo.spi.BrizoException;
import io.brizo.spi.ErrorKind;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The verified block requests of one operation (a stat, or an open and the stream it returns),
 * counted against IPFS_MAX_BLOCKS so that a hostile DAG cannot make one read fetch without end.
 * Thread-safe.
 */
final class BlockFetches {
    private final GatewayClient client;
    private final long maxBlocks;
    private final AtomicLong started = new AtomicLong();

    BlockFetches(GatewayClient client, long maxBlocks) {
        this.client = client;
        this.maxBlocks = maxBlocks;
    }

    /** {@return a request for the verified block {@code cid}, already sent} */
    CompletableFuture<byte[]> start(Cid cid) {
        if (started.incrementAndGet() > maxBlocks) {
            throw IpfsErrors.limit("reading this asset's IPFS content needs more than IPFS_MAX_BLOCKS (" + maxBlocks
                    + ") blocks; raise it if the file is that large");
        }
        return client.fetchBlock(cid);
    }

    /** {@return the verified block {@code cid}, waiting for it} */
    byte[] fetch(Cid cid) {
        return await(start(cid));
    }

    /** {@return how many blocks this operation has requested} */
    long count() {
        return started.get();
    }

    /** {@return the block of a request, or its failure as a BrizoException} */
    static byte[] await(CompletableFuture<byte[]> request) {
        try {
            return request.get();
        } catch (InterruptedException e) {
            request.cancel(true);
            Thread.currentThread().interrupt();
            throw new BrizoException(
                    ErrorKind.UNAVAILABLE, "interrupted while reading from the IPFS gateway", null, true);
        } catch (CancellationException e) {
            throw new BrizoException(ErrorKind.UNAVAILABLE, "the IPFS read was cancelled", null, true);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof BrizoException b) {
                throw b;
            }
            throw new BrizoException(
                    ErrorKind.INTERNAL, "reading from the IPFS gateway failed unexpectedly", e.getCause());
        }
    }
}
