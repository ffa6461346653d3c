package io.brizo.storage.ipfs;

import java.time.Duration;
import java.util.Objects;
import okhttp3.HttpUrl;

/**
 * The driver's validated settings. Immutable.
 *
 * @param gateway the gateway's base URL; requests go to {@code <gateway>/ipfs/<cid>}
 * @param timeout connect and read timeout, and the longest one block request may take
 * @param trustGateway whether to pass the gateway's bytes on unverified (unsafe)
 * @param prefetchBlocks blocks one stream requests ahead of the block it is reading
 * @param maxBlockSize the largest block accepted, in bytes
 * @param maxDagDepth the deepest file DAG accepted (levels below the file's root)
 * @param maxBlocks the most blocks one stat or read may fetch
 */
record IpfsConfig(
        HttpUrl gateway,
        Duration timeout,
        boolean trustGateway,
        int prefetchBlocks,
        int maxBlockSize,
        int maxDagDepth,
        long maxBlocks) {
    IpfsConfig {
        Objects.requireNonNull(gateway, "gateway");
        Objects.requireNonNull(timeout, "timeout");
    }

    @Override
    public String toString() {
        // The gateway may be a private host of the publisher's: kept out of anything printed.
        return "IpfsConfig{timeout=" + timeout + ", trustGateway=" + trustGateway + ", prefetchBlocks="
                + prefetchBlocks + ", maxBlockSize=" + maxBlockSize + ", maxDagDepth=" + maxDagDepth + ", maxBlocks="
                + maxBlocks + "}";
    }
}
