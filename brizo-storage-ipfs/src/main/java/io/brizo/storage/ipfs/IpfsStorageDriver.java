package io.brizo.storage.ipfs;

import io.brizo.spi.ByteRange;
import io.brizo.spi.ObjectInfo;
import io.brizo.spi.StorageDriver;
import io.brizo.spi.StorageObject;
import java.net.URI;

/**
 * Reads {@code ipfs://<cid>[/path]} locations through an HTTP gateway, verifying every block
 * against its CID (or, only in trust mode, passing the gateway's answer on as it is).
 * Thread-safe: each stat and open has its own state; the OkHttp client is shared.
 *
 * <p>The CID is deliberately not reported as an ETag: it is the content's address, and anyone
 * holding it could fetch the content from any public gateway without an agreement.
 */
final class IpfsStorageDriver implements StorageDriver {
    private final IpfsConfig config;
    private final GatewayClient client;
    private final TrustingReader trusting;

    IpfsStorageDriver(IpfsConfig config) {
        this.config = config;
        this.client = new GatewayClient(config);
        this.trusting = config.trustGateway() ? new TrustingReader(client) : null;
    }

    @Override
    public String name() {
        return "ipfs";
    }

    @Override
    public boolean supports(URI location) {
        return IpfsLocation.isIpfs(location);
    }

    @Override
    public ObjectInfo stat(URI location) {
        IpfsLocation ipfs = IpfsLocation.parse(location);
        if (trusting != null) {
            return trusting.stat(ipfs);
        }
        FileNode file = UnixFsResolver.resolve(ipfs, newFetches()).node();
        return ObjectInfo.builder(file.size()).build();
    }

    @Override
    public StorageObject open(URI location, ByteRange range) {
        IpfsLocation ipfs = IpfsLocation.parse(location);
        if (trusting != null) {
            return trusting.open(ipfs, range);
        }
        BlockFetches fetches = newFetches();
        FileNode file = UnixFsResolver.resolve(ipfs, fetches).node();
        ByteRange.Slice slice = range.resolve(file.size());
        VerifiedFileStream stream = new VerifiedFileStream(
                fetches, file, slice.offset(), slice.length(), config.prefetchBlocks(), config.maxDagDepth());
        try {
            stream.prime();
        } catch (RuntimeException e) {
            stream.close();
            throw e;
        }
        return new StorageObject(ObjectInfo.builder(file.size()).build(), slice, stream);
    }

    private BlockFetches newFetches() {
        return new BlockFetches(client, config.maxBlocks());
    }

    @Override
    public void close() {
        client.close();
    }

    @Override
    public String toString() {
        return "IpfsStorageDriver{" + config + "}";
    }
}
